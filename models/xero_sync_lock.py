"""Xero's lock dates, checked before a job is sent.

Xero refuses any document (invoice, credit note, payment, allocation, bank
transaction or transfer, posted manual journal) dated on or before the
organisation's period lock date or end of year lock date, and any void or
delete of one dated so ("The document date cannot be before the period lock
date, currently set at 30-Nov-2018": Xero's validation message, e.g.
github.com/waynerobinson/xeroizer/issues/92; Organisation.PeriodLockDate and
EndOfYearLockDate in Xero's OpenAPI spec, "See lock dates"). The
connection keeps both dates (read from Xero's Organisation with the
reference data, xero_reference.py): a job whose document Xero would refuse
for them is blocked here, before any request, with a message naming the lock
date and what to do. The sandbox refuses the same (xero_sandbox/documents.py
``_lock_errors``).
"""

from odoo import _, models

# The dates Xero sees, per (document model, operation): the document's own,
# or for what applies one document to another (allocations, and their
# deletion), the later of the two (senders/allocation.py and
# senders/deposit.py send that date; Xero checks the allocation's).
_BOTH = ("allocation", "deposit_allocation", "delete_allocation", "delete_deposit_allocation")


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    def _xero_document_date(self):
        """The date Xero would check of this job's element, or None (a
        contact; a document gone)."""
        self.ensure_one()
        record = self._record()
        if record is None or self.res_model == "res.partner":
            return None
        if self.res_model == "account.move":
            day = (record.invoice_date if record.is_invoice(include_receipts=True) else None) \
                or record.date
        else:
            day = record.date
        if self.operation in _BOTH and self.target_move_id:
            target = self.target_move_id
            day = max(day, target.invoice_date or target.date)
        return day

    def _xero_locked_by(self, day):
        """(label, lock date) of the Xero lock date ``day`` falls on or
        before (the later one first), or None."""
        conn = self.connection_id
        locks = [(conn.xero_end_of_year_lock_date, _("end of year lock date")),
                 (conn.xero_period_lock_date, _("period lock date"))]
        for lock, label in sorted((l for l in locks if l[0]), key=lambda l: l[0], reverse=True):
            if day <= lock:
                return label, lock
        return None

    def _xero_block_locked(self):
        """Block the jobs of ``self`` whose document Xero would refuse for
        its lock dates; return them."""
        blocked = self.browse()
        for job in self:
            conn = job.connection_id
            if not (conn.xero_period_lock_date or conn.xero_end_of_year_lock_date):
                continue
            day = job._xero_document_date()
            locked = job._xero_locked_by(day) if day else None
            if not locked:
                continue
            label, lock = locked
            record = job._record()
            job._set_blocked(_(
                "%(document)s is dated %(date)s, on or before Xero's %(lock_label)s "
                "(%(lock)s): Xero refuses documents in a locked period. Have an adviser "
                "move the lock date in Xero (Settings, Financial settings), then \"Refresh "
                "from Xero\" on the connection and Retry; or, if the period is closed, "
                "record it in Odoo in an open period.",
                document=record.display_name, date=day, lock_label=label, lock=lock))
            blocked |= job
        return blocked
