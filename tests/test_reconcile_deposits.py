"""Reconcile with Xero and open deposits (issue 23): with a Deposits
account set, a prepayment sits on that account in Xero until it is
allocated, where Odoo keeps the receipt on Receivable (Payable). An open
deposit is not a difference between the two books."""

from odoo.tests import tagged

from .common import XeroDepositsCommon


@tagged("post_install", "-at_install")
class TestReconcileOpenDeposits(XeroDepositsCommon):

    def compare(self, date="2025-12-31"):
        rec = self.env["xero.reconcile"].create({"connection_id": self.connection.id, "date": date})
        rec.action_compare()
        return rec

    def differences(self, rec):
        return [(l.xero_account_id.code, l.odoo_balance, l.xero_balance)
                for l in rec.line_ids if l.difference]

    def test_open_prepayment_received_is_no_difference(self):
        payment = self.make_payment(115.0)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        rec = self.compare()
        self.assertEqual(self.differences(rec), [])
        self.assertIn("agree", rec.summary)
        deposits = rec.line_ids.filtered(lambda l: l.xero_account_id.code == "877")
        self.assertAlmostEqual(deposits.odoo_balance, -115.0)

    def test_open_prepayment_paid_is_no_difference(self):
        payment = self.make_payment(80.0, "outbound", partner=self.partner_b)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        self.assertEqual(self.differences(self.compare()), [])

    def test_partly_allocated_and_partly_refunded(self):
        # 300 received; 115 of it applied to an invoice, 50 given back: 135
        # stay on the Deposits account in Xero, on Receivable in Odoo.
        payment = self.make_payment(300.0)
        self.push()
        invoice = self.make_invoice(amounts=(100.0,), date="2025-07-01")
        self.match(payment, invoice)
        refund = self.make_payment(50.0, "outbound", date="2025-07-05", partner_type="customer")
        self.match(payment, refund.move_id)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.jobs(payment, "deposit_allocation").state, "done")
        self.assertEqual(self.jobs(refund, "deposit_refund").state, "done")
        [prepayment] = self.xero_docs("Prepayments")
        self.assertAlmostEqual(float(prepayment["RemainingCredit"]), 135.0)
        rec = self.compare()
        self.assertEqual(self.differences(rec), [])
        deposits = rec.line_ids.filtered(lambda l: l.xero_account_id.code == "877")
        self.assertAlmostEqual(deposits.odoo_balance, -135.0)
        # As at a date before the invoice: the whole deposit is open.
        rec = self.compare("2025-06-15")
        self.assertEqual(self.differences(rec), [])
        deposits = rec.line_ids.filtered(lambda l: l.xero_account_id.code == "877")
        self.assertAlmostEqual(deposits.odoo_balance, -300.0)

    def test_allocation_not_sent_yet_is_explained_by_the_deposit(self):
        payment = self.make_payment(200.0)
        invoice = self.make_invoice(amounts=(100.0,), date="2025-06-02")
        self.push()
        self.match(payment, invoice)
        rec = self.compare()
        # Odoo has applied 115 of the deposit, Xero not yet: Receivable and
        # Deposits differ by it, and the deposit explains both.
        self.env.invalidate_all()
        for code, difference in (("610", -115.0), ("877", 115.0)):
            line = rec.line_ids.filtered(lambda l, c=code: l.xero_account_id.code == c)
            self.assertAlmostEqual(line.difference, difference, msg=code)
            self.assertEqual(line.item_ids.mapped("res_id"), [payment.id], code)
            self.assertEqual(line.item_ids.mapped("reason"), ["queued"], code)
            self.assertAlmostEqual(line.unexplained, 0.0, msg=code)
        self.push()
        self.assertEqual(self.differences(self.compare()), [])

    def test_sent_deposit_does_not_explain_another_documents_difference(self):
        payment = self.make_payment(200.0)
        invoice = self.make_invoice(amounts=(100.0,), date="2025-06-02")
        self.push()
        self.match(payment, invoice)
        self.push()
        self.assertEqual(self.jobs(payment, "deposit_allocation").state, "done")
        queued = self.make_invoice(amounts=(40.0,), date="2025-06-03")
        rec = self.compare()
        self.env.invalidate_all()
        receivable = rec.line_ids.filtered(lambda l: l.xero_account_id.code == "610")
        self.assertAlmostEqual(receivable.difference, queued.amount_total)
        # Only the invoice not sent: the deposit is not read back as Payments.
        self.assertEqual(receivable.item_ids.move_id, queued)
        self.assertAlmostEqual(rec.unexplained_total, 0.0)
