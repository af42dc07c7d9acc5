"""Deposits: customer receipts and supplier payments not (or not fully)
matched to invoices, kept in step with Xero.

Which payments are deposits. A customer's receipt or a payment to a
supplier whose receivable (payable) line is still open, and none of which
is in Xero as a Payment yet, is a deposit: it is queued as a "deposit" job
when it is posted (and whenever a change leaves it open). If it is fully
matched to invoices before that job is sent, the job is withdrawn and the
payment goes as Xero Payments against those invoices, as before. The
register-payment wizard posts its payments, then matches them, in one
transaction: it decides once, at its end, for all of them (without it,
each payment's deposit job was made, then withdrawn: +44 % CPU on
registering payments, see bench/README.rst). The deposit job decides once
more when it is sent (senders/deposit.py).

Once a payment is a deposit, the whole payment goes to Xero as one bank
transaction, never split between Payments and a deposit:

- nothing matched yet: a Prepayment coded to the connection's Deposits
  received (paid) account, or an Overpayment when no such account is set;
- partly matched (more than the invoices): an Overpayment of the whole
  amount, allocated to those invoices.

Why the whole amount: Odoo holds one bank line for the payment and one
receivable (payable) line of the whole amount, the matches only settle it.
An Overpayment of the whole books the same in Xero (bank debited, Accounts
Receivable credited, the allocations move nothing), so both ledgers agree
account by account, and the bank statement line matches one Xero
transaction. A Payment for the matched part and an Overpayment for the rest
would agree too, but as two bank lines for one, and the matched part would
have to move between them whenever the match changes.

Its matches to invoices (partial reconciliations) become Allocations of
the deposit ("deposit_allocation" jobs, the amount Xero does not hold yet),
never Payments; a match taken off deletes the pair's allocations in Xero
("delete_deposit_allocation") and allocates again what stays matched, as
for credit notes (account_move_allocation.py).

Money given back (a customer's refund payment, a supplier's refund
received) matched to a deposit is a Xero Payment on the prepayment or
overpayment ("deposit_refund"); a deposit so matched stays a deposit.
"""

from odoo import _, api, fields, models

from ..xero import payloads_deposit

# Jobs whose Xero object Xero holds or is about to hold.
_LIVE = ("done", "sending")
DEPOSIT_OPERATIONS = ("deposit", "deposit_allocation", "delete_deposit_allocation", "deposit_refund")


class AccountPayment(models.Model):
    _inherit = "account.payment"

    # -- which payments are deposits -----------------------------------------
    def _xero_deposit_inbound(self):
        """True for a customer's receipt, False for a payment to a supplier,
        None for the others (refunds: not deposits)."""
        self.ensure_one()
        if self.partner_type == "customer" and self.payment_type == "inbound":
            return True
        if self.partner_type == "supplier" and self.payment_type == "outbound":
            return False
        return None

    def _xero_deposit_connection(self):
        """The connection that takes this payment as a deposit, or an empty
        record: posted, with a partner, of a kind the connection sends
        (customers' receipts with sales invoices, supplier payments with
        bills), dated from its "Sync documents from"."""
        self.ensure_one()
        Connection = self.env["xero.connection"].sudo()
        inbound = self._xero_deposit_inbound()
        if inbound is None or self.state in ("draft", "canceled") or not self.move_id \
                or self.move_id.state != "posted" or not self.partner_id:
            return Connection
        company = self.company_id
        conn = Connection._get_for_company(company.root_id, raise_if_missing=False) \
            or Connection._get_for_company(company, raise_if_missing=False)
        if not conn or not conn.active:
            return Connection
        if not (conn.sync_sales_invoices if inbound else conn.sync_supplier_invoices):
            return Connection
        if conn.sync_from_date and self.date and self.date < conn.sync_from_date:
            return Connection
        return conn

    def _xero_deposit_lines(self):
        """The receivable (payable) lines of the payment's entry."""
        self.ensure_one()
        return self.move_id.line_ids.filtered(
            lambda l: l.account_id.account_type in ("asset_receivable", "liability_payable"))

    def _xero_is_open(self):
        """Whether part of the payment is matched to nothing."""
        lines = self._xero_deposit_lines()
        return bool(lines) and not self.company_currency_id.is_zero(
            sum(lines.mapped("amount_residual")))

    def _xero_matched_moves(self):
        self.ensure_one()
        lines = self._xero_deposit_lines()
        partials = lines.matched_debit_ids | lines.matched_credit_ids
        return (partials.debit_move_id.move_id | partials.credit_move_id.move_id) - self.move_id

    def _xero_is_refund(self):
        """Money given back: to a customer, or by a supplier."""
        self.ensure_one()
        return (self.partner_type, self.payment_type) in (
            ("customer", "outbound"), ("supplier", "inbound"))

    def _xero_refund_moves(self):
        """The entries of the refunds matched to this payment."""
        return self._xero_matched_moves().filtered(
            lambda m: m.origin_payment_id and m.origin_payment_id._xero_is_refund())

    def _xero_is_matched(self):
        """Whether part of the payment is matched to something but refunds."""
        return bool(self._xero_matched_moves() - self._xero_refund_moves())

    def _xero_deposit_job(self):
        """The payment's deposit job (its latest not set aside, nor voided
        in Xero), or an empty record."""
        self.ensure_one()
        Job = self.env["xero.sync.job"]
        deposit = Job._jobs_of(self, ("deposit",)).filtered(lambda j: j.state != "cancelled")[-1:]
        voids = Job._jobs_of(self, ("void_deposit",)).filtered(
            lambda j: j.state != "cancelled" and j.depends_on_job_id == deposit)
        return Job.browse() if deposit and voids else deposit

    @api.model
    def _xero_deposit_sent(self, job):
        """Whether Xero holds (or may hold) the deposit of ``job``."""
        return job.state in _LIVE or job.in_doubt

    # -- keeping the jobs in step --------------------------------------------
    def action_post(self):
        res = super().action_post()
        self._xero_sync_deposit()
        return res

    def _xero_post_check(self):
        """A payment's deposit is decided again first (queued, kept or withdrawn)."""
        self._xero_sync_deposit()
        return super()._xero_post_check()

    def _xero_sync_deposit(self):
        """Queue, keep or withdraw the deposit of these payments after a
        posting or a change of their matches (no HTTP: jobs only). Within
        the register-payment wizard (``xero_defer_deposit``), left to its
        end."""
        if self.env.context.get("xero_defer_deposit"):
            return
        Job = self.env["xero.sync.job"].sudo()
        touched = self.browse()
        for payment in self:
            conn = payment._xero_deposit_connection()
            if not conn:
                if payment._xero_is_refund():
                    touched |= payment  # blocked while matched to nothing (account_payment.py)
                continue
            deposit = payment._xero_deposit_job()
            is_open = payment._xero_is_open()
            if not deposit:
                if not is_open:
                    continue
                payments = Job._jobs_of(payment, ("payment",))
                if payments.filtered(lambda j: j.in_doubt and j.state not in _LIVE):
                    continue  # maybe in Xero, maybe not: left as it is (a rare case)
                live = payments.filtered(lambda j: j.state in _LIVE)
                if live:
                    # Already in Xero as Payments, and now open: its Payments
                    # are deleted and the whole payment becomes a deposit
                    # (account_payment_deposit_undo.py).
                    payment._xero_payments_to_deposit(conn, live)
                    touched |= payment
                    continue
                contact_job = payment.partner_id.commercial_partner_id._xero_enqueue_contact(conn)
                deposit = Job._enqueue(conn, payment, "deposit", depends_on=contact_job)
                touched |= payment
            elif not is_open and not self._xero_deposit_sent(deposit) \
                    and not payment._xero_refund_moves() \
                    and not payment._xero_payment_deletes_unfinished():
                # Fully matched before its deposit went: Payments after all.
                payment._xero_withdraw(
                    Job._jobs_of(payment, ("deposit", "deposit_allocation")),
                    _("Fully matched to invoices before it reached Xero: sent as payments."))
                payment.move_id._xero_enqueue_applications()
                touched |= payment
                continue
            if deposit:
                payment._xero_payments_to_allocations(deposit)
                touched |= payment
        touched._xero_refresh_state()

    def _xero_withdraw(self, jobs, reason):
        """Set aside jobs that never reached Xero: those never tried are
        deleted (nothing to show in the Sync Log), the others cancelled."""
        jobs = jobs.filtered(lambda j: j.state in ("pending", "failed", "blocked") and not j.in_doubt)
        fresh = jobs.filtered(lambda j: j.state == "pending" and not j.attempts)
        (jobs - fresh)._cancel(reason)
        fresh.unlink()

    def _xero_payments_to_allocations(self, deposit):
        """The payment jobs of this deposit not sent yet become allocations
        of the deposit to their invoices."""
        self.ensure_one()
        Job = self.env["xero.sync.job"].sudo()
        pending = Job._jobs_of(self, ("payment",)).filtered(
            lambda j: j.state in ("pending", "failed", "blocked") and not j.in_doubt)
        targets = pending.target_move_id
        self._xero_withdraw(pending, _("The payment is a deposit in Xero: applied by an allocation."))
        for target in targets:
            Job._enqueue(deposit.connection_id, self, "deposit_allocation", target=target,
                         depends_on=deposit)

    # -- what Xero holds ------------------------------------------------------
    def _xero_deposit_allocation_jobs(self, invoice, connection):
        """(deposit_allocation jobs, delete_deposit_allocation jobs) of this
        payment on ``invoice``, oldest first."""
        self.ensure_one()
        jobs = self.env["xero.sync.job"]._jobs_of(
            self, ("deposit_allocation", "delete_deposit_allocation"), target=invoice).filtered(
            lambda j: j.connection_id == connection)
        return (jobs.filtered(lambda j: j.operation == "deposit_allocation"),
                jobs.filtered(lambda j: j.operation == "delete_deposit_allocation"))

    def _xero_live_deposit_allocations(self, invoice, connection):
        """The allocations of this deposit on ``invoice`` Xero holds (sent,
        no delete queued or done for them)."""
        allocations, deletes = self._xero_deposit_allocation_jobs(invoice, connection)
        deletes = deletes.filtered(lambda j: j.state != "cancelled")
        deleted = set(deletes.mapped("xero_id")) | set(deletes.depends_on_job_id.ids)
        return allocations.filtered(
            lambda j: j.state in _LIVE and j.xero_id not in deleted and j.id not in deleted)

    def _xero_deposit_allocation_amount(self, invoice, connection, job=None):
        """What an allocation of this deposit on ``invoice`` must send: what
        Odoo matches between them (in the invoice's currency) minus what
        Xero already holds for them. Zero or less: nothing to send."""
        self.ensure_one()
        matched = invoice._xero_reconciled_amount(self.move_id)
        live = self._xero_live_deposit_allocations(invoice, connection) \
            - (job or self.env["xero.sync.job"])
        if any(not j.amount for j in live):
            return 0.0
        return invoice.currency_id.round(matched - sum(live.mapped("amount")))

    # -- how these jobs show on the payment (account_payment.py) --------------
    def _xero_deposit_ids_vals(self, jobs):
        """The Xero id of a deposit (its prepayment's or overpayment's), or
        of a refund of one (its live Payments, comma separated); {} for
        the others."""
        deposit = jobs.filtered(lambda j: j.operation == "deposit" and j.state == "done")[-1:]
        if deposit:
            return {"xero_id": deposit.xero_id, "xero_sent_at": deposit.sent_at}
        deleted = set(jobs.filtered(
            lambda j: j.operation == "delete_payment" and j.state == "done").mapped("xero_id"))
        refunds = jobs.filtered(lambda j: j.operation == "deposit_refund" and j.state == "done"
                                and j.xero_id and j.xero_id not in deleted)
        if refunds:
            return {"xero_id": ",".join(refunds.mapped("xero_id")),
                    "xero_sent_at": refunds[-1].sent_at}
        return {}

    def _xero_set_deposit_urls(self):
        """``xero_url`` of the deposits among these payments (part of their
        ``_compute_xero_url``). A deposit's id is its PrepaymentID /
        OverpaymentID, not a bank transaction's. Xero documents no web page
        by those ids (Xero's deep links, XeroAPI/xero-mcp-server
        src/consts/deeplinks.ts, name none), but the prepayment
        (overpayment) is a bank transaction, and its page is
        /Bank/ViewTransaction.aspx?bankTransactionID=<id>, the page of a
        payment's link: linked by the BankTransactionID Xero answered; none
        known (sent before it was kept): no link rather than a wrong one."""
        Job = self.env["xero.sync.job"].sudo()
        deposits = Job.search([
            ("res_model", "=", "account.payment"), ("res_id", "in", self.ids),
            ("operation", "=", "deposit"), ("state", "=", "done")], order="version, id")
        latest = {job.res_id: job for job in deposits}
        for payment in self.filtered(lambda p: p.id in latest):
            deposit = latest[payment.id]
            payment.xero_url = Job._xero_deep_link(
                "payment", deposit.deposit_bank_transaction_id, deposit.connection_id)


    # -- what the deposit sender sends (senders/deposit.py) ------------------
    @api.model
    def _xero_deposit_account(self, connection, inbound):
        return connection.deposit_received_xero_account_id if inbound \
            else connection.deposit_paid_xero_account_id

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
        currency_code, currency_rate = self._xero_deposit_currency(connection, xero_bank, issues)
        partner = self.partner_id.commercial_partner_id
        contact = partner._xero_binding(connection)
        if not contact.xero_id:
            partner._xero_enqueue_contact(connection)
            issues.append(_("Contact %s is not in Xero yet.", partner.display_name))
        account = self._xero_deposit_account(connection, inbound)
        # Matched to nothing: a prepayment on the Deposits account; matched
        # in part, or no Deposits account: an overpayment (Xero's AR / AP).
        # In a foreign currency, always an overpayment: Xero takes
        # prepayments in the base currency only.
        kind = payloads_deposit.PREPAYMENT if account and not self._xero_is_matched() \
            and not currency_code else payloads_deposit.OVERPAYMENT
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
            currency_code=currency_code,
            currency_rate=currency_rate,
        )
        return (kind, values), issues

    def _xero_deposit_currency(self, connection, xero_bank, issues):
        """(currency code, rate) of a deposit in a foreign currency, or
        (None, None) in the base currency. Xero books a bank transaction in
        its bank account's currency, and takes another currency than the
        base one on an overpayment only (BankTransaction.CurrencyCode in
        Xero's OpenAPI spec); the rate is the payment's own, so Xero's bank
        and receivable (payable) get what Odoo's got."""
        if self.currency_id == self.company_currency_id:
            return None, None
        bank_currency = connection._xero_bank_currency_code(xero_bank, self.company_id) \
            if xero_bank else None
        if xero_bank and bank_currency != self.currency_id.name:
            issues.append(_(
                "%(payment)s is a deposit in %(currency)s through the Xero bank account "
                "%(bank)s in %(bank_currency)s: Xero takes a deposit only in its bank "
                "account's currency. Record the payment in a journal in %(currency)s (mapped "
                "to a Xero bank account in %(currency)s), or in %(bank_currency)s.",
                payment=self.display_name, currency=self.currency_id.name,
                bank=xero_bank.display_name, bank_currency=bank_currency))
            return None, None
        liquidity = self._seek_for_lines()[0]
        balance = sum(liquidity.mapped("balance"))
        amount = sum(liquidity.mapped("amount_currency"))
        return self.currency_id.name, (abs(amount / balance) if balance else None)


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    # Called by account_partial_reconcile.py (create, unlink).
    def _xero_enqueue_refunds(self):
        """A refund matched to a deposit: a Payment on the deposit in Xero."""
        Job = self.env["xero.sync.job"].sudo()
        for payments in self._xero_payment_pairs():
            for payment in payments:
                refund = payments - payment
                deposit = payment._xero_deposit_job()
                if deposit and refund._xero_is_refund():
                    Job._enqueue(deposit.connection_id, refund, "deposit_refund",
                                 target=payment.move_id, depends_on=deposit)
                    refund._xero_refresh_state()

    def _xero_enqueue_deposit_unallocate(self):
        """A deposit taken off an invoice (in whole or in part): its
        allocations on the invoice are deleted in Xero, and what stays
        matched, if anything, is allocated again once they are gone."""
        Job = self.env["xero.sync.job"].sudo()
        for kind, payment, invoice in self._xero_pairs():
            if kind != "payment":
                continue
            connections = Job._jobs_of(payment, ("deposit_allocation",), target=invoice).connection_id
            for connection in connections:
                Job._enqueue_redo(connection, payment, invoice,
                                  payment._xero_live_deposit_allocations(invoice, connection),
                                  "delete_deposit_allocation", "deposit_allocation")
            payment._xero_refresh_state()
