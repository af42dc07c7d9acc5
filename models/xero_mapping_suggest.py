"""Suggest mapping: propose the Xero account, tax rate and currency of every
Odoo record that Check mapping (models/xero_mapping_check.py) finds
unmapped, for the admin to review.

The proposals are map rows flagged ``suggested`` (a badge in the maps);
editing a row, or Confirm suggestions, clears the flag. A suggestion never
replaces a row the admin made: only records without any row get one.

- Accounts: the Xero account with the same code, else the same name, else
  one of a matching type (see ``XERO_TYPES_BY_ODOO_TYPE``). Whatever the
  rule, the Xero account must be active and fit what the Odoo account is
  used for: a bank journal's account goes to a Xero BANK account with a code
  in the journal's currency that no other journal uses; receivable and
  payable to Xero's Accounts Receivable / Payable (SystemAccount DEBTORS /
  CREDITORS); a tax's account to Xero's tax account (SystemAccount GST,
  also VAT organisations'); trust accounts as Check mapping requires;
  otherwise an account of the same class (asset, liability, ...).
- Taxes: a sale tax to an active Xero tax rate that Xero allows on revenue
  (CanApplyToRevenue) at the same effective rate (the output direction), a
  purchase tax to one allowed on expenses (CanApplyToExpenses) at the same
  rate (input); ties go to the rate whose ReportTaxType is OUTPUT / INPUT,
  then Xero's NONE, then the same name.
- Currencies: the Xero currency with the ISO code of the Odoo currency.
"""

import re

from odoo import api, fields, models
from odoo.exceptions import AccessError

# Odoo account type -> Xero account types to propose, best first
# (XERO_ACCOUNT_TYPES in models/xero_reference.py).
XERO_TYPES_BY_ODOO_TYPE = {
    "asset_receivable": ["CURRENT"],
    "asset_cash": ["BANK"],
    "asset_current": ["CURRENT"],
    "asset_non_current": ["NONCURRENT"],
    "asset_prepayments": ["PREPAYMENT", "CURRENT"],
    "asset_fixed": ["FIXED"],
    "liability_payable": ["CURRLIAB"],
    "liability_credit_card": ["BANK"],
    "liability_current": ["CURRLIAB", "LIABILITY"],
    "liability_non_current": ["TERMLIAB", "NONCURRENT", "LIABILITY"],
    "equity": ["EQUITY"],
    "equity_unaffected": ["EQUITY"],
    "income": ["REVENUE", "SALES"],
    "income_other": ["OTHERINCOME", "REVENUE"],
    "expense": ["EXPENSE", "OVERHEADS"],
    "expense_depreciation": ["DEPRECIATN"],
    "expense_direct_cost": ["DIRECTCOSTS"],
}
# Odoo's internal group -> Xero's account class.
XERO_CLASS_BY_GROUP = {
    "asset": "ASSET", "liability": "LIABILITY", "equity": "EQUITY",
    "income": "REVENUE", "expense": "EXPENSE",
}


def _norm(text):
    """A name compared without case, spaces or punctuation."""
    return re.sub(r"[\W_]+", "", (text or "").lower())


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    suggested_count = fields.Integer(
        "Suggestions to review", compute="_compute_suggested_count")

    @api.depends("account_map_ids.suggested", "tax_map_ids.suggested",
                 "currency_map_ids.suggested")
    def _compute_suggested_count(self):
        for conn in self:
            conn.suggested_count = sum(
                len(rows.filtered("suggested"))
                for rows in (conn.account_map_ids, conn.tax_map_ids, conn.currency_map_ids))

    # ------------------------------------------------------------------------
    # Buttons
    # ------------------------------------------------------------------------
    def _xero_check_mapping_admin(self):
        """Suggest and confirm write maps: Settings administrators and Xero
        managers only (as Connect / Disconnect), whatever the button's
        visibility."""
        if not self._xero_is_manager():
            raise AccessError(self.env._(
                "Only an administrator or a Xero manager can suggest or confirm the mapping."))
        self.check_access("write")

    def action_suggest_mapping(self):
        """Button "Suggest mapping": propose rows for what Check mapping
        finds unmapped; tell the admin how many to review."""
        self.ensure_one()
        self._xero_check_mapping_admin()
        counts = self._xero_suggest_mapping()
        total = sum(counts.values())
        if total:
            params = {
                "type": "info",
                "title": self.env._("Mapping suggested"),
                "message": self.env._(
                    "%(accounts)s account(s), %(taxes)s tax(es) and %(currencies)s "
                    "currency(ies) suggested: review the rows marked Suggested, then "
                    "Confirm suggestions.", **counts),
            }
        else:
            params = {
                "type": "warning",
                "title": self.env._("Nothing to suggest"),
                "message": self.env._(
                    "Every record the enabled synchronizations need is mapped, or Xero has "
                    "nothing that fits it (refresh from Xero first)."),
            }
        params["next"] = {"type": "ir.actions.client", "tag": "soft_reload"}
        return {"type": "ir.actions.client", "tag": "display_notification", "params": params}

    def action_confirm_suggestions(self):
        """Button "Confirm suggestions": the admin has reviewed the rows."""
        self.ensure_one()
        self._xero_check_mapping_admin()
        for rows in (self.account_map_ids, self.tax_map_ids, self.currency_map_ids):
            rows.filtered("suggested").write({"suggested": False, "suggested_by": False})
        return True

    # ------------------------------------------------------------------------
    # The suggestion
    # ------------------------------------------------------------------------
    def _xero_suggest_mapping(self):
        """Create the suggested map rows; return how many per kind."""
        self.ensure_one()
        # A suggestion nobody reviewed whose Xero record Xero has since
        # archived (or no longer lists) is not the admin's: suggest again.
        self.account_map_ids.filtered(
            lambda r: r.suggested and not r.xero_account_id.active).unlink()
        self.tax_map_ids.filtered(
            lambda r: r.suggested and not all(
                (r.xero_input_tax_id | r.xero_output_tax_id).mapped("active"))).unlink()
        self.currency_map_ids.filtered(
            lambda r: r.suggested and not r.xero_currency_id.active).unlink()
        issues = self._get_mapping_issues()
        records = {"account.account": [], "account.tax": [], "res.currency": []}
        for issue in issues:
            record = issue["record"]
            if record is not None and record._name in records and record not in records[record._name]:
                records[record._name].append(record)
        accounts = self._xero_suggest_accounts(records["account.account"])
        taxes = self._xero_suggest_taxes(records["account.tax"])
        currencies = self._xero_suggest_currencies(records["res.currency"])
        return {"accounts": len(accounts), "taxes": len(taxes), "currencies": len(currencies)}

    def _xero_suggest_accounts(self, accounts):
        company = self.company_id
        Journal = self.env["account.journal"]
        journals = Journal.search([
            *Journal._check_company_domain(company), ("type", "in", ("bank", "cash"))])
        mapped = set(self.account_map_ids.account_id.ids)
        xero_accounts = self.env["xero.account"].search([("connection_id", "=", self.id)])
        used_banks = set(self.account_map_ids.xero_account_id.filtered(
            lambda x: x.account_type == "BANK").ids)
        # account -> the currency its journal is kept in (bank accounts)
        bank_currency = {}
        for journal in journals.filtered("default_account_id"):
            bank_currency[journal.default_account_id] = journal.currency_id or company.currency_id
        todo = [a for a in accounts if a in bank_currency] \
            + [a for a in accounts if a not in bank_currency]
        tax_accounts = self._xero_synced_taxes().mapped(
            lambda t: t.invoice_repartition_line_ids.account_id
            | t.refund_repartition_line_ids.account_id
            | t.children_tax_ids.invoice_repartition_line_ids.account_id
            | t.children_tax_ids.refund_repartition_line_ids.account_id)
        trust_rules = {
            company.trust_liability_account_id: lambda x: x.account_class == "LIABILITY"
            and x.enable_payments,
            company.trust_transfer_account_id: lambda x: x.account_class == "LIABILITY"
            and x.enable_payments,
            company.trust_paid_by_firm_account_id: lambda x: x.account_class == "ASSET"
            and x.enable_payments,
            company.statutory_deposit_account_id: lambda x: x.account_type == "CURRENT",
        }
        vals_list = []
        for account in todo:
            if account.id in mapped:
                continue
            account = account.with_company(company)
            if account in bank_currency:
                currency = bank_currency[account]

                def fits(x, currency=currency):
                    return (x.account_type == "BANK" and x.code and x.id not in used_banks
                            and (not x.currency_code or x.currency_code == currency.name))
                by_type = xero_accounts.filtered(fits)
            elif account in trust_rules:
                fits = trust_rules[account]
                by_type = xero_accounts.browse()
            else:
                fits, by_type = self._xero_account_fit(account, tax_accounts, xero_accounts)
            xero, rule = self._xero_pick_account(account, xero_accounts.filtered(fits), by_type)
            if not xero:
                continue
            if xero.account_type == "BANK":
                used_banks.add(xero.id)
            mapped.add(account.id)
            vals_list.append({
                "connection_id": self.id, "account_id": account.id, "xero_account_id": xero.id,
                "suggested": True, "suggested_by": rule,
            })
        return self.env["xero.account.map"].create(vals_list)

    def _xero_account_fit(self, account, tax_accounts, xero_accounts):
        """(predicate on the Xero accounts ``account`` may go to, the Xero
        accounts a match by type proposes, best first)."""
        system = {
            "asset_receivable": "DEBTORS",
            "liability_payable": "CREDITORS",
        }.get(account.account_type) or ("GST" if account in tax_accounts else None)
        if system:
            # Xero's own ledgers: receivable, payable and the tax account are
            # its system accounts (Account.SystemAccount, xero_accounting.yaml).
            def fits_system(x):
                return x.system_account == system
            return fits_system, xero_accounts.filtered(fits_system)
        xero_class = XERO_CLASS_BY_GROUP.get(account.internal_group)
        is_bank = account.account_type in ("asset_cash", "liability_credit_card")

        def fits_class(x):
            return (x.account_class == xero_class and (x.account_type == "BANK") == is_bank
                    and not x.system_account)
        types = XERO_TYPES_BY_ODOO_TYPE.get(account.account_type, [])
        by_type = xero_accounts.browse()
        for xero_type in types:
            by_type |= xero_accounts.filtered(
                lambda x, t=xero_type: x.account_type == t and fits_class(x))
        return fits_class, by_type

    def _xero_pick_account(self, account, candidates, by_type):
        """Same code, else same name, else the first of ``by_type``."""
        code = (account.code or "").strip().lower()
        if code:
            same = candidates.filtered(lambda x: (x.code or "").strip().lower() == code)
            if same:
                return same[0], "code"
        name = _norm(account.name)
        if name:
            same = candidates.filtered(lambda x: _norm(x.name) == name)
            if same:
                return same[0], "name"
        if by_type:
            return by_type[0], "type"
        return self.env["xero.account"], False

    def _xero_suggest_taxes(self, taxes):
        mapped = set(self.tax_map_ids.tax_id.ids)
        rates = self.env["xero.tax.rate"].search([("connection_id", "=", self.id)])
        vals_list = []
        for tax in taxes:
            if tax.id in mapped or tax.type_tax_use not in ("sale", "purchase"):
                continue
            rate = self._xero_pick_tax_rate(tax, rates)
            if not rate:
                continue
            mapped.add(tax.id)
            column = "xero_output_tax_id" if tax.type_tax_use == "sale" else "xero_input_tax_id"
            vals_list.append({
                "connection_id": self.id, "tax_id": tax.id, column: rate.id,
                "suggested": True, "suggested_by": "rate",
            })
        return self.env["xero.tax.map"].create(vals_list)

    def _xero_pick_tax_rate(self, tax, rates):
        percent = self._xero_tax_percent(tax)
        if percent is None:
            return rates.browse()
        sale = tax.type_tax_use == "sale"
        candidates = rates.filtered(
            lambda r: (r.can_apply_to_revenue if sale else r.can_apply_to_expenses)
            and abs((r.effective_rate or 0.0) - percent) <= 0.00005)
        report = "OUTPUT" if sale else "INPUT"
        name = _norm(tax.name)
        # Best first: the direction's own report type (OUTPUT / INPUT), then
        # Xero's "no tax" rate (NONE, for a 0 % tax with no better match),
        # then the same name.
        return candidates.sorted(lambda r: (
            0 if r.report_tax_type == report else 1 if r.tax_type == "NONE" else 2,
            _norm(r.name) != name, r.name or "", r.id))[:1]

    def _xero_suggest_currencies(self, currencies):
        mapped = set(self.currency_map_ids.currency_id.ids)
        by_code = {c.code: c for c in self.env["xero.currency"].search(
            [("connection_id", "=", self.id)])}
        vals_list = [
            {"connection_id": self.id, "currency_id": currency.id,
             "xero_currency_id": by_code[currency.name].id,
             "suggested": True, "suggested_by": "currency"}
            for currency in currencies
            if currency.id not in mapped and currency.name in by_code
        ]
        return self.env["xero.currency.map"].create(vals_list)
