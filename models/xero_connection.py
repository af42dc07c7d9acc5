import logging

from odoo import _, api, fields, models
from odoo.exceptions import UserError

_logger = logging.getLogger(__name__)

# Granular scopes that Xero requires of apps created since March 2026, plus
# offline_access for a refresh token. Editable on the connection.
DEFAULT_SCOPES = (
    "offline_access openid profile email "
    "accounting.invoices accounting.payments accounting.banktransactions "
    "accounting.manualjournals accounting.contacts accounting.settings"
)

# Production endpoints; the demo command and the tests point them at the
# project's Xero sandbox through ir.config_parameter (see _xero_endpoints).
DEFAULT_ENDPOINTS = {
    "login_url": "https://login.xero.com/identity/connect/authorize",
    "identity_url": "https://identity.xero.com",
    "api_url": "https://api.xero.com",
}


class XeroConnection(models.Model):
    """One company's link to one Xero organisation (tenant).

    It is also the Xero Integration Configuration page: synchronization
    settings, the GL account, tax and currency maps, and the reference data
    pulled from Xero all hang off this record.
    """

    _name = "xero.connection"
    _description = "Xero Connection"
    _inherit = ["mail.thread"]
    _check_company_auto = True

    name = fields.Char(compute="_compute_name", store=True, readonly=False)
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, ondelete="cascade"
    )
    active = fields.Boolean(default=True)
    state = fields.Selection(
        [
            ("draft", "Not connected"),
            ("choose_tenant", "Choose organisation"),
            ("connected", "Connected"),
            ("expired", "Reconnect needed"),
            ("disconnected", "Disconnected"),
        ],
        default="draft",
        required=True,
        readonly=True,
        copy=False,
        tracking=True,
    )

    # --- OAuth2 app credentials and tokens (admins only) -------------------
    client_id = fields.Char("Client ID", groups="base.group_system", copy=False)
    client_secret = fields.Char("Client Secret", groups="base.group_system", copy=False)
    scopes = fields.Char(default=DEFAULT_SCOPES, required=True)
    access_token = fields.Char(groups="base.group_system", copy=False)
    refresh_token = fields.Char(groups="base.group_system", copy=False)
    token_expires_at = fields.Datetime(groups="base.group_system", copy=False)
    last_refresh = fields.Datetime("Last token refresh", readonly=True, copy=False)
    connected_at = fields.Datetime(readonly=True, copy=False)
    connected_by_id = fields.Many2one("res.users", readonly=True, copy=False)
    # Xero organisation (tenant) chosen at connection time.
    tenant_id = fields.Char("Xero Tenant ID", readonly=True, copy=False)
    tenant_name = fields.Char("Xero Organisation", readonly=True, copy=False)
    xero_connection_id = fields.Char(
        "Xero Connection ID", readonly=True, copy=False,
        help="The id of this app's connection to the tenant, used to disconnect.",
    )
    # Tenants offered by the last consent, while state is choose_tenant:
    # a JSON list of {"tenantId", "tenantName", "id"}.
    pending_tenants = fields.Json(groups="base.group_system", copy=False)
    last_error = fields.Text(readonly=True, copy=False)
    # Organisation facts pulled from Xero.
    xero_base_currency = fields.Char(readonly=True, copy=False)
    xero_country_code = fields.Char(readonly=True, copy=False)
    xero_period_lock_date = fields.Date(readonly=True, copy=False)
    xero_end_of_year_lock_date = fields.Date(readonly=True, copy=False)
    reference_refreshed_at = fields.Datetime(readonly=True, copy=False)

    # --- Synchronization (the seed's four settings) ------------------------
    sync_sales_invoices = fields.Boolean(
        "Sales invoices", default=True,
        help="Customer invoices, their payments and credit notes are posted to Xero.",
    )
    sync_supplier_invoices = fields.Boolean(
        "Supplier invoices",
        help="Vendor bills, their payments and refunds are posted to Xero.",
    )
    sync_trust = fields.Boolean(
        "Trust transactions",
        help="Trust (client money) receipts, payments and transfers are posted to Xero.",
    )
    bank_transfer_xero_account_id = fields.Many2one(
        "xero.account", "Bank transfers account",
        domain="[('connection_id', '=', id)]",
        help="Xero account through which transfers between bank accounts are posted.",
    )
    sync_from_date = fields.Date(
        "Sync documents from",
        help="Only documents dated on or after this date are posted to Xero.",
    )

    # --- Trust (client money) accounts of the seed -------------------------
    trust_liability_account_id = fields.Many2one(
        "account.account", "Trust liability", check_company=True)
    trust_transfer_account_id = fields.Many2one(
        "account.account", "Trust transfers", check_company=True)
    trust_paid_by_firm_account_id = fields.Many2one(
        "account.account", "Trust paid by firm", check_company=True)
    statutory_deposit_account_id = fields.Many2one(
        "account.account", "Statutory deposit account", check_company=True)

    # --- Maps and Xero reference data ---------------------------------------
    account_map_ids = fields.One2many("xero.account.map", "connection_id", "GL account map")
    tax_map_ids = fields.One2many("xero.tax.map", "connection_id", "GST / Sales Tax / VAT map")
    currency_map_ids = fields.One2many("xero.currency.map", "connection_id", "Currency map")
    xero_account_ids = fields.One2many("xero.account", "connection_id", "Xero GL Account Reference")
    xero_tax_rate_ids = fields.One2many("xero.tax.rate", "connection_id", "Xero tax rates")
    xero_currency_ids = fields.One2many("xero.currency", "connection_id", "Xero currencies")
    mapping_report = fields.Html(readonly=True, copy=False, sanitize=True)
    mapping_checked_at = fields.Datetime(readonly=True, copy=False)

    _sql_constraints = [
        ("company_uniq", "unique(company_id)", "A company can have one Xero connection only."),
    ]

    @api.depends("company_id", "tenant_name")
    def _compute_name(self):
        for conn in self:
            conn.name = conn.tenant_name or _("Xero – %s", conn.company_id.name)

    # ------------------------------------------------------------------------
    # Endpoints and clients
    # ------------------------------------------------------------------------
    @api.model
    def _xero_endpoints(self):
        """Base URLs of Xero's login page, identity service and API.

        Production Xero by default; system parameters ``account_xero.login_url``,
        ``account_xero.identity_url`` and ``account_xero.api_url`` override them
        (the demo command and the tests point them at the sandbox).
        """
        icp = self.env["ir.config_parameter"].sudo()
        return {
            key: icp.get_param(f"account_xero.{key}") or default
            for key, default in DEFAULT_ENDPOINTS.items()
        }

    @api.model
    def _get_for_company(self, company=None, raise_if_missing=True):
        company = company or self.env.company
        conn = self.sudo().search([("company_id", "=", company.id)], limit=1)
        if not conn and raise_if_missing:
            raise UserError(_("%s is not connected to Xero.", company.name))
        return conn
