"""The matches of Odoo (partial reconciliations) that mean something in
Xero: a payment or a settling bank entry paying an invoice (a Xero Payment),
a credit note or a deposit on an invoice (an Allocation), a refund of a
deposit (a Payment on it).

Matching and unmatching are written here once (``create``, ``unlink``), each
calling the concerns' steps in a fixed order; the steps of deposits, credit
notes and settling entries sit in their own files.
"""

from odoo import _, api, models

from .account_move import XERO_TYPES


class AccountPartialReconcile(models.Model):
    """A partial reconciliation is where Odoo records that a payment or a
    credit note settles an invoice: in Xero a Payment or an Allocation."""

    _inherit = "account.partial.reconcile"

    @api.model_create_multi
    def create(self, vals_list):
        partials = super().create(vals_list)
        partials._xero_enqueue_applications()
        return partials

    def unlink(self):
        """Taking matches off: each concern queues what it undoes in Xero,
        in this order, before the partials are gone (they name the pairs);
        a payment left open is then a deposit again."""
        payments = self._xero_payments()
        # A refund's Payment on its deposit (account_payment_deposit_undo.py).
        self._xero_enqueue_refund_deletes()
        # A deposit's allocations (account_payment_deposit.py).
        self._xero_enqueue_deposit_unallocate()
        # Payments, and the Xero payments of settling entries.
        settlements = self._xero_enqueue_unapply()
        # A credit note's allocations (account_move_allocation.py).
        self._xero_enqueue_unallocate()
        res = super().unlink()
        payments.exists()._xero_sync_deposit()
        # A settling entry left matched to nothing (account_move_settlement.py).
        self._xero_recheck_settlements(settlements)
        return res

    def _xero_payments(self):
        """The payments of the moves these partials match."""
        moves = self.debit_move_id.move_id | self.credit_move_id.move_id
        return moves.origin_payment_id

    def _xero_pairs(self):
        """(kind, record, target) for each partial that means something in
        Xero: ("payment", account.payment, invoice or credit note),
        ("settlement", bank or cash entry (not a payment's), invoice, bill
        or credit note: account_move_settlement.py) or ("allocation",
        credit note, invoice)."""
        pairs = []
        for partial in self:
            moves = partial.debit_move_id.move_id | partial.credit_move_id.move_id
            documents = moves.filtered(lambda m: m.move_type in XERO_TYPES)
            others = moves - documents
            if len(documents) == 1 and len(others) == 1 and others.origin_payment_id:
                pairs.append(("payment", others.origin_payment_id, documents))
            elif len(documents) == 1 and len(others) == 1 and others._xero_is_bank_settler():
                pairs.append(("settlement", others, documents))
            elif len(documents) == 2:
                notes = documents.filtered(lambda m: m.move_type in ("out_refund", "in_refund"))
                invoices = documents - notes
                if len(notes) == 1 and len(invoices) == 1:
                    pairs.append(("allocation", notes, invoices))
        return pairs

    def _xero_payment_pairs(self):
        """The two payments of each partial matching one payment with
        another (a refund with a deposit: account_payment_deposit*.py)."""
        pairs = []
        for partial in self:
            moves = partial.debit_move_id.move_id | partial.credit_move_id.move_id
            payments = moves.origin_payment_id
            if len(moves) == 2 and len(payments) == 2:
                pairs.append(payments)
        return pairs

    @api.model
    def _xero_target_job(self, target):
        """The job that sends ``target`` (an invoice, bill or credit note)
        to Xero, or an empty record when it does not go."""
        return self.env["xero.sync.job"].sudo()._jobs_of(target, ("invoice", "credit_note")).filtered(
            lambda j: j.state != "cancelled")[-1:]

    @api.model
    def _xero_delete_payments(self, record, target):
        """``record`` (a payment, a settling entry) taken off ``target``: its
        Xero payments on it not sent yet are cancelled, those Xero holds
        deleted."""
        Job = self.env["xero.sync.job"].sudo()
        jobs = Job._jobs_of(record, ("payment", "delete_payment"), target=target)
        deleted = set(jobs.filtered(lambda j: j.operation == "delete_payment").mapped("xero_id"))
        for job in jobs.filtered(lambda j: j.operation == "payment"):
            if job.state in ("pending", "failed", "blocked"):
                job._cancel(_("Taken off %s before it reached Xero.", target.name))
            elif job.state in ("done", "sending") and job.xero_id not in deleted:
                Job._enqueue(job.connection_id, record, "delete_payment", target=target,
                             version=job.version, depends_on=job, xero_id=job.xero_id)
        record._xero_refresh_state()

    def _xero_enqueue_applications(self):
        """Queue what these matches mean in Xero, in this order: Payments and
        credit note allocations, then whether each payment is a deposit and
        its refunds (account_payment_deposit.py), then the Xero payments of
        settling entries (account_move_settlement.py)."""
        self._xero_enqueue_payments_and_allocations()
        self._xero_payments()._xero_sync_deposit()
        self._xero_enqueue_refunds()
        self._xero_enqueue_settlements()

    def _xero_enqueue_payments_and_allocations(self):
        Job = self.env["xero.sync.job"].sudo()
        touched = []
        for kind, record, target in self._xero_pairs():
            if kind == "settlement" or target.state != "posted":
                continue
            target_job = self._xero_target_job(target)
            if not target_job:
                continue  # the document does not go to Xero
            conn = target_job.connection_id
            if conn.sync_from_date and record.date and record.date < conn.sync_from_date:
                continue
            if kind == "payment":
                if record.state in ("draft", "canceled") or not record.move_id:
                    continue
                Job._enqueue_payment_redo(conn, record, target, target_job,
                                          target._xero_reconciled_amount(record.move_id))
            else:
                note_job = Job._jobs_of(record, ("credit_note",)).filtered(
                    lambda j: j.state != "cancelled")[-1:]
                if not note_job:
                    continue
                Job._enqueue(conn, record, "allocation", target=target, depends_on=note_job)
            touched.append(record)
        for record in touched:
            if record._name == "account.payment":
                record._xero_refresh_state()

    def _xero_enqueue_unapply(self):
        """A payment taken off a document: its Xero payment is deleted; then
        the same for settling entries (account_move_settlement.py), which
        are returned."""
        self._xero_enqueue_payment_deletes()
        return self._xero_enqueue_settlement_deletes()

    def _xero_enqueue_payment_deletes(self):
        for kind, record, target in self._xero_pairs():
            if kind == "payment":
                self._xero_delete_payments(record, target)

