from odoo import api, fields, models


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    xero_connection_id = fields.Many2one(
        "xero.connection", compute="_compute_xero_connection_id")
    xero_connection_state = fields.Selection(related="xero_connection_id.state")
    xero_tenant_name = fields.Char(related="xero_connection_id.tenant_name")

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
