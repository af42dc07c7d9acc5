"""What Odoo sent on a document and was deleted in Xero is caught (issue
25): a payment Odoo registered and sent, or a credit note Odoo applied to
an invoice, deleted in Xero, is flagged on the document ("Changed in Xero:
…") with an activity for the accountant and listed in "Reconcile with
Xero"; Odoo's side is left as it is. Before, the pull saw that Xero no
longer held it and said nothing."""

from odoo.tests import tagged

from .common_inbound import XeroInboundCommon


@tagged("post_install", "-at_install")
class TestXeroChangesPayments(XeroInboundCommon):

    def activities(self, move):
        return move.activity_ids.filtered(lambda a: a.summary == "Changed in Xero")

    def sent_and_paid(self, amount=30.0):
        move = self.make_invoice(amounts=(100.0,))
        payment = self.pay(move, amount=amount)
        self.push()
        self.assertEqual((move.xero_state, payment.xero_state), ("sent", "sent"),
                         move.xero_error or payment.xero_error)
        return move, payment

    def listed_in_reconcile(self, move):
        reconcile = self.env["xero.reconcile"].create({"connection_id": self.connection.id})
        reconcile.invalidate_recordset()
        return move in reconcile.changed_move_ids

    def test_odoo_payment_deleted_in_xero_is_flagged(self):
        move, payment = self.sent_and_paid()
        pid = self.xero_docs("Payments")[0]["PaymentID"]
        self.xero_api("POST", "Payments/" + pid, {"Status": "DELETED"})
        self.event("INVOICE", move.xero_id)
        self.pull()
        self.assertIn("Changed in Xero: Payment %s (30.0) deleted in Xero" % payment.name,
                      move.xero_change_note or "")
        self.assertEqual(len(self.activities(move)), 1)
        self.assertTrue(self.listed_in_reconcile(move))
        self.assertEqual(self.events().state, "done", self.events().note)
        # Odoo's payment is left as it is: the accountant decides.
        self.assertEqual((payment.state, move.payment_state), ("in_process", "partial"))
        # Told again: nothing new.
        self.event("INVOICE", move.xero_id)
        self.pull()
        self.assertEqual(len(self.activities(move)), 1)
        # Reviewed: not flagged again for it.
        move.action_xero_change_reviewed()
        self.event("INVOICE", move.xero_id)
        self.pull()
        self.assertFalse(move.xero_change_note)
        self.assertFalse(self.listed_in_reconcile(move))

    def test_odoo_payment_deleted_by_odoo_is_not_flagged(self):
        move, payment = self.sent_and_paid()
        payment.action_draft()
        payment.action_cancel()
        self.push()
        self.assertFalse([p for p in self.xero_docs("Payments") if p.get("Status") != "DELETED"])
        self.event("INVOICE", move.xero_id)
        self.pull()
        self.assertFalse(move.xero_change_note)

    def test_odoo_allocation_deleted_in_xero_is_flagged(self):
        invoice = self.make_invoice(amounts=(100.0,))
        note = self.make_invoice("out_refund", amounts=(40.0,))
        self.push()
        (note | invoice).line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable").reconcile()
        self.push()
        allocations = self.xero_api("GET", "CreditNotes/" + note.xero_id)["CreditNotes"][0]["Allocations"]
        self.assertEqual(len(allocations), 1)
        self.xero_api("DELETE", "CreditNotes/%s/Allocations/%s" % (
            note.xero_id, allocations[0]["AllocationID"]))
        self.event("CREDITNOTE", note.xero_id)
        self.event("INVOICE", invoice.xero_id)
        self.pull()
        self.assertIn("Allocation on %s" % invoice.name, note.xero_change_note or "")
        self.assertIn("deleted in Xero", note.xero_change_note)
        self.assertEqual(len(self.activities(note)), 1)
        self.assertTrue(self.listed_in_reconcile(note))
        # Still reconciled in Odoo: nothing is overwritten.
        self.assertEqual(note.payment_state, "paid")
