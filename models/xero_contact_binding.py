"""Which Xero contact a partner is, per connection: the binding the contact
sender (senders/contact.py) writes once Xero answers, and every document
reads for its ContactID (res_partner.py: ``_xero_binding``), with what was
last sent to Xero of the contact."""

from odoo import fields, models


class XeroContactBinding(models.Model):
    """The Xero contact a partner is, per connection (connector-style binding)."""

    _name = "xero.contact.binding"
    _description = "Xero Contact Binding"
    _order = "id desc"

    connection_id = fields.Many2one(
        "xero.connection", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    partner_id = fields.Many2one(
        "res.partner", required=True, ondelete="cascade", index=True, readonly=True)
    xero_id = fields.Char("Xero ContactID", required=True, readonly=True)
    # What Xero was last told of this contact (xero/payloads_contact.py's
    # values): the contact push sends what changed in Odoo since, and what
    # Xero shows later is compared with it. For a contact Xero had already
    # (matched by name or email), the values Xero held when it was matched.
    # Empty for a binding made before it was kept: the next update sends
    # every field Odoo fills.
    sent_values = fields.Json("Last sent to Xero", readonly=True, copy=False)

    _sql_constraints = [
        ("partner_uniq", "unique(connection_id, partner_id)",
         "A partner is one Xero contact per connection."),
    ]
