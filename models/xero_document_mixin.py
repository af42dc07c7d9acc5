"""The Xero side of a document: the fields every document the addon sends
shows (its Xero state, id, last error and warning, when it was sent), kept
by the push engine only, and the actions on them ("Post to Xero"'s access
check, the document's jobs, the link to Xero).

Inherited by invoices, bills and credit notes (account_move.py), payments
(account_payment.py) and trust transactions (xero_push_trust.py).
"""

from collections import defaultdict

from markupsafe import Markup, escape

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError

XERO_STATES = [
    ("not_sent", "Not sent"),
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("blocked", "Blocked"),  # a missing mapping, or Xero holding payments: the error says
    ("voided", "Voided in Xero"),
]

# Writing the Xero fields of a posted move or payment touches nothing of
# its accounting.
XERO_WRITE_CONTEXT = {
    "skip_invoice_sync": True,
    "check_move_validity": False,
    "skip_is_manually_modified": True,
    "tracking_disable": True,
}

# The Xero fields of a document: written by the push engine only (through
# ``sudo()``, see ``_xero_refresh_state``), never by a user's write.
XERO_FIELDS = ("xero_state", "xero_id", "xero_error", "xero_warning", "xero_sent_at",
               # account.move only (account_move_xero_changes.py)
               "xero_sent_fingerprint", "xero_change_note", "xero_changed_fingerprint")


class XeroDocumentMixin(models.AbstractModel):
    """Xero fields shown on invoices, bills, credit notes and payments."""

    _name = "xero.document.mixin"
    _description = "Xero Document"

    xero_state = fields.Selection(
        XERO_STATES, "Xero state", default="not_sent", copy=False, readonly=True, index=True,
        tracking=False)
    xero_id = fields.Char("Xero ID", copy=False, readonly=True)
    xero_error = fields.Text("Xero error", copy=False, readonly=True)
    xero_warning = fields.Text(
        "Xero warning", copy=False, readonly=True,
        help="What Xero said when it accepted this document, in its own words.")
    xero_sent_at = fields.Datetime("Sent to Xero", copy=False, readonly=True)
    xero_job_count = fields.Integer(compute="_compute_xero_job_count")

    # ------------------------------------------------------------------------
    # Engine only
    # ------------------------------------------------------------------------
    @api.model
    def _xero_check_fields_write(self, vals, create=False):
        """A user's write (or import) of the Xero fields is refused: they say
        what Xero holds, and the engine acts on them (a payment goes to the
        document's Xero id). At creation the defaults pass."""
        if self.env.su:
            return
        fnames = [f for f in XERO_FIELDS if f in vals]
        if create:
            fnames = [f for f in fnames if vals[f] and not (f == "xero_state"
                                                              and vals[f] == "not_sent")]
        if fnames:
            raise AccessError(_(
                "The Xero fields (%(fields)s) are kept by the Xero push: they cannot be "
                "written by hand.", fields=", ".join(fnames)))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._xero_check_fields_write(vals, create=True)
        return super().create(vals_list)

    def write(self, vals):
        self._xero_check_fields_write(vals)
        return super().write(vals)

    # ------------------------------------------------------------------------
    # "Post to Xero" (buttons, list actions, RPC): one path for every document
    # ------------------------------------------------------------------------
    def action_xero_post(self):
        """Post to Xero now: retry what failed, queue what was never queued
        (only jobs: no HTTP here), then wake the cron. Each model says which
        of its records may go (``_xero_post_check``, raising what stops
        them), when one needs queueing (``_xero_post_unqueued``) and what
        else rides along (``_xero_post_ride_along``)."""
        self._xero_check_post_access()
        records = self._xero_post_check()
        Job = self.env["xero.sync.job"].sudo()
        for record in records:
            failed = Job._jobs_of(record).filtered(lambda j: j.state in ("failed", "blocked"))
            if failed:
                failed.action_retry()
            elif record._xero_post_unqueued():
                record._xero_post_enqueue()
            record._xero_post_ride_along()
        records._xero_refresh_state()
        Job._trigger_cron()
        return True

    def _xero_post_check(self):
        """The records of ``self`` that "Post to Xero" acts on; raise a
        UserError naming a record that cannot go."""
        return self

    def _xero_post_unqueued(self):
        """Whether this record has nothing queued for Xero (so Post queues it)."""
        self.ensure_one()
        return not self.env["xero.sync.job"].sudo()._jobs_of(self)

    def _xero_post_enqueue(self):
        """Queue this record (its model's own queueing, no HTTP)."""
        self._xero_enqueue()

    def _xero_post_ride_along(self):
        """Failed jobs of other records that go again with this one."""

    def _xero_check_post_access(self):
        """"Post to Xero" (buttons, list action, RPC): for the group "Xero:
        post documents", on documents the user may read."""
        if self.env.uid != SUPERUSER_ID and not self.env.user.has_group(
                "account_xero.group_xero_user"):
            raise AccessError(_(
                "Only users of the group \"Xero: post documents\" can post to Xero."))
        if not self.env.su:
            self.check_access("read")

    def _compute_xero_job_count(self):
        groups = self.env["xero.sync.job"].sudo()._read_group(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id"], ["__count"])
        counts = dict(groups)
        for record in self:
            record.xero_job_count = counts.get(record.id, 0)

    def _xero_jobs(self, operations=None):
        return self.env["xero.sync.job"]._jobs_of(self, operations)

    def _xero_refresh_state(self, notes=None):
        """Reflect these records' jobs on their Xero fields, in one read of
        the jobs and one write per distinct change. ``notes``: {record id:
        job just done}; those records get a chatter note (logged in one go)."""
        jobs_by_record = defaultdict(lambda: self.env["xero.sync.job"])
        for job in self._xero_jobs():
            if job.state != "cancelled":
                jobs_by_record[job.res_id] |= job
        changes = defaultdict(lambda: self.browse())
        for record in self:
            vals = record._xero_state_vals(jobs_by_record[record.id])
            changed = {k: v for k, v in vals.items() if record[k] != v}
            if changed:
                changes[tuple(sorted(changed.items()))] |= record
        for changed, records in changes.items():
            # Our own fields only: skip account.move's line synchronisation,
            # balance check and "manually modified" flag (most of the
            # push's Odoo-side time before, see bench/).
            # As the engine: the user's own write of these fields is refused.
            records.sudo().with_context(**XERO_WRITE_CONTEXT).write(dict(changed))
        if changes:
            self.browse().union(*changes.values())._xero_notify_users(jobs_by_record)
        bodies = {
            record.id: record._xero_note_body(notes[record.id])
            for record in self
            if notes and record.id in notes and notes[record.id].state == "done"
        }
        if bodies and hasattr(self, "_message_log_batch"):
            # Logged notes: no followers to notify, a fraction of message_post's cost.
            self._message_log_batch(bodies=bodies, message_type="comment")

    def _xero_notify_users(self, jobs_by_record):
        """Tell the users who queued these documents (their jobs' authors)
        that their Xero fields changed, through Odoo's bus: a form showing
        one of them reloads it (static/src/views/xero_state_form_patch.js).
        One message per user for the lot; none to the user whose own action
        changed them (their form reloads after the action) nor to the
        engine's (the cron's) user."""
        ids_by_user = defaultdict(list)
        for record in self:
            for user in jobs_by_record[record.id].create_uid:
                ids_by_user[user].append(record.id)
        for user, ids in ids_by_user.items():
            user = user.sudo()
            if user.id != self.env.uid and user.active and not user.share:
                self.env["bus.bus"].sudo()._sendone(
                    user.partner_id, "account_xero/xero_state", {"model": self._name, "ids": ids})

    def _xero_state_vals(self, jobs):
        """The Xero fields that ``jobs`` (this record's, not cancelled) imply."""
        vals = {"xero_error": False, "xero_warning": False}
        states = set(jobs.mapped("state"))
        if "failed" in states:
            vals["xero_state"] = "failed"
            vals["xero_error"] = jobs.filtered(lambda j: j.state == "failed")[-1].error
        elif "blocked" in states:
            vals["xero_state"] = "blocked"
            vals["xero_error"] = jobs.filtered(lambda j: j.state == "blocked")[-1].error
        elif states & {"pending", "sending"}:
            vals["xero_state"] = "queued"
            waiting = jobs.filtered(lambda j: j.state == "pending" and j.error)
            vals["xero_error"] = waiting[-1:].error or False
        elif "done" in states:
            last = jobs.filtered(lambda j: j.state == "done")[-1]
            vals["xero_warning"] = last.warning or False
            vals["xero_state"] = "voided" if last.operation in ("void", "delete_payment") \
                else "sent"
        else:
            vals["xero_state"] = "not_sent"
        vals.update(self._xero_ids_vals(jobs))
        return vals

    def _xero_ids_vals(self, jobs):
        done = jobs.filtered(lambda j: j.state == "done" and j.operation != "void"
                             and j.operation != "delete_payment" and j.xero_id)
        if not done:
            return {}
        return {"xero_id": done[-1].xero_id, "xero_sent_at": done[-1].sent_at}

    def _xero_note_body(self, job):
        if job.operation in ("void", "delete_payment"):
            body = _("Voided in Xero.") if job.operation == "void" else \
                _("Payment deleted in Xero (%s).", job.xero_id)
        else:
            what = dict(job._fields["operation"]._description_selection(self.env)).get(
                job.operation)
            if "move_type" in self._fields and job.operation in ("invoice", "credit_note"):
                # "Customer Invoice", "Vendor Bill", "Customer Credit Note"...
                what = dict(self._fields["move_type"]._description_selection(self.env)).get(
                    self.move_type, what)
            url = (self._xero_url() if self.xero_id == job.xero_id else False) or job.xero_url
            if url:
                # A link to the document in Xero, not its id.
                return Markup(escape(_("Sent to Xero: %s."))) % (
                    Markup('<a href="%s" target="_blank" rel="noopener noreferrer">%s</a>')
                    % (url, _("%s in Xero", what)))
            body = _("Sent to Xero (%(what)s, Xero ID %(id)s).", what=what, id=job.xero_id)
        return escape(body)

    def _xero_url(self):
        self.ensure_one()
        return False

    def action_xero_open_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_xero.xero_sync_job_action")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_xero_open_in_xero(self):
        self.ensure_one()
        url = self._xero_url()
        if not url:
            raise UserError(_("This document is not in Xero yet."))
        return {"type": "ir.actions.act_url", "url": url, "target": "new"}
