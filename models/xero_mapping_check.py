"""The mapping check of the Xero Integration Configuration page.

``xero.connection._get_mapping_issues()`` names every gap that would stop a
document of an enabled synchronization from reaching Xero, following the
"Detailed Explanation of Xero Mapping" of the Actionstep page we model on:

- business bank and cash journals: their account mapped to a Xero BANK
  account that has a Code (Xero does not require one, the API does);
- receivable (sales invoices) and payable (supplier invoices): the default
  partner accounts of the company and any set on a partner;
- income accounts (sales invoices) and expense accounts (supplier invoices);
- sales-tax accounts: the accounts of the repartition lines of the active
  sale taxes (and purchase taxes with supplier invoices);
- taxes: each active sale tax mapped to a Xero output tax (purchase tax to an
  input tax with supplier invoices) that Xero allows on revenue (expenses)
  and whose effective rate is the Odoo tax's;
- currencies: each active currency mapped to a currency Xero lists; Xero's
  base currency is the company's; each bank journal is in its Xero bank
  account's currency;
- trust (when trust transactions sync): trust bank journals as bank accounts,
  trust liability and trust transfers set and mapped to Xero LIABILITY
  accounts that allow payments, trust paid by firm (optional) to an ASSET
  account that allows payments, statutory deposit (optional) to a current
  asset (Type CURRENT), and the bank transfers account set;
- any map row pointing at a Xero account, tax rate or currency that Xero
  archived or no longer lists;
- tracking (models/xero_tracking.py): at most two analytic plans mapped to
  Xero tracking categories, no archived category or option mapped, and every
  analytic account of a mapped plan used on synced documents mapped to an
  option.
"""

from markupsafe import Markup, escape

from odoo import fields, models
from odoo.tools import SQL

SECTIONS = ("settings", "accounts", "taxes", "currencies", "trust", "tracking")


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    mapping_issue_count = fields.Integer("Mapping gaps", readonly=True, copy=False)

    # ------------------------------------------------------------------------
    # Button
    # ------------------------------------------------------------------------
    def action_check_mapping(self):
        """Button "Check mapping": store the report on the page and tell the
        user how many gaps were found, and how many suggested rows
        (models/xero_mapping_suggest.py) await confirmation: a suggestion
        nobody reviewed does not make the mapping complete."""
        self.ensure_one()
        issues = self._get_mapping_issues()
        pending = self.suggested_count
        self.write({
            "mapping_report": self._render_mapping_report(issues, pending),
            "mapping_checked_at": fields.Datetime.now(),
            "mapping_stale": False,
            "mapping_issue_count": len(issues),
        })
        to_confirm = self.env._(
            "%s suggested row(s) await confirmation: review them, then click Confirm "
            "suggestions.", pending) if pending else ""
        if issues:
            params = {
                "type": "warning",
                "title": self.env._("Mapping incomplete"),
                "message": " ".join(filter(None, [self.env._(
                    "%s mapping gap(s) found: see the report on the page.", len(issues)),
                    to_confirm])),
                "sticky": False,
            }
        elif pending:
            params = {
                "type": "warning",
                "title": self.env._("Suggestions to confirm"),
                "message": to_confirm,
                "sticky": False,
            }
        else:
            params = {
                "type": "success",
                "title": self.env._("Mapping complete"),
                "message": self.env._("Everything the enabled synchronizations need is mapped."),
            }
        params["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    def _render_mapping_report(self, issues, pending=0):
        to_confirm = Markup("<p><strong>%s</strong></p>") % self.env._(
            "%s suggested row(s) await confirmation: review them, then click Confirm "
            "suggestions.", pending) if pending else Markup()
        if not issues:
            if pending:
                return to_confirm + Markup("<p>%s</p>") % self.env._(
                    "Everything else the enabled synchronizations need is mapped.")
            return Markup("<p>%s</p>") % self.env._(
                "Everything the enabled synchronizations need is mapped.")
        titles = {
            "settings": self.env._("Settings"),
            "accounts": self.env._("GL account map"),
            "taxes": self.env._("GST / Sales Tax / VAT map"),
            "currencies": self.env._("Currency map"),
            "trust": self.env._("Trust accounts"),
            "tracking": self.env._("Tracking categories map"),
        }
        parts = [Markup("<p><strong>%s</strong></p>") % self.env._(
            "%s gap(s) would stop documents from reaching Xero:", len(issues))]
        for section in SECTIONS:
            messages = [issue["message"] for issue in issues if issue["section"] == section]
            if messages:
                parts.append(Markup("<p class='mb-0'>%s</p><ul>%s</ul>") % (
                    titles[section],
                    Markup().join(Markup("<li>%s</li>") % escape(m) for m in messages),
                ))
        return to_confirm + Markup().join(parts)

    # ------------------------------------------------------------------------
    # The check
    # ------------------------------------------------------------------------
    def _get_mapping_issues(self):
        """Every mapping gap for the synchronizations switched on.

        A list of ``{"section": "accounts" | "taxes" | "currencies" | "trust"
        | "settings", "message": str, "record": Odoo record or None}``; each
        message names the Odoo record concerned.
        """
        self.ensure_one()
        issues = []
        seen = set()

        def add(section, message, record=None):
            if message not in seen:
                seen.add(message)
                issues.append({"section": section, "message": message, "record": record})

        self._check_mapping_settings(add)
        self._check_mapping_accounts(add)
        self._check_mapping_taxes(add)
        self._check_mapping_currencies(add)
        self._check_mapping_base_currency(add)
        if self.sync_trust:
            self._check_mapping_trust(add)
        self._check_mapping_archived(add)
        self._check_mapping_system_accounts(add)
        self._check_mapping_tracking(add)  # models/xero_tracking.py
        return issues

    def _check_mapping_system_accounts(self, add):
        """Any map row pointing at one of Xero's system accounts that takes
        no line (xero/system_accounts.py), but receivable and payable
        accounts on Accounts Receivable / Payable (their invoices and bills
        reach them by themselves): what is posted there would be blocked."""
        own = {"DEBTORS": "asset_receivable", "CREDITORS": "liability_payable"}
        for row in self.account_map_ids:
            xero = row.xero_account_id
            if row.account_id.account_type == own.get(xero.system_account):
                continue
            message = self._xero_system_account_issue(row.account_id, xero)
            if message:
                add("accounts", message, row.account_id)

    def _check_mapping_settings(self, add):
        if not self.env["xero.account"].with_context(active_test=False).search_count(
                [("connection_id", "=", self.id)], limit=1):
            add("settings", self.env._(
                "Xero's chart of accounts has not been read yet: click Refresh from Xero."))
        # Trust receipts paid to the firm and trust-to-office transfers move
        # money between two bank accounts, which Xero posts through the bank
        # transfers account: required with trust transactions. Without them
        # the firm's own transfers stay in Xero (bank feeds), so it is optional.
        if self.sync_trust and not self.bank_transfer_xero_account_id:
            add("settings", self.env._(
                "Trust transactions are synchronized: choose the Bank transfers account."))
        xero = self.bank_transfer_xero_account_id
        if xero and not xero.active:
            add("settings", self.env._(
                "The Bank transfers account %(xero)s is %(why)s.",
                xero=xero.display_name, why=self._xero_gone_reason(xero)))
        # Deposits (prepayments) are coded to these: an account Xero takes
        # on a line, i.e. active and not a bank account (xero_sandbox/deposits.py).
        for xero, label in ((self.deposit_received_xero_account_id, self.env._("Deposits received")),
                            (self.deposit_paid_xero_account_id, self.env._("Deposits paid"))):
            if xero and not xero.active:
                add("settings", self.env._(
                    "The %(label)s account %(xero)s is %(why)s.", label=label,
                    xero=xero.display_name, why=self._xero_gone_reason(xero)))
            elif xero and xero.account_type == "BANK":
                add("settings", self.env._(
                    "The %(label)s account %(xero)s is a bank account: deposits are coded to "
                    "an account such as Tracking Transfers.", label=label, xero=xero.display_name))

    def _check_mapping_accounts(self, add):
        company = self.company_id
        Account = self.env["account.account"].with_company(company)
        account_domain = [*Account._check_company_domain(company), ("deprecated", "=", False)]

        # Business bank and cash accounts: always (payments go through them).
        journals = self.env["account.journal"].search([
            *self.env["account.journal"]._check_company_domain(company),
            ("type", "in", ("bank", "cash")),
            ("is_trust_account", "=", False),
        ])
        for journal in journals:
            self._check_mapping_bank_journal(add, journal, "accounts")

        if self.sync_sales_invoices:
            for account in self._xero_partner_accounts("property_account_receivable_id"):
                self._check_mapping_account(add, "accounts", account, self.env._("receivable"))
            for account in Account.search(
                    [*account_domain, ("account_type", "in", ("income", "income_other"))]):
                self._check_mapping_account(add, "accounts", account)
        if self.sync_supplier_invoices:
            for account in self._xero_partner_accounts("property_account_payable_id"):
                self._check_mapping_account(add, "accounts", account, self.env._("payable"))
            for account in Account.search(
                    [*account_domain, ("account_type", "in", ("expense", "expense_direct_cost"))]):
                self._check_mapping_account(add, "accounts", account)
        for account in self._xero_synced_taxes().mapped(
                lambda t: t.invoice_repartition_line_ids.account_id
                | t.refund_repartition_line_ids.account_id
                | t.children_tax_ids.invoice_repartition_line_ids.account_id
                | t.children_tax_ids.refund_repartition_line_ids.account_id):
            self._check_mapping_account(add, "accounts", account, self.env._("sales tax account"))

    def _check_mapping_taxes(self, add):
        for tax in self._xero_synced_taxes():
            direction = "output" if tax.type_tax_use == "sale" else "input"
            rate = self._map_tax(tax, direction)
            if not rate:
                if direction == "output":
                    message = self.env._("Tax %s is not mapped to a Xero output tax.", tax.display_name)
                else:
                    message = self.env._("Tax %s is not mapped to a Xero input tax.", tax.display_name)
                add("taxes", message, tax)
            elif not rate.active:
                add("taxes", self.env._(
                    "Tax %(tax)s is mapped to Xero tax rate %(xero)s, which is %(why)s.",
                    tax=tax.display_name, xero=rate.display_name,
                    why=self._xero_gone_reason(rate)), tax)
            else:
                self._check_mapping_tax_rate(add, tax, rate, direction)

    def _check_mapping_tax_rate(self, add, tax, rate, direction):
        """The Xero tax rate ``rate`` must be usable where Odoo uses ``tax``
        and tax at the same rate. Xero's TaxRate says where it applies:
        CanApplyToRevenue (sales: an output tax) and CanApplyToExpenses
        (purchases: an input tax) (xero_accounting.yaml, TaxRate); a line
        whose TaxType cannot apply to its account is refused by Xero. Its
        EffectiveRate is the rate Xero computes the line's tax with: a
        different rate makes Xero's tax differ from Odoo's."""
        if direction == "output" and not rate.can_apply_to_revenue:
            add("taxes", self.env._(
                "Tax %(tax)s is mapped to Xero tax rate %(xero)s, which Xero does not allow on "
                "revenue (sales): choose an output tax.",
                tax=tax.display_name, xero=rate.display_name), tax)
        if direction == "input" and not rate.can_apply_to_expenses:
            add("taxes", self.env._(
                "Tax %(tax)s is mapped to Xero tax rate %(xero)s, which Xero does not allow on "
                "expenses (purchases): choose an input tax.",
                tax=tax.display_name, xero=rate.display_name), tax)
        odoo_rate = self._xero_tax_percent(tax)
        if odoo_rate is None:
            add("taxes", self.env._(
                "Tax %(tax)s is not a percentage; Xero tax rates are: it cannot be mapped to "
                "%(xero)s.", tax=tax.display_name, xero=rate.display_name), tax)
        elif abs(odoo_rate - (rate.effective_rate or 0.0)) > 0.00005:
            add("taxes", self.env._(
                "Tax %(tax)s is %(rate)s%% in Odoo, but the Xero tax rate %(xero)s it is mapped "
                "to is %(xero_rate)s%%: Xero would compute another tax.",
                tax=tax.display_name, rate="%g" % odoo_rate, xero=rate.display_name,
                xero_rate="%g" % (rate.effective_rate or 0.0)), tax)

    def _xero_tax_percent(self, tax):
        """The percentage ``tax`` charges on a line's amount, or None for
        what a Xero tax rate cannot express (fixed amounts). A group charges
        its taxes in sequence, each on the base plus the taxes before it
        that affect later taxes (include_base_amount): a compound rate, as
        Xero's EffectiveRate of a compound tax rate."""
        if tax.amount_type == "group":
            total, base = 0.0, 1.0
            for child in tax.children_tax_ids.sorted(lambda t: (t.sequence, t.id)):
                rate = self._xero_tax_percent(child)
                if rate is None:
                    return None
                charged = base * rate
                total += charged
                if child.include_base_amount:
                    base += charged / 100.0
            return round(total, 4)
        if tax.amount_type in ("percent", "division"):
            return tax.amount
        return None

    def _check_mapping_currencies(self, add):
        listed = set(self.env["xero.currency"].search(
            [("connection_id", "=", self.id)]).mapped("code"))
        for currency in self.env["res.currency"].search([("active", "=", True)]):
            xero = self._map_currency(currency)
            if not xero:
                if currency.name in listed:
                    message = self.env._("Currency %s is not mapped to a Xero currency.", currency.name)
                else:
                    message = self.env._(
                        "Currency %s is not mapped to a Xero currency, and Xero does not list "
                        "it: add it in Xero (Settings > Currencies), refresh from Xero, then "
                        "map it.", currency.name)
                add("currencies", message, currency)
            elif not xero.active:
                add("currencies", self.env._(
                    "Currency %(currency)s is mapped to Xero currency %(xero)s, which Xero no "
                    "longer lists: add it in Xero (Settings > Currencies) and refresh.",
                    currency=currency.name, xero=xero.code), currency)

    def _check_mapping_base_currency(self, add):
        """Xero's base currency (Organisation.BaseCurrency) must be the
        company's: Xero converts every foreign document to its base currency
        at the CurrencyRate we send, which is the rate to the company's
        currency."""
        base = self.xero_base_currency
        company_currency = self.company_id.currency_id
        if base and base != company_currency.name:
            add("currencies", self.env._(
                "The Xero organisation's base currency is %(xero)s but the company's currency is "
                "%(odoo)s: connect the Xero organisation kept in %(odoo)s.",
                xero=base, odoo=company_currency.name), self.company_id)

    def _check_mapping_trust(self, add):
        journals = self.env["account.journal"].search([
            *self.env["account.journal"]._check_company_domain(self.company_id),
            ("type", "=", "bank"),
            ("is_trust_account", "=", True),
        ])
        for journal in journals:
            self._check_mapping_bank_journal(add, journal, "trust")

        liability_rule = (
            lambda x: x.account_class == "LIABILITY" and x.enable_payments,
            self.env._("a Xero Liability account that allows payments"),
        )
        asset_rule = (
            lambda x: x.account_class == "ASSET" and x.enable_payments,
            self.env._("a Xero Asset account that allows payments"),
        )
        current_rule = (
            lambda x: x.account_type == "CURRENT",
            self.env._("a Xero Current Asset account"),
        )
        for fname, rule, required in (
            ("trust_liability_account_id", liability_rule, True),
            ("trust_transfer_account_id", liability_rule, True),
            ("trust_paid_by_firm_account_id", asset_rule, False),
            ("statutory_deposit_account_id", current_rule, False),
        ):
            account = self.company_id[fname]
            label = self.company_id._fields[fname].get_description(self.env)["string"]
            if not account:
                if required:
                    add("trust", self.env._(
                        "Trust transactions are synchronized: set the %s account (Settings > "
                        "Accounting > Trust accounting).", label))
                continue
            if not self._map_account(account) and not self.xero_account_ids.filtered(
                    lambda x, fits=rule[0]: x.active and fits(x)):
                # Nothing in Xero's chart can take it: the firm adds it there first.
                add("trust", self.env._(
                    "Account %(account)s (%(label)s) is not mapped to a Xero account, and Xero "
                    "has no account for it (%(what)s): create it in Xero (Accounting > Chart "
                    "of accounts > Add Account, e.g. %(name)s), then click Refresh from Xero "
                    "and map it.", account=account.display_name, label=label, what=rule[1],
                    name=account.name), account)
                continue
            self._check_mapping_account(add, "trust", account, label, [rule])

    def _check_mapping_archived(self, add):
        """Any map row pointing at what Xero archived or no longer lists."""
        for row in self.account_map_ids.filtered(lambda r: not r.xero_account_id.active):
            self._check_mapping_account(add, "accounts", row.account_id)
        for row in self.tax_map_ids:
            for rate in (row.xero_output_tax_id | row.xero_input_tax_id).filtered(
                    lambda r: not r.active):
                add("taxes", self.env._(
                    "Tax %(tax)s is mapped to Xero tax rate %(xero)s, which is %(why)s.",
                    tax=row.tax_id.display_name, xero=rate.display_name,
                    why=self._xero_gone_reason(rate)), row.tax_id)
        for row in self.currency_map_ids.filtered(lambda r: not r.xero_currency_id.active):
            add("currencies", self.env._(
                "Currency %(currency)s is mapped to Xero currency %(xero)s, which Xero no "
                "longer lists: add it in Xero (Settings > Currencies) and refresh.",
                currency=row.currency_id.name, xero=row.xero_currency_id.code), row.currency_id)

    # ------------------------------------------------------------------------
    # Helpers
    # ------------------------------------------------------------------------
    def _check_mapping_bank_journal(self, add, journal, section):
        account = journal.default_account_id
        if not account:
            add(section, self.env._("Journal %s has no bank account.", journal.display_name), journal)
            return
        self._check_mapping_account(add, section, account, self.env._("journal %s", journal.name), [
            (lambda x: x.account_type == "BANK", self.env._("a Xero bank account")),
            (lambda x: x.code, self.env._(
                "a Xero bank account with a code (give it one in Xero's chart of accounts, "
                "then refresh from Xero)")),
        ])
        # A Xero bank account has one currency (Account.CurrencyCode); a
        # payment through it is in that currency.
        xero = self._map_account(account)
        currency = journal.currency_id or self.company_id.currency_id
        if xero and xero.account_type == "BANK" and xero.currency_code \
                and xero.currency_code != currency.name:
            add(section, self.env._(
                "Journal %(journal)s is in %(currency)s but its Xero bank account %(xero)s is "
                "in %(xero_currency)s.", journal=journal.display_name, currency=currency.name,
                xero=xero.display_name, xero_currency=xero.currency_code), journal)

    def _check_mapping_account(self, add, section, account, note=None, rules=()):
        """Report ``account`` unless it is mapped to an active Xero account
        satisfying each ``(predicate, description)`` of ``rules``."""
        subject = self.env._("Account %s", account.display_name)
        if note:
            subject = f"{subject} ({note})"
        xero = self._map_account(account)
        if not xero:
            add(section, self.env._("%s is not mapped to a Xero account.", subject), account)
            return
        if not xero.active:
            add(section, self.env._(
                "%(subject)s is mapped to Xero account %(xero)s, which is %(why)s.",
                subject=subject, xero=xero.display_name, why=self._xero_gone_reason(xero)),
                account)
        for predicate, description in rules:
            if not predicate(xero):
                add(section, self.env._(
                    "%(subject)s is mapped to Xero account %(xero)s; it must be mapped to "
                    "%(what)s.", subject=subject, xero=xero.display_name, what=description),
                    account)
                break

    def _xero_gone_reason(self, xero_record):
        if getattr(xero_record, "xero_status", False) == "DELETED":
            return self.env._("no longer listed by Xero")
        return self.env._("archived in Xero")

    def _xero_synced_taxes(self):
        """The active taxes whose documents sync: sale taxes with sales
        invoices, purchase taxes with supplier invoices."""
        uses = []
        if self.sync_sales_invoices:
            uses.append("sale")
        if self.sync_supplier_invoices:
            uses.append("purchase")
        if not uses:
            return self.env["account.tax"]
        Tax = self.env["account.tax"]
        return Tax.search([
            *Tax._check_company_domain(self.company_id),
            ("type_tax_use", "in", uses),
        ])

    def _xero_partner_accounts(self, fname):
        """The company's default for the partner property ``fname``
        (receivable or payable) and every value set on an active partner."""
        company = self.company_id
        Partner = self.env["res.partner"].with_company(company)
        accounts = Partner._fields[fname].get_company_dependent_fallback(Partner)
        Partner.flush_model([fname, "active"])
        self.env.cr.execute(SQL(
            "SELECT DISTINCT (%(col)s ->> %(company)s)::int FROM res_partner"
            " WHERE active AND %(col)s ->> %(company)s IS NOT NULL",
            col=SQL.identifier(fname), company=str(company.id),
        ))
        ids = [row[0] for row in self.env.cr.fetchall()]
        accounts |= self.env["account.account"].browse(ids).exists()
        return accounts.filtered(lambda a: not a.deprecated)
