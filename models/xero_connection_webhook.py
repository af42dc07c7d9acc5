"""The connection's webhook: the key Xero signs with, kept like the client
secret, and the URL to register in Xero's developer portal.

The URL names the database and carries a token of the connection: an
``auth='none'`` route has no database on a server with several unless the
request names one (see controllers/webhook.py), and the token says which
connection's key checks the signature.
"""

import secrets

from odoo import _, api, fields, models


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    webhook_key = fields.Char(
        "Webhook key", groups="base.group_system", copy=False,
        help="The webhook key Xero shows for this app under Webhooks at developer.xero.com: "
             "Xero signs each event with it.")
    webhook_token = fields.Char(groups="base.group_system", copy=False, readonly=True,
                                default=lambda self: secrets.token_urlsafe(24))
    webhook_url = fields.Char(
        "Webhook URL", compute="_compute_webhook_url", groups="base.group_system",
        help="Paste it as the delivery URL of the app's webhook at developer.xero.com.")
    webhook_event_count = fields.Integer(compute="_compute_webhook_event_count")

    _sql_constraints = [
        ("webhook_token_uniq", "unique(webhook_token)", "A webhook token is one connection's."),
    ]

    @api.depends("webhook_token")
    def _compute_webhook_url(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url", "").rstrip("/")
        for conn in self:
            conn.webhook_url = conn.webhook_token and "%s/xero/webhook/%s/%s" % (
                base, self.env.cr.dbname, conn.webhook_token)

    def _compute_webhook_event_count(self):
        counts = dict(self.env["xero.webhook.event"]._read_group(
            [("connection_id", "in", self.ids)], ["connection_id"], ["__count"]))
        for conn in self:
            conn.webhook_event_count = counts.get(conn, 0)

    def action_xero_new_webhook_token(self):
        """A new URL (an older one stops working): for a connection made
        before webhooks were built, after a leak, or to stop a sender that is
        not Xero. Register the new URL in Xero."""
        self.env["xero.connection"].check_access("write")
        for conn in self:
            conn.sudo().webhook_token = secrets.token_urlsafe(24)
            conn.message_post(body=_("A new webhook URL was made: register it in Xero; the "
                                     "old one is refused from now on."))
        return True

    def action_xero_webhook_events(self):
        self.ensure_one()
        action = self.env["ir.actions.actions"]._for_xml_id(
            "account_xero.xero_webhook_event_action")
        action["domain"] = [("connection_id", "=", self.id)]
        return action
