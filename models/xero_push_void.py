"""Undoing in Xero: a document reset or cancelled in Odoo is voided (or
deleted while a draft) once Xero holds no payment on it; a reversed payment
is deleted."""

from odoo import _, models

from ..xero import payloads
from ..xero.errors import XeroNotFound
from .xero_sync_job import WAIT_DELAY


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    def _send_void(self, api):
        # Payments and allocations still to delete in Xero (on the document,
        # or, for a credit note, its own), read once for the whole group.
        deletes = self.search([
            ("operation", "in", ("delete_payment", "delete_allocation")),
            ("state", "in", ("pending", "sending")), ("id", "not in", self.ids),
            "|", ("target_move_id", "in", self.mapped("res_id")),
            "&", ("res_model", "=", "account.move"), ("res_id", "in", self.mapped("res_id")),
        ])
        waiting_for_deletes = set(deletes.target_move_id.ids) | set(
            deletes.filtered(lambda j: j.res_model == "account.move").mapped("res_id"))
        for job in self:
            move = job._record()
            if not job.xero_id and job.depends_on_job_id.xero_id:
                job.xero_id = job.depends_on_job_id.xero_id
            if not job.xero_id or (move is None and job.res_model != "account.move"):
                job._cancel()
                continue
            # A draft deleted in Odoo after it was sent (reset, then deleted)
            # is voided in Xero all the same: its void job outlives it.
            credit_note = move.move_type in ("out_refund", "in_refund") if move is not None \
                else job._void_sent_operation() == "credit_note"
            if job.res_id in waiting_for_deletes:
                job._release(error=_("Waiting for its payments and allocations to be deleted "
                                     "in Xero."),
                             delay=WAIT_DELAY)
                continue
            job._budget_request()
            if credit_note:
                docs = api.get_credit_notes(where=payloads.where_guid("CreditNoteID", job.xero_id))
            else:
                docs = api.get_invoices(where=payloads.where_guid("InvoiceID", job.xero_id))
            if not docs or docs[0].status in ("VOIDED", "DELETED"):
                job._set_done()
                continue
            doc = docs[0]
            held = (doc.payments or []) + (getattr(doc, "allocations", None) or [])
            paid = (getattr(doc, "amount_paid", 0) or 0) + (getattr(doc, "amount_credited", 0) or 0) \
                + (getattr(doc, "applied_amount", 0) or 0)
            if held or paid:
                number = move.name if move is not None else (
                    getattr(doc, "credit_note_number" if credit_note else "invoice_number", None)
                    or job.xero_id)
                job._set_blocked(_(
                    "Xero holds payments or allocations on %(doc)s, so it cannot be voided there. "
                    "Remove them (reverse the payments in Odoo, or delete them in Xero), then retry.",
                    doc=number))
                continue
            delete = doc.status in ("DRAFT", "SUBMITTED")
            update = payloads.build_void("credit_note" if credit_note else "invoice", job.xero_id,
                                         delete=delete)
            if credit_note:
                result = api.update_credit_note(job.xero_id, update, job._request_key())
            else:
                result = api.update_invoice(job.xero_id, update, job._request_key())
            if result.ok:
                job._set_done()
            else:
                job._set_failed(result.message)
            self._commit()

    def _void_sent_operation(self):
        """"invoice" or "credit_note": how the deleted document of this void
        was sent (its last create job with this Xero id)."""
        self.ensure_one()
        sent = self.search([
            ("res_model", "=", self.res_model), ("res_id", "=", self.res_id),
            ("operation", "in", ("invoice", "credit_note")), ("xero_id", "=", self.xero_id),
        ], order="version desc, id desc", limit=1)
        return (sent or self.depends_on_job_id).operation

    def _send_delete_payment(self, api):
        for job in self:
            if not job.xero_id and job.depends_on_job_id.xero_id:
                job.xero_id = job.depends_on_job_id.xero_id
            if not job.xero_id:
                job._set_done(note=False)
                continue
            job._budget_request()
            try:
                result = api.delete_payment(job.xero_id, job._request_key())
            except XeroNotFound:
                job._set_done()
                continue
            if result.ok:
                job._set_done()
                continue
            # Already deleted (a replay after a crash)?
            found = api.get_payments(where=payloads.where_guid("PaymentID", job.xero_id))
            if not found or found[0].status == "DELETED":
                job._set_done()
            else:
                job._set_failed(result.message)
            self._commit()

