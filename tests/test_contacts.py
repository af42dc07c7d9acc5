"""Contacts as a real Xero organisation takes them (issue 9, points 1 and 2):
where clauses Xero can parse, matching that never merges two partners,
fields within Xero's rules, and partner changes sent after the first push."""

from unittest.mock import patch

from xero_python.accounting import Contact

from odoo.tests import tagged

from odoo.addons.account_xero.xero import payloads
from odoo.addons.account_xero.xero_sandbox.where import compile_where

from .common import XeroPushCommon
from .common_sandbox import SandboxCase

QUOTED = 'The "Best" Lawyers Ltd'


@tagged("post_install", "-at_install")
class TestContactsSandbox(SandboxCase):
    """The sandbox refuses what Xero refuses (raw HTTP: xero-python would
    not even send some of it)."""

    def test_where_backslash_is_a_query_parse_exception(self):
        self.contact(QUOTED)
        # What the addon used to send: Xero answers 400 QueryParseException.
        r = self.get("/Contacts", params={"where": 'Name=="The \\"Best\\" Lawyers Ltd"'})
        self.assertEqual(r.status_code, 400, r.text)
        self.assertEqual(r.json()["Type"], "QueryParseException")
        r = self.get("/Contacts", params={"where": 'Name=="a\\\\b"'})
        self.assertEqual(r.status_code, 400, r.text)
        # What it sends now: the quotable part, compared on our side.
        r = self.get("/Contacts", params={
            "where": '(Name!=null AND Name.ToLower().Contains("lawyers ltd"))'})
        self.assertEqual([c["Name"] for c in r.json()["Contacts"]], [QUOTED])

    def test_where_non_ascii_name(self):
        self.contact("Café Zoë Ōtautahi")
        r = self.get("/Contacts", params={"where": 'Name=="café zoë ōtautahi"'})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual([c["Name"] for c in r.json()["Contacts"]], ["Café Zoë Ōtautahi"])

    def test_contact_fields_refused(self):
        r = self.post("/Contacts", {"Contacts": [
            {"Name": "Bad Email Ltd", "EmailAddress": "accounts at bad email"},
            {"Name": "x" * 256},
            {"Name": "Long Number", "ContactNumber": "N" * 51},
            {"Name": "Long Street", "Addresses": [{"AddressType": "STREET",
                                                   "AddressLine1": "s" * 501}]},
            {"Name": "Fine Ltd", "EmailAddress": "accounts@fine.example.com"},
        ]}, params={"summarizeErrors": "false"})
        self.assertEqual(r.status_code, 200, r.text)
        elements = r.json()["Contacts"]
        self.assertEqual([e["StatusAttributeString"] for e in elements],
                         ["ERROR", "ERROR", "ERROR", "ERROR", "OK"])
        self.assertIn("Email address must be valid",
                      elements[0]["ValidationErrors"][0]["Message"])

    def test_duplicate_name_refused(self):
        self.contact("Dup & Co")
        r = self.put("/Contacts", {"Contacts": [{"Name": "DUP & CO"}]})
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("is already assigned to another contact", r.text)


@tagged("post_install", "-at_install")
class TestContactPartner(XeroPushCommon):
    """The partner side: clauses, payload, matching (no engine involved)."""

    def test_clauses_parse_in_xero(self):
        partner = self.env["res.partner"].create({"name": QUOTED, "email": "best@lawyers.example"})
        clauses = partner._xero_contact_clauses()
        where = " OR ".join(clauses)
        self.assertNotIn("\\", where)
        compile_where(where)  # Xero's grammar: no error
        self.assertIn('Name.ToLower().Contains("lawyers ltd")', where)
        self.assertEqual(payloads.where_equals("Name", "Café"), 'Name=="Café"')
        with self.assertRaises(ValueError):
            payloads.where_equals("Name", QUOTED)

    def test_payload_fields(self):
        partner = self.env["res.partner"].create({
            "name": "Ann  Marie Smith", "is_company": False,
            "email": "Ann <ann@smith.example>, other@smith.example",
            "vat": "X" * 60, "street": "1 Queen St", "city": "Auckland", "zip": "1010",
            "country_id": self.env.ref("base.nz").id,
        })
        values = payloads.to_dict(partner._xero_contact_payload(self.connection))
        self.assertEqual(values["EmailAddress"], "ann@smith.example")
        self.assertEqual(values["Name"], "Ann Marie Smith")
        self.assertEqual((values["FirstName"], values["LastName"]), ("Ann", "Marie Smith"))
        self.assertNotIn("TaxNumber", values)  # 60 characters: Xero takes 50
        self.assertEqual(values["Addresses"][0]["AddressLine1"], "1 Queen St")
        self.assertEqual(values["Addresses"][0]["City"], "Auckland")

        partner.write({"email": "not an address", "name": "y" * 300, "is_company": True})
        values = payloads.to_dict(partner._xero_contact_payload(self.connection))
        self.assertNotIn("EmailAddress", values)
        self.assertEqual(len(values["Name"]), 255)
        self.assertNotIn("FirstName", values)
        partner.email = "zoë@exämple.com"  # Xero: "umlauts not supported"
        values = payloads.to_dict(partner._xero_contact_payload(self.connection))
        self.assertNotIn("EmailAddress", values)

    def test_match_ignores_case_and_never_merges_partners(self):
        Partner = self.env["res.partner"]
        mine = Partner.create({"name": "Kauri Legal"})
        other = Partner.create({"name": "Rimu Legal"})
        twin = Partner.create({"name": "Rimu Legal"})
        contacts = [
            Contact(contact_id="c-1", name="KAURI LEGAL", contact_status="ACTIVE"),
            Contact(contact_id="c-2", name="Rimu Legal", contact_status="ACTIVE"),
        ]
        # c-2 is already another partner's contact.
        self.env["xero.contact.binding"].create({
            "connection_id": self.connection.id, "partner_id": other.id, "xero_id": "c-2"})
        result = Partner._xero_match_contacts(mine | twin, contacts, self.connection)
        self.assertEqual(result.found, {mine.id: "c-1"})
        self.assertEqual(result.names, {twin.id: "Rimu Legal (ODOO-%d)" % twin.id})

        # Two new partners of one name in one batch: one contact each.
        a, b = Partner.create([{"name": "Totara Law"}, {"name": "totara law"}])
        result = Partner._xero_match_contacts(a | b, [], self.connection)
        self.assertEqual(result.found, {})
        self.assertEqual(result.names, {b.id: "totara law (ODOO-%d)" % b.id})

        # A contact carrying another partner's ContactNumber is that partner's.
        c = Partner.create({"name": "Matai Partners"})
        foreign = Contact(contact_id="c-3", name="Matai Partners", contact_status="ACTIVE",
                          contact_number="ODOO-%d" % twin.id)
        result = Partner._xero_match_contacts(c, [foreign], self.connection)
        self.assertEqual(result.found, {})


@tagged("post_install", "-at_install")
class TestContactPush(XeroPushCommon):
    """End to end through the push engine."""


    def test_quoted_name_does_not_fail_its_batch(self):
        Partner = self.env["res.partner"]
        partners = Partner.create([{"name": "Client %02d" % i} for i in range(24)])
        partners |= Partner.create({"name": QUOTED})
        invoices = [self.make_invoice(partner=p) for p in partners]
        self.push()
        failed = [inv.name for inv in invoices if inv.xero_state != "sent"]
        self.assertFalse(failed, [inv.xero_error for inv in invoices if inv.xero_state != "sent"])
        contact = self.xero_doc("Contacts", invoices[-1].commercial_partner_id
                                ._xero_binding(self.connection).xero_id)
        self.assertEqual(contact["Name"], QUOTED)

    def test_quoted_name_matched_in_xero(self):
        api = self.connection._xero_accounting_client()
        existing = api.create_contacts([Contact(name=QUOTED.upper())], "pre-quoted")[0]
        partner = self.env["res.partner"].create({"name": QUOTED})
        invoice = self.make_invoice(partner=partner)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Contact"], existing.xero_id)

    def test_failed_look_up_confined_to_its_partner(self):
        Partner = self.env["res.partner"]
        good = Partner.create([{"name": "Good %d" % i} for i in range(3)])
        bad = Partner.create({"name": "Bad Clause Ltd"})
        own = type(Partner)._xero_contact_clauses

        def clauses(partner):
            if partner == bad:
                return ['Name=="Bad\\\\Clause"']  # what Xero refuses
            return own(partner)

        invoices = [self.make_invoice(partner=p) for p in good | bad]
        with patch.object(type(Partner), "_xero_contact_clauses", clauses):
            self.push()
        self.assertEqual([inv.xero_state for inv in invoices[:3]], ["sent"] * 3)
        job = self.jobs(bad, "contact")
        self.assertEqual(job.state, "failed")
        self.assertIn("Syntax error", job.error)

    def test_name_clash_with_another_partners_contact(self):
        Partner = self.env["res.partner"]
        first = Partner.create({"name": "Harbour Law"})
        self.make_invoice(partner=first)
        self.push()
        second = Partner.create({"name": "HARBOUR LAW"})
        invoice = self.make_invoice(partner=second)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        ids = {p._xero_binding(self.connection).xero_id for p in first | second}
        self.assertEqual(len(ids), 2)
        self.assertEqual(self.xero_doc("Contacts", second._xero_binding(self.connection).xero_id)
                         ["Name"], "HARBOUR LAW (ODOO-%d)" % second.id)

    def test_partner_changes_sent_after_first_push(self):
        partner = self.env["res.partner"].create({"name": "Pohutukawa Ltd"})
        other = self.env["res.partner"].create({"name": "Kowhai Ltd"})
        for p in partner | other:
            self.make_invoice(partner=p)
        self.push()
        before = len(self.api_requests())
        partner.write({"name": "Pohutukawa Legal Ltd", "email": "ap@pohutukawa.example"})
        partner.write({"street": "5 Beach Rd", "vat": "123-456-789"})
        other.write({"email": "ap@kowhai.example"})
        jobs = self.Job.search([("operation", "=", "contact_update")])
        self.assertEqual(len(jobs), 2)  # one per partner, however many writes
        self.push()
        self.assertEqual(jobs.mapped("state"), ["done", "done"], jobs.mapped("error"))
        contact = self.xero_doc("Contacts", partner._xero_binding(self.connection).xero_id)
        self.assertEqual(contact["Name"], "Pohutukawa Legal Ltd")
        self.assertEqual(contact["EmailAddress"], "ap@pohutukawa.example")
        self.assertEqual(contact["TaxNumber"], "123-456-789")
        self.assertEqual(contact["Addresses"][0]["AddressLine1"], "5 Beach Rd")
        self.assertEqual(self.xero_doc("Contacts", other._xero_binding(self.connection).xero_id)
                         ["EmailAddress"], "ap@kowhai.example")
        posts = [r for r in self.api_requests()[before:]
                 if r["method"] == "POST" and r["path"].rstrip("/").endswith("/Contacts")]
        self.assertEqual(len(posts), 1)  # both in one request

    def test_unsent_partner_change_needs_no_update(self):
        partner = self.env["res.partner"].create({"name": "Never Sent Ltd"})
        partner.email = "a@never.example"
        self.assertFalse(self.Job.search([("operation", "=", "contact_update")]))

    def test_renamed_to_another_contacts_name(self):
        first = self.env["res.partner"].create({"name": "Alpha Law"})
        second = self.env["res.partner"].create({"name": "Beta Law"})
        for p in first | second:
            self.make_invoice(partner=p)
        self.push()
        second.name = "ALPHA LAW"
        self.push()
        job = self.Job.search([("operation", "=", "contact_update")])
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.xero_doc("Contacts", second._xero_binding(self.connection).xero_id)
                         ["Name"], "ALPHA LAW (ODOO-%d)" % second.id)
        # Its own name again, once free.
        second.name = "Beta Law"
        self.push()
        self.assertEqual(self.xero_doc("Contacts", second._xero_binding(self.connection).xero_id)
                         ["Name"], "Beta Law")
