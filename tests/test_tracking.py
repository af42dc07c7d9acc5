"""Matters and departments as Xero tracking: Xero's tracking categories read
with the reference data, analytic plans and accounts mapped to them, and
invoice lines reaching Xero with the Tracking of their analytic
distribution, against the sandbox."""

import requests

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common import XeroPushCommon

SMITH = "M-1001 Smith v Jones"
BROWN = "M-1002 Estate of Brown"


@tagged("post_install", "-at_install")
class TestTracking(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Plan = cls.env["account.analytic.plan"]
        Account = cls.env["account.analytic.account"]
        cls.matters = Plan.create({"name": "Matters"})
        cls.departments = Plan.create({"name": "Departments"})
        cls.projects = Plan.create({"name": "Projects"})  # not mapped: not tracked
        cls.smith = Account.create({"name": "Smith v Jones", "plan_id": cls.matters.id})
        cls.brown = Account.create({"name": "Estate of Brown", "plan_id": cls.matters.id})
        cls.green = Account.create({"name": "Green purchase", "plan_id": cls.matters.id})
        cls.litigation = Account.create({"name": "Litigation", "plan_id": cls.departments.id})
        cls.website = Account.create({"name": "Website", "plan_id": cls.projects.id})
        conn = cls.connection
        categories = {c.name: c for c in conn.xero_tracking_category_ids}
        options = {o.name: o for o in conn.xero_tracking_option_ids}
        cls.env["xero.tracking.category.map"].create([
            {"connection_id": conn.id, "plan_id": cls.matters.id,
             "xero_category_id": categories["Matter"].id},
            {"connection_id": conn.id, "plan_id": cls.departments.id,
             "xero_category_id": categories["Department"].id},
        ])
        cls.env["xero.tracking.map"].create([
            {"connection_id": conn.id, "analytic_account_id": cls.smith.id,
             "xero_option_id": options[SMITH].id},
            {"connection_id": conn.id, "analytic_account_id": cls.brown.id,
             "xero_option_id": options[BROWN].id},
            {"connection_id": conn.id, "analytic_account_id": cls.litigation.id,
             "xero_option_id": options["Litigation"].id},
        ])

    def make_tracked(self, *distributions, move_type="out_invoice"):
        """A posted document with one line of 100 per distribution (bills to
        partner_b: Odoo predicts a customer's line accounts from their bills)."""
        partner = self.partner_b if move_type.startswith("in_") else self.partner_a
        move = self.make_invoice(move_type, amounts=[100.0] * len(distributions), post=False,
                                 partner=partner)
        for line, distribution in zip(move.invoice_line_ids, distributions):
            line.analytic_distribution = {
                ",".join(str(a.id) for a in accounts): percent
                for accounts, percent in distribution
            }
        move.action_post()
        return move

    def xero_tracking(self, move):
        kind = "CreditNotes" if "refund" in move.move_type else "Invoices"
        doc = self.xero_doc(kind, move.xero_id)
        return [
            sorted((t["Name"], t["Option"]) for t in line.get("Tracking") or [])
            for line in doc["LineItems"]
        ]

    # ------------------------------------------------------------------------
    def test_reference_pull_brings_categories_and_options(self):
        conn = self.connection
        self.assertEqual(set(conn.xero_tracking_category_ids.mapped("name")),
                         {"Matter", "Department"})
        matter = conn.xero_tracking_category_ids.filtered(lambda c: c.name == "Matter")
        self.assertEqual(matter.xero_status, "ACTIVE")
        self.assertEqual(set(matter.option_ids.mapped("name")), {SMITH, BROWN})
        # What Xero archived is read too, and archived here.
        Option = self.env["xero.tracking.option"].with_context(active_test=False)
        closed = Option.search([("connection_id", "=", conn.id),
                                ("name", "=", "M-0999 Closed matter")])
        self.assertEqual((closed.active, closed.xero_status), (False, "ARCHIVED"))
        office = self.env["xero.tracking.category"].with_context(active_test=False).search(
            [("connection_id", "=", conn.id), ("name", "=", "Office")])
        self.assertEqual((office.active, office.xero_status), (False, "ARCHIVED"))
        self.assertTrue(Option.search([("connection_id", "=", conn.id),
                                       ("name", "=", SMITH)]).is_mapped)

    def test_invoice_reaches_xero_with_tracking(self):
        invoice = self.make_tracked(
            [((self.smith, self.litigation), 100.0)],
            [((self.brown,), 100.0)],
            [((self.website,), 100.0)],  # a plan not mapped: no tracking
        )
        bill = self.make_tracked([((self.brown, self.litigation), 100.0)], move_type="in_invoice")
        refund = self.make_tracked([((self.smith,), 100.0)], move_type="out_refund")
        self.push()
        self.assertEqual([m.xero_state for m in (invoice, bill, refund)], ["sent"] * 3,
                         [(m.move_type, m.xero_error) for m in (invoice, bill, refund)])
        self.assertEqual(self.xero_tracking(invoice), [
            [("Department", "Litigation"), ("Matter", SMITH)],
            [("Matter", BROWN)],
            [],
        ])
        self.assertEqual(self.xero_tracking(bill), [[("Department", "Litigation"), ("Matter", BROWN)]])
        self.assertEqual(self.xero_tracking(refund), [[("Matter", SMITH)]])

    def test_tracking_function_for_other_builders(self):
        """The one function payload builders call, with a line or its
        distribution."""
        conn = self.connection
        self.assertEqual(
            conn._xero_tracking({f"{self.smith.id},{self.website.id}": 100.0}),
            [{"Name": "Matter", "Option": SMITH}])
        self.assertEqual(conn._xero_tracking({}), [])
        self.assertEqual(conn._xero_tracking(False), [])
        with self.assertRaisesRegex(UserError, "Green purchase"):
            conn._xero_tracking({str(self.green.id): 100.0})

    def test_unmapped_analytic_account_blocks_the_invoice(self):
        invoice = self.make_tracked([((self.green,), 100.0)])
        self.push()
        self.assertEqual(invoice.xero_state, "blocked")
        self.assertIn("Analytic account Green purchase (plan Matters)", invoice.xero_error)
        self.assertIn("is not mapped to a Xero tracking option of Matter", invoice.xero_error)
        self.assertFalse(self.xero_docs("Invoices"))
        # Check mapping names it too, before anything is sent.
        messages = [i["message"] for i in self.connection._get_mapping_issues()
                    if i["section"] == "tracking"]
        self.assertIn("Analytic account Green purchase (plan Matters) is used on documents that "
                      "sync to Xero and is not mapped to a Xero tracking option.", messages)
        # Mapped, the invoice goes.
        self.env["xero.tracking.map"].create({
            "connection_id": self.connection.id, "analytic_account_id": self.green.id,
            "xero_option_id": self.connection.xero_tracking_option_ids.filtered(
                lambda o: o.name == BROWN).id})
        invoice.action_xero_post()
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.xero_tracking(invoice), [[("Matter", BROWN)]])

    def test_split_distribution_is_refused(self):
        """Xero's line takes one option per category: a line split across
        matters is not sent (the user splits it in Odoo), nor a line only
        partly assigned to a matter."""
        split = self.make_tracked([((self.smith,), 60.0), ((self.brown,), 40.0)])
        partial = self.make_tracked([((self.smith,), 50.0)])
        self.push()
        self.assertEqual(split.xero_state, "blocked")
        self.assertIn("splits plan Matters (Smith v Jones 60%, Estate of Brown 40%)",
                      split.xero_error)
        self.assertIn("split the line in Odoo, one line per analytic account", split.xero_error)
        self.assertEqual(partial.xero_state, "blocked")
        self.assertIn("splits plan Matters (Smith v Jones 50%)", partial.xero_error)
        self.assertFalse(self.xero_docs("Invoices"))
        # A split on a plan that is not tracked does not matter.
        other = self.env["account.analytic.account"].create(
            {"name": "Intranet", "plan_id": self.projects.id})
        fine = self.make_tracked([((self.smith, self.website), 70.0), ((self.smith, other), 30.0)])
        self.push()
        self.assertEqual(fine.xero_state, "sent", fine.xero_error)
        self.assertEqual(self.xero_tracking(fine), [[("Matter", SMITH)]])

    def test_sandbox_refuses_unknown_and_archived_options(self):
        # Renamed in Xero since the refresh: Xero no longer knows the name.
        with self.srv.store.lock:
            matter = next(c for c in self.tenant().tracking_categories if c["Name"] == "Matter")
            smith = next(o for o in matter["Options"] if o["Name"] == SMITH)
            smith["Name"] = "M-1001 Smith v Jones (renamed)"
        invoice = self.make_tracked([((self.smith,), 100.0)])
        self.push()
        self.assertFailedWith(invoice, "invoice", (
            "There is no tracking option with the name 'M-1001 Smith v Jones' in the tracking "
            "category 'Matter'"))
        with self.srv.store.lock:
            smith["Name"] = SMITH
            brown = next(o for o in matter["Options"] if o["Name"] == BROWN)
            brown["Status"] = "ARCHIVED"
        bill = self.make_tracked([((self.brown,), 100.0)], move_type="in_invoice")
        self.push()
        self.assertFailedWith(bill, "invoice", (
            "The tracking option 'M-1002 Estate of Brown' of the tracking category 'Matter' "
            "is archived"))

    def test_sandbox_tracking_rules(self):
        """An unknown category and more than two categories on a line are
        refused as Xero refuses them."""
        grant = self._xero_grant([self.xero_tenant_id])
        headers = {"Authorization": "Bearer " + grant["access_token"],
                   "xero-tenant-id": self.xero_tenant_id, "Accept": "application/json"}

        def put(tracking):
            body = {"Invoices": [{"Type": "ACCREC", "Contact": {"Name": "Tracking Test"},
                                  "Status": "DRAFT", "LineItems": [{
                                      "Description": "Advice", "Quantity": 1, "UnitAmount": 10,
                                      "AccountCode": "200", "Tracking": tracking}]}]}
            resp = requests.put(self.srv.url + "/api.xro/2.0/Invoices", json=body,
                                headers=headers, timeout=10)
            data = resp.json()
            return resp.status_code, [e["Message"] for el in data.get("Elements", [])
                                      for e in el.get("ValidationErrors", [])]

        status, errors = put([{"Name": "Region", "Option": "North"}])
        self.assertEqual(status, 400)
        self.assertEqual(errors, ["There is no ACTIVE tracking category with the name 'Region'"])
        status, errors = put([{"Name": "Matter", "Option": SMITH},
                              {"Name": "Department", "Option": "Family"},
                              {"Name": "Office", "Option": "Wellington"}])
        self.assertEqual(status, 400)
        self.assertIn("A line item can have a maximum of 2 tracking categories (sandbox wording)",
                      errors)
        status, errors = put([{"Name": "matter", "Option": SMITH.lower()}])
        self.assertEqual((status, errors), (200, []))
        # Manual journal lines too (ManualJournalLine.Tracking).
        journal = {"ManualJournals": [{"Narration": "Tracking", "Status": "POSTED", "JournalLines": [
            {"LineAmount": 10, "AccountCode": "200",
             "Tracking": [{"Name": "Matter", "Option": "M-0999 Closed matter"}]},
            {"LineAmount": -10, "AccountCode": "090"}]}]}
        resp = requests.put(self.srv.url + "/api.xro/2.0/ManualJournals", json=journal,
                            headers=headers, timeout=10)
        self.assertEqual(resp.status_code, 400)
        self.assertIn("The tracking option 'M-0999 Closed matter' of the tracking category "
                      "'Matter' is archived (sandbox wording)", resp.text)

    def test_check_mapping_names_tracking_gaps(self):
        conn = self.connection
        Option = self.env["xero.tracking.option"]
        # An option archived in Xero (after a refresh).
        Option.search([("connection_id", "=", conn.id), ("name", "=", BROWN)]).write(
            {"active": False, "xero_status": "ARCHIVED"})
        # An option of another category than the plan's.
        self.env["xero.tracking.map"].create({
            "connection_id": conn.id, "analytic_account_id": self.green.id,
            "xero_option_id": Option.search([("connection_id", "=", conn.id),
                                             ("name", "=", "Family")]).id})
        # A third plan mapped.
        third = self.env["xero.tracking.category"].create({
            "connection_id": conn.id, "xero_id": "third", "name": "Region"})
        self.env["xero.tracking.category.map"].create({
            "connection_id": conn.id, "plan_id": self.projects.id, "xero_category_id": third.id})
        messages = [i["message"] for i in conn._get_mapping_issues() if i["section"] == "tracking"]
        self.assertIn("Analytic account Estate of Brown is mapped to Xero tracking option "
                      "Matter / M-1002 Estate of Brown, which is archived in Xero.", messages)
        self.assertIn("Analytic account Green purchase is mapped to Xero tracking option "
                      "Department / Family, but its plan Matters is mapped to the tracking "
                      "category Matter.", messages)
        self.assertIn("3 analytic plans are mapped to Xero tracking categories (Matters, "
                      "Departments, Projects); Xero tracks a line with at most two.", messages)
        conn.action_check_mapping()
        self.assertIn("Tracking categories map", conn.mapping_report)

