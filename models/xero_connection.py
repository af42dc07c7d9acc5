"""The Xero connection of a company: the Xero Integration Configuration page
(its fields, the seed's synchronization settings, the maps and Xero's
reference data; the trust accounts are the company's, see res_company.py),
what only the OAuth flow may write, what cannot be deleted, and the sync log
at a glance. The OAuth2 flow is in xero_connection_oauth.py, the access
tokens in xero_connection_token.py."""

from collections import defaultdict
from urllib.parse import quote

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

# Granular scopes that Xero requires of apps created since March 2026, plus
# offline_access for a refresh token. Editable on the connection.
DEFAULT_SCOPES = (
    "offline_access openid profile email "
    "accounting.invoices accounting.payments accounting.banktransactions "
    "accounting.manualjournals accounting.contacts accounting.settings "
    "accounting.reports.trialbalance.read"
)

# Production endpoints; the demo command and the tests point them at the
# project's Xero sandbox through ir.config_parameter (see _xero_endpoints).
DEFAULT_ENDPOINTS = {
    "login_url": "https://login.xero.com/identity/connect/authorize",
    "identity_url": "https://identity.xero.com",
    "api_url": "https://api.xero.com",
}
# Xero's web app, where a document's page is.
XERO_WEB_URL = "https://go.xero.com"


# ----------------------------------------------------------------------------
# OAuth helpers (module level)
# ----------------------------------------------------------------------------
TOKEN_MARGIN = 60  # seconds: refresh an access token that expires sooner
TOKEN_FIELDS = ("access_token", "refresh_token", "token_expires_at", "last_refresh",
                "state", "last_error")
# Written by the OAuth flow only (connect, choose the organisation, refresh,
# disconnect), which works through sudo(): a user writing the tenant would
# point the push (and its voids) at another organisation.
OAUTH_FIELDS = ("state", "tenant_id", "xero_connection_id", "access_token",
                "refresh_token", "token_expires_at", "pending_tenants", "last_refresh",
                "connected_at", "connected_by_id", "ids_tenant_id", "ids_tenant_name")
# Jobs still to go to Xero.
OPEN_JOB_STATES = ("pending", "sending", "failed", "blocked")


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
    redirect_uri = fields.Char(
        "Redirect URI", compute="_compute_redirect_uri",
        help="Register this address as the redirect URI of your app at Xero's developer "
             "portal (developer.xero.com, My Apps).")
    client_secret = fields.Char(groups="base.group_system", copy=False)
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
    job_queued_count = fields.Integer("Queued", compute="_compute_job_counts")
    job_failed_count = fields.Integer("Failed", compute="_compute_job_counts")
    job_blocked_count = fields.Integer("Blocked", compute="_compute_job_counts")
    last_push_at = fields.Datetime("Last sent to Xero", compute="_compute_job_counts")
    # The organisation the contact bindings, the jobs and the documents'
    # Xero ids refer to; kept after a disconnect, so that connecting to
    # another organisation later resets them (see _xero_forget_organisation).
    ids_tenant_id = fields.Char(readonly=True, copy=False)
    ids_tenant_name = fields.Char(readonly=True, copy=False)
    # Organisation facts pulled from Xero.
    xero_base_currency = fields.Char(readonly=True, copy=False)
    xero_country_code = fields.Char(readonly=True, copy=False)
    xero_short_code = fields.Char(
        "Organisation short code", readonly=True, copy=False,
        help="Xero's Organisation.ShortCode: the web links to documents open this organisation.")
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
    sync_entries = fields.Boolean(
        "Journal entries", default=True,
        help="Miscellaneous entries (accruals, depreciation, payroll, adjustments) are posted to "
             "Xero as manual journals; bank and cash entries that are not payments (bank fees, "
             "interest, tax payments) as bank transactions, transfers between two bank accounts "
             "as bank transfers. Invoices, payments and trust entries go their own way.")
    entry_journal_ids = fields.Many2many(
        "account.journal", "xero_connection_entry_journal_rel", "connection_id", "journal_id",
        "Journals sent to Xero",
        domain="[('is_trust_account', '=', False)]",
        help="The journals whose entries go to Xero. Leave empty for all of them.")
    entry_exclude_fx = fields.Boolean(
        "Leave out exchange differences", default=True,
        help="The entries of the exchange difference journal are not sent: Xero computes its "
             "own realised gains and losses on payments, and its own revaluations.")
    entry_exclude_tax_closing = fields.Boolean(
        "Leave out tax closing entries", default=True,
        help="An entry (not in a bank journal) whose items are all on tax accounts is not sent: "
             "Xero keeps the tax in its GST / VAT account and settles it with its own return.")
    sync_trust = fields.Boolean(
        "Trust transactions",
        help="Trust (client money) receipts, payments and transfers are posted to Xero.",
    )
    bank_transfer_xero_account_id = fields.Many2one(
        "xero.account", "Bank transfers account",
        domain="[('connection_id', '=', id)]",
        help="Xero account through which transfers between bank accounts are posted.",
    )
    deposit_received_xero_account_id = fields.Many2one(
        "xero.account", "Deposits received account",
        domain="[('connection_id', '=', id)]",
        help="Xero account a customer's payment not matched to any invoice is coded to, as a "
             "Xero prepayment (the seed's choice: the Tracking Transfers account). Empty: such "
             "payments go as overpayments, which Xero books to Accounts Receivable.",
    )
    deposit_paid_xero_account_id = fields.Many2one(
        "xero.account", "Deposits paid account",
        domain="[('connection_id', '=', id)]",
        help="Xero account a payment to a supplier not matched to any bill is coded to, as a "
             "Xero prepayment (the seed's choice: the Tracking Transfers account). Empty: such "
             "payments go as overpayments, which Xero books to Accounts Payable.",
    )
    sync_from_date = fields.Date(
        "Sync documents from",
        help="Only documents dated on or after this date are posted to Xero.",
    )

    # --- Maps and Xero reference data ---------------------------------------
    account_map_ids = fields.One2many("xero.account.map", "connection_id", "GL account map")
    tax_map_ids = fields.One2many("xero.tax.map", "connection_id", "GST / Sales Tax / VAT map")
    currency_map_ids = fields.One2many("xero.currency.map", "connection_id", "Currency map")
    xero_account_ids = fields.One2many("xero.account", "connection_id", "Xero GL Account Reference")
    xero_tax_rate_ids = fields.One2many("xero.tax.rate", "connection_id", "Xero tax rates")
    xero_currency_ids = fields.One2many("xero.currency", "connection_id", "Xero currencies")
    mapping_report = fields.Html(readonly=True, copy=False, sanitize=True)
    mapping_checked_at = fields.Datetime(readonly=True, copy=False)
    mapping_stale = fields.Boolean(
        readonly=True, copy=False,
        help="A map changed since the last Check mapping: its report no longer says it all.")

    _sql_constraints = [
        ("company_uniq", "unique(company_id)", "A company can have one Xero connection only."),
    ]

    @api.depends("company_id", "tenant_name")
    def _compute_name(self):
        for conn in self:
            conn.name = conn.tenant_name or _("Xero – %s", conn.company_id.name)

    # ------------------------------------------------------------------------
    # Integrity: what the OAuth flow alone writes, what cannot be deleted
    # ------------------------------------------------------------------------
    def _xero_check_oauth_write(self, vals, create=False):
        """Refuse a user's write of what the OAuth flow writes. Administrators
        keep the app's client id and secret, and the scopes to ask for at
        the next consent (not those of a live connection: its token has
        the scopes Xero granted)."""
        if self.env.su:
            return
        fnames = [f for f in OAUTH_FIELDS if f in vals]
        if create:
            fnames = [f for f in fnames if vals[f] and not (f == "state" and vals[f] == "draft")]
        if fnames:
            raise AccessError(_(
                "%(fields)s of a Xero connection are set by connecting to Xero (Connect, "
                "Disconnect), not by hand.", fields=", ".join(
                    self._fields[f].get_description(self.env)["string"] for f in fnames)))
        if "scopes" in vals and (
                not self.env.user.has_group("base.group_system")
                or any(conn.state in ("connected", "choose_tenant") for conn in self)):
            raise AccessError(_(
                "The scopes are chosen by an administrator before connecting; disconnect "
                "to change them."))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._xero_check_oauth_write(vals, create=True)
        return super().create(vals_list)

    def write(self, vals):
        self._xero_check_oauth_write(vals)
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_in_use(self):
        """Deleting a connection would delete its sync log (what Odoo knows
        is in Xero) and forget its contacts: archive it instead, and
        Disconnect to revoke Xero's access."""
        Job = self.env["xero.sync.job"].sudo()
        for conn in self:
            # Whole sentences, so that each translates as one.
            if Job.search_count([("connection_id", "=", conn.id),
                                 ("state", "in", OPEN_JOB_STATES)], limit=1):
                raise UserError(_(
                    "%s cannot be deleted: it has jobs still to send to Xero. Archive it "
                    "instead; Disconnect removes Xero's access.", conn.display_name))
            if self.env["xero.contact.binding"].sudo().search_count(
                    [("connection_id", "=", conn.id)], limit=1):
                raise UserError(_(
                    "%s cannot be deleted: contacts are linked to Xero contacts through it. "
                    "Archive it instead; Disconnect removes Xero's access.", conn.display_name))

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

    def _xero_web_url(self, path):
        """The address of Xero's web page ``path`` (e.g.
        ``/AccountsReceivable/View.aspx?InvoiceID=<id>``) in this
        connection's organisation.

        Xero's deep links log into the organisation of the short code first:
        ``https://go.xero.com/organisationlogin/default.aspx?shortcode=<ShortCode>&redirecturl=<path>``
        (the form of XeroAPI/xero-mcp-server, src/consts/deeplinks.ts; the
        redirect URL is given as is). When the API endpoint is not Xero's
        (the sandbox, see _xero_endpoints) the same address on the sandbox,
        which serves a read-only page of the document.
        """
        api_url = self._xero_endpoints()["api_url"].rstrip("/")
        base = XERO_WEB_URL if api_url == DEFAULT_ENDPOINTS["api_url"] else api_url
        short_code = self[:1].sudo().xero_short_code
        if not short_code:
            return base + path
        return "%s/organisationlogin/default.aspx?shortcode=%s&redirecturl=%s" % (
            base, quote(short_code, safe=""), path)

    @api.model
    def action_open_company_connection(self, company=None):
        """The Xero Integration Configuration page of the company (one
        company, one form): its connection, created on first use."""
        company = company or self.env.company
        connection = self.with_context(active_test=False).search(
            [("company_id", "=", company.id)], limit=1) or self.create({"company_id": company.id})
        return {
            "type": "ir.actions.act_window",
            "name": _("Xero Integration"),
            "res_model": "xero.connection",
            "res_id": connection.id,
            "view_mode": "form",
            "views": [(False, "form")],
            "target": "current",
        }

    @api.model
    def _get_for_company(self, company=None, raise_if_missing=True):
        company = company or self.env.company
        conn = self.sudo().search([("company_id", "=", company.id)], limit=1)
        if not conn and raise_if_missing:
            raise UserError(_("%s is not connected to Xero.", company.name))
        return conn

    # ------------------------------------------------------------------------
    # The sync log at a glance
    # ------------------------------------------------------------------------
    def _compute_job_counts(self):
        """The sync log at a glance: jobs queued, failed and blocked, and when
        Xero last accepted something (one read of the log per page)."""
        Job = self.env["xero.sync.job"].sudo()
        counts = defaultdict(int)
        for connection, state, count in Job._read_group(
                [("connection_id", "in", self.ids),
                 ("state", "in", ("pending", "sending", "failed", "blocked"))],
                ["connection_id", "state"], ["__count"]):
            counts[connection.id, "queued" if state in ("pending", "sending") else state] += count
        last = dict(Job._read_group([("connection_id", "in", self.ids), ("state", "=", "done")],
                                    ["connection_id"], ["sent_at:max"]))
        for connection in self:
            connection.job_queued_count = counts[connection.id, "queued"]
            connection.job_failed_count = counts[connection.id, "failed"]
            connection.job_blocked_count = counts[connection.id, "blocked"]
            connection.last_push_at = last.get(connection)


    def action_open_jobs(self):
        """The Sync Log of this connection, filtered as the smart button says
        (context key ``xero_jobs``: queued, failed or blocked)."""
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_xero.xero_sync_job_action")
        kind = self.env.context.get("xero_jobs")
        states = {"queued": ["pending", "sending"], "failed": ["failed"],
                  "blocked": ["blocked"]}.get(kind)
        action["domain"] = [("connection_id", "=", self.id)] + (
            [("state", "in", states)] if states else [])
        action["context"] = {}
        return action


    # ------------------------------------------------------------------------
    # Reconcile with Xero (models/xero_reconcile.py)
    # ------------------------------------------------------------------------
    # Read from the last comparison rather than stored on the connection: the
    # comparison calls Xero, whose token refresh commits this row on its own
    # cursor meanwhile; writing it again in the same transaction would fail
    # with a serialization error.
    last_reconcile_id = fields.Many2one(
        "xero.reconcile", "Last comparison", compute="_compute_reconcile_status")
    reconcile_drift = fields.Boolean(
        "Differs from Xero", compute="_compute_reconcile_status",
        help="The last comparison with Xero's Trial Balance found an account whose balance "
             "differs, or could not read Xero.")
    reconcile_checked_at = fields.Datetime(
        "Last compared with Xero", compute="_compute_reconcile_status")
    reconcile_message = fields.Char("Comparison with Xero", compute="_compute_reconcile_status")

    def _compute_reconcile_status(self):
        Reconcile = self.env["xero.reconcile"].sudo()
        for conn in self:
            last = Reconcile.search([("connection_id", "=", conn.id),
                                     ("state", "in", ("done", "error"))],
                                    order="compared_at desc, id desc", limit=1) \
                if conn.id else Reconcile
            conn.last_reconcile_id = last
            conn.reconcile_drift = bool(last) and (last.state == "error"
                                                   or bool(last.difference_count))
            conn.reconcile_checked_at = last.compared_at
            conn.reconcile_message = (
                _("The comparison with Xero failed: %s", last.error) if last.state == "error"
                else last.summary) if last else False

    def action_open_reconcile(self):
        """Button "Reconcile with Xero": today's comparison of this
        connection (a new one unless one is waiting to be compared)."""
        self.ensure_one()
        Reconcile = self.env["xero.reconcile"]
        today = fields.Date.context_today(self)
        rec = Reconcile.search([("connection_id", "=", self.id), ("state", "=", "draft"),
                                ("date", "=", today)], limit=1) \
            or Reconcile.create({"connection_id": self.id, "date": today})
        return {
            "type": "ir.actions.act_window",
            "name": _("Reconcile with Xero"),
            "res_model": "xero.reconcile",
            "res_id": rec.id,
            "view_mode": "form",
            "target": "current",
        }
