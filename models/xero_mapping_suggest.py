"""Suggest mapping: propose the Xero account, tax rate and currency of every
Odoo record that Check mapping (models/xero_mapping_check.py) finds
unmapped, for the admin to review.

The proposals are map rows flagged ``suggested`` (a badge in the maps);
editing a row, or Confirm suggestions, clears the flag. A suggestion never
replaces a row the admin made: only records without any row get one.

- Accounts: the Xero account of the same meaning, by the matcher of
  xero/mapping.py (the benchmark bench/mapping_bench.py measures it):
  Xero's own account for what the company uses the account for (receivable
  and payable to Accounts Receivable / Payable, a sales tax's account to
  the tax account, the exchange difference accounts to the currency gains
  account, cash rounding to Rounding), else the same code, the same name or
  a similar name in the same class, else the same meaning by a small
  table of accounting equivalences (the row's note says which); never by
  type alone: an account with
  no Xero account of its meaning stays unmapped. The row says why
  (``suggested_by``). The Xero account must be active and fit what the
  Odoo account is used for: a bank journal's account goes to a Xero BANK
  account with a code in the journal's currency that no other journal
  uses; trust accounts as Check mapping requires.
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

from ..xero import mapping

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
            rows.filtered("suggested").write(
                {"suggested": False, "suggested_by": False, "suggested_note": False})
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
        trust_rules = {
            company.trust_liability_account_id: lambda x: x.account_class == "LIABILITY"
            and x.enable_payments,
            company.trust_transfer_account_id: lambda x: x.account_class == "LIABILITY"
            and x.enable_payments,
            company.trust_paid_by_firm_account_id: lambda x: x.account_class == "ASSET"
            and x.enable_payments,
            company.statutory_deposit_account_id: lambda x: x.account_type == "CURRENT",
        }
        roles = self._xero_account_roles()
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
            else:
                fits = trust_rules.get(account) or (lambda x: True)
            candidates = xero_accounts.filtered(fits)
            found = mapping.suggest_account({
                "code": account.code, "name": account.name, "type": account.account_type,
                "group": account.internal_group, "role": roles.get(account),
            }, [self._xero_account_values(x) for x in candidates])
            if not found:
                continue  # nothing of the same meaning: the admin chooses
            xero = found[0]["record"]
            if xero.account_type == "BANK":
                used_banks.add(xero.id)
            mapped.add(account.id)
            vals_list.append({
                "connection_id": self.id, "account_id": account.id, "xero_account_id": xero.id,
                "suggested": True, "suggested_by": found[1], "suggested_note": found[3] or False,
            })
        return self.env["xero.account.map"].create(vals_list)

    @api.model
    def _xero_account_values(self, xero):
        """A Xero account as the matcher (xero/mapping.py) reads it."""
        return {"code": xero.code, "name": xero.name, "type": xero.account_type,
                "class": xero.account_class, "system": xero.system_account, "record": xero}

    def _xero_account_roles(self):
        """{Odoo account: role} of the accounts that go to one of Xero's own
        accounts (xero/mapping.py ROLES): the partners' receivable and
        payable accounts, the accounts of the sales taxes (a percentage
        between 0 and 100 %: not a withholding, nor a 100 % adjustment) and
        the tax groups' closing accounts,
        the company's exchange difference accounts and its cash roundings'
        accounts."""
        company = self.company_id
        roles = {}
        for account in self._xero_partner_accounts("property_account_receivable_id"):
            roles[account] = "receivable"
        pos = company._fields.get("account_default_pos_receivable_account_id")
        if pos and company[pos.name]:
            roles[company[pos.name]] = "receivable"
        for account in self._xero_partner_accounts("property_account_payable_id"):
            roles[account] = "payable"
        taxes = self._xero_synced_taxes()
        for tax in taxes | taxes.children_tax_ids:
            percent = self._xero_tax_percent(tax)
            if percent is None or not 0.0 < percent < 100.0:
                continue
            for account in (tax.invoice_repartition_line_ids.account_id
                            | tax.refund_repartition_line_ids.account_id):
                roles.setdefault(account, "tax")
        # The tax return's closing accounts (the tax groups' payable and
        # receivable accounts: "BAS Payments", "HMRC - VAT Account").
        groups = self.env["account.tax.group"].search(
            self.env["account.tax.group"]._check_company_domain(company))
        for account in groups.tax_payable_account_id | groups.tax_receivable_account_id:
            roles.setdefault(account, "tax")
        for account in (company.income_currency_exchange_account_id
                        | company.expense_currency_exchange_account_id):
            roles[account] = "fx"
        roundings = self.env["account.cash.rounding"].with_company(company).search(
            [("strategy", "=", "add_invoice_line")])
        for account in roundings.profit_account_id | roundings.loss_account_id:
            roles.setdefault(account, "rounding")
        return roles

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
