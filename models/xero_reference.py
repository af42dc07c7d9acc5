"""Reference data pulled from Xero, per connection.

The chart of accounts, tax rates and currencies of the Xero organisation, as
last read by "Refresh from Xero" (see ``xero.connection._xero_store_reference``).
Rows are never deleted by a refresh: what Xero archives or no longer lists is
archived here (``active = False``) and keeps its last known values, because
maps and posted documents may still point at it.
"""

import logging

from odoo import api, fields, models
from odoo.exceptions import UserError

from ..xero.errors import XeroError

_logger = logging.getLogger(__name__)

# Xero's Account Type values (xero_python.accounting.models.AccountType).
XERO_ACCOUNT_TYPES = [
    ("BANK", "Bank"),
    ("CURRENT", "Current Asset"),
    ("CURRLIAB", "Current Liability"),
    ("DEPRECIATN", "Depreciation"),
    ("DIRECTCOSTS", "Direct Costs"),
    ("EQUITY", "Equity"),
    ("EXPENSE", "Expense"),
    ("FIXED", "Fixed Asset"),
    ("INVENTORY", "Inventory"),
    ("LIABILITY", "Liability"),
    ("NONCURRENT", "Non-current Asset"),
    ("OTHERINCOME", "Other Income"),
    ("OVERHEADS", "Overhead"),
    ("PREPAYMENT", "Prepayment"),
    ("REVENUE", "Revenue"),
    ("SALES", "Sales"),
    ("TERMLIAB", "Non-current Liability"),
    ("PAYG", "PAYG Liability"),
]

# Xero's Account Class Types.
XERO_ACCOUNT_CLASSES = [
    ("ASSET", "Asset"),
    ("EQUITY", "Equity"),
    ("EXPENSE", "Expense"),
    ("LIABILITY", "Liability"),
    ("REVENUE", "Revenue"),
]

XERO_ACCOUNT_STATUSES = [
    ("ACTIVE", "Active"),
    ("ARCHIVED", "Archived"),
    ("DELETED", "Deleted"),
]

XERO_TAX_RATE_STATUSES = [
    ("ACTIVE", "Active"),
    ("ARCHIVED", "Archived"),
    ("PENDING", "Pending"),
    ("DELETED", "Deleted"),
]


class XeroReferenceMixin(models.AbstractModel):
    """What the reference tables share: the connection they were read
    through, its company (for the record rules) and the archive flag."""

    _name = "xero.reference.mixin"
    _description = "Xero Reference Data"

    connection_id = fields.Many2one(
        "xero.connection", "Xero Connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    active = fields.Boolean(
        default=True,
        help="Cleared when Xero archives this entry or no longer lists it.")


class XeroAccount(models.Model):
    _name = "xero.account"
    _inherit = ["xero.reference.mixin"]
    _description = "Xero Account"
    _order = "connection_id, code, name"
    _rec_names_search = ["code", "name"]

    xero_id = fields.Char("Xero AccountID", required=True, readonly=True)
    code = fields.Char(readonly=True)
    name = fields.Char(required=True, readonly=True)
    account_type = fields.Selection(XERO_ACCOUNT_TYPES, "Type", readonly=True)
    account_class = fields.Selection(XERO_ACCOUNT_CLASSES, "Class", readonly=True)
    xero_status = fields.Selection(XERO_ACCOUNT_STATUSES, "Status in Xero", readonly=True)
    enable_payments = fields.Boolean(
        "Payments enabled", readonly=True,
        help="Xero's EnablePaymentsToAccount: payments can be applied to this account.")
    bank_account_number = fields.Char(readonly=True)
    currency_code = fields.Char(readonly=True)
    tax_type = fields.Char("Default tax type", readonly=True)
    system_account = fields.Char(readonly=True)
    map_ids = fields.One2many("xero.account.map", "xero_account_id", "Mapped from")
    is_mapped = fields.Boolean(
        compute="_compute_is_mapped", store=True,
        help="An Odoo account is mapped to this Xero account.")

    _sql_constraints = [
        ("xero_id_uniq", "unique(connection_id, xero_id)",
         "A Xero account can be listed once per connection."),
    ]

    @api.depends("map_ids")
    def _compute_is_mapped(self):
        for account in self:
            account.is_mapped = bool(account.map_ids)

    @api.depends("code", "name")
    def _compute_display_name(self):
        for account in self:
            account.display_name = (
                f"{account.code} – {account.name}" if account.code else account.name
            )


class XeroTaxRate(models.Model):
    _name = "xero.tax.rate"
    _inherit = ["xero.reference.mixin"]
    _description = "Xero Tax Rate"
    _order = "connection_id, name"
    _rec_names_search = ["name", "tax_type"]

    tax_type = fields.Char("Tax type", required=True, readonly=True,
                           help="Xero's TaxType code, e.g. OUTPUT2 or INPUT2.")
    name = fields.Char(required=True, readonly=True)
    effective_rate = fields.Float(digits=(16, 4), readonly=True)
    display_tax_rate = fields.Float(digits=(16, 4), readonly=True)
    xero_status = fields.Selection(XERO_TAX_RATE_STATUSES, "Status in Xero", readonly=True)
    report_tax_type = fields.Char(readonly=True)
    can_apply_to_revenue = fields.Boolean(readonly=True)
    can_apply_to_expenses = fields.Boolean(readonly=True)
    can_apply_to_assets = fields.Boolean(readonly=True)
    can_apply_to_liabilities = fields.Boolean(readonly=True)
    can_apply_to_equity = fields.Boolean(readonly=True)

    _sql_constraints = [
        ("tax_type_uniq", "unique(connection_id, tax_type)",
         "A Xero tax rate can be listed once per connection."),
    ]

    @api.depends("name", "tax_type", "effective_rate")
    def _compute_display_name(self):
        for rate in self:
            rate.display_name = f"{rate.name} ({rate.effective_rate:g}%)"

    # Where Xero takes a tax rate: its CanApplyTo<class> flags (TaxRate in
    # xero_accounting.yaml: "15% GST on Expenses", INPUT2, has
    # CanApplyToRevenue false; "15% GST on Income", OUTPUT2,
    # CanApplyToExpenses false). Xero refuses a line whose TaxType cannot
    # apply to its account's class ("The TaxType code '...' cannot be used
    # with account code '...'", XeroAPI/Xero-Java#336).
    _XERO_APPLIES_TO = {"EXPENSE": "can_apply_to_expenses", "REVENUE": "can_apply_to_revenue",
                        "ASSET": "can_apply_to_assets", "LIABILITY": "can_apply_to_liabilities",
                        "EQUITY": "can_apply_to_equity"}

    def _xero_line_issue(self, xero_account, label, account, tax):
        """The message blocking a line ``label`` coded to ``account`` (Xero
        ``xero_account``) with ``tax`` (this Xero rate) when Xero takes this
        rate on no account of that class, or None. A rate read without the
        flags (all false: Xero lists no such rate) is left to Xero."""
        if len(self) != 1 or not xero_account.account_class:
            return None
        flags = {cls: self[field] for cls, field in self._XERO_APPLIES_TO.items()}
        if flags.get(xero_account.account_class, True) or not any(flags.values()):
            return None
        _ = self.env._
        names = {"EXPENSE": _("expense"), "REVENUE": _("revenue"), "ASSET": _("asset"),
                 "LIABILITY": _("liability"), "EQUITY": _("equity")}
        return _(
            "Line \"%(line)s\" is coded to %(account)s (Xero %(code)s, %(class)s) with tax "
            "%(tax)s (Xero %(xero_tax)s, %(tax_type)s), which Xero does not take on %(class)s "
            "accounts. Reset it to draft, code the line to an account Xero takes that tax on "
            "(%(allowed)s), or give it a tax Xero takes on %(class)s accounts, then post it "
            "again.",
            line=label, account=account.display_name, code=xero_account.code,
            **{"class": names[xero_account.account_class]}, tax=tax.display_name,
            xero_tax=self.name, tax_type=self.tax_type,
            allowed=", ".join(names[cls] for cls, ok in flags.items() if ok))


class XeroCurrency(models.Model):
    _name = "xero.currency"
    _inherit = ["xero.reference.mixin"]
    _description = "Xero Currency"
    _order = "connection_id, code"
    _rec_names_search = ["code", "description"]

    code = fields.Char(required=True, readonly=True)
    description = fields.Char(readonly=True)

    _sql_constraints = [
        ("code_uniq", "unique(connection_id, code)",
         "A Xero currency can be listed once per connection."),
    ]

    @api.depends("code", "description")
    def _compute_display_name(self):
        for currency in self:
            currency.display_name = (
                f"{currency.code} – {currency.description}" if currency.description
                else currency.code
            )


def _xero_value(value):
    """A scalar of a xero-python model: enums (AccountType, CurrencyCode, ...)
    give their value; None and the generated "None" give False."""
    value = getattr(value, "value", value)
    if value is None or value == "None":
        return False
    return value


def _selection_value(value, selection, what):
    """``value`` if it is a key of ``selection``, else False (logged): a
    value Xero adds one day must not stop the refresh."""
    value = _xero_value(value)
    if value and value not in dict(selection):
        _logger.info("Xero returned an unknown %s %r; stored empty.", what, value)
        return False
    return value


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    # ------------------------------------------------------------------------
    # Reference data
    # ------------------------------------------------------------------------
    def action_refresh_from_xero(self):
        """Button "Refresh from Xero": pull the organisation, chart of
        accounts, tax rates and currencies, and store them."""
        self.ensure_one()
        try:
            client = self._xero_accounting_client()
            organisation = client.get_organisation()
            accounts = client.get_accounts()
            tax_rates = client.get_tax_rates()
            currencies = client.get_currencies()
        except XeroError as exc:
            raise UserError(self.env._("Xero could not be read: %s", exc.message)) from exc
        counts = self._xero_store_reference(accounts, tax_rates, currencies, organisation)
        # Tracking categories (xero_tracking.py).
        tracking = self._xero_refresh_tracking()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "success",
                "title": self.env._("Refreshed from Xero"),
                "message": "%s %s" % (self.env._(
                    "%(accounts)s accounts, %(taxes)s tax rates and %(currencies)s "
                    "currencies read from Xero.",
                    accounts=counts["accounts"], taxes=counts["tax_rates"],
                    currencies=counts["currencies"],
                ), self.env._("%s tracking categories read from Xero.", tracking)),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    def _xero_store_reference(self, accounts=None, tax_rates=None, currencies=None,
                              organisation=None):
        """Upsert the reference data read from Xero.

        Takes the xero-python model objects the client returns
        (``Account``, ``TaxRate``, ``Currency``, ``Organisation``); ``None``
        leaves that part untouched. Rows are matched on AccountID, TaxType and
        currency code; what Xero archived is stored with its status and
        archived here, what Xero no longer lists is archived and flagged
        DELETED (accounts, tax rates). Nothing is deleted: maps may point at it.

        Returns the number of entries Xero listed, per kind.
        """
        self.ensure_one()
        counts = {}
        if accounts is not None:
            vals_list = [self._xero_account_vals(a) for a in accounts if a.account_id]
            self._xero_upsert("xero.account", "xero_id", vals_list,
                              gone_vals={"xero_status": "DELETED"})
            counts["accounts"] = len(vals_list)
        if tax_rates is not None:
            vals_list = [self._xero_tax_rate_vals(t) for t in tax_rates if t.tax_type]
            self._xero_upsert("xero.tax.rate", "tax_type", vals_list,
                              gone_vals={"xero_status": "DELETED"})
            counts["tax_rates"] = len(vals_list)
        if currencies is not None:
            vals_list = [
                {"code": code, "description": c.description or False, "active": True}
                for c in currencies
                if (code := _xero_value(c.code))
            ]
            self._xero_upsert("xero.currency", "code", vals_list)
            counts["currencies"] = len(vals_list)
        vals = {"reference_refreshed_at": fields.Datetime.now()}
        if organisation is not None:
            vals.update({
                "xero_base_currency": _xero_value(organisation.base_currency),
                "xero_country_code": _xero_value(organisation.country_code),
                "xero_short_code": organisation.short_code or False,
                "xero_period_lock_date": fields.Date.to_date(
                    organisation.period_lock_date or False),
                "xero_end_of_year_lock_date": fields.Date.to_date(
                    organisation.end_of_year_lock_date or False),
            })
            if not self.tenant_name and organisation.name:
                vals["tenant_name"] = organisation.name
        self.write(vals)
        return counts

    @api.model
    def _xero_account_vals(self, account):
        status = _selection_value(account.status, XERO_ACCOUNT_STATUSES, "account status")
        return {
            "xero_id": account.account_id,
            "code": account.code or False,
            "name": account.name or account.code or account.account_id,
            "account_type": _selection_value(account.type, XERO_ACCOUNT_TYPES, "account type"),
            "account_class": _selection_value(
                account._class, XERO_ACCOUNT_CLASSES, "account class"),
            "xero_status": status,
            "enable_payments": bool(account.enable_payments_to_account),
            "bank_account_number": account.bank_account_number or False,
            "currency_code": _xero_value(account.currency_code),
            "tax_type": account.tax_type or False,
            "system_account": _xero_value(account.system_account),
            "active": status in (False, "ACTIVE"),
        }

    @api.model
    def _xero_tax_rate_vals(self, rate):
        status = _selection_value(rate.status, XERO_TAX_RATE_STATUSES, "tax rate status")
        return {
            "tax_type": rate.tax_type,
            "name": rate.name or rate.tax_type,
            "effective_rate": float(rate.effective_rate or 0.0),
            "display_tax_rate": float(rate.display_tax_rate or 0.0),
            "xero_status": status,
            "report_tax_type": _xero_value(rate.report_tax_type),
            "can_apply_to_revenue": bool(rate.can_apply_to_revenue),
            "can_apply_to_expenses": bool(rate.can_apply_to_expenses),
            "can_apply_to_assets": bool(rate.can_apply_to_assets),
            "can_apply_to_liabilities": bool(rate.can_apply_to_liabilities),
            "can_apply_to_equity": bool(rate.can_apply_to_equity),
            "active": status in (False, "ACTIVE"),
        }

    def _xero_upsert(self, model, key, vals_list, gone_vals=None):
        """Create or update the rows of ``model`` of this connection matched
        on ``key``; archive (with ``gone_vals``) those not in ``vals_list``."""
        self.ensure_one()
        Model = self.env[model].with_context(active_test=False)
        existing = {
            rec[key]: rec for rec in Model.search([("connection_id", "=", self.id)])
        }
        seen, to_create = set(), []
        for vals in vals_list:
            if vals[key] in seen:
                continue
            seen.add(vals[key])
            rec = existing.get(vals[key])
            if rec is None:
                to_create.append({**vals, "connection_id": self.id})
                continue
            changed = {
                fname: value for fname, value in vals.items()
                if rec._fields[fname].convert_to_record(
                    rec._fields[fname].convert_to_cache(value, rec), rec) != rec[fname]
            }
            if changed:
                rec.write(changed)
        if to_create:
            Model.create(to_create)
        gone = Model.browse(
            rec.id for k, rec in existing.items() if k not in seen and rec.active
        )
        if gone:
            gone.write({"active": False, **(gone_vals or {})})
