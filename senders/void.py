"""Undoing in Xero (operation "void", and "delete_payment").

A document reset or cancelled in Odoo is voided (or deleted while a draft)
once Xero holds no payment on it. A journal entry reset to draft: its manual
journal is VOIDED, its bank transaction DELETED, its bank transfer deleted
(deleteBankTransfer, POST /BankTransfers/{id} with Status DELETED, in Xero's
OpenAPI spec); Xero refuses to delete a bank transaction or a transfer that
is reconciled there: such a job is blocked with what to do. A reversed payment is deleted.
"""

from odoo import _

from ..xero import payloads, payloads_move
from ..xero.errors import XeroNotFound
from .base import WAIT_DELAY, Sender
from .entry import ENTRY_OPERATIONS


class VoidSender(Sender):
    """"void": what a document or a journal entry made in Xero is undone
    (which one, by the operation of the job it undoes)."""

    def send(self):
        entries = self.jobs.filtered(lambda j: j.depends_on_job_id.operation in ENTRY_OPERATIONS)
        if self.jobs - entries:
            self.send_documents(self.jobs - entries)
        for job in entries:
            self.void_entry(job)

    # -- invoices, bills, credit notes -------------------------------------
    def send_documents(self, jobs):
        api = self.api
        # Payments and allocations still to delete in Xero (on the document,
        # or, for a credit note, its own), read once for the whole group.
        deletes = jobs.search([
            ("operation", "in", ("delete_payment", "delete_allocation")),
            ("state", "in", ("pending", "sending")), ("id", "not in", jobs.ids),
            "|", ("target_move_id", "in", jobs.mapped("res_id")),
            "&", ("res_model", "=", "account.move"), ("res_id", "in", jobs.mapped("res_id")),
        ])
        waiting_for_deletes = set(deletes.target_move_id.ids) | set(
            deletes.filtered(lambda j: j.res_model == "account.move").mapped("res_id"))
        for job in jobs:
            move = job._record()
            job._take_dependency_xero_id()
            if not job.xero_id or (move is None and job.res_model != "account.move"):
                job._cancel()
                continue
            # A draft deleted in Odoo after it was sent (reset, then deleted)
            # is voided in Xero all the same: its void job outlives it.
            credit_note = move.move_type in ("out_refund", "in_refund") if move is not None \
                else self.sent_operation(job) == "credit_note"
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
            self.commit()

    def sent_operation(self, job):
        """"invoice" or "credit_note": how the deleted document of this void
        was sent (its last create job with this Xero id)."""
        sent = job.search([
            ("res_model", "=", job.res_model), ("res_id", "=", job.res_id),
            ("operation", "in", ("invoice", "credit_note")), ("xero_id", "=", job.xero_id),
        ], order="version desc, id desc", limit=1)
        return (sent or job.depends_on_job_id).operation

    # -- journal entries ----------------------------------------------------
    def void_entry(self, job):
        job._take_dependency_xero_id()
        if not job.xero_id:
            job._cancel(_("Nothing of it reached Xero."))
            return
        job._budget_request()
        undo = {
            "manual_journal": self.void_manual_journal,
            "bank_transaction": self.void_bank_transaction,
            "bank_transfer": self.void_bank_transfer,
        }[job.depends_on_job_id.operation]
        result = undo(job)
        if result is None:
            pass  # settled by undo()
        elif result.ok:
            job._set_done()
        else:
            job._set_failed(result.message)
        self.commit()

    def void_manual_journal(self, job):
        data = self.api.call("get_manual_journal", job.xero_id)
        found = getattr(data, "manual_journals", None) or []
        if not found or self.status(found[0]) in ("VOIDED", "DELETED"):
            job._set_done()
            return None
        return self.api.update_manual_journal(
            job.xero_id, payloads_move.build_void_manual_journal(job.xero_id, found[0].narration),
            job._request_key())

    def void_bank_transaction(self, job):
        found = self.api.get_bank_transactions(
            where=payloads.where_guid("BankTransactionID", job.xero_id))
        if not found or self.status(found[0]) == "DELETED":
            job._set_done()
            return None
        if found[0].is_reconciled:
            job._set_blocked(_(
                "The bank transaction is reconciled in Xero, which then refuses to delete it. "
                "Unreconcile it in Xero, then retry."))
            return None
        bt = found[0]
        return self.api.update_bank_transaction(
            job.xero_id, payloads_move.build_delete_bank_transaction(
                job.xero_id, str(getattr(bt.type, "value", bt.type)),
                str(bt.bank_account.account_id)),
            job._request_key())

    def void_bank_transfer(self, job):
        data = self.api.call("get_bank_transfer", job.xero_id)
        found = getattr(data, "bank_transfers", None) or []
        if not found or self.status(found[0]) == "DELETED":
            job._set_done()
            return None
        if found[0].from_is_reconciled or found[0].to_is_reconciled:
            # As a bank transaction's (xero_sandbox/banking.py, _refuse_reconciled).
            job._set_blocked(_(
                "The bank transfer is reconciled in Xero, which then refuses to delete it. "
                "Unreconcile it in Xero, then retry."))
            return None
        return self.api.delete_bank_transfer(
            job.xero_id, payloads_move.build_delete_bank_transfer(), job._request_key())


class DeletePaymentSender(Sender):
    """"delete_payment": a payment taken off in Odoo is deleted in Xero."""

    def send(self):
        api = self.api
        for job in self.jobs:
            job._take_dependency_xero_id()
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
            self.commit()
