from odoo import _, api, fields, models
from odoo.exceptions import ValidationError


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    xero_connection_id = fields.Many2one(
        "xero.connection", compute="_compute_xero_connection_id")
    xero_connection_state = fields.Selection(related="xero_connection_id.state")
    xero_tenant_name = fields.Char(related="xero_connection_id.tenant_name")
    xero_job_queued_count = fields.Integer(related="xero_connection_id.job_queued_count")
    xero_job_failed_count = fields.Integer(related="xero_connection_id.job_failed_count")
    xero_job_blocked_count = fields.Integer(related="xero_connection_id.job_blocked_count")
    xero_last_push_at = fields.Datetime(related="xero_connection_id.last_push_at")
    # The push's settings (read by the engine, which keeps them in range).
    xero_push_concurrency = fields.Integer(
        "Requests in flight", config_parameter="account_xero.push_concurrency", default=5,
        help="Requests sent to Xero at once by one cron worker, 1 to 5 (Xero allows 5 at a "
             "time per organisation).")
    xero_push_max_attempts = fields.Integer(
        "Attempts", config_parameter="account_xero.push_max_attempts", default=8,
        help="Times a document is tried when Xero cannot be reached (5xx, timeouts) before "
             "it is marked failed.")
    # Trust accounting (the company's, with or without Xero).
    trust_liability_account_id = fields.Many2one(
        related="company_id.trust_liability_account_id", readonly=False,
        domain="[('account_type', '=', 'liability_current')]")
    trust_transfer_account_id = fields.Many2one(
        related="company_id.trust_transfer_account_id", readonly=False,
        domain="[('account_type', '=', 'liability_current')]")
    trust_paid_by_firm_account_id = fields.Many2one(
        related="company_id.trust_paid_by_firm_account_id", readonly=False,
        domain="[('account_type', 'in', ('asset_current', 'asset_receivable'))]")
    statutory_deposit_account_id = fields.Many2one(
        related="company_id.statutory_deposit_account_id", readonly=False,
        domain="[('account_type', 'in', ('asset_current', 'asset_cash'))]")
    trust_interest_to_firm = fields.Boolean(
        related="company_id.trust_interest_to_firm", readonly=False)
    trust_journal_ids = fields.Many2many(
        related="company_id.trust_journal_ids", readonly=False,
        domain="[('type', '=', 'bank'), ('company_id', '=', company_id)]")

    @api.constrains("xero_push_concurrency", "xero_push_max_attempts")
    def _check_xero_push_settings(self):
        for settings in self:
            if not 1 <= settings.xero_push_concurrency <= 5:
                raise ValidationError(_("Requests in flight must be between 1 and 5."))
            if settings.xero_push_max_attempts < 1:
                raise ValidationError(_("Attempts must be at least 1."))

    @api.depends("company_id")
    def _compute_xero_connection_id(self):
        for settings in self:
            settings.xero_connection_id = settings._xero_find_connection()

    def _xero_find_connection(self):
        return self.env["xero.connection"].with_context(active_test=False).search(
            [("company_id", "=", self.company_id.id)], limit=1)

    def action_open_xero_connection(self):
        """Open the company's Xero Integration Configuration page, creating
        the connection record on first use."""
        self.ensure_one()
        return self.env["xero.connection"].action_open_company_connection(self.company_id)
