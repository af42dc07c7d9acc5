"""Credit-note allocations: a credit note applied to an invoice once both are
in Xero (PUT /CreditNotes/{id}/Allocations), and taken off again (DELETE
/CreditNotes/{CreditNoteID}/Allocations/{AllocationID}). What Xero holds on
a credit note is read in one place (``note_allocations``): for the look-up
of an allocation in doubt, and before a deletion."""

import logging

from odoo import _

from ..xero import payloads
from ..xero.errors import XeroNotFound, XeroValidationError
from .base import WAIT_DELAY, Sender

_logger = logging.getLogger(__name__)


class CreditNoteAllocations(Sender):

    def note_allocations(self, job, note_id):
        """The allocations Xero holds on the credit note ``note_id``."""
        job._budget_request()
        notes = self.api.get_credit_notes(where=payloads.where_guid("CreditNoteID", note_id))
        return (notes[0].allocations or []) if notes else []

    def note_job(self, job, note, done=False):
        """The latest credit_note job of ``note`` on this connection (done ones only if ``done``)."""
        domain = [
            ("res_model", "=", "account.move"), ("res_id", "=", note.id),
            ("operation", "=", "credit_note"), ("connection_id", "=", job.connection_id.id),
        ]
        if done:
            domain.append(("state", "=", "done"))
        return self.jobs.search(domain, order="version desc", limit=1)


class AllocationSender(CreditNoteAllocations):
    """"allocation": a credit note applied to an invoice."""

    def send(self):
        for job in self.jobs:
            credit_note = job._record()
            invoice = job.target_move_id
            if credit_note is None or not invoice:
                job._cancel()
                continue
            invoice_id = job._target_xero_id()
            note_job = self.note_job(job, credit_note)
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
                found = self.find(job, note_job.xero_id, invoice_id, amount)
                if found:
                    job._set_done(found)
                    continue
            job._budget_request()
            allocation = payloads.build_allocation(
                invoice_id, amount, max(credit_note.invoice_date or credit_note.date,
                                        invoice.invoice_date or invoice.date))
            result = self.api.create_allocation(note_job.xero_id, allocation, job._request_key())
            if result.ok:
                job._set_done(result.xero_id or note_job.xero_id)
            else:
                job._set_failed(result.message)
            self.commit()

    def find(self, job, note_id, invoice_id, amount):
        """The Xero id of the allocation of ``amount`` to ``invoice_id`` that
        the credit note already holds, else None."""
        for alloc in self.note_allocations(job, note_id):
            if alloc.invoice and alloc.invoice.invoice_id == invoice_id and \
                    abs((alloc.amount or 0) - float(amount)) < 0.005:
                return alloc.allocation_id or note_id
        return None


class DeleteAllocationSender(CreditNoteAllocations):
    """"delete_allocation": DELETE the allocation for each job. The credit
    note is read first: an allocation already gone (a replay) is done; a job
    whose allocation id was never recorded (older jobs kept the
    CreditNoteID) deletes the note's allocations on that invoice."""

    def send(self):
        for job in self.jobs:
            job._take_dependency_xero_id()
            note, invoice = job._record(), job.target_move_id
            note_id = note and self.note_job(job, note, done=True).xero_id or None
            invoice_id = invoice.sudo().xero_id
            if note is None or not note_id or not job.xero_id:
                job._cancel(_("This allocation never reached Xero."))
                continue
            held = [a for a in self.note_allocations(job, note_id) if a.allocation_id]
            if job.xero_id.lower() == note_id.lower():
                targets = [str(a.allocation_id) for a in held if a.invoice and invoice_id
                           and str(a.invoice.invoice_id).lower() == invoice_id.lower()]
            else:
                targets = [str(a.allocation_id) for a in held
                           if str(a.allocation_id).lower() == job.xero_id.lower()]
            try:
                for allocation_id in targets:
                    try:
                        self.api.call("delete_credit_note_allocations", note_id, allocation_id)
                    except XeroNotFound:
                        _logger.info("Allocation %s was already gone from Xero.", allocation_id)
            except XeroValidationError as exc:
                job._set_failed(exc.message)
                self.commit()
                continue
            job._set_done()
            self.commit()
