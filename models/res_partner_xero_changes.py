"""Contact changes made in Xero, shown on the partner and taken with a click.

On Xero's CONTACT events the pull (models/xero_payment_import.py) reads the
contacts Odoo sent and compares them with what was last sent (the contact
binding's ``sent_values``, xero/payloads_contact.py): a field changed in
Xero is shown on the partner ("Changed in Xero: Email: a → b"), never
written to Odoo by itself. "Take from Xero" writes those values on the
partner and records them as what Xero holds, so the contact push that
follows has nothing to send back. First and last names are Odoo's reading
of the partner's name, not fields of its own: they are not compared.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from ..xero.payloads_contact import LABELS, contact_values, describe_changes

COMPARED = ("name", "email_address", "tax_number", "address_line1", "address_line2", "city",
            "region", "postal_code", "country")
# Xero's key -> the partner's field
PARTNER_FIELDS = {"name": "name", "email_address": "email", "tax_number": "vat",
                  "address_line1": "street", "address_line2": "street2", "city": "city",
                  "postal_code": "zip"}


class XeroContactBinding(models.Model):
    _inherit = "xero.contact.binding"

    xero_values = fields.Json("As changed in Xero", readonly=True, copy=False)
    xero_change_keys = fields.Json(readonly=True, copy=False)
    xero_change_note = fields.Text("Changed in Xero", readonly=True, copy=False)

    def _xero_compare(self, contact):
        """Compare Xero's ``contact`` with what was last sent; returns the
        note of the differences ('' when none)."""
        self.ensure_one()
        now = contact_values(contact)
        sent = self.sent_values
        if sent is None:  # bound before what was sent was kept: Xero's is the reference
            self.write({"sent_values": now})
            return ""
        keys = [key for key in COMPARED if (now.get(key) or "") != (sent.get(key) or "")]
        if not keys:
            self.write({"xero_values": False, "xero_change_keys": False, "xero_change_note": False})
            return ""
        note = _("Changed in Xero: %s", "; ".join(describe_changes(sent, now, keys)))
        if self.xero_change_note != note:
            self.write({"xero_values": now, "xero_change_keys": keys, "xero_change_note": note})
            self.partner_id.message_post(body=note)
        return note

    def _xero_take(self):
        """Write Xero's values on the partner; what Xero holds becomes what
        was last sent. Returns the labels of the fields Odoo could not take."""
        self.ensure_one()
        partner = self.partner_id
        now, keys = self.xero_values or {}, self.xero_change_keys or []
        vals, left = {}, []
        for key in keys:
            value = now.get(key) or False
            if key in PARTNER_FIELDS:
                vals[PARTNER_FIELDS[key]] = value
            elif key == "country":
                country = self.env["res.country"].search(
                    ["|", ("name", "=ilike", value), ("code", "=ilike", value)], limit=1) \
                    if value else self.env["res.country"]
                if value and not country:
                    left.append(LABELS[key])
                    continue
                vals["country_id"] = country.id
            elif key == "region":
                country_id = vals.get("country_id", partner.country_id.id)
                state = self.env["res.country.state"].search(
                    [("country_id", "=", country_id), "|", ("name", "=ilike", value),
                     ("code", "=ilike", value)], limit=1) if value else self.env["res.country.state"]
                if value and not state:
                    left.append(LABELS[key])
                    continue
                vals["state_id"] = state.id
        sent = dict(self.sent_values or {}, **{key: now.get(key) or "" for key in keys})
        # Recorded first: the partner's write queues an update that then
        # finds nothing to send back.
        self.write({"sent_values": sent, "xero_values": False, "xero_change_keys": False,
                    "xero_change_note": False})
        if vals:
            partner.write(vals)
        partner.message_post(body=_("Contact details taken from Xero: %s.", ", ".join(
            LABELS[key] for key in keys)))
        return left


class ResPartner(models.Model):
    _inherit = "res.partner"

    xero_contact_change = fields.Text(
        "Changed in Xero", compute="_compute_xero_contact_change",
        groups="account_xero.group_xero_user")

    @api.depends("xero_binding_ids.xero_change_note")
    def _compute_xero_contact_change(self):
        for partner in self:
            notes = partner.sudo().xero_binding_ids.filtered("xero_change_note").mapped(
                "xero_change_note")
            partner.xero_contact_change = "\n".join(notes) or False

    def action_xero_take_contact_changes(self):
        """"Take from Xero": the contact's details as changed in Xero."""
        if not self.env.user.has_group("account_xero.group_xero_user"):
            raise UserError(_("Only a Xero user can take contact details from Xero."))
        self.check_access("write")
        left = []
        for binding in self.sudo().xero_binding_ids.filtered("xero_change_note"):
            left += binding._xero_take()
        if left:
            return {"type": "ir.actions.client", "tag": "display_notification", "params": {
                "type": "warning", "sticky": True, "title": _("Taken from Xero, except"),
                "message": _("%s: no such value in Odoo; set it by hand.", ", ".join(left))}}
        return True


class XeroWebhookEvent(models.Model):
    _inherit = "xero.webhook.event"

    def _xero_pull_contacts(self, conn):
        """CONTACT events: compare the contacts Odoo sent with what Xero
        holds now; a contact whose update from Odoo is on its way waits."""
        if not self:
            return
        if not conn.active or conn.state != "connected":
            self._xero_close("ignored", _("The connection is not connected: what changed in "
                                          "Xero is not read."))
            return
        bindings = self.env["xero.contact.binding"].sudo().search([
            ("connection_id", "=", conn.id), ("xero_id", "in", list(set(self.mapped("resource_id"))))])
        by_id = {b.xero_id.lower(): b for b in bindings}
        strangers = self.filtered(lambda e: e.resource_id not in by_id)
        strangers._xero_close("ignored", _("Not a contact Odoo sent to Xero."))
        events = self - strangers
        if not events:
            return
        client = conn._xero_accounting_client()
        contacts = client.get_by_ids("get_contacts", "ContactID", events.mapped("resource_id"),
                                     include_archived=True)
        returned = {str(c.contact_id).lower() for c in contacts}
        events.filtered(lambda e: e.resource_id not in returned)._xero_close(
            "ignored", _("Xero did not return this contact."))
        Job = self.env["xero.sync.job"].sudo()
        for contact in contacts:
            xero_id = str(contact.contact_id).lower()
            binding = by_id.get(xero_id)
            if not binding:
                continue
            mine = events.filtered(lambda e, x=xero_id: e.resource_id == x)
            pending = Job._jobs_of(binding.partner_id, ("contact", "contact_update")).filtered(
                lambda j: j.state in ("pending", "sending") and j.connection_id == conn)
            if pending:
                continue  # Odoo's own change is on its way: read again once it is sent
            note = binding._xero_compare(contact)
            mine._xero_close("done", note or _("Xero holds what Odoo last sent."))
