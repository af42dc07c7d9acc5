"""Contacts after the first push (issue 23's contacts class): one record per
contact of what was last sent to Xero; the push sends what changed in Odoo
since, so a field emptied in Odoo is emptied in Xero, one changed only in
Xero is left alone, and a contact Xero had already keeps its ContactNumber."""

from odoo.tests import tagged

from .common_inbound import XeroInboundCommon


@tagged("post_install", "-at_install")
class TestContactChangesPushed(XeroInboundCommon):

    def sent_partner(self, **vals):
        partner = self.env["res.partner"].create(dict({"name": "Rimu Legal Ltd"}, **vals))
        self.make_invoice(partner=partner)
        self.push()
        binding = partner._xero_binding(self.connection)
        self.assertTrue(binding.xero_id)
        return partner, binding

    def contact(self, partner):
        return self.xero_doc("Contacts", partner._xero_binding(self.connection).xero_id)

    def test_field_cleared_in_odoo_is_cleared_in_xero(self):
        partner, binding = self.sent_partner(
            email="ap@rimu.example", vat="49-091-850", street="12 Totara St", city="Nelson")
        self.assertEqual(binding.sent_values["email_address"], "ap@rimu.example")
        partner.write({"email": False, "vat": False, "street": False, "city": False})
        self.push()
        job = self.Job.search([("operation", "=", "contact_update")])
        self.assertEqual(job.state, "done", job.error)
        contact = self.contact(partner)
        self.assertFalse(contact.get("EmailAddress"))
        self.assertFalse(contact.get("TaxNumber"))
        street = [a for a in contact["Addresses"] if a.get("AddressType") == "STREET"]
        self.assertFalse(street and (street[0].get("AddressLine1") or street[0].get("City")))
        self.assertEqual(contact["Name"], "Rimu Legal Ltd")

    def test_field_changed_only_in_xero_is_left_alone(self):
        partner, binding = self.sent_partner(email="ap@rimu.example")
        self.xero_api("POST", "Contacts/" + binding.xero_id, {"Contacts": [{
            "ContactID": binding.xero_id, "EmailAddress": "accounts@rimu.example"}]})
        partner.vat = "49-091-850"
        self.push()
        contact = self.contact(partner)
        self.assertEqual(contact["EmailAddress"], "accounts@rimu.example")
        self.assertEqual(contact["TaxNumber"], "49-091-850")

    def test_nothing_changed_sends_nothing(self):
        partner, _binding = self.sent_partner(email="ap@rimu.example")
        before = len(self.api_requests())
        partner.write({"email": "ap@rimu.example", "name": "Rimu Legal Ltd"})
        self.push()
        self.assertFalse(self.contact_posts(before))
        self.assertEqual(self.Job.search([("operation", "=", "contact_update")]).state, "done")

    def test_contact_matched_by_name_keeps_its_contact_number(self):
        existing = self.xero_api("PUT", "Contacts", {"Contacts": [{
            "Name": "Kauri Chambers", "ContactNumber": "CUST-7",
            "EmailAddress": "old@kauri.example"}]})["Contacts"][0]
        partner = self.env["res.partner"].create({"name": "Kauri Chambers"})
        self.make_invoice(partner=partner)
        self.push()
        binding = partner._xero_binding(self.connection)
        self.assertEqual(binding.xero_id, existing["ContactID"])
        partner.write({"email": "new@kauri.example", "vat": "11-222-333"})
        self.push()
        contact = self.contact(partner)
        self.assertEqual(contact["ContactNumber"], "CUST-7")
        self.assertEqual((contact["EmailAddress"], contact["TaxNumber"]),
                         ("new@kauri.example", "11-222-333"))


@tagged("post_install", "-at_install")
class TestContactChangesFromXero(XeroInboundCommon):
    """Contact changes made in Xero (CONTACT events) are shown on the partner,
    compared with what was last sent, and taken into Odoo with a click."""

    def sent_partner(self, **vals):
        partner = self.env["res.partner"].create(dict({"name": "Matai Partners"}, **vals))
        self.make_invoice(partner=partner)
        self.push()
        return partner, partner._xero_binding(self.connection)

    def change_in_xero(self, binding, **fields):
        self.xero_api("POST", "Contacts/" + binding.xero_id, {"Contacts": [dict(
            {"ContactID": binding.xero_id}, **fields)]})
        self.event("CONTACT", binding.xero_id)

    def test_change_in_xero_shown_then_taken(self):
        partner, binding = self.sent_partner(email="ap@matai.example", city="Nelson")
        self.change_in_xero(binding, EmailAddress="accounts@matai.example", Addresses=[{
            "AddressType": "STREET", "AddressLine1": "3 Wharf Rd", "City": "Motueka"}])
        self.pull()
        self.assertEqual(self.events().state, "done", self.events().note)
        change = partner.xero_contact_change
        self.assertIn("Email: ap@matai.example → accounts@matai.example", change)
        self.assertIn("City: Nelson → Motueka", change)
        self.assertIn("Street: (empty) → 3 Wharf Rd", change)
        self.assertEqual(partner.email, "ap@matai.example", "not written to Odoo by itself")
        before = len(self.api_requests())
        partner.action_xero_take_contact_changes()
        self.assertEqual((partner.email, partner.street, partner.city),
                         ("accounts@matai.example", "3 Wharf Rd", "Motueka"))
        self.assertFalse(partner.xero_contact_change)
        self.push()
        self.assertFalse(self.contact_posts(before), "nothing is sent back to Xero")

    def test_unchanged_contact_shows_nothing(self):
        partner, binding = self.sent_partner(email="ap@matai.example")
        self.xero_api("POST", "Contacts/" + binding.xero_id, {"Contacts": [{
            "ContactID": binding.xero_id, "Website": "https://matai.example"}]})
        self.event("CONTACT", binding.xero_id)
        self.pull()
        self.assertFalse(partner.xero_contact_change)
        self.assertEqual(self.events().state, "done")

    def test_waits_while_odoo_change_is_on_its_way(self):
        partner, binding = self.sent_partner(email="ap@matai.example")
        partner.vat = "77-888-999"  # queued, not sent yet
        self.event("CONTACT", binding.xero_id)
        self.pull()
        self.assertEqual(self.events().state, "received")
        self.push()
        self.pull()
        self.assertEqual(self.events().state, "done", self.events().note)
        self.assertFalse(partner.xero_contact_change, "Odoo's own change is not Xero's")

    def test_contact_odoo_never_sent(self):
        self.event("CONTACT", "11111111-2222-3333-4444-555555555555")
        self.pull()
        self.assertEqual(self.events().state, "ignored")
        self.assertIn("not a contact odoo sent", self.events().note.lower())
