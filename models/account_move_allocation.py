"""Credit note allocations kept in step with Odoo's reconciliations.

In Odoo a credit note applied to an invoice is one or more partial
reconciliations between them; in Xero it is one or more Allocations on the
credit note (PUT /CreditNotes/{CreditNoteID}/Allocations). Xero cannot change
an allocation's amount; it deletes one (DELETE
/CreditNotes/{CreditNoteID}/Allocations/{AllocationID}, operationId
deleteCreditNoteAllocations in Xero's OpenAPI spec, answering the Allocation
with IsDeleted true). So:

- a reconciliation added later sends the difference between what Odoo
  reconciles and what Xero already holds, never the cumulative amount again
  (``account.move._xero_allocation_amount``);
- a reconciliation removed deletes the pair's allocations in Xero
  ("delete_allocation" jobs) and sends again what is still reconciled, if
  anything (an "allocation" job that waits for the deletes).
"""

from odoo import _, models

# Jobs whose allocation Xero holds or is about to hold.
_LIVE = ("done", "sending")


class AccountMove(models.Model):
    _inherit = "account.move"

    def _xero_allocation_jobs(self, invoice, connection):
        """(allocation jobs, delete_allocation jobs) of this credit note on
        ``invoice`` through ``connection``, oldest first."""
        self.ensure_one()
        jobs = self.env["xero.sync.job"]._jobs_of(
            self, ("allocation", "delete_allocation"), target=invoice).filtered(
            lambda j: j.connection_id == connection)
        return (jobs.filtered(lambda j: j.operation == "allocation"),
                jobs.filtered(lambda j: j.operation == "delete_allocation"))

    def _xero_live_allocations(self, invoice, connection):
        """The allocation jobs of this credit note on ``invoice`` whose
        allocation Xero holds (sent, and no delete queued or done for it)."""
        allocations, deletes = self._xero_allocation_jobs(invoice, connection)
        deleted = set(deletes.filtered(lambda j: j.state != "cancelled").mapped("xero_id")) \
            | set(deletes.filtered(lambda j: j.state != "cancelled").depends_on_job_id.ids)
        return allocations.filtered(
            lambda j: j.state in _LIVE and j.xero_id not in deleted and j.id not in deleted)

    def _xero_allocation_amount(self, invoice, connection, job=None):
        """What an allocation of this credit note on ``invoice`` must send:
        what Odoo reconciles between them (in the credit note's currency)
        minus what Xero already holds for them (the amounts of the live
        allocation jobs other than ``job``). Zero or less: nothing to send.

        A live job sent before amounts were recorded (``amount`` 0) is taken
        to hold everything reconciled: nothing more is sent rather than risk
        allocating the same credit twice."""
        self.ensure_one()
        reconciled = self._xero_reconciled_amount(invoice)
        live = self._xero_live_allocations(invoice, connection) - (job or self.env["xero.sync.job"])
        if any(not j.amount for j in live):
            return 0.0
        return self.currency_id.round(reconciled - sum(live.mapped("amount")))

    # -- how these jobs show on the credit note ---------------------------
    # (its Xero state and id leave its allocations out: account_move.py)
    def _xero_note_body(self, job):
        if job.operation == "delete_allocation":
            return _("Allocation on %(invoice)s deleted in Xero (%(id)s).",
                     invoice=job.target_move_id.name, id=job.xero_id)
        return super()._xero_note_body(job)


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    # Called by account_partial_reconcile.py (unlink).
    def _xero_enqueue_unallocate(self):
        """A credit note taken off an invoice (in whole or in part): the
        allocations Xero holds for the pair are deleted, and what stays
        reconciled, if anything, is allocated again once they are gone."""
        Job = self.env["xero.sync.job"].sudo()
        for kind, note, invoice in self._xero_pairs():
            if kind != "allocation":
                continue
            connections = Job._jobs_of(note, ("allocation",), target=invoice).connection_id
            for connection in connections:
                # An allocation not sent yet needs nothing: its amount is
                # worked out when it is sent (nothing left: it cancels itself).
                Job._enqueue_redo(connection, note, invoice,
                                  note._xero_live_allocations(invoice, connection),
                                  "delete_allocation", "allocation")
            note._xero_refresh_state()
