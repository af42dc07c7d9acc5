"""Payments: a payment goes once its invoice or credit note is in Xero, with
the Reference that carries its job's key (how one in doubt is found again).

Two document models send payments: ``account.payment`` (a registered
payment; one that is a deposit in Xero goes by allocations instead, see
deposit.py) and ``account.move`` (a bank or cash entry that settles
invoices: models/account_move_settlement.py)."""

from odoo import _

from ..xero import payloads
from .base import WAIT_DELAY, Sender


def find_payments(jobs, api, references):
    """{Reference: PaymentID} of the payments Xero holds (not deleted) with
    these references: an OR of their clauses per look-up, at most
    WHERE_BUDGET characters each."""
    found = {}
    chunks = jobs._where_chunks(
        references, lambda reference: [payloads.where_equals("Reference", reference)])
    for _chunk, clauses in chunks:
        for payment in api.get_payments(where=" OR ".join(clauses)):
            if payment.status != "DELETED":
                found.setdefault(payment.reference, payment.payment_id)
    return found


class PaymentSender(Sender):
    """"payment" of a bank or cash entry: a Payment on each invoice it settles."""

    def requests(self):
        """The create requests of these payments, ``_batch_size()`` each (see
        ``InvoiceSender.requests``)."""
        jobs = self.payable()
        # Those in doubt are looked up first by the Reference carrying their key.
        found = self.find([
            job._record()._xero_payment_reference(job)
            for job in jobs if job.in_doubt and job._record() is not None])
        batch = jobs._batch_size()
        ready = []
        for job in jobs:
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
                lambda payment=payment, target=target: payment._xero_payment_values(
                    self.connection, target))
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
                yield self.request(ready)
                ready = []
        if ready:
            yield self.request(ready)

    def payable(self):
        """The jobs that go as Payments."""
        return self.jobs

    def find(self, references):
        return find_payments(self.jobs, self.api, references)

    def request(self, ready):
        jobs = self.browse([job for job, _p in ready])
        return jobs._batch_request("create_payments", [p for _job, p in ready],
                                   lambda job, result: job._set_done(result.xero_id))


class RegisteredPaymentSender(PaymentSender):
    """"payment" of a registered payment (``account.payment``)."""

    def payable(self):
        """A payment that is a deposit in Xero goes by allocations, never as
        a Payment: its payment jobs claimed here are turned into them (a
        match made while its deposit was on its way)."""
        as_payments = self.jobs.browse()
        for job in self.jobs:
            payment = job._record()
            deposit = payment._xero_deposit_job() if payment is not None else None
            if not deposit:
                as_payments |= job
            elif payment._xero_deposit_sent(deposit):
                job._cancel(_("The payment is a deposit in Xero: applied by an allocation."))
                job._enqueue(job.connection_id, payment, "deposit_allocation",
                             target=job.target_move_id, depends_on=deposit)
            else:
                job._release(error=_("Waiting for %s.", deposit.display_name), delay=WAIT_DELAY)
        return as_payments
