from odoo import api, fields, models

from ..xero import payloads


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

    _sql_constraints = [
        ("partner_uniq", "unique(connection_id, partner_id)",
         "A partner is one Xero contact per connection."),
    ]


class ResPartner(models.Model):
    _inherit = "res.partner"

    xero_binding_ids = fields.One2many(
        "xero.contact.binding", "partner_id", "Xero contacts", readonly=True,
        groups="account_xero.group_xero_user")

    def _xero_contact_number(self):
        """Xero's ContactNumber for this partner: it carries the Odoo key."""
        self.ensure_one()
        return "ODOO-%d" % self.id

    def _xero_binding(self, connection):
        self.ensure_one()
        return self.env["xero.contact.binding"].sudo().search(
            [("connection_id", "=", connection.id), ("partner_id", "=", self.id)], limit=1)

    def _xero_bind(self, connection, xero_id):
        self.ensure_one()
        binding = self._xero_binding(connection)
        if binding:
            binding.xero_id = xero_id
        else:
            binding = self.env["xero.contact.binding"].sudo().create({
                "connection_id": connection.id, "partner_id": self.id, "xero_id": xero_id})
        return binding

    def _xero_enqueue_contact(self, connection):
        """The job that makes this partner a Xero contact, or an empty record
        when it already is one."""
        self.ensure_one()
        Job = self.env["xero.sync.job"].sudo()
        if self._xero_binding(connection):
            return Job
        last = Job._jobs_of(self, ("contact",)).filtered(
            lambda j: j.connection_id == connection)[-1:]
        if last and last.state in ("pending", "sending", "failed", "blocked"):
            return last
        return Job._enqueue(connection, self, "contact")

    def _xero_contact_payload(self, connection):
        self.ensure_one()
        return payloads.build_contact(
            self._xero_contact_number(),
            (self.name or "").strip(),
            email=(self.email or "").strip() or None,
            tax_number=self.vat or None,
            is_company=self.is_company,
        )

    def _xero_refresh_state(self, notes=None):
        return True
