"""Deposits in Xero: prepayments and overpayments (PUT /BankTransactions
with Type RECEIVE-/SPEND-PREPAYMENT or -OVERPAYMENT), their allocations to
invoices (PUT /Prepayments|Overpayments/{id}/Allocations) and the deletion
of those (DELETE .../Allocations/{AllocationID}). Which payments are
deposits, and why the whole payment goes as one: account_payment_deposit.py.

A deposit in doubt (its job found "sending" past its lease) is looked for
before it is sent again: Xero keeps no Reference on these bank
transactions, so the job's key rides in the line's Description and the
contact's bank transactions of that type are read for it.
"""

import logging

from odoo import _, api, fields, models

from ..xero import payloads, payloads_deposit
from ..xero.errors import XeroNotFound, XeroValidationError
from .xero_sync_job import WAIT_DELAY

_logger = logging.getLogger(__name__)

INVOICE_TYPES = ("out_invoice", "in_invoice")


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    deposit_kind = fields.Selection(
        [(payloads_deposit.PREPAYMENT, "Prepayment"), (payloads_deposit.OVERPAYMENT, "Overpayment")],
        readonly=True, copy=False,
        help="For deposits: what Xero made of the payment (its Xero ID is that object's).")
    deposit_bank_transaction_id = fields.Char(
        "Xero bank transaction", readonly=True, copy=False,
        help="For deposits: the BankTransactionID of the Xero bank transaction that made the "
             "prepayment or overpayment (its page in Xero).")

    # -- the deposit itself ---------------------------------------------------
    def _send_deposit(self, api):
        self._send_requests(api, self._deposit_requests(api))

    def _deposit_requests(self, api):
        connection = self.connection_id
        batch = self._batch_size()
        ready = []
        for job in self:
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
                    self._jobs_of(payment, ("deposit_allocation",)),
                    _("Fully matched to invoices before it reached Xero: sent as payments."))
                job._cancel(_("Fully matched to invoices before it reached Xero: sent as payments."))
                payment.move_id._xero_enqueue_applications()
                continue
            prepared = job._prepare_values(
                lambda payment=payment: payment._xero_deposit_values(connection, job))
            if prepared is None:
                continue
            kind, values = prepared
            if job.in_doubt:
                job._budget_request()
                found = job._find_deposit(api, values)
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
                yield self._deposit_request(ready)
                ready = []
        if ready:
            yield self._deposit_request(ready)

    def _deposit_request(self, ready):
        jobs = self.browse([job.id for job, _m in ready])

        def on_ok(job, result):
            obj = result.obj
            if obj.bank_transaction_id:
                job.deposit_bank_transaction_id = str(obj.bank_transaction_id)
            job._set_done(str(obj.prepayment_id or obj.overpayment_id or result.xero_id))
            payment = job._record()
            if payment is not None:
                payment._xero_payments_to_allocations(job)

        return jobs._batch_request("create_bank_transactions", [m for _j, m in ready], on_ok)

    def _find_deposit(self, api, values):
        """(kind, PrepaymentID or OverpaymentID) of the deposit Xero holds for
        this job (its key in a line's Description), else None."""
        self.ensure_one()
        typ = payloads_deposit.deposit_type(values.kind, values.inbound)
        where = "%s AND %s" % (payloads.where_equals("Type", typ),
                               payloads.where_guid("Contact.ContactID", values.contact_id))
        for transaction in api.get_bank_transactions(where=where):
            status = getattr(transaction.status, "value", transaction.status)
            if status == "DELETED":
                continue
            if any(payloads_deposit.deposit_key_in(line.description, self.idempotency_key)
                   for line in transaction.line_items or []):
                found = transaction.prepayment_id or transaction.overpayment_id
                if found:
                    self.deposit_bank_transaction_id = str(transaction.bank_transaction_id or "") \
                        or False
                    return values.kind, str(found)
        return None

    # -- allocations ----------------------------------------------------------
    def _deposit_of(self, payment):
        """The done deposit job of ``payment`` on this job's connection."""
        return self.search([
            ("res_model", "=", "account.payment"), ("res_id", "=", payment.id),
            ("operation", "=", "deposit"), ("connection_id", "=", self.connection_id.id),
            ("state", "=", "done"),
        ], order="version desc", limit=1)

    def _send_deposit_allocation(self, api):
        for job in self:
            payment, invoice = job._record(), job.target_move_id
            if payment is None or not invoice or invoice.move_type not in INVOICE_TYPES:
                job._cancel(_("Only an invoice or a bill takes a deposit."))
                continue
            if not payment._xero_deposit_job():
                job._cancel(_("The payment went to Xero as payments, not as a deposit."))
                continue
            deposit = job._deposit_of(payment)
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
                held = job._deposit_allocations(api, deposit)
                match = [a for a in held if a.invoice and str(a.invoice.invoice_id).lower()
                         == invoice_id.lower() and abs((a.amount or 0) - amount) < 0.005]
                if match:
                    job._set_done(str(match[0].allocation_id or deposit.xero_id))
                    self._commit()
                    continue
            job._budget_request()
            allocation = payloads_deposit.build_deposit_allocation(
                invoice_id, amount, max(payment.date, invoice.invoice_date or invoice.date))
            result = api.create_deposit_allocation(
                deposit.deposit_kind, deposit.xero_id, allocation, job._request_key())
            if result.ok:
                job._set_done(str(result.xero_id or deposit.xero_id))
            else:
                job._set_failed(result.message)
            self._commit()

    def _deposit_allocations(self, api, deposit):
        """The allocations Xero holds on the deposit of ``deposit`` (a done deposit job)."""
        self._budget_request()
        if deposit.deposit_kind == payloads_deposit.PREPAYMENT:
            found = api.get_prepayments(where=payloads.where_guid("PrepaymentID", deposit.xero_id))
        else:
            found = api.get_overpayments(where=payloads.where_guid("OverpaymentID", deposit.xero_id))
        return [a for a in (found[0].allocations or [] if found else []) if a.allocation_id]

    def _send_delete_deposit_allocation(self, api):
        """DELETE the allocation this job names; one already gone (a replay,
        or deleted in Xero) is done."""
        for job in self:
            if not job.xero_id and job.depends_on_job_id.xero_id:
                job.xero_id = job.depends_on_job_id.xero_id
            payment = job._record()
            deposit = payment is not None and job._deposit_of(payment)
            if not deposit or not job.xero_id:
                job._cancel(_("This allocation never reached Xero."))
                continue
            held = {str(a.allocation_id).lower() for a in job._deposit_allocations(api, deposit)}
            try:
                if job.xero_id.lower() in held:
                    job._budget_request()
                    api.delete_deposit_allocation(deposit.deposit_kind, deposit.xero_id, job.xero_id)
            except XeroNotFound:
                _logger.info("Allocation %s was already gone from Xero.", job.xero_id)
            except XeroValidationError as exc:
                job._set_failed(exc.message)
                self._commit()
                continue
            job._set_done()
            self._commit()

    # -- refunds ----------------------------------------------------------------
    def _send_deposit_refund(self, api):
        """A refund matched to a deposit: PUT /Payments with the Prepayment
        (Overpayment) it refunds; the Reference carries the job's key, so
        one in doubt is found again like any payment."""
        for job in self:
            refund, deposit_move = job._record(), job.target_move_id
            deposit_payment = deposit_move.origin_payment_id
            if refund is None or not deposit_payment or refund.state in ("draft", "canceled"):
                job._cancel(_("The refund or its deposit no longer exists."))
                continue
            deposit = job._deposit_of(deposit_payment)
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
                found = self._find_payments(api, [reference])
                if found.get(reference):
                    job._set_done(str(found[reference]))
                    self._commit()
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
            [result] = api.create_payments([model], job._request_key())
            if result.ok:
                job._set_done(str(result.xero_id))
            else:
                job._set_failed(result.message)
            self._commit()

    # -- the payment jobs of deposits -----------------------------------------
    def _send_payment(self, api):
        """A payment that is a deposit in Xero goes by allocations, never as
        a Payment: its payment jobs claimed here are turned into them (a
        match made while its deposit was on its way)."""
        as_payments = self.browse()
        for job in self:
            payment = job._record()
            deposit = payment._xero_deposit_job() if payment is not None else None
            if not deposit:
                as_payments |= job
            elif payment._xero_deposit_sent(deposit):
                job._cancel(_("The payment is a deposit in Xero: applied by an allocation."))
                self._enqueue(job.connection_id, payment, "deposit_allocation",
                              target=job.target_move_id, depends_on=deposit)
            else:
                job._release(error=_("Waiting for %s.", deposit.display_name), delay=WAIT_DELAY)
        if not as_payments:
            return None
        return super(XeroSyncJob, as_payments)._send_payment(api)


class AccountPayment(models.Model):
    _inherit = "account.payment"

    @api.model
    def _xero_deposit_account(self, connection, inbound):
        return connection.deposit_received_xero_account_id if inbound \
            else connection.deposit_paid_xero_account_id

    def _xero_bank_account(self, connection, issues):
        """The Xero bank account of this payment's journal (as for payments)."""
        self.ensure_one()
        bank_account = self.journal_id.default_account_id
        xero_bank = connection._map_account(bank_account)
        if not xero_bank and self.outstanding_account_id:
            xero_bank = connection._map_account(self.outstanding_account_id)
        if not xero_bank:
            issues.append(_("Bank account %(account)s (journal %(journal)s) has no Xero account "
                            "in the GL account map.", account=bank_account.display_name,
                            journal=self.journal_id.display_name))
        return xero_bank

    def _xero_deposit_refund_amount(self, deposit_move, job):
        """What this refund gives back of the deposit ``deposit_move`` and
        Xero does not hold yet (refunds already sent for the pair)."""
        self.ensure_one()
        matched = deposit_move._xero_reconciled_amount(self.move_id, company_currency=True)
        jobs = self.env["xero.sync.job"]._jobs_of(
            self, ("deposit_refund", "delete_payment"), target=deposit_move)
        # A refund's Payment deleted in Xero (the refund taken off the deposit) holds nothing.
        deleted = jobs.filtered(lambda j: j.operation == "delete_payment"
                                and j.state != "cancelled").depends_on_job_id
        sent = jobs.filtered(lambda j: j.operation == "deposit_refund" and j != job
                             and j.state in ("done", "sending") and j not in deleted)
        return self.company_currency_id.round(matched - sum(sent.mapped("amount")))

    def _xero_deposit_values(self, connection, job):
        """((kind, DepositValues), [issues]) of this payment's deposit."""
        self.ensure_one()
        issues = []
        inbound = self._xero_deposit_inbound()
        xero_bank = self._xero_bank_account(connection, issues)
        if self.currency_id != self.company_currency_id:
            issues.append(_("A deposit in %(currency)s: only deposits in %(company)s are sent to "
                            "Xero yet.", currency=self.currency_id.name,
                            company=self.company_currency_id.name))
        partner = self.partner_id.commercial_partner_id
        contact = partner._xero_binding(connection)
        if not contact.xero_id:
            partner._xero_enqueue_contact(connection)
            issues.append(_("Contact %s is not in Xero yet.", partner.display_name))
        account = self._xero_deposit_account(connection, inbound)
        # Matched to nothing: a prepayment on the Deposits account; matched
        # in part, or no Deposits account: an overpayment (Xero's AR / AP).
        kind = payloads_deposit.PREPAYMENT if account and not self._xero_is_matched() \
            else payloads_deposit.OVERPAYMENT
        values = payloads_deposit.DepositValues(
            kind=kind,
            inbound=inbound,
            contact_id=contact.xero_id,
            bank_account_code=xero_bank.code or None,
            bank_account_id=xero_bank.xero_id or None,
            date=self.date,
            amount=self.amount,
            description=_("Deposit %(name)s %(memo)s", name=self.name or "", memo=self.memo or ""),
            key=job.idempotency_key,
            account_code=account.code or None,
            url="%s/odoo/account.payment/%d" % (self.get_base_url(), self.id),
        )
        return (kind, values), issues
