"""Payments and credit-note allocations: a payment goes once its invoice or
credit note is in Xero, with the Reference that carries its job's key (how
one in doubt is found again); an allocation once both documents are."""

import logging

from odoo import _, api, models

from ..xero import payloads
from ..xero.errors import XeroNotFound, XeroValidationError
from .xero_sync_job import WAIT_DELAY

_logger = logging.getLogger(__name__)


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    def _target_xero_id(self):
        """The Xero id of the document this payment/allocation applies to, or None."""
        self.ensure_one()
        target = self.target_move_id.sudo()
        if target.xero_state == "sent" and target.xero_id:
            return target.xero_id
        return None

    def _live_payments_vals(self):
        """``xero_id`` (the live Xero payments of these payment jobs, comma
        separated: one per document paid) and ``xero_sent_at`` of what they
        pay, for the record they belong to; {} when none is live."""
        deleted = set(self.filtered(
            lambda j: j.operation == "delete_payment" and j.state == "done").mapped("xero_id"))
        live = self.filtered(lambda j: j.operation == "payment" and j.state == "done"
                             and j.xero_id and j.xero_id not in deleted)
        if not live:
            return {}
        return {"xero_id": ",".join(live.mapped("xero_id")), "xero_sent_at": live[-1].sent_at}

    def _send_payment(self, api):
        self._send_requests(api, self._payment_requests(api))

    def _payment_requests(self, api):
        """The create requests of these payments, ``_batch_size()`` each (see
        ``_document_requests``)."""
        connection = self.connection_id
        # Those in doubt are looked up first by the Reference carrying their key.
        found = self._find_payments(api, [
            job._record()._xero_payment_reference(job)
            for job in self if job.in_doubt and job._record() is not None])
        batch = self._batch_size()
        ready = []
        for job in self:
            payment = job._record()
            target = job.target_move_id
            if payment is None or not target:
                job._cancel(_("The payment or its document no longer exists."))
                continue
            target_id = job._target_xero_id()
            if not target_id:
                job._release(error=_("Waiting for %s to reach Xero.", target.display_name),
                             delay=WAIT_DELAY)
                continue
            reference = payment._xero_payment_reference(job)
            if job.in_doubt and found.get(reference):
                job._set_done(found[reference])
                continue
            values = job._prepare_values(
                lambda payment=payment, target=target: payment._xero_payment_values(connection, target))
            if values is None:
                continue
            if not values["amount"]:
                job._cancel(_("The payment is no longer reconciled with %s.", target.name))
                continue
            model = job._prepare(lambda target=target, target_id=target_id, reference=reference,
                                 values=values: payloads.build_payment(
                "credit_note" if target.move_type in ("out_refund", "in_refund") else "invoice",
                target_id, reference=reference, **values))
            if model is None:
                continue
            job.amount = values["amount"]
            ready.append((job, model))
            if len(ready) == batch:
                yield self._payment_request(ready)
                ready = []
        if ready:
            yield self._payment_request(ready)

    @api.model
    def _find_payments(self, api, references):
        """{Reference: PaymentID} of the payments Xero holds (not deleted)
        with these references: an OR of their clauses per look-up, at most
        WHERE_BUDGET characters each."""
        found = {}
        chunks = self._where_chunks(
            references, lambda reference: [payloads.where_equals("Reference", reference)])
        for _chunk, clauses in chunks:
            for payment in api.get_payments(where=" OR ".join(clauses)):
                if payment.status != "DELETED":
                    found.setdefault(payment.reference, payment.payment_id)
        return found

    def _payment_request(self, ready):
        jobs = self.browse([job.id for job, _p in ready])
        return jobs._batch_request("create_payments", [p for _job, p in ready],
                                   lambda job, result: job._set_done(result.xero_id))

    def _send_allocation(self, api):
        for job in self:
            credit_note = job._record()
            invoice = job.target_move_id
            if credit_note is None or not invoice:
                job._cancel()
                continue
            invoice_id = job._target_xero_id()
            note_job = self.search([
                ("res_model", "=", "account.move"), ("res_id", "=", credit_note.id),
                ("operation", "=", "credit_note"), ("connection_id", "=", job.connection_id.id),
            ], order="version desc", limit=1)
            if not invoice_id or note_job.state != "done":
                job._release(error=_("Waiting for the credit note and the invoice to reach Xero."),
                             delay=WAIT_DELAY)
                continue
            # What Xero does not hold yet, never the cumulative amount again.
            amount = credit_note._xero_allocation_amount(invoice, job.connection_id, job)
            if amount <= 0:
                job._cancel(_("Nothing more of the credit note is applied to %s.", invoice.name))
                continue
            job.amount = amount
            if job.in_doubt:
                job._budget_request()
                notes = api.get_credit_notes(where=payloads.where_guid("CreditNoteID", note_job.xero_id))
                for note in notes:
                    for alloc in note.allocations or []:
                        if alloc.invoice and alloc.invoice.invoice_id == invoice_id and \
                                abs((alloc.amount or 0) - float(amount)) < 0.005:
                            job._set_done(alloc.allocation_id or note_job.xero_id)
                            break
                if job.state == "done":
                    continue
            job._budget_request()
            allocation = payloads.build_allocation(
                invoice_id, amount, max(credit_note.invoice_date or credit_note.date,
                                        invoice.invoice_date or invoice.date))
            result = api.create_allocation(note_job.xero_id, allocation, job._request_key())
            if result.ok:
                job._set_done(result.xero_id or note_job.xero_id)
            else:
                job._set_failed(result.message)
            self._commit()

    @api.model
    def _xero_note_xero_id(self, note, connection):
        """The Xero CreditNoteID of ``note`` (its latest credit_note job's)."""
        job = self.sudo().search([
            ("res_model", "=", "account.move"), ("res_id", "=", note.id),
            ("operation", "=", "credit_note"), ("connection_id", "=", connection.id),
            ("state", "=", "done"),
        ], order="version desc", limit=1)
        return job.xero_id or None

    def _send_delete_allocation(self, api):
        """DELETE /CreditNotes/{CreditNoteID}/Allocations/{AllocationID}
        for each job. The credit note is read first: an allocation already
        gone (a replay) is done; a job whose allocation id was never recorded
        (older jobs kept the CreditNoteID) deletes the note's allocations on
        that invoice."""
        for job in self:
            if not job.xero_id and job.depends_on_job_id.xero_id:
                job.xero_id = job.depends_on_job_id.xero_id
            note, invoice = job._record(), job.target_move_id
            note_id = note and self._xero_note_xero_id(note, job.connection_id)
            invoice_id = invoice.sudo().xero_id
            if note is None or not note_id or not job.xero_id:
                job._cancel(_("This allocation never reached Xero."))
                continue
            job._budget_request()
            notes = api.get_credit_notes(where=payloads.where_guid("CreditNoteID", note_id))
            held = [a for a in (notes[0].allocations or [] if notes else [])
                    if a.allocation_id]
            if job.xero_id.lower() == note_id.lower():
                targets = [str(a.allocation_id) for a in held if a.invoice and invoice_id
                           and str(a.invoice.invoice_id).lower() == invoice_id.lower()]
            else:
                targets = [str(a.allocation_id) for a in held
                           if str(a.allocation_id).lower() == job.xero_id.lower()]
            try:
                for allocation_id in targets:
                    try:
                        api.call("delete_credit_note_allocations", note_id, allocation_id)
                    except XeroNotFound:
                        _logger.info("Allocation %s was already gone from Xero.", allocation_id)
            except XeroValidationError as exc:
                job._set_failed(exc.message)
                self._commit()
                continue
            job._set_done()
            self._commit()
