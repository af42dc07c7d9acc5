"""Changes made in Xero to what Odoo sent are caught (issue 25): an invoice,
bill or credit note voided or edited in Xero is flagged on the Odoo document
with the difference and as an activity for the accountant; neither side is
overwritten; "Reconcile with Xero" lists it."""

from odoo.tests import tagged

from .common_inbound import XeroInboundCommon


@tagged("post_install", "-at_install")
class TestXeroChanges(XeroInboundCommon):

    def sent(self, move_type="out_invoice", amount=100.0):
        move = self.make_invoice(move_type=move_type, amounts=(amount,))
        self.push()
        self.assertEqual(move.xero_state, "sent", move.xero_error)
        return move

    def path(self, move):
        return ("CreditNotes/" if move.move_type.endswith("refund") else "Invoices/") + move.xero_id

    def category(self, move):
        return "CREDITNOTE" if move.move_type.endswith("refund") else "INVOICE"

    def in_xero(self, move, **changes):
        """The bookkeeper changes ``move`` in Xero; Xero tells Odoo."""
        key = "CreditNoteID" if move.move_type.endswith("refund") else "InvoiceID"
        self.xero_api("POST", self.path(move), {
            "CreditNotes" if key == "CreditNoteID" else "Invoices": [dict({key: move.xero_id},
                                                                         **changes)]})
        self.event(self.category(move), move.xero_id)

    def xero_lines(self, move, unit_amount=None):
        kind = "CreditNotes" if move.move_type.endswith("refund") else "Invoices"
        doc = self.xero_api("GET", self.path(move))[kind][0]
        return [{"Description": li["Description"], "Quantity": li["Quantity"],
                 "UnitAmount": unit_amount if unit_amount is not None else li["UnitAmount"],
                 "AccountCode": li["AccountCode"], "TaxType": li["TaxType"]}
                for li in doc["LineItems"]]

    def activities(self, move):
        return move.activity_ids.filtered(lambda a: a.summary == "Changed in Xero")

    def test_invoice_voided_in_xero_is_flagged(self):
        move = self.sent()
        self.in_xero(move, Status="VOIDED")
        self.pull()
        self.assertIn("Changed in Xero: Voided in Xero", move.xero_change_note)
        self.assertEqual(len(self.activities(move)), 1)
        self.assertEqual(move.state, "posted", "Odoo's document is not overwritten")
        self.assertEqual(self.events().state, "done", self.events().note)
        self.assertIn("Voided in Xero", self.events().note)

    def test_invoice_edited_in_xero_shows_the_difference(self):
        move = self.sent()
        total = "%.2f" % move.amount_total
        self.in_xero(move, Date="2025-06-05", LineItems=self.xero_lines(move, unit_amount=130.0))
        self.pull()
        note = move.xero_change_note
        self.assertIn("Date: 2025-06-01 → 2025-06-05", note)
        self.assertIn("Total: %s → " % total, note)
        self.assertIn("130.0000", note)
        self.assertEqual(move.amount_total, float(total), "Odoo's amounts are left as they are")
        self.assertTrue(any("Changed in Xero" in str(m.body) for m in move.message_ids))
        # A redelivery, or another pull, tells nothing new.
        self.event("INVOICE", move.xero_id)
        self.pull()
        self.assertEqual(len(self.activities(move)), 1)

    def test_bill_and_credit_note_contact_changed_in_xero(self):
        refund = self.sent("out_refund")  # first: Odoo suggests a partner's last account
        bill = self.sent("in_invoice")
        other = self.xero_api("PUT", "Contacts", {"Contacts": [{"Name": "Someone Else Ltd"}]})
        other_id = other["Contacts"][0]["ContactID"]
        self.in_xero(bill, Contact={"ContactID": other_id})
        self.in_xero(refund, Contact={"ContactID": other_id})
        self.pull()
        for move in bill | refund:
            self.assertIn("Contact: ", move.xero_change_note or "", move.name)
            self.assertIn("Someone Else Ltd", move.xero_change_note)

    def test_payment_in_xero_is_not_a_change(self):
        move = self.sent()
        self.xero_api("PUT", "Payments", {"Payments": [{
            "Invoice": {"InvoiceID": move.xero_id}, "Account": {"Code": "090"},
            "Amount": 20.0, "Date": "2025-06-20"}]})
        self.event("INVOICE", move.xero_id)
        self.pull()
        self.assertFalse(move.xero_change_note)
        self.assertEqual(move.payment_state, "partial")

    def test_cancelled_in_odoo_is_not_a_change_made_in_xero(self):
        move = self.sent()
        move.button_draft()
        move.button_cancel()
        self.event("INVOICE", move.xero_id)  # Xero tells of the void Odoo asked for
        self.push()
        self.pull()
        self.assertFalse(move.xero_change_note)

    def test_never_overwritten_and_listed_in_reconcile(self):
        move = self.sent()
        self.in_xero(move, LineItems=self.xero_lines(move, unit_amount=90.0))
        self.pull()
        self.assertTrue(move.xero_change_note)
        reconcile = self.env["xero.reconcile"].create({"connection_id": self.connection.id})
        reconcile.invalidate_recordset()  # opened afresh, as the form reads it
        self.assertIn(move, reconcile.changed_move_ids)
        self.assertEqual(reconcile.changed_move_count, 1)
        # Reset and posted again in Odoo: the push does not update Xero over the change.
        move.button_draft()
        move.action_post()
        self.push()
        self.assertEqual(move.xero_state, "blocked")
        self.assertIn("Not updated in Xero over that change", move.xero_error)
        doc = self.xero_api("GET", self.path(move))["Invoices"][0]
        self.assertEqual(doc["LineItems"][0]["UnitAmount"], 90.0)
        # Reviewed: Xero's version is the reference; the push goes on.
        move.action_xero_change_reviewed()
        self.assertFalse(move.xero_change_note)
        self.assertFalse(self.activities(move))
        reconcile.invalidate_recordset()
        self.assertNotIn(move, reconcile.changed_move_ids)
        move.action_xero_post()
        self.push()
        self.assertEqual(move.xero_state, "sent", move.xero_error)

    def test_changed_back_in_xero_closes_the_activity(self):
        """The bookkeeper undoes the change in Xero: the flag clears, and the
        accountant's activity goes with it (marked done, saying why), not
        left open for a change that no longer stands."""
        move = self.sent()
        self.in_xero(move, Date="2025-06-05")
        self.pull()
        self.assertTrue(move.xero_change_note)
        self.assertEqual(len(self.activities(move)), 1)
        self.in_xero(move, Date="2025-06-01")
        self.pull()
        self.assertFalse(move.xero_change_note)
        self.assertFalse(self.activities(move), "the activity is closed with the flag")
        self.assertTrue(any("Changed back in Xero" in str(m.body) for m in move.message_ids))
        # Changed again later: a new activity; and again: still one open.
        self.in_xero(move, Date="2025-06-07")
        self.pull()
        self.assertEqual(len(self.activities(move)), 1)
        self.in_xero(move, Date="2025-06-08")
        self.pull()
        self.assertIn("2025-06-08", move.xero_change_note)
        self.assertEqual(len(self.activities(move)), 1)

    def test_sent_before_fingerprints_takes_xero_as_reference(self):
        move = self.sent()
        move.sudo().xero_sent_fingerprint = False  # as sent by an earlier version
        self.event("INVOICE", move.xero_id)
        self.pull()
        self.assertFalse(move.xero_change_note)
        self.in_xero(move, Status="VOIDED")
        self.pull()
        self.assertIn("Voided in Xero", move.xero_change_note)
