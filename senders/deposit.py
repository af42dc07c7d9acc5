"""Deposits in Xero: prepayments and overpayments (PUT /BankTransactions
with Type RECEIVE-/SPEND-PREPAYMENT or -OVERPAYMENT), their allocations to
invoices (PUT /Prepayments|Overpayments/{id}/Allocations), the deletion of
those (DELETE .../Allocations/{AllocationID}) and their refunds (PUT
/Payments on the prepayment). Which payments are deposits, and why the
whole payment goes as one: models/account_payment_deposit.py; a deposit
taken away: deposit_void.py.

A deposit in doubt (its job found "sending" past its lease) is looked for
before it is sent again: Xero keeps no Reference on these bank
transactions, so the job's key rides in the line's Description and the
contact's bank transactions of that type are read for it.
"""

import logging

from odoo import _

from ..xero import payloads, payloads_deposit
from ..xero.errors import XeroNotFound, XeroValidationError
from .base import WAIT_DELAY, Sender
from .payment import find_payments

_logger = logging.getLogger(__name__)

INVOICE_TYPES = ("out_invoice", "in_invoice")


class DepositSender(Sender):
    """"deposit": a payment matched to no invoice, or only in part."""

    def requests(self):
        connection = self.connection
        batch = self.jobs._batch_size()
        ready = []
        for job in self.jobs:
            payment = job._record()
            if payment is None or payment.state in ("draft", "canceled") \
                    or payment.move_id.state != "posted":
                job._cancel(_("The payment is no longer posted."))
                continue
            # Once in Xero as Payments: the deposit goes once they are deleted
            # (it would pay the invoices twice, and Xero's bank count the money twice).
            deleting = payment._xero_payment_deletes_unfinished()
            if deleting and not job.in_doubt:
                job._release(error=_("Waiting for %s.", deleting[-1].display_name),
                             delay=WAIT_DELAY)
                continue
            # Decided again now: fully matched before it went, it goes as Payments.
            if not payment._xero_is_open() and not job.in_doubt \
                    and not payment._xero_refund_moves():
                payment._xero_withdraw(
                    job._jobs_of(payment, ("deposit_allocation",)),
                    _("Fully matched to invoices before it reached Xero: sent as payments."))
                job._cancel(_("Fully matched to invoices before it reached Xero: sent as payments."))
                payment.move_id._xero_enqueue_applications()
                continue
            prepared = job._prepare_values(
                lambda payment=payment, job=job: payment._xero_deposit_values(connection, job))
            if prepared is None:
                continue
            kind, values = prepared
            if job.in_doubt:
                job._budget_request()
                found = self.find(job, values)
                if found:
                    job.deposit_kind = found[0]
                    job._set_done(found[1])
                    continue
            model = job._prepare(lambda values=values: payloads_deposit.build_deposit(values))
            if model is None:
                continue
            job.write({"deposit_kind": kind, "amount": values.amount})
            ready.append((job, model))
            if len(ready) == batch:
                yield self.request(ready)
                ready = []
        if ready:
            yield self.request(ready)

    def request(self, ready):
        jobs = self.browse([job for job, _m in ready])

        def on_ok(job, result):
            obj = result.obj
            if obj.bank_transaction_id:
                job.deposit_bank_transaction_id = str(obj.bank_transaction_id)
            job._set_done(str(obj.prepayment_id or obj.overpayment_id or result.xero_id))
            payment = job._record()
            if payment is not None:
                payment._xero_payments_to_allocations(job)

        return jobs._batch_request("create_bank_transactions", [m for _j, m in ready], on_ok)

    def find(self, job, values):
        """(kind, PrepaymentID or OverpaymentID) of the deposit Xero holds for
        ``job`` (its key in a line's Description), else None."""
        typ = payloads_deposit.deposit_type(values.kind, values.inbound)
        where = "%s AND %s" % (payloads.where_equals("Type", typ),
                               payloads.where_guid("Contact.ContactID", values.contact_id))
        for transaction in self.api.get_bank_transactions(where=where):
            if self.status(transaction) == "DELETED":
                continue
            if any(payloads_deposit.deposit_key_in(line.description, job.idempotency_key)
                   for line in transaction.line_items or []):
                found = transaction.prepayment_id or transaction.overpayment_id
                if found:
                    job.deposit_bank_transaction_id = str(transaction.bank_transaction_id or "") \
                        or False
                    return values.kind, str(found)
        return None


class DepositAllocations(Sender):
    """What the allocations and refunds of a deposit share: the deposit
    (its done job) and what Xero holds on it."""

    def deposit_of(self, job, payment):
        """The done deposit job of ``payment`` on this connection."""
        return self.jobs.search([
            ("res_model", "=", "account.payment"), ("res_id", "=", payment.id),
            ("operation", "=", "deposit"), ("connection_id", "=", job.connection_id.id),
            ("state", "=", "done"),
        ], order="version desc", limit=1)

    def deposit_allocations(self, job, deposit):
        """The allocations Xero holds on the deposit of ``deposit`` (a done deposit job)."""
        job._budget_request()
        if deposit.deposit_kind == payloads_deposit.PREPAYMENT:
            found = self.api.get_prepayments(
                where=payloads.where_guid("PrepaymentID", deposit.xero_id))
        else:
            found = self.api.get_overpayments(
                where=payloads.where_guid("OverpaymentID", deposit.xero_id))
        return [a for a in (found[0].allocations or [] if found else []) if a.allocation_id]


class DepositAllocationSender(DepositAllocations):
    """"deposit_allocation": a deposit applied to an invoice or a bill."""

    def send(self):
        for job in self.jobs:
            payment, invoice = job._record(), job.target_move_id
            if payment is None or not invoice or invoice.move_type not in INVOICE_TYPES:
                job._cancel(_("Only an invoice or a bill takes a deposit."))
                continue
            if not payment._xero_deposit_job():
                job._cancel(_("The payment went to Xero as payments, not as a deposit."))
                continue
            deposit = self.deposit_of(job, payment)
            invoice_id = job._target_xero_id()
            if not invoice_id or not deposit:
                job._release(error=_("Waiting for the deposit and %s to reach Xero.", invoice.name),
                             delay=WAIT_DELAY)
                continue
            amount = payment._xero_deposit_allocation_amount(invoice, job.connection_id, job)
            if amount <= 0:
                job._cancel(_("Nothing more of the deposit is applied to %s.", invoice.name))
                continue
            job.amount = amount
            if job.in_doubt:
                found = self.find(job, deposit, invoice_id, amount)
                if found:
                    job._set_done(found)
                    self.commit()
                    continue
            job._budget_request()
            allocation = payloads_deposit.build_deposit_allocation(
                invoice_id, amount, max(payment.date, invoice.invoice_date or invoice.date))
            result = self.api.create_deposit_allocation(
                deposit.deposit_kind, deposit.xero_id, allocation, job._request_key())
            if result.ok:
                job._set_done(str(result.xero_id or deposit.xero_id))
            else:
                job._set_failed(result.message)
            self.commit()

    def find(self, job, deposit, invoice_id, amount):
        """The Xero id of the allocation of ``amount`` to ``invoice_id`` the
        deposit already holds, else None."""
        match = [a for a in self.deposit_allocations(job, deposit)
                 if a.invoice and str(a.invoice.invoice_id).lower() == invoice_id.lower()
                 and abs((a.amount or 0) - amount) < 0.005]
        return str(match[0].allocation_id or deposit.xero_id) if match else None


class DeleteDepositAllocationSender(DepositAllocations):
    """"delete_deposit_allocation": DELETE the allocation this job names; one
    already gone (a replay, or deleted in Xero) is done."""

    def send(self):
        for job in self.jobs:
            job._take_dependency_xero_id()
            payment = job._record()
            deposit = payment is not None and self.deposit_of(job, payment)
            if not deposit or not job.xero_id:
                job._cancel(_("This allocation never reached Xero."))
                continue
            held = {str(a.allocation_id).lower() for a in self.deposit_allocations(job, deposit)}
            try:
                if job.xero_id.lower() in held:
                    job._budget_request()
                    self.api.delete_deposit_allocation(
                        deposit.deposit_kind, deposit.xero_id, job.xero_id)
            except XeroNotFound:
                _logger.info("Allocation %s was already gone from Xero.", job.xero_id)
            except XeroValidationError as exc:
                job._set_failed(exc.message)
                self.commit()
                continue
            job._set_done()
            self.commit()


class DepositRefundSender(DepositAllocations):
    """"deposit_refund": a refund matched to a deposit: PUT /Payments with
    the Prepayment (Overpayment) it refunds; the Reference carries the job's
    key, so one in doubt is found again like any payment."""

    def send(self):
        for job in self.jobs:
            refund, deposit_move = job._record(), job.target_move_id
            deposit_payment = deposit_move.origin_payment_id
            if refund is None or not deposit_payment or refund.state in ("draft", "canceled"):
                job._cancel(_("The refund or its deposit no longer exists."))
                continue
            deposit = self.deposit_of(job, deposit_payment)
            if not deposit:
                if deposit_payment._xero_deposit_job():
                    job._release(error=_("Waiting for the deposit %s to reach Xero.",
                                         deposit_payment.name), delay=WAIT_DELAY)
                else:
                    job._cancel(_("The payment refunded is not a deposit in Xero."))
                continue
            amount = refund._xero_deposit_refund_amount(deposit_move, job)
            if amount <= 0:
                job._cancel(_("Nothing more of %s is refunded.", deposit_payment.name))
                continue
            reference = refund._xero_payment_reference(job)
            if job.in_doubt:
                job._budget_request()
                found = find_payments(job, self.api, [reference])
                if found.get(reference):
                    job._set_done(str(found[reference]))
                    self.commit()
                    continue
            issues = []
            bank = refund._xero_bank_account(job.connection_id, issues)
            if issues:
                job._set_blocked("\n".join(issues))
                continue
            model = payloads_deposit.build_deposit_refund(
                deposit.deposit_kind, deposit.xero_id, amount, refund.date,
                account_code=bank.code or None, account_id=bank.xero_id or None,
                reference=reference)
            job.write({"amount": amount, "deposit_kind": deposit.deposit_kind})
            job._budget_request()
            [result] = self.api.create_payments([model], job._request_key())
            if result.ok:
                job._set_done(str(result.xero_id))
            else:
                job._set_failed(result.message)
            self.commit()
