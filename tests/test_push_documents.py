"""What the push makes of documents in Xero: a credit note allocated and
refunded, another currency, the rounding line, a missing mapping that blocks,
a void and a deleted payment."""

from odoo.tests import tagged

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestPushDocuments(XeroPushCommon):

    def test_credit_note_allocation_and_refund(self):
        invoice = self.make_invoice(amounts=(100.0,))
        note = self.make_invoice("out_refund", amounts=(40.0,))
        (invoice + note).line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable").reconcile()
        self.push()
        self.assertEqual(note.xero_state, "sent", note.xero_error)
        self.assertEqual(self.xero_doc("CreditNotes", note.xero_id)["Type"], "ACCRECCREDIT")
        alloc = self.jobs(note, "allocation")
        self.assertEqual(alloc.state, "done", alloc.error)
        self.assertAlmostEqual(float(self.xero_doc("Invoices", invoice.xero_id)["AmountDue"]),
                               invoice.amount_total - note.amount_total, places=2)
        # A refund: a payment against a credit note.
        note2 = self.make_invoice("out_refund", amounts=(20.0,))
        refund = self.pay(note2)
        self.push()
        self.assertEqual(refund.xero_state, "sent", refund.xero_error)
        self.assertEqual(self.xero_doc("Payments", refund.xero_id)["CreditNote"]
                         if isinstance(self.xero_doc("Payments", refund.xero_id).get("CreditNote"), str)
                         else self.xero_doc("Payments", refund.xero_id).get("CreditNoteID", note2.xero_id),
                         note2.xero_id)

    def test_multi_currency(self):
        invoice = self.make_invoice(amounts=(100.0,), currency=self.other_currency)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertEqual(doc["CurrencyCode"], "AUD")
        self.assertAlmostEqual(float(doc["CurrencyRate"]), 2.0)
        payment = self.pay(invoice, amount=50.0)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        self.assertAlmostEqual(float(self.xero_doc("Payments", payment.xero_id)["Amount"]), 50.0)

    def test_rounding_line(self):
        self.company.tax_calculation_rounding_method = "round_globally"
        invoice = self.make_invoice(amounts=(1.03, 1.03, 1.03))
        self.assertAlmostEqual(invoice.amount_total, 3.55)  # Xero per line: 3.54
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertAlmostEqual(float(doc["Total"]), 3.55)
        self.assertEqual(doc["LineItems"][-1]["Description"], "Rounding")

    def test_missing_mapping_blocks(self):
        account = self.company_data["default_account_revenue"].copy({"code": "499999"})
        before = len(self._puts("/Invoices"))
        invoice = self.make_invoice(post=False)
        invoice.invoice_line_ids.account_id = account
        invoice.action_post()
        self.push()
        self.assertEqual(invoice.xero_state, "blocked")
        self.assertIn(account.display_name, invoice.xero_error)
        self.assertEqual(len(self._puts("/Invoices")), before)
        self.assertEqual(self.jobs(invoice, "invoice").state, "blocked")

    def test_void_and_delete_payment(self):
        invoice = self.make_invoice()
        payment = self.pay(invoice, amount=10.0)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        xero_payment_id = payment.xero_id
        payment.action_draft()
        self.assertEqual(self.jobs(payment, "delete_payment").state, "pending")
        invoice.button_draft()
        self.push()
        self.assertEqual(self.xero_doc("Payments", xero_payment_id)["Status"], "DELETED")
        self.assertEqual(self.jobs(invoice, "void").state, "done", self.jobs(invoice, "void").error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "VOIDED")
        self.assertEqual(invoice.xero_state, "voided")
