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
import re

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
        holds what was sent. What Odoo sent on the document and Xero no
        longer holds (``_xero_sent_gone``) is a difference too, until
        reviewed (its keys kept under "gone" in the reference)."""
        self.ensure_one()
        move = self.sudo()
        now = fingerprint(doc)
        if not move.xero_sent_fingerprint:
            # Sent before fingerprints were kept: what Xero holds now is the
            # reference, and a later change is caught.
            move.write({"xero_sent_fingerprint": now})
        sent = move.xero_sent_fingerprint
        reviewed = set(sent.get("gone") or [])
        gone = {key: what for key, what in move._xero_sent_gone(conn, doc).items()
                if key not in reviewed}
        if gone or reviewed:
            now = dict(now, gone=sorted(reviewed | set(gone)))
        changes = differences(sent, now) + [gone[key] for key in sorted(gone)]
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

    def _xero_sent_gone(self, conn, doc):
        """{key: what}: the payments Odoo sent on this document, and the
        allocations of this credit note Odoo sent, that Xero's ``doc`` no
        longer holds: deleted in Xero, not by Odoo (a deletion Odoo queued
        or sent is Odoo's own)."""
        self.ensure_one()
        Job = self.env["xero.sync.job"].sudo()
        gone = {}
        held = {str(p.payment_id).lower() for p in (doc.payments or [])}
        jobs = Job.search([("target_move_id", "=", self.id), ("connection_id", "=", conn.id),
                           ("operation", "in", ("payment", "delete_payment"))], order="id")
        deleting = {pid for job in jobs if job.operation == "delete_payment"
                    and job.state != "cancelled" for pid in _ids(job.xero_id)}
        for job in jobs.filtered(lambda j: j.operation == "payment" and j.state == "done"):
            for pid in _ids(job.xero_id):
                if pid not in held and pid not in deleting:
                    record = self.env[job.res_model].sudo().browse(job.res_id).exists()
                    gone["payment " + pid] = _(
                        "Payment %(payment)s (%(amount)s) deleted in Xero",
                        payment=record.display_name or pid, amount=job.amount)
        if self.move_type not in ("out_refund", "in_refund"):
            return gone
        held = {str(a.allocation_id).lower() for a in (doc.allocations or [])
                if a.allocation_id and not a.is_deleted}
        for job in Job._jobs_of(self, ("allocation",)).filtered(
                lambda j: j.connection_id == conn and j.state == "done" and not j.made_in_xero
                and j.xero_id and j.xero_id.lower() != (self.xero_id or "").lower()):
            if job.xero_id.lower() not in held and \
                    job in self._xero_live_allocations(job.target_move_id, conn):
                gone["allocation " + job.xero_id.lower()] = _(
                    "Allocation on %(invoice)s (%(amount)s) deleted in Xero",
                    invoice=job.target_move_id.name, amount=job.amount)
        return gone

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


def _ids(value):
    """The Xero ids a job holds (older payment jobs: several, comma separated)."""
    return {x.strip().lower() for x in re.split(r"[,\s]+", value or "") if x.strip()}
