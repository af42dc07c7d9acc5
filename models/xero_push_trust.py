"""Trust transactions through the push engine.

Posting a trust transaction queues one job (same outbox, cron, batching,
Idempotency-Key, pacing and log as invoices) when the company's Xero
connection has "Trust transactions" on:

==================== ================ =============================================
kind                 operation        in Xero
==================== ================ =============================================
receipt              bank_transaction RECEIVE on the trust bank, coded Trust liability
payment              bank_transaction SPEND on the trust bank, coded Trust liability
paid_by_firm         bank_transaction SPEND on the trust bank, coded Trust paid by firm
transfer_to_office   bank_transfer    BankTransfer trust bank -> office bank; where
                                      Xero cannot (not two bank accounts, or two
                                      currencies), SPEND + RECEIVE through the Bank
                                      transfers account. The invoice's payment
                                      (the push engine's payment job) is made from
                                      the Trust liability account, which allows
                                      payments: Dr Trust liability / Cr receivable.
bank_transfer        bank_transaction SPEND on one bank + RECEIVE on the other, both
                                      coded to the Bank transfers account
firm_reimbursement   manual_journal   Dr Trust liability / Cr Trust paid by firm
statutory_deposit    manual_journal   Dr Statutory deposit / Cr trust bank
statutory_withdrawal manual_journal   Dr trust bank / Cr Statutory deposit
trust_transfer       bank_transaction SPEND on the "from" trust bank (contact: the
                                      from client) + RECEIVE on the "to" trust bank
                                      (contact: the to client), both coded Trust
                                      transfers
firm_withdrawal      bank_transaction SPEND on the trust bank + RECEIVE on the office
                                      bank (see xero_push_trust_withdrawal.py)
bank_fee             bank_transaction SPEND on the trust bank, coded the fee account
bank_interest        bank_transaction RECEIVE on the trust bank, coded the interest
                                      account (see xero_push_trust_bank.py)
==================== ================ =============================================

So Xero's Trust liability + Trust transfers move exactly as Odoo's: per client
(the contact) the receipts less payments, less the invoice payments made from
trust, plus or minus the transfers between clients.

A reversing trust transaction (``reversed_tx_id``) is sent as the mirror of
the original: RECEIVE and SPEND swapped, a bank transfer the other way, the
manual journal of its own (reversed) entry; the original stays in Xero, as it
stays in the trust records. It waits for the original's job. When the
original never reached Xero (its job pending, failed or blocked, never sent),
that job is cancelled instead and the reversal not sent: nothing to undo.

This file queues trust transactions and turns them into the builders' plain
values; their jobs are sent by senders/trust.py.
"""

from odoo import _, models

from ..xero import payloads_bank, payloads_trust
from .account_trust_transaction import CLIENT_KINDS

TRUST_OPERATIONS = {
    "receipt": "bank_transaction",
    "payment": "bank_transaction",
    "paid_by_firm": "bank_transaction",
    "bank_transfer": "bank_transaction",
    "transfer_to_office": "bank_transfer",
    "firm_reimbursement": "manual_journal",
    "statutory_deposit": "manual_journal",
    "statutory_withdrawal": "manual_journal",
    "trust_transfer": "bank_transaction",
    "firm_withdrawal": "bank_transaction",  # xero_push_trust_withdrawal.py
    "bank_fee": "bank_transaction",  # xero_push_trust_bank.py
    "bank_interest": "bank_transaction",
}


# Kinds whose Xero values are built in their own file: kind → method.
KIND_VALUES = {
    "bank_fee": "_xero_bank_values",  # xero_push_trust_bank.py
    "bank_interest": "_xero_bank_values",
    "firm_withdrawal": "_xero_firm_withdrawal_values",  # xero_push_trust_withdrawal.py
}


class AccountTrustTransaction(models.Model):
    _name = "account.trust.transaction"
    _inherit = ["account.trust.transaction", "xero.document.mixin"]

    # ------------------------------------------------------------------------
    # Queueing (in the posting transaction, no HTTP)
    # ------------------------------------------------------------------------
    def _xero_connection(self):
        """The connection that takes this trust transaction, or an empty record."""
        self.ensure_one()
        Connection = self.env["xero.connection"].sudo()
        conn = Connection._get_for_company(self.company_id, raise_if_missing=False)
        if not conn or not conn.active or not conn.sync_trust:
            return Connection
        if conn.sync_from_date and self.date < conn.sync_from_date:
            return Connection
        return conn

    def _xero_contact_partner(self):
        """The Xero contact of the transaction: the client, or the firm for
        movements of the firm's own money between bank accounts, bank fees
        and interest, and the firm's withdrawals (but the client's for one
        recovering what the firm paid for them)."""
        self.ensure_one()
        if self.kind in ("bank_fee", "bank_interest"):
            return self.company_id.partner_id
        if self.kind == "firm_withdrawal":
            if self.withdrawal_type == "paid_by_firm":
                return self.partner_id.commercial_partner_id
            return self.company_id.partner_id
        if self.kind == "transfer_to_office":
            return self.company_id.partner_id
        if self.kind in CLIENT_KINDS:
            return self.partner_id.commercial_partner_id
        if self.kind == "bank_transfer":
            return self.company_id.partner_id
        return self.env["res.partner"]

    def _xero_enqueue(self):
        Job = self.env["xero.sync.job"].sudo()
        queued = self.browse()
        for tx in self.filtered(lambda t: t.state == "posted"):
            conn = tx._xero_connection()
            if not conn:
                continue
            partner = tx._xero_contact_partner()
            contact_job = partner._xero_enqueue_contact(conn) if partner else Job
            if tx.kind == "trust_transfer":
                tx.dest_partner_id.commercial_partner_id._xero_enqueue_contact(conn)
            depends_on = contact_job
            if tx.reversed_tx_id:
                original_job = tx._xero_original_job()
                if not original_job:
                    continue  # the original never went to Xero: nothing to undo there
                if original_job.state in ("pending", "failed", "blocked") \
                        and not original_job.in_doubt and not original_job.xero_id:
                    original_job._cancel(_("Reversed by %s before it reached Xero.", tx.name))
                    continue
                depends_on = original_job
            Job._enqueue(conn, tx, TRUST_OPERATIONS[tx.kind], depends_on=depends_on or None)
            queued |= tx
        queued._xero_refresh_state()
        if queued:
            Job._trigger_cron()
        return queued

    def _xero_original_job(self):
        """The live Xero job of the transaction this one reverses, or none."""
        self.ensure_one()
        return self.env["xero.sync.job"].sudo()._jobs_of(self.reversed_tx_id).filtered(
            lambda j: j.state != "cancelled")[-1:]

    def _xero_url(self):
        self.ensure_one()
        job = self._xero_jobs().filtered(lambda j: j.state == "done")[-1:]
        return job.xero_url if job else False

    # ------------------------------------------------------------------------
    # Plain values for the builders
    # ------------------------------------------------------------------------
    def _xero_reference(self, job):
        """The Reference (Narration) in Xero; it carries the job's key so a
        job in doubt is found again by it."""
        return "%s [%s]" % (self.name, job.idempotency_key)

    def _xero_account_ref(self, conn, account, what, issues, bank=False):
        xero = conn._map_account(account) if account else None
        if not account:
            issues.append(_("%s is not set on the Xero configuration.", what))
            return None
        if not xero:
            issues.append(_("Account %(account)s (%(what)s) is not mapped to a Xero account.",
                            account=account.display_name, what=what))
            return None
        if not xero.active:
            issues.append(_("Account %(account)s (%(what)s) is mapped to Xero account %(xero)s, "
                            "which is archived in Xero.", account=account.display_name,
                            what=what, xero=xero.display_name))
            return None
        system_issue = conn._xero_system_account_issue(account, xero)
        if system_issue:
            issues.append(system_issue)
            return None
        if bank and xero.account_type != "BANK":
            issues.append(_("Account %(account)s (%(what)s) must be mapped to a Xero bank "
                            "account, not %(xero)s.", account=account.display_name, what=what,
                            xero=xero.display_name))
            return None
        return xero

    def _xero_trust_account_ref(self, conn, fname, issues):
        """The Xero account of the company's trust account ``fname`` (see
        res_company.py), mapped in the connection's GL account map."""
        company = self.company_id
        what = company._fields[fname].get_description(self.env)["string"]
        if not company[fname]:
            issues.append(_("%s is not set in Settings > Accounting > Trust accounting.", what))
            return None
        return self._xero_account_ref(conn, company[fname], what, issues)

    def _xero_contact_id(self, conn, partner=None):
        return (partner or self._xero_contact_partner())._xero_contact_id_or_wait(conn)

    def _xero_currency(self, conn, issues):
        """(currency code, rate) for Xero: None for the base currency."""
        if self.currency_id == self.company_currency_id:
            return None, None
        xero = conn._map_currency(self.currency_id)
        if not xero:
            issues.append(_("Currency %s is not mapped to a Xero currency.", self.currency_id.name))
            return None, None
        line = self.move_id.line_ids.filtered(lambda l: l.amount_currency)[:1]
        rate = abs(line.amount_currency / line.balance) if line and line.balance else None
        return xero.code, rate

    def _xero_bank_currency(self, conn, bank, issues):
        """A RECEIVE or SPEND is in its Xero bank account's currency: Xero
        takes no CurrencyCode on it (BankTransaction.CurrencyRate in Xero's
        OpenAPI spec: "Setting currency is only supported on overpayments"),
        so a transaction in another currency than the account's is refused
        here rather than booked in the wrong currency."""
        if not bank:
            return
        account_currency = bank.currency_code or conn.xero_base_currency
        if account_currency and account_currency != self.currency_id.name:
            issues.append(_(
                "%(tx)s is in %(currency)s but the Xero bank account %(account)s is in "
                "%(account_currency)s: Xero books a bank transaction in its account's currency.",
                tx=self.display_name, currency=self.currency_id.name, account=bank.display_name,
                account_currency=account_currency))

    def _xero_trust_values(self, conn, job):
        """(operation, [values], issues): the values of the Xero elements this
        transaction is, or the issues (missing mappings) that stop it.
        Raises WaitForXero while the contact is not in Xero. A reversal is
        the mirror of what its original is."""
        self.ensure_one()
        op, values, issues = self._xero_trust_values_of_kind(conn, job)
        if not self.reversed_tx_id or issues:
            return op, values, issues
        mirrored = []
        for value in values:
            if isinstance(value, payloads_trust.BankTransactionValues):
                value.type = "SPEND" if value.type == "RECEIVE" else "RECEIVE"
            elif isinstance(value, payloads_bank.BankTransferValues):
                value.from_account, value.to_account = value.to_account, value.from_account
            mirrored.append(value)  # manual journals: the reversed entry's own lines
        return op, mirrored, issues

    def _xero_trust_values_of_kind(self, conn, job):
        """(operation, values, issues) of this transaction's kind; the kinds
        of KIND_VALUES are built in their own files."""
        self.ensure_one()
        if self.kind in KIND_VALUES:
            return getattr(self, KIND_VALUES[self.kind])(conn, job)
        issues = []
        kind = self.kind
        reference = self._xero_reference(job)
        label = self._get_label()
        if kind in ("receipt", "payment", "paid_by_firm"):
            bank = self._xero_account_ref(
                conn, self.journal_id.default_account_id,
                _("trust account %s", self.journal_id.name), issues, bank=True)
            fname = "trust_paid_by_firm_account_id" if kind == "paid_by_firm" \
                else "trust_liability_account_id"
            coded = self._xero_trust_account_ref(conn, fname, issues)
            code, rate = self._xero_currency(conn, issues)
            self._xero_bank_currency(conn, bank, issues)
            tracking = self._xero_matter_tracking(conn, self.matter_id, issues)
            if issues:
                return "bank_transaction", [], issues
            return "bank_transaction", [payloads_trust.BankTransactionValues(
                type="RECEIVE" if kind == "receipt" else "SPEND",
                contact_id=self._xero_contact_id(conn),
                bank_account=payloads_bank.AccountRef(bank.xero_id, bank.code),
                date=self.date,
                reference=reference,
                lines=[payloads_trust.TrustLine(label, self.amount, coded.code, tracking)],
                currency_code=code,
                currency_rate=rate,
            )], []
        if kind == "trust_transfer":
            dest_journal = self._dest_trust_journal()
            source = self._xero_account_ref(
                conn, self.journal_id.default_account_id,
                _("trust account %s", self.journal_id.name), issues, bank=True)
            dest = self._xero_account_ref(
                conn, dest_journal.default_account_id,
                _("trust account %s", dest_journal.name), issues, bank=True)
            fname = "trust_transfer_account_id"
            coded = self._xero_trust_account_ref(conn, fname, issues)
            code, rate = self._xero_currency(conn, issues)
            self._xero_bank_currency(conn, source, issues)
            self._xero_bank_currency(conn, dest, issues)
            from_tracking = self._xero_matter_tracking(conn, self.matter_id, issues)
            to_tracking = self._xero_matter_tracking(conn, self.dest_matter_id, issues)
            if issues:
                return "bank_transaction", [], issues
            from_contact = self._xero_contact_id(conn, self.partner_id.commercial_partner_id)
            to_contact = self._xero_contact_id(conn, self.dest_partner_id.commercial_partner_id)
            common = dict(date=self.date, reference=reference, currency_code=code,
                          currency_rate=rate)
            return "bank_transaction", [
                payloads_trust.BankTransactionValues(
                    type="SPEND", contact_id=from_contact,
                    bank_account=payloads_bank.AccountRef(source.xero_id, source.code),
                    lines=[payloads_trust.TrustLine(
                        label, self.amount, coded.code, from_tracking)], **common),
                payloads_trust.BankTransactionValues(
                    type="RECEIVE", contact_id=to_contact,
                    bank_account=payloads_bank.AccountRef(dest.xero_id, dest.code),
                    lines=[payloads_trust.TrustLine(
                        label, self.amount, coded.code, to_tracking)], **common),
            ], []
        if kind in ("bank_transfer", "transfer_to_office"):
            source = self._xero_account_ref(
                conn, self.journal_id.default_account_id,
                _("bank account %s", self.journal_id.name), issues, bank=True)
            dest_label = _("bank account %s", self.dest_journal_id.name)
            dest_account = self.dest_journal_id.default_account_id
            dest = self._xero_account_ref(conn, dest_account, dest_label, issues)
            code, rate = self._xero_currency(conn, issues)
            if kind == "transfer_to_office" and not self.reversed_tx_id:
                invoice_issue = self._xero_invoice_issue(conn)
                if invoice_issue:
                    issues.append(invoice_issue)
            if issues:
                return "bank_transfer", [], issues
            direct = dest.account_type == "BANK" and (
                (source.currency_code or None) == (dest.currency_code or None))
            if kind == "transfer_to_office" and direct:
                return "bank_transfer", [payloads_bank.BankTransferValues(
                    from_account=payloads_bank.AccountRef(source.xero_id, source.code),
                    to_account=payloads_bank.AccountRef(dest.xero_id, dest.code),
                    amount=self.amount, date=self.date, reference=reference,
                )], []
            # Through the Bank transfers account: out of one, into the other.
            transfers = conn.bank_transfer_xero_account_id
            if not transfers:
                return "bank_transaction", [], [_(
                    "Choose the Bank transfers account on the Xero configuration: transfers "
                    "between bank accounts go through it.")]
            if dest.account_type != "BANK":
                return "bank_transaction", [], [_(
                    "Account %(account)s (%(what)s) must be mapped to a Xero bank account, not "
                    "%(xero)s.", account=dest_account.display_name, what=dest_label,
                    xero=dest.display_name)]
            contact_id = self._xero_contact_id(conn)
            common = dict(contact_id=contact_id, date=self.date, reference=reference,
                          currency_code=code, currency_rate=rate)
            tracking = self._xero_matter_tracking(conn, self.matter_id, issues)
            if issues:
                return "bank_transaction", [], issues
            line = payloads_trust.TrustLine(label, self.amount, transfers.code, tracking)
            return "bank_transaction", [
                payloads_trust.BankTransactionValues(
                    type="SPEND", lines=[line],
                    bank_account=payloads_bank.AccountRef(source.xero_id, source.code), **common),
                payloads_trust.BankTransactionValues(
                    type="RECEIVE", lines=[line],
                    bank_account=payloads_bank.AccountRef(dest.xero_id, dest.code), **common),
            ], []
        # Manual journals: the journal entry's own lines, in the base currency.
        lines = []
        tracking = self._xero_matter_tracking(conn, self.matter_id, issues)
        for line in self.move_id.line_ids:
            xero = self._xero_account_ref(conn, line.account_id, line.account_id.name, issues)
            if xero:
                description = line.name or label
                lines.append(payloads_trust.TrustLine(
                    description, line.balance, xero.code, tracking))
        if issues:
            return "manual_journal", [], issues
        return "manual_journal", [payloads_trust.ManualJournalValues(
            narration=self._xero_narration(job), date=self.date, lines=lines)], []

    def _xero_matter_tracking(self, conn, matter, issues):
        """The Xero tracking of ``matter``: its analytic account's option in
        the tracking category its analytic plan is mapped to (Matters as
        Xero tracking, as Actionstep sends them); [] when the matter has no
        analytic account or its plan is not mapped."""
        if not matter.analytic_account_id:
            return []
        return conn._xero_tracking(
            {str(matter.analytic_account_id.id): 100.0}, issues,
            label=_("matter %s", matter.display_name))

    def _xero_narration(self, job):
        what = self._kind_label()
        if self.reversed_tx_id:
            what = _("%(kind)s, reversal of %(name)s", kind=what, name=self.reversed_tx_id.name)
        return "%s %s [%s]" % (self.name, what, job.idempotency_key)

    def _xero_invoice_issue(self, conn):
        """Why the invoice's payment from trust cannot follow, or None."""
        invoice = self.invoice_id
        Job = self.env["xero.sync.job"].sudo()
        if not Job._jobs_of(invoice, ("invoice",)).filtered(lambda j: j.state != "cancelled"):
            return _(
                "Invoice %s does not go to Xero (Sales invoices are not synchronized, or it is "
                "dated before the sync start): the transfer would leave the client's trust "
                "liability unchanged in Xero.", invoice.name)
        return None


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def _xero_trust_payment_values(self, connection, target, values, issues):
        """(values, issues) of ``_xero_payment_values`` (account_payment.py)
        for a payment from trust: an invoice paid from trust (transfer to
        office) is paid in Xero from the Trust liability account (which
        allows payments); the money reaches the office bank by the trust
        transaction's bank transfer."""
        tx = self.trust_transaction_id
        if not tx or not connection.sync_trust:
            return values, issues
        liability = tx.company_id.trust_liability_account_id
        xero = connection._map_account(liability) if liability else None
        if not xero:
            # The office bank's mapping does not matter here: only the trust liability's.
            return values, [_(
                "The Trust liability account is not set or not mapped to a Xero account: "
                "%s is paid from trust.", target.name)]
        values.update(account_code=xero.code or None, account_id=xero.xero_id or None)
        return values, []
