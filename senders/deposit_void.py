"""A deposit leaves Xero ("void_deposit"): its payment was reset to draft
or cancelled in Odoo (models/account_payment_deposit_undo.py).

How Xero takes one away. There is no DELETE nor void of /Prepayments or
/Overpayments (xero_accounting.yaml: those paths only read them, and add or
delete allocations). They are made by a bank transaction of Type
RECEIVE-/SPEND-PREPAYMENT (-OVERPAYMENT), and a bank transaction is
removed by updating it with Status DELETED (updateBankTransaction, POST
/BankTransactions/{BankTransactionID}; BankTransaction.Status: AUTHORISED,
DELETED, VOIDED); the prepayment then reads VOIDED (Prepayment.Status:
AUTHORISED, PAID, VOIDED). Xero refuses it while the prepayment is
allocated to invoices or refunded by payments (as its web app asks to
remove the allocations and refunds first): the sandbox refuses it too
(xero_sandbox/deposits.py). So the job waits for this deposit's deletions
of allocations and refunds queued in Odoo, then reads the deposit: one
Xero still holds allocations or payments on is blocked, naming them.
"""

from odoo import _

from ..xero import payloads, payloads_deposit
from ..xero.errors import XeroValidationError
from .base import WAIT_DELAY, Sender


class VoidDepositSender(Sender):
    """"void_deposit": the prepayment (overpayment) of a payment leaves Xero."""

    def send(self):
        api = self.api
        for job in self.jobs:
            deposit = job.depends_on_job_id
            job._take_dependency_xero_id()
            kind = deposit.deposit_kind or job.deposit_kind
            if not job.xero_id or not kind:
                job._cancel(_("This deposit never reached Xero."))
                continue
            job.deposit_kind = kind
            deleting = job.search([
                ("res_model", "=", "account.payment"), ("state", "in", ("pending", "sending")),
                ("id", "not in", self.jobs.ids), "|",
                "&", ("res_id", "=", job.res_id), ("operation", "=", "delete_deposit_allocation"),
                "&", ("operation", "=", "delete_payment"), ("target_move_id.origin_payment_id", "=", job.res_id),
            ], limit=1)
            if deleting:
                job._release(error=_("Waiting for %s.", deleting.display_name), delay=WAIT_DELAY)
                continue
            job._budget_request()
            if kind == payloads_deposit.PREPAYMENT:
                found = api.get_prepayments(where=payloads.where_guid("PrepaymentID", job.xero_id))
            else:
                found = api.get_overpayments(where=payloads.where_guid("OverpaymentID", job.xero_id))
            held = found[0] if found else None
            status = held and getattr(held.status, "value", held.status)
            if not held or status == "VOIDED":
                job._set_done()
                self.commit()
                continue
            blockers = self.blockers(held)
            if blockers:
                job._set_blocked(_(
                    "Xero holds %(what)s on this %(kind)s, so it cannot be deleted there. Take "
                    "them off (in Odoo, or in Xero), then retry.",
                    what=", ".join(blockers), kind=kind))
                continue
            transaction = self.transaction(job, held)
            if transaction is None:
                job._set_done()
                self.commit()
                continue
            job._budget_request()
            try:
                result = api.delete_bank_transaction(
                    payloads_deposit.build_deposit_delete(transaction), job._request_key())
            except XeroValidationError as exc:
                job._set_blocked(exc.message)
                continue
            if result.ok:
                job._set_done()
            else:
                job._set_blocked(result.message)
            self.commit()

    @staticmethod
    def blockers(held):
        """What Xero holds on the prepayment (overpayment) ``held``: its
        allocations (by invoice number) and its refund payments."""
        out = []
        for allocation in held.allocations or []:
            invoice = allocation.invoice
            out.append(_("an allocation to %(invoice)s (%(amount)s)",
                         invoice=(invoice and (invoice.invoice_number or invoice.invoice_id)) or "?",
                         amount=allocation.amount))
        for payment in held.payments or []:
            status = getattr(payment.status, "value", payment.status)
            if status != "DELETED":
                out.append(_("a refund payment %(ref)s (%(amount)s)",
                             ref=payment.reference or payment.payment_id, amount=payment.amount))
        return out

    def transaction(self, job, held):
        """The bank transaction (not deleted) that made the prepayment
        (overpayment) ``held``: the contact's, carrying its id."""
        contact_id = held.contact and held.contact.contact_id
        if not contact_id:
            return None
        job._budget_request()
        for transaction in self.api.get_bank_transactions(
                where=payloads.where_guid("Contact.ContactID", contact_id)):
            status = getattr(transaction.status, "value", transaction.status)
            made = transaction.prepayment_id or transaction.overpayment_id
            if status != "DELETED" and made and str(made).lower() == job.xero_id.lower():
                return transaction
        return None
