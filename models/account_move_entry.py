"""Journal entries that are neither invoices nor payments, to Xero.

Posting a journal entry (``move_type`` "entry") queues one job when the
company's Xero connection takes journal entries ("Journal entries" on the
configuration page) and the entry's journal is one of its "Journals sent to
Xero" (all of them when none is chosen):

====================================== ================ ============================
entry                                  operation        in Xero
====================================== ================ ============================
all its items on the bank accounts of  bank_transfer    BankTransfer from the bank
two bank / cash journals                                credited to the one debited
in a bank or cash journal, with items  bank_transaction SPEND (money out) / RECEIVE
on the journal's bank account                           (money in) on the mapped bank
                                                        account, one line per other
                                                        item; a tax payment or refund
                                                        (items on tax accounts) is
                                                        coded to their mapped account,
                                                        else to Xero's GST/VAT account
any other                              manual_journal   ManualJournal (base currency)
====================================== ================ ============================

Not sent this way: invoices, bills and credit notes and payments (they go
as such), trust entries (trust transactions), the entries of Odoo's cash
basis taxes (Xero computes cash basis itself), a bank statement line not
reconciled yet (on the journal's suspense account: nothing to code in Xero
yet), and with their options on (the default):

- exchange differences (the company's exchange difference journal): Xero
  computes its own realised gains and losses on payments, and revalues;
- tax closing entries: an entry in a non-bank journal whose items are all on
  tax accounts (the taxes' distribution accounts and the tax groups'
  payable / receivable / advance accounts). Xero keeps the tax in its
  GST/VAT account and settles it with its own return; Odoo's closing
  (Enterprise's, or the one a Community user posts by hand) would move it
  between accounts that are, in Xero, that one account.

Taxes: a line with a tax goes with the mapped Xero tax type (Tax Exclusive:
Xero adds the tax and books it in its GST/VAT account), Odoo's tax lines of
that tax are left out; the tax Xero computes (per line, to the cent) must be
Odoo's, else the entry is blocked with the difference named.
"""

from collections import defaultdict

from odoo import _, models
from odoo.tools import html2plaintext

from ..xero import payloads, payloads_bank, payloads_move
from ..senders import ENTRY_OPERATIONS

BANK_JOURNAL_TYPES = ("bank", "cash")


class AccountMove(models.Model):
    _inherit = "account.move"

    def _xero_entry_url(self):
        """The link to what this entry's last job made in Xero, or False."""
        self.ensure_one()
        job = self.env["xero.sync.job"].sudo()._jobs_of(self, ENTRY_OPERATIONS).filtered(
            lambda j: j.state == "done" and j.xero_id)[-1:]
        return job._xero_deep_link(job.operation, job.xero_id) if job else False

    # ------------------------------------------------------------------------
    # What goes, and how
    # ------------------------------------------------------------------------
    def _xero_is_entry(self):
        """A journal entry of its own (not the entry of an invoice, a payment,
        a trust transaction or a cash basis tax)."""
        self.ensure_one()
        return (self.move_type == "entry" and not self.origin_payment_id
                and not self.trust_transaction_id and not self.journal_id.is_trust_account
                and not self.tax_cash_basis_rec_id and not self.tax_cash_basis_origin_move_id)

    def _xero_entry_connection(self, memo=None):
        """The connection that takes this journal entry, or an empty record."""
        self.ensure_one()
        Connection = self.env["xero.connection"].sudo()
        if self.state != "posted" or not self._xero_is_entry():
            return Connection
        conn = self._xero_company_connection(memo)
        if not conn or not conn.sync_entries:
            return Connection
        if conn.sync_from_date and self.date < conn.sync_from_date:
            return Connection
        journal = self.journal_id
        if conn.entry_journal_ids and journal not in conn.entry_journal_ids:
            return Connection
        if conn.entry_exclude_fx and journal == self.company_id.currency_exchange_journal_id:
            return Connection
        if self._xero_on_suspense():
            return Connection  # not reconciled yet: nothing to code in Xero
        if conn.entry_exclude_tax_closing and journal.type not in BANK_JOURNAL_TYPES \
                and self._xero_is_tax_closing():
            return Connection
        return conn

    def _xero_on_suspense(self):
        """A bank statement line not reconciled (again): an item on its
        journal's suspense account."""
        self.ensure_one()
        suspense = self.journal_id.suspense_account_id
        return bool(self.statement_line_id and suspense and suspense in self.line_ids.account_id)

    def _xero_tax_accounts(self):
        """The company's tax accounts: the taxes' distribution accounts and
        their groups' payable / receivable / advance accounts."""
        self.ensure_one()
        Tax = self.env["account.tax"].sudo().with_context(active_test=False)
        taxes = Tax.search(Tax._check_company_domain(self.company_id))
        groups = taxes.tax_group_id
        return (taxes.repartition_line_ids.account_id | groups.tax_payable_account_id
                | groups.tax_receivable_account_id | groups.advance_tax_payment_account_id)

    def _xero_is_tax_closing(self):
        self.ensure_one()
        accounts = self.line_ids.account_id
        # Cheap first: tax accounts are current assets or liabilities.
        if not accounts or any(a.account_type not in ("asset_current", "liability_current")
                               for a in accounts):
            return False
        return not (accounts - self._xero_tax_accounts())

    def _xero_bank_journals(self):
        """{bank account (account.account): journal} of the company's bank
        and cash journals (trust ones left out)."""
        self.ensure_one()
        Journal = self.env["account.journal"].sudo()
        journals = Journal.search([
            *Journal._check_company_domain(self.company_id),
            ("type", "in", BANK_JOURNAL_TYPES), ("is_trust_account", "=", False)])
        return {j.default_account_id: j for j in journals if j.default_account_id}

    def _xero_entry_operation(self, banks=None):
        """The operation of this entry; ``banks``: its company's
        ``_xero_bank_journals()`` when already read."""
        self.ensure_one()
        lines = self.line_ids.filtered(lambda l: not self.company_currency_id.is_zero(l.balance))
        banks = self._xero_bank_journals() if banks is None else banks
        if len(lines.account_id) == 2 and all(a in banks for a in lines.account_id):
            return "bank_transfer"
        if self.journal_id.type in BANK_JOURNAL_TYPES and \
                self.journal_id.default_account_id in lines.account_id:
            return "bank_transaction"
        return "manual_journal"

    def _xero_entry_partner(self):
        """The Xero contact of a bank transaction: the entry's partner, or
        its items' one partner, else the company."""
        self.ensure_one()
        partner = self.partner_id.commercial_partner_id
        if not partner:
            partners = self.line_ids.partner_id.commercial_partner_id
            partner = partners if len(partners) == 1 else partners.browse()
        return partner or self.company_id.partner_id

    # ------------------------------------------------------------------------
    # Queueing (in the posting transaction, no HTTP)
    # ------------------------------------------------------------------------
    def _xero_enqueue_entries(self):
        Job = self.env["xero.sync.job"].sudo()
        memo, banks = {}, {}
        queued = self.browse()
        for move in self:
            conn = move._xero_entry_connection(memo)
            if not conn:
                continue
            if move.company_id not in banks:
                banks[move.company_id] = move._xero_bank_journals()
            operation = move._xero_entry_operation(banks[move.company_id])
            depends_on = Job
            if operation == "bank_transaction":
                depends_on = move._xero_entry_partner()._xero_enqueue_contact(conn)
            # Reset and posted again: after the void of what was sent.
            void = Job._jobs_of(move, ("void",)).filtered(
                lambda j: j.state in ("pending", "sending", "failed", "blocked"))[-1:]
            Job._enqueue(conn, move, operation, depends_on=void or depends_on or None)
            queued |= move
        if queued:
            queued._xero_refresh_state()
        return queued

    def _xero_enqueue_void_entries(self):
        """These journal entries, reset or cancelled, leave Xero."""
        Job = self.env["xero.sync.job"].sudo()
        for move in self:
            last = Job._jobs_of(move, ENTRY_OPERATIONS)[-1:]
            if not last or last.state == "cancelled":
                continue
            if last.state in ("pending", "failed", "blocked") and not last.in_doubt \
                    and not last.xero_id:
                last._cancel(_("Reset to draft before it reached Xero."))
            else:  # done, or being sent right now
                Job._enqueue(last.connection_id, move, "void", version=last.version,
                             depends_on=last, xero_id=last.xero_id or None)
            move._xero_refresh_state()

    # ------------------------------------------------------------------------
    # Plain values for the builders (the cron's side)
    # ------------------------------------------------------------------------
    def _xero_entry_reference(self, job):
        """Reference / narration text; it carries the job's key so a job in
        doubt is found again by it (``[key]``)."""
        parts = [self.name]
        if self.ref:
            parts.append(self.ref)
        return "%s [%s]" % (" - ".join(parts), job.idempotency_key)

    def _xero_entry_narration(self, job):
        text = self._xero_entry_reference(job)
        note = html2plaintext(self.narration or "").strip() if self.narration else ""
        return "%s\n%s" % (text, note) if note else text

    def _xero_entry_account(self, conn, account, issues, tax_accounts=None):
        """The Xero account of an item's ``account``, or None (issue added).
        An unmapped tax account goes to Xero's GST/VAT account."""
        xero = conn._map_account(account)
        if not xero and tax_accounts and account in tax_accounts:
            xero = conn.xero_account_ids.filtered(lambda a: a.system_account == "GST")[:1]
        if not xero or not xero.code:
            issues.append(_("Account %s has no Xero account with a code in the GL account map.",
                            account.display_name))
            return None
        if not xero.active:
            issues.append(_("Account %(account)s is mapped to Xero account %(xero)s, which is "
                            "archived in Xero.", account=account.display_name,
                            xero=xero.display_name))
            return None
        # Xero's system accounts that take no line (xero/system_accounts.py).
        system_issue = conn._xero_system_account_issue(account, xero)
        if system_issue:
            issues.append(system_issue)
            return None
        return xero

    def _xero_entry_lines(self, conn, lines, sign, issues, currency=False):
        """(line amount types, [payloads_move.EntryLine]) of ``lines`` (items),
        their amounts times ``sign``; in the entry's currency when
        ``currency``, else the company's. Lines with a tax carry its Xero
        tax type and Odoo's tax lines of it are left out (Xero adds it)."""
        xero_taxes = conn.xero_tax_rate_ids
        no_tax = xero_taxes.filtered(lambda t: t.tax_type == "NONE")[:1] or xero_taxes.filtered(
            lambda t: not t.effective_rate and t.xero_status == "ACTIVE")[:1]
        tax_accounts = self._xero_tax_accounts()
        label = self.ref or self.name
        amount_of = (lambda l: l.amount_currency) if currency else (lambda l: l.balance)
        digits = self.currency_id if currency else self.company_currency_id
        base_taxes = lines.filtered(lambda l: l.tax_ids and not l.tax_line_id).tax_ids
        out, computed, odoo_tax = [], defaultdict(float), defaultdict(float)
        for line in lines:
            amount = sign * amount_of(line)
            if digits.is_zero(amount):
                continue
            if line.tax_line_id and line.tax_line_id in base_taxes:
                odoo_tax[line.tax_line_id] += amount
                continue
            description = line.name or label
            xero = self._xero_entry_account(conn, line.account_id, issues, tax_accounts)
            tax_type, tax_amount = None, 0.0
            taxes = line.tax_ids if not line.tax_line_id else line.tax_ids.browse()
            if len(taxes) > 1:
                issues.append(_("Item \"%(line)s\" has several taxes (%(taxes)s); Xero takes one "
                                "tax per line.", line=description,
                                taxes=", ".join(taxes.mapped("name"))))
            elif taxes:
                # A sales tax is output, a purchase tax input; another (an
                # adjustment) by the item's side: a credit is output.
                direction = "output" if taxes.type_tax_use == "sale" or (
                    taxes.type_tax_use != "purchase" and line.balance < 0) else "input"
                xero_tax = conn._map_tax(taxes, direction)
                if not xero_tax:
                    issues.append(_("Tax %s has no Xero tax in the GST / Sales Tax / VAT map.",
                                    taxes.display_name))
                else:
                    tax_type = xero_tax.tax_type
                    tax_issue = xero and xero_tax._xero_line_issue(
                        xero, description, line.account_id, taxes)
                    if tax_issue:
                        issues.append(tax_issue)
                    # Xero: the tax of a line, to the cent, on the Exclusive amount.
                    tax_amount = float(payloads.round2(
                        payloads.round2(amount) * payloads._dec(xero_tax.effective_rate or 0.0)
                        / 100))
                    computed[taxes] += tax_amount
            out.append(payloads_move.EntryLine(
                description=description, amount=amount, account_code=xero.code if xero else None,
                tax_type=tax_type, tax_amount=tax_amount,
                tracking=conn._xero_tracking(line, issues, label=description)))
        for tax in base_taxes:
            if digits.compare_amounts(computed[tax], odoo_tax[tax]):
                issues.append(_(
                    "Xero would compute %(xero)s of %(tax)s on this entry, Odoo has %(odoo)s: "
                    "check the tax's Xero mapping (the same rate) or its rounding.",
                    xero=computed[tax], tax=tax.display_name, odoo=odoo_tax[tax]))
        if not any(line.tax_type for line in out):
            return "NoTax", out
        for line in out:
            line.tax_type = line.tax_type or no_tax.tax_type or "NONE"
        return "Exclusive", out

    def _xero_entry_values(self, conn, job):
        """(operation, [values], issues) of this entry. Raises WaitForXero
        while its contact is not in Xero."""
        self.ensure_one()
        operation = self._xero_entry_operation()
        issues = []
        url = "%s/odoo/account.move/%d" % (self.get_base_url(), self.id)
        lines = self.line_ids.filtered(
            lambda l: not self.company_currency_id.is_zero(l.balance))
        if operation == "manual_journal":
            lat, entry_lines = self._xero_entry_lines(conn, lines, 1, issues)
            if len(entry_lines) < 2 and not issues:
                issues.append(_("%s has less than two items with an amount: Xero takes no manual "
                                "journal of one line.", self.name))
            return operation, [] if issues else [payloads_move.EntryJournalValues(
                narration=self._xero_entry_narration(job), date=self.date,
                line_amount_types=lat, lines=entry_lines, url=url)], issues
        banks = self._xero_bank_journals()
        if operation == "bank_transfer":
            by_account = defaultdict(float)
            for line in lines:
                by_account[line.account_id] += line.balance
            source = min(by_account, key=by_account.get)  # credited: money out
            dest = max(by_account, key=by_account.get)
            refs = [self._xero_bank_ref(conn, banks[a], issues) for a in (source, dest)]
            currency = self._xero_bank_move_currency(conn, refs[0], issues, same=refs[1])
            if issues:
                return operation, [], issues
            source_line = lines.filtered(lambda l: l.account_id == source)
            amount = -sum(source_line.mapped("amount_currency" if currency else "balance"))
            return operation, [payloads_bank.BankTransferValues(
                from_account=payloads_bank.AccountRef(refs[0].xero_id, refs[0].code),
                to_account=payloads_bank.AccountRef(refs[1].xero_id, refs[1].code),
                amount=amount, date=self.date, reference=self._xero_entry_reference(job),
            )], []
        journal = self.journal_id
        bank_lines = lines.filtered(lambda l: l.account_id == journal.default_account_id)
        self._xero_entry_mixed_kinds(conn, lines - bank_lines, banks, issues)
        bank = self._xero_bank_ref(conn, journal, issues)
        currency = self._xero_bank_move_currency(conn, bank, issues)
        total = sum(bank_lines.mapped("amount_currency" if currency else "balance"))
        kind = "RECEIVE" if total > 0 else "SPEND"
        # Money out: the expense items are debits (positive); money in: credits.
        sign = 1 if kind == "SPEND" else -1
        lat, entry_lines = self._xero_entry_lines(conn, lines - bank_lines, sign, issues,
                                                  currency=currency)
        if issues:
            return operation, [], issues
        contact_id = self._xero_entry_partner()._xero_contact_id_or_wait(conn)
        return operation, [payloads_move.EntryBankValues(
            type=kind, contact_id=contact_id,
            bank_account=payloads_bank.AccountRef(bank.xero_id, bank.code),
            date=self.date, reference=self._xero_entry_reference(job),
            line_amount_types=lat, lines=entry_lines,
            currency_rate=self._xero_move_rate(bank_lines) if currency else None, url=url,
        )], []

    def _xero_entry_mixed_kinds(self, conn, others, banks, issues):
        """A bank entry whose other items include a bank account (a transfer
        and a fee in one entry): Xero models a bank transfer and a spend or
        receive money separately, and takes no bank account on a line of a
        spend or receive money ("Account code ... is not a valid code for
        this document"; BankTransaction.LineItems in Xero's OpenAPI spec, the
        bank account is BankAccount's). Blocked before sending, saying how
        to record it."""
        on_banks = others.filtered(lambda l: l.account_id in banks or (
            conn._map_account(l.account_id).account_type == "BANK"))
        if not on_banks:
            return
        rest = others - on_banks
        issues.append(_(
            "%(move)s moves money between bank accounts (%(banks)s) and also to other accounts "
            "(%(others)s). Xero records a bank transfer and a spend or receive money separately "
            "and takes no bank account on a line of a spend or receive money. Record it in Odoo "
            "as two entries: the transfer, with only the two bank accounts, and the rest (e.g. "
            "the fee) on the bank account it comes from.",
            move=self.name,
            banks=", ".join((self.journal_id.default_account_id | on_banks.account_id).mapped(
                "display_name")),
            others=", ".join(rest.account_id.mapped("display_name")) or "-"))

    def _xero_bank_ref(self, conn, journal, issues):
        """The Xero bank account of a bank or cash journal, or None (issue added)."""
        account = journal.default_account_id
        xero = conn._map_account(account)
        if not xero or xero.account_type != "BANK" or not xero.active:
            issues.append(_(
                "The bank account %(account)s of journal %(journal)s must be mapped to an active "
                "Xero bank account.", account=account.display_name, journal=journal.name))
            return None
        return xero

    def _xero_bank_move_currency(self, conn, bank, issues, same=None):
        """True when the entry goes in its own (foreign) currency. Xero books
        a bank transaction or transfer in its bank account's currency
        (BankTransaction.CurrencyRate in Xero's OpenAPI spec: "Setting
        currency is only supported on overpayments"): another is refused."""
        foreign = self.currency_id != self.company_currency_id
        for xero in (bank, same):
            if not xero:
                continue
            account_currency = xero.currency_code or conn.xero_base_currency \
                or self.company_currency_id.name
            if account_currency != self.currency_id.name:
                issues.append(_(
                    "%(move)s is in %(currency)s but the Xero bank account %(account)s is in "
                    "%(account_currency)s: Xero books it in its account's currency.",
                    move=self.name, currency=self.currency_id.name, account=xero.display_name,
                    account_currency=account_currency))
        return foreign

    def _xero_move_rate(self, lines):
        amount = sum(lines.mapped("amount_currency"))
        balance = sum(lines.mapped("balance"))
        return abs(amount / balance) if balance else None
