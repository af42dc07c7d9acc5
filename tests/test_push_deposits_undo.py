"""Undoing deposits (issue 11, follow-up): what Odoo takes back leaves
Xero's books too, and nothing Odoo keeps vanishes from them."""

from datetime import date

from odoo.tests import tagged

from ..xero import payloads_deposit
from .common import XeroDepositsCommon
from .common_sandbox import SandboxCase


@tagged("post_install", "-at_install")
class TestDepositDeleteSandbox(SandboxCase):

    def _ok(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def test_allocated_prepayment_cannot_be_deleted(self):
        contact = self.contact("Deposit Ltd")
        deposit = self._ok(self.put("/BankTransactions", {"BankTransactions": [{
            "Type": "RECEIVE-PREPAYMENT", "Contact": {"ContactID": contact["ContactID"]},
            "BankAccount": {"Code": "090"}, "Date": "2025-06-01", "LineAmountTypes": "NoTax",
            "LineItems": [{"Description": "Deposit", "LineAmount": 50, "AccountCode": "877"}],
        }]}))["BankTransactions"][0]
        invoice = self._ok(self.invoice(contact["ContactID"]))["Invoices"][0]
        path = "/Prepayments/%s/Allocations" % deposit["PrepaymentID"]
        alloc = self._ok(self.put(path, {"Allocations": [{
            "Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 20,
            "Date": "2025-06-03"}]}))["Allocations"][0]
        delete = {"BankTransactions": [{"Status": "DELETED"}]}
        r = self.post("/BankTransactions/%s" % deposit["BankTransactionID"], delete)
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("remove the allocations", r.text)
        prepayment = self._ok(self.get("/Prepayments/%s" % deposit["PrepaymentID"]))["Prepayments"][0]
        self.assertEqual(prepayment["Status"], "AUTHORISED")
        # Its allocation taken off, it goes: the prepayment reads VOIDED.
        self._ok(self.http.delete(self.srv.url + "/api.xro/2.0" + path + "/" + alloc["AllocationID"],
                                  headers=self.h()))
        self._ok(self.post("/BankTransactions/%s" % deposit["BankTransactionID"], delete))
        prepayment = self._ok(self.get("/Prepayments/%s" % deposit["PrepaymentID"]))["Prepayments"][0]
        self.assertEqual(prepayment["Status"], "VOIDED")


@tagged("post_install", "-at_install")
class TestPushDepositsUndo(XeroDepositsCommon):
    """Reuses the deposits' set-up (Deposits accounts 877 / 620) and helpers."""

    def test_payment_taken_off_its_invoice_becomes_a_deposit(self):
        invoice = self.make_invoice(amounts=(100.0,))  # 115
        payment = self.pay(invoice)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        [xero_payment] = self.xero_docs("Payments")

        # Taken off: Odoo keeps the money as an outstanding receipt, so does Xero.
        payment.move_id.line_ids.remove_move_reconcile()
        delete = self.jobs(payment, "delete_payment")
        deposit = self.jobs(payment, "deposit")
        self.assertEqual(deposit.depends_on_job_id, delete)
        self.push()
        self.assertEqual(self.xero_doc("Payments", xero_payment["PaymentID"])["Status"], "DELETED")
        self.assertEqual(deposit.state, "done", deposit.error)
        [prepayment] = self.xero_docs("Prepayments")
        self.assertAlmostEqual(float(prepayment["Total"]), 115.0)
        self.assertAlmostEqual(float(prepayment["RemainingCredit"]), 115.0)
        self.assertEqual((payment.xero_state, payment.xero_id), ("sent", prepayment["PrepaymentID"]))
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "AUTHORISED")
        # (The bank agrees; the prepayment sits on the Deposits account where
        # Odoo keeps the receipt on Receivable, as for any prepayment.)

        # Matched again: an allocation, not a new Payment.
        self.match(payment, invoice)
        self.push()
        self.assertEqual(self.jobs(payment, "deposit_allocation")[-1].state, "done")
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        self.assertEqual(len([p for p in self.xero_docs("Payments") if p["Status"] != "DELETED"]), 0)
        self.assertEqual(self.compare_books(), [])

    def test_payment_taken_off_one_of_two_invoices(self):
        first = self.make_invoice(amounts=(100.0,))  # 115
        second = self.make_invoice(amounts=(60.0,))  # 69
        wizard = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=(first | second).ids).create(
            {"payment_date": "2025-06-10", "group_payment": True})
        payment = wizard._create_payments()
        self.assertAlmostEqual(payment.amount, 184.0)
        self.push()
        self.assertEqual(len(self.xero_docs("Payments")), 2)
        partial = (payment.move_id.line_ids.matched_debit_ids
                   | payment.move_id.line_ids.matched_credit_ids).filtered(
            lambda p: second in (p.debit_move_id.move_id | p.credit_move_id.move_id))
        partial.unlink()
        self.push()
        # Both Payments deleted, the whole payment an overpayment applied to the first.
        self.assertEqual({p["Status"] for p in self.xero_docs("Payments")}, {"DELETED"})
        [overpayment] = self.xero_docs("Overpayments")
        self.assertAlmostEqual(float(overpayment["Total"]), 184.0)
        self.assertAlmostEqual(float(overpayment["RemainingCredit"]), 69.0)
        self.assertEqual(self.xero_doc("Invoices", first.xero_id)["Status"], "PAID")
        self.assertAlmostEqual(float(self.xero_doc("Invoices", second.xero_id)["AmountDue"]), 69.0)
        self.assertFalse(self.Job.search([("state", "in", ("failed", "blocked"))]).mapped("error"))
        self.assertEqual(self.compare_books(), [])

    def test_refund_taken_off_its_deposit(self):
        payment = self.make_payment(90.0)
        refund = self.make_payment(90.0, "outbound", date="2025-06-05", partner_type="customer")
        self.match(payment, refund.move_id)
        self.push()
        [xpay] = self.xero_docs("Payments")
        self.assertEqual(refund.xero_state, "sent", refund.xero_error)

        refund.move_id.line_ids.remove_move_reconcile()
        self.push()
        self.assertEqual(self.xero_doc("Payments", xpay["PaymentID"])["Status"], "DELETED")
        [prepayment] = self.xero_docs("Prepayments")
        self.assertEqual((prepayment["Status"], float(prepayment["RemainingCredit"])),
                         ("AUTHORISED", 90.0))
        # Its Payment deleted, the refund is matched to nothing: Xero's bank
        # no longer holds it, so it shows blocked, saying what to match it with.
        self.assertEqual(refund.xero_state, "blocked", refund.xero_error)
        self.assertIn("matched to no credit note", refund.xero_error)
        self.assertFalse(self.Job.search([("state", "in", ("failed", "blocked"))]).mapped("error"))

    def test_deposit_reset_to_draft_leaves_xero(self):
        payment = self.make_payment(115.0)
        invoice = self.make_invoice(amounts=(100.0,))
        self.push()
        self.match(payment, invoice)
        self.push()
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        [prepayment] = self.xero_docs("Prepayments")

        payment.action_draft()
        void = self.jobs(payment, "void_deposit")
        self.assertEqual(void.state, "pending")
        self.push()
        self.assertEqual(self.jobs(payment, "delete_deposit_allocation").state, "done")
        self.assertEqual(void.state, "done", void.error)
        [prepayment] = self.xero_docs("Prepayments")
        self.assertEqual(prepayment["Status"], "VOIDED")
        [transaction] = self.xero_docs("BankTransactions")
        self.assertEqual(transaction["Status"], "DELETED")
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "AUTHORISED")
        self.assertEqual(payment.xero_state, "voided", payment.xero_error)
        self.assertEqual(self.compare_books(), [])

        # Posted again: a new prepayment.
        payment.action_post()
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        live = [p for p in self.xero_docs("Prepayments") if p["Status"] != "VOIDED"]
        self.assertEqual(len(live), 1)
        self.assertEqual(payment.xero_id, live[0]["PrepaymentID"])

    def test_deposit_allocated_in_xero_is_blocked_not_lost(self):
        payment = self.make_payment(60.0)
        invoice = self.make_invoice(amounts=(100.0,))
        self.push()
        [prepayment] = self.xero_docs("Prepayments")
        # Someone allocates it in Xero itself.
        api = self.connection._xero_accounting_client()
        result = api.create_deposit_allocation(
            "prepayment", prepayment["PrepaymentID"], payloads_deposit.build_deposit_allocation(
                invoice.xero_id, 20.0, date(2025, 6, 2)), "by-hand")
        self.assertTrue(result.ok, result.message)

        payment.action_cancel()
        self.push()
        void = self.jobs(payment, "void_deposit")
        self.assertEqual(void.state, "blocked")
        self.assertIn("allocation to", void.error)
        self.assertEqual(payment.xero_state, "blocked")
        [prepayment] = self.xero_docs("Prepayments")
        self.assertEqual(prepayment["Status"], "AUTHORISED")
