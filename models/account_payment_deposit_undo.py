"""Undoing in Xero what a deposit did, so that Xero's books stay Odoo's:

- a payment sent as Xero Payments (fully matched to invoices) and then
  taken off one of them is open again: Odoo keeps it as an outstanding
  receipt (payment). Its Payments are deleted in Xero and, once they are,
  the whole payment goes as a deposit, allocated to what stays matched
  (why the whole: account_payment_deposit.py). Deleting alone would take
  the money out of Xero's bank account;
- a refund taken off its deposit: its Xero Payment on the prepayment
  (overpayment) is deleted, and what stays matched is paid again;
- a deposit whose payment is reset to draft or cancelled: its allocations
  (and its refunds' payments) are deleted, then the prepayment
  (overpayment) itself ("void_deposit", senders/deposit_void.py).
"""

from odoo import _, models

from .account_payment_deposit import _LIVE

INVOICE_TYPES = ("out_invoice", "in_invoice")
UNFINISHED = ("pending", "sending", "failed", "blocked")


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def _xero_payment_deletes_unfinished(self):
        """The deletions of this payment's Xero Payments not done yet."""
        self.ensure_one()
        return self.env["xero.sync.job"]._jobs_of(self, ("delete_payment",)).filtered(
            lambda j: j.state in UNFINISHED)

    def _xero_payments_to_deposit(self, connection, live):
        """This payment, in Xero as Payments (``live``: its payment jobs Xero
        holds or is being sent), is open again: each Payment not being
        deleted yet is deleted, then the whole payment goes as a deposit
        (it waits for the deletions: senders/deposit.py), allocated to the
        invoices it stays matched to."""
        self.ensure_one()
        Job = self.env["xero.sync.job"].sudo()
        deletes = Job._jobs_of(self, ("delete_payment",)).filtered(lambda j: j.state != "cancelled")
        deleted_ids = set(deletes.mapped("xero_id"))
        for job in live:
            if job in deletes.depends_on_job_id or (job.xero_id and job.xero_id in deleted_ids):
                continue
            deletes |= Job._enqueue(job.connection_id, self, "delete_payment",
                                    target=job.target_move_id, version=job.version,
                                    depends_on=job, xero_id=job.xero_id)
        last = deletes.filtered(lambda j: j.state in UNFINISHED)[-1:]
        deposit = Job._enqueue(connection, self, "deposit", depends_on=last or None)
        for invoice in self._xero_matched_moves().filtered(lambda m: m.move_type in INVOICE_TYPES):
            Job._enqueue(connection, self, "deposit_allocation", target=invoice, depends_on=deposit)
        return deposit

    def _xero_refund_deletes(self, deposit_move):
        """Delete in Xero this refund's Payments on the deposit of
        ``deposit_move``; the last deletion queued, or an empty record."""
        self.ensure_one()
        Job = self.env["xero.sync.job"].sudo()
        jobs = Job._jobs_of(self, ("deposit_refund", "delete_payment"), target=deposit_move)
        deletes = jobs.filtered(lambda j: j.operation == "delete_payment" and j.state != "cancelled")
        last = Job.browse()
        for job in jobs.filtered(lambda j: j.operation == "deposit_refund"):
            if job.state in ("pending", "failed", "blocked") and not job.in_doubt:
                job._cancel(_("Taken off %s before it reached Xero.", deposit_move.name))
            elif (job.state in _LIVE or job.in_doubt) and job not in deletes.depends_on_job_id:
                last = Job._enqueue(job.connection_id, self, "delete_payment", target=deposit_move,
                                    version=job.version, depends_on=job, xero_id=job.xero_id)
        return last

    def _xero_enqueue_void_deposit(self):
        """These payments leave Odoo's books (reset to draft, cancelled):
        their deposits leave Xero's. One not sent yet is withdrawn; one
        Xero holds is deleted there, after its allocations and refunds
        (queued when the reset took the matches off)."""
        Job = self.env["xero.sync.job"].sudo()
        for payment in self:
            deposit = payment._xero_deposit_job()
            if not deposit:
                continue
            if payment._xero_deposit_sent(deposit):
                Job._enqueue(deposit.connection_id, payment, "void_deposit",
                             version=deposit.version, depends_on=deposit, xero_id=deposit.xero_id)
            else:
                payment._xero_withdraw(
                    Job._jobs_of(payment, ("deposit", "deposit_allocation")),
                    _("Reset to draft before it reached Xero."))
            payment._xero_refresh_state()

    # (how a deleted deposit shows on its payment: account_payment.py)


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    # Called by account_partial_reconcile.py (unlink).
    def _xero_enqueue_refund_deletes(self):
        """A refund taken off its deposit (in whole or in part): its Payment
        on the deposit is deleted in Xero, and what stays matched, if
        anything, is paid again once it is."""
        Job = self.env["xero.sync.job"].sudo()
        for payments in self._xero_payment_pairs():
            for refund in payments.filtered(lambda p: p._xero_is_refund()):
                deposit_move = (payments - refund).move_id
                last = refund._xero_refund_deletes(deposit_move)
                if last:
                    Job._enqueue(last.connection_id, refund, "deposit_refund",
                                 target=deposit_move, depends_on=last)
                refund._xero_refresh_state()
