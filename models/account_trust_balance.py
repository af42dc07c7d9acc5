"""Trust balances: the trust accounts of the company (res_company.py), each
client's and each matter's balance per trust account, and the guarded
balances checked race-free when a trust transaction posts (one row lock per balance in ``account_trust_lock``): see
the table in account_trust_transaction.py."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_compare
from odoo.tools.misc import format_date

from .account_trust_transaction import CLIENT_KINDS


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    def _get_trust_settings(self):
        """The company, which carries the trust accounts (res_company.py)."""
        self.ensure_one()
        return self.company_id.sudo()

    def _get_trust_account(self, fname):
        """The company's trust account ``fname`` (trust_liability_account_id,
        trust_transfer_account_id, trust_paid_by_firm_account_id,
        statutory_deposit_account_id), or a UserError naming it."""
        self.ensure_one()
        account = self.company_id.sudo()[fname].sudo(False).with_env(self.env)
        if not account:
            label = self.company_id._fields[fname].get_description(self.env)["string"]
            raise UserError(_(
                "%(kind)s needs the %(label)s account: set it in Settings > Accounting > Trust "
                "accounting for %(company)s.", kind=self._kind_label(), label=label,
                company=self.company_id.name))
        return account

    def init(self):
        res = super().init()  # pylint: disable=assignment-from-no-return
        # One row per guarded balance, updated by every transaction that
        # spends from it (see _lock_trust_balances).
        self.env.cr.execute(SQL("""
            CREATE TABLE IF NOT EXISTS account_trust_lock (
                key varchar PRIMARY KEY,
                seq integer NOT NULL DEFAULT 0
            )
        """))
        return res

    @api.model
    def _sum_balance(self, domain):
        """Posted balance (debit - credit, company currency) of the journal
        items of ``domain``."""
        groups = self.env["account.move.line"].sudo()._read_group(
            [("parent_state", "=", "posted"), *domain], [], ["balance:sum"])
        return groups[0][0] or 0.0

    def _client_money_accounts(self, company=None):
        """Trust liability and Trust transfers: the client's money."""
        company = company or self._get_trust_settings()
        return company.trust_liability_account_id | company.trust_transfer_account_id

    def _get_client_balance(self, partner=None, journal=None):
        """What the client holds in this trust account (posted), in the
        company currency: the credit balance of Trust liability and Trust
        transfers for the client, in the trust journal."""
        self.ensure_one()
        accounts = self._client_money_accounts(self.company_id.sudo())
        if not accounts:
            return 0.0
        partner = partner or self.partner_id
        journal = journal or self.journal_id
        return -self._sum_balance([
            ("account_id", "in", accounts.ids), ("partner_id", "=", partner.id),
            ("journal_id", "=", journal.id)])

    def _get_matter_balance(self, matter, journal=None):
        """What the matter holds in trust (posted, company currency): in the
        trust account ``journal``, or in all of them."""
        accounts = self._client_money_accounts(matter.company_id.sudo())
        if not accounts or not matter:
            return 0.0
        domain = [("account_id", "in", accounts.ids), ("trust_matter_id", "=", matter.id)]
        if journal:
            domain.append(("journal_id", "=", journal.id))
        return -self._sum_balance(domain)

    def _lock_trust_balances(self, keys):
        """Serialize the transactions that read then spend one balance.

        Odoo runs in REPEATABLE READ: a transaction's snapshot is taken at its
        first query, so a lock taken later (an advisory lock, as before) lets
        it wait for a concurrent post and then read the balance *from before*
        that post, and both spend the same money. Updating one row per
        balance instead makes the second transaction wait for the first and
        then fail with a serialization error (the row changed after its
        snapshot); Odoo retries the whole request, which then sees the new
        balance. Keys in a fixed order: no deadlock between two transfers."""
        for key in sorted(set(keys)):
            self.env.cr.execute(SQL("""
                INSERT INTO account_trust_lock AS l (key, seq) VALUES (%s, 1)
                ON CONFLICT (key) DO UPDATE SET seq = l.seq + 1
            """, key))

    def _guarded_changes(self, legs):
        """{key: (delta, label)} of the balances this transaction lowers
        (delta < 0), from its journal entries ``legs``. Each key names a
        balance that must stay >= 0: see ``_guarded_balance``."""
        self.ensure_one()
        settings = self._get_trust_settings()
        client_money = self._client_money_accounts(settings)
        pbf = settings.trust_paid_by_firm_account_id
        sda = settings.statutory_deposit_account_id
        company = self.company_id.id
        trust_by_bank = {
            j.default_account_id: j for j in (self.journal_id | self.dest_journal_id)
            if j.is_trust_account and j.default_account_id}
        deltas = {}

        def add(key, amount):
            deltas[key] = deltas.get(key, 0.0) + amount

        for journal, matter, lines in legs:
            for account, partner, amount, _label in lines:
                if account in client_money:
                    if partner:
                        add(("client", company, partner.id, journal.id), -amount)
                    if matter:
                        add(("matter", company, matter.id, journal.id), -amount)
                    if journal.is_trust_account:
                        add(("firm", company, journal.id), amount)
                if pbf and account == pbf and partner:
                    add(("owed", company, partner.id), amount)
                if sda and account == sda:
                    add(("sda", company), amount)
                    if journal.is_trust_account:
                        add(("firm", company, journal.id), amount)
                if account in trust_by_bank:
                    trust = trust_by_bank[account]
                    add(("firm", company, trust.id), amount)
                    if self.kind not in CLIENT_KINDS:
                        add(("bank", company, trust.id), amount)
                    if self._moves_interest():
                        add(("interest", company, trust.id), amount)
                    elif self.kind == "firm_withdrawal" and self.withdrawal_type == "firm_funds":
                        add(("own", company, trust.id), amount)
        rounding = self.company_id.currency_id.rounding
        return {key: delta for key, delta in deltas.items()
                if float_compare(delta, 0.0, precision_rounding=rounding) < 0}

    def _guarded_where(self, key):
        """(SQL condition on ``aml``, sign) of the balance ``key`` (see
        _guarded_changes): the sign turns debit - credit into the balance."""
        settings = self._get_trust_settings()
        what = key[0]
        posted = SQL("aml.parent_state = 'posted' AND aml.company_id = %s", key[1])
        if what in ("client", "matter"):
            accounts = tuple(self._client_money_accounts(settings).ids) or (0,)
            holder = SQL("aml.partner_id = %s", key[2]) if what == "client" \
                else SQL("aml.trust_matter_id = %s", key[2])
            return SQL("%s AND aml.account_id IN %s AND %s AND aml.journal_id = %s",
                       posted, accounts, holder, key[3]), -1
        if what == "owed":
            return SQL("%s AND aml.account_id = %s AND aml.partner_id = %s", posted,
                       settings.trust_paid_by_firm_account_id.id or 0, key[2]), 1
        if what == "sda":
            return SQL("%s AND aml.account_id = %s", posted,
                       settings.statutory_deposit_account_id.id or 0), 1
        journal = self.env["account.journal"].browse(key[2])
        bank = SQL("aml.account_id = %s", journal.default_account_id.id or 0)
        if what == "bank":
            return SQL("%s AND %s", posted, bank), 1
        # Interest received in the trust account (Bank interest) less the
        # interest withdrawn by the firm.
        interest = SQL("""aml.move_id IN (
            SELECT m.id FROM account_move m
              JOIN account_trust_transaction t ON t.id = m.trust_transaction_id
             WHERE t.kind = 'bank_interest'
                OR (t.kind = 'firm_withdrawal' AND t.withdrawal_type = 'interest'))""")
        if what == "interest":
            return SQL("%s AND %s AND %s", posted, bank, interest), 1
        # "firm": the firm's own money in the trust account: what the bank
        # holds, plus what of it is parked on the statutory deposit, less
        # what belongs to clients.
        others = tuple((self._client_money_accounts(settings)
                        | settings.statutory_deposit_account_id).ids) or (0,)
        firm = SQL("%s AND (%s OR (aml.account_id IN %s AND aml.journal_id = %s))",
                   posted, bank, others, journal.id)
        if what == "own":
            # The firm's own money less the interest not yet withdrawn: the
            # firm takes interest only as interest (and only where it is the
            # firm's), never as its own funds.
            return SQL("%s AND NOT (%s AND %s)", firm, bank, interest), 1
        return firm, 1

    @api.model
    def _guarded_order(self, item):
        """The order balances are checked in: the refusal names the most
        specific one (the interest before the firm's money it is part of)."""
        key = item[0]
        order = ("interest", "owed", "client", "matter", "own", "firm", "sda", "bank")
        return (order.index(key[0]) if key[0] in order else len(order), key)

    def _moves_interest(self):
        """Whether this transaction moves interest received in trust: a Bank
        interest, or a firm withdrawal of interest (or their reversals)."""
        self.ensure_one()
        return self.kind == "bank_interest" or (
            self.kind == "firm_withdrawal" and self.withdrawal_type == "interest")

    def _guarded_balance(self, key, date=None):
        """The posted value of the balance ``key`` (see _guarded_changes): its
        lowest value as at ``date`` and every later date (a back-dated posting
        lowers all of them), or, without ``date``, its value today and after.

        One query: the running balance per date (a window over the day
        totals) from the first posting on, the lowest from ``date`` on, and
        the balance as at ``date`` itself (the day's own postings included)."""
        self.env["account.move.line"].flush_model([
            "account_id", "balance", "company_id", "date", "journal_id", "move_id",
            "parent_state", "partner_id", "trust_matter_id"])
        self.env["account.move"].flush_model(["trust_transaction_id"])
        self.flush_model(["kind", "withdrawal_type"])
        where, sign = self._guarded_where(key)
        date = date or fields.Date.context_today(self)
        self.env.cr.execute(SQL("""
            WITH daily AS (
                SELECT aml.date, SUM(aml.balance) * %(sign)s AS amount
                  FROM account_move_line aml
                 WHERE %(where)s
                 GROUP BY aml.date
            ), running AS (
                SELECT date, SUM(amount) OVER (ORDER BY date) AS balance FROM daily
            )
            SELECT LEAST(
                COALESCE((SELECT SUM(amount) FROM daily WHERE date <= %(date)s), 0),
                (SELECT MIN(balance) FROM running WHERE date >= %(date)s))
        """, sign=sign, where=where, date=date))
        return self.env.cr.fetchone()[0] or 0.0

    def _check_trust_balance(self, legs):
        """Refuse a transaction that would overdraw what it spends from: the
        client's trust balance (trust rules forbid paying a client's costs
        with another client's money; record it as paid by firm instead) and
        the matter's (nor one matter's costs with another matter's), the
        paid-by-firm amount the client owes, the firm's own money in the
        trust account (what paid by firm spends), the statutory deposit, the
        trust bank for a statutory deposit. Each balance is locked first.
        A firm withdrawal is checked in its own words first
        (account_trust_firm_withdrawal.py)."""
        self.ensure_one()
        if self.kind == "firm_withdrawal" and not self.reversed_tx_id:
            self._check_firm_withdrawal_balance(legs)
        changes = self._guarded_changes(legs)
        if not changes:
            return
        self._lock_trust_balances(
            ":".join(str(part) for part in key) for key in changes)
        rounding = self.company_id.currency_id.rounding
        for key, delta in sorted(changes.items(), key=self._guarded_order):
            balance = self._guarded_balance(key, self.date)
            if float_compare(balance + delta, 0.0, precision_rounding=rounding) >= 0:
                continue
            amount, what = -delta, key[0]
            Journal = self.env["account.journal"]
            if what == "client":
                raise UserError(_(
                    "%(kind)s %(name)s would overdraw the trust balance of %(client)s in "
                    "%(journal)s: the balance is %(balance)s (the lowest from %(date)s on) "
                    "and the amount %(amount)s. "
                    "Trust money of one client cannot pay for another; if the firm pays "
                    "for the client before the funds arrive, record it as Paid by firm.",
                    kind=self._kind_label(), name=self.display_name,
                    client=self.env["res.partner"].browse(key[2]).display_name,
                    journal=Journal.browse(key[3]).name, date=format_date(self.env, self.date),
                    balance=self._format(balance), amount=self._format(amount)))
            if what == "matter":
                matter = self.env["account.trust.matter"].browse(key[2])
                raise UserError(_(
                    "%(kind)s %(name)s would overdraw matter %(matter)s of %(client)s in "
                    "%(journal)s: the matter holds %(balance)s (the lowest from %(date)s on) and the "
                    "amount is %(amount)s. "
                    "Money held for one matter cannot pay for another; transfer it between "
                    "the matters first (Trust transfer).",
                    kind=self._kind_label(), name=self.display_name,
                    matter=matter.display_name, client=matter.partner_id.display_name,
                    journal=Journal.browse(key[3]).name, date=format_date(self.env, self.date),
                    balance=self._format(balance), amount=self._format(amount)))
            if what == "owed":
                raise UserError(_(
                    "%(client)s owes the firm %(owed)s paid by firm; %(amount)s is more "
                    "than that.", client=self.env["res.partner"].browse(key[2]).display_name,
                    owed=self._format(balance), amount=self._format(amount)))
            if what in ("firm", "own"):
                raise UserError(_(
                    "%(kind)s spends the firm's own money held in %(journal)s, which is "
                    "%(available)s: %(amount)s would spend other clients' money. Transfer the "
                    "firm's money into the trust account first (Transfer between bank "
                    "accounts).", kind=self._kind_label(),
                    journal=Journal.browse(key[2]).name,
                    available=self._format(balance), amount=self._format(amount)))
            if what == "interest":
                raise UserError(_(
                    "%(kind)s of %(amount)s: the interest received in %(journal)s and not yet "
                    "withdrawn is %(available)s (the lowest from %(date)s on).",
                    kind=self._kind_label(), amount=self._format(amount),
                    journal=Journal.browse(key[2]).name, available=self._format(balance),
                    date=format_date(self.env, self.date)))
            if what == "sda":
                raise UserError(_(
                    "The statutory deposit account holds %(held)s; %(amount)s cannot be "
                    "withdrawn.", held=self._format(balance), amount=self._format(amount)))
            raise UserError(_(
                "%(kind)s of %(amount)s is more than %(journal)s holds (%(available)s).",
                kind=self._kind_label(), amount=self._format(amount),
                journal=Journal.browse(key[2]).name, available=self._format(balance)))

    def _format(self, amount):
        return self.currency_id.format(amount)

