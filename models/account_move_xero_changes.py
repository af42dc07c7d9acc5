"""Changes made in Xero to what Odoo sent: caught, shown, never overwritten.

When Xero stores an invoice, bill or credit note that Odoo sent, its answer
is kept as the document's fingerprint (xero/fingerprint.py). The pull
(models/xero_payment_import.py) reads the document again on each of Xero's
INVOICE or CREDITNOTE events and compares: a document voided, deleted or
edited in Xero (contact, date, total, lines) is flagged here ("Changed in
Xero: …" with the difference), noted in its chatter and given an activity
for the accountant. Neither side is overwritten: Odoo's document stays as
it is, and while the flag stands the push does not update the Xero document
in place (senders/document.py). "Reviewed" takes Xero's version as the new
reference once the accountant has dealt with it; "Reconcile with Xero"
lists the flagged documents (xero_reconcile_changes.py).
"""

import json

from odoo import _, fields, models
from odoo.tools import SQL

from ..xero.fingerprint import differences, fingerprint


class AccountMove(models.Model):
    _inherit = "account.move"

    xero_sent_fingerprint = fields.Json(
        "As sent to Xero", copy=False, readonly=True, groups="account_xero.group_xero_user")
    xero_changed_fingerprint = fields.Json(
        "As changed in Xero", copy=False, readonly=True, groups="account_xero.group_xero_user")
    xero_change_note = fields.Text(
        "Changed in Xero", copy=False, readonly=True, groups="account_xero.group_xero_user",
        help="What was changed in Xero in this document after Odoo sent it. Neither side is "
             "overwritten: correct the one that is wrong, then click Reviewed.")

    def _xero_remember_sent(self, doc):
        """Xero stored this document as ``doc`` (its answer to the push).
        One UPDATE, not a write of the posted move (the push records
        thousands of these; nothing computes from these columns)."""
        self.ensure_one()
        self.env.cr.execute(SQL(
            "UPDATE account_move SET xero_sent_fingerprint = %s::jsonb, "
            "xero_changed_fingerprint = NULL, xero_change_note = NULL WHERE id = %s",
            json.dumps(fingerprint(doc)), self.id))
        self.invalidate_recordset(
            ["xero_sent_fingerprint", "xero_changed_fingerprint", "xero_change_note"])

    def _xero_compare_with_xero(self, conn, doc):
        """Compare Xero's ``doc`` with what was sent; flag the differences
        (once per version of Xero's). Returns the note, or None when Xero
        holds what was sent."""
        self.ensure_one()
        move = self.sudo()
        now = fingerprint(doc)
        if not move.xero_sent_fingerprint:
            # Sent before fingerprints were kept: what Xero holds now is the
            # reference, and a later change is caught.
            move.write({"xero_sent_fingerprint": now})
            return None
        changes = differences(move.xero_sent_fingerprint, now)
        if not changes:
            if move.xero_change_note:  # changed back in Xero
                move.write({"xero_changed_fingerprint": False, "xero_change_note": False})
                move._xero_close_change_activities(_(
                    "Changed back in Xero: Xero holds again what Odoo sent."))
            return None
        note = _("Changed in Xero: %s", "; ".join(changes))
        if now == move.xero_changed_fingerprint:
            return note  # told already
        move.write({"xero_changed_fingerprint": now, "xero_change_note": note})
        move.message_post(body=note)
        # One activity for what stands now: an earlier one is superseded.
        move._xero_close_change_activities(_("Changed again in Xero: see the new activity."))
        move.activity_schedule(
            "mail.mail_activity_data_todo", summary=_("Changed in Xero"),
            note=note + "\n" + _("Neither side was overwritten: correct the one that is wrong, "
                                 "then click Reviewed on the document."),
            user_id=move._xero_accountant(conn).id)
        return note

    def _xero_accountant(self, conn):
        """Who is told: the user who connected the organisation, else the
        document's salesperson."""
        user = conn.sudo().connected_by_id
        if user and user.active and not user._is_superuser() and user._is_internal():
            return user
        return self.invoice_user_id or self.env.user

    def _xero_close_change_activities(self, feedback):
        """Mark done the "Changed in Xero" activities of these documents,
        ``feedback`` saying why in the chatter (the flag they were about
        is gone)."""
        self.activity_ids.filtered(
            lambda a: a.summary == _("Changed in Xero")).action_feedback(feedback)

    def action_xero_change_reviewed(self):
        """The accountant dealt with a change made in Xero: Xero's version
        is the reference from now on (a later change in Xero is caught again)."""
        self._xero_check_post_access()
        for move in self.sudo().filtered("xero_change_note"):
            move.write({"xero_sent_fingerprint": move.xero_changed_fingerprint,
                        "xero_changed_fingerprint": False, "xero_change_note": False})
            move._xero_close_change_activities(_("Reviewed"))
            move.message_post(body=_("Change made in Xero reviewed by %s.", self.env.user.name))
        return True
