"""Unmatched, then matched again, while Xero refuses the first delete (issue
23): the invoice is paid in Xero as in Odoo, nothing is applied twice and
nothing is lost, whatever order Xero's refusal and the user's new match
come in."""

from odoo import Command
from odoo.tests import tagged

from .common import XeroPushCommon

# A refusal in the shape of Xero's ValidationException (the words are the
# test's: Xero documents none for a payment it will not delete).
REFUSAL = ('{"ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation '
           'exception occurred", "Elements": [{"ValidationErrors": [{"Message": "Payment '
           'cannot be deleted as it has been reconciled"}]}]}')


@tagged("post_install", "-at_install")
class TestRematchWhileDeleteRefused(XeroPushCommon):

    def setUp(self):
        super().setUp()
        self.bank_journal = self.company_data["default_journal_bank"]
        # A refusal no request met stays with the sandbox, shared by the tests.
        self.addCleanup(self.srv.faults.clear)

    def receivable(self, move):
        return move.line_ids.filtered(lambda l: l.account_id.account_type == "asset_receivable")

    def bank_entry(self, invoice):
        """Money in on the bank journal, matched by hand with ``invoice``."""
        move = self.env["account.move"].create({
            "move_type": "entry", "journal_id": self.bank_journal.id, "date": "2025-06-12",
            "ref": "Bank settlement",
            "line_ids": [
                Command.create({"name": "Bank", "debit": invoice.amount_total,
                                "account_id": self.bank_journal.default_account_id.id}),
                Command.create({"name": "Settlement", "credit": invoice.amount_total,
                                "account_id": self.receivable(invoice).account_id.id,
                                "partner_id": invoice.partner_id.id}),
            ],
        })
        move.action_post()
        return move

    def match(self, move, invoice):
        (self.receivable(move) | self.receivable(invoice)).filtered(
            lambda l: not l.reconciled).reconcile()

    def refuse_next_delete(self):
        self.srv.faults.add("status", path="/api.xro/2.0/Payments/*", method="POST", status=400,
                            body=REFUSAL)

    def live_payments(self):
        return [p for p in self.xero_docs("Payments") if p["Status"] != "DELETED"]

    def differences(self):
        rec = self.env["xero.reconcile"].create({"connection_id": self.connection.id,
                                                 "date": "2025-12-31"})
        rec.action_compare()
        return [(l.xero_account_id.code, l.odoo_balance, l.xero_balance)
                for l in rec.line_ids if l.difference]

    def retry_failed(self):
        self.Job.search([("state", "=", "failed")]).action_retry()
        self.push()

    def assertPaidOnceInXero(self, invoice):
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        self.assertEqual(len(self.live_payments()), 1, self.live_payments())
        self.assertAlmostEqual(float(self.live_payments()[0]["Amount"]), invoice.amount_total)
        self.assertEqual(self.differences(), [])

    def sent_bank_entry(self):
        invoice = self.make_invoice()
        entry = self.bank_entry(invoice)
        self.match(entry, invoice)
        self.push()
        self.assertEqual(entry.xero_state, "sent", entry.xero_error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        return invoice, entry

    def test_bank_entry_matched_again_after_a_refused_delete(self):
        invoice, entry = self.sent_bank_entry()
        self.refuse_next_delete()
        self.receivable(invoice).remove_move_reconcile()
        self.push()
        delete = self.jobs(entry, "delete_payment")
        self.assertEqual(delete.state, "failed")
        self.assertIn("reconciled", delete.error)
        # Matched again: Xero's payment still stands, and is the one Odoo
        # has; nothing the user retries takes it out of Xero.
        self.match(entry, invoice)
        self.push()
        self.retry_failed()
        self.assertPaidOnceInXero(invoice)
        self.assertEqual(entry.xero_state, "sent", entry.xero_error)
        self.assertEqual(delete.state, "cancelled")
        self.assertIn("Matched again", delete.error)

    def test_bank_entry_matched_again_before_the_delete_went(self):
        invoice, entry = self.sent_bank_entry()
        self.receivable(invoice).remove_move_reconcile()
        self.match(entry, invoice)
        self.refuse_next_delete()
        self.push()
        self.retry_failed()
        self.assertPaidOnceInXero(invoice)

    def test_registered_payment_matched_again_after_a_refused_delete(self):
        invoice = self.make_invoice()
        payment = self.pay(invoice)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        self.refuse_next_delete()
        self.receivable(invoice).remove_move_reconcile()
        self.push()
        self.assertEqual(self.jobs(payment, "delete_payment").state, "failed")
        self.match(payment.move_id, invoice)
        self.push()
        self.retry_failed()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        self.assertPaidOnceInXero(invoice)

    def test_matched_again_for_less_waits_for_the_delete(self):
        # Matched again for part of it: Xero's payment must go, then the
        # part is paid; while Xero refuses, the new payment waits and says why.
        invoice = self.make_invoice(amounts=(100.0, 100.0))  # 230
        entry = self.bank_entry(invoice)
        self.match(entry, invoice)
        self.push()
        self.refuse_next_delete()
        self.receivable(invoice).remove_move_reconcile()
        self.push()
        other = self.make_invoice(amounts=(50.0,))  # 57.50, takes part of the money
        self.match(entry, other)
        self.match(entry, invoice)
        self.assertEqual(invoice.payment_state, "partial")
        self.push()
        redo = self.jobs(entry, "payment").filtered(
            lambda j: j.target_move_id == invoice and j.state != "done")
        self.assertEqual(redo.state, "pending")
        self.assertIn("reconciled", redo.error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        # The user has Xero let go of it (unreconciled there), and retries.
        self.retry_failed()
        self.push()
        self.assertEqual(redo.state, "done", redo.error)
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertAlmostEqual(float(doc["AmountDue"]), invoice.amount_residual)
        self.assertEqual(self.differences(), [])
