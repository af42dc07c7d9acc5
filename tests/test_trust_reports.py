"""The trust reports as the web client prints them: the action a button
returns, turned into the URL Odoo 18's web client builds for it
(web/static/src/webclient/actions/reports/utils.js, getReportUrl), fetched
over HTTP (web/controllers/report.py, report_routes), as the user who clicked."""

from odoo import Command
from odoo.exceptions import AccessError
from odoo.tests import tagged

from .common_trust_reports import RECONCILIATION, TrustReportCommon, report_url


@tagged("post_install", "-at_install")
class TestTrustReconciliationPrints(TrustReportCommon):
    """The three-way reconciliation prints the chosen trust account with its
    clients and figures from the menu, the journal's button and the wizard."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._trust("receipt", 500.0, cls.client_a)
        cls._trust("receipt", 300.0, cls.client_b)
        cls._trust("payment", 120.0, cls.client_a)
        # A second trust account, with another client: not on the first's report.
        cls.trust_journal_2 = cls.env["account.journal"].create({
            "name": "Second Trust Account", "code": "TRS2", "type": "bank",
            "is_trust_account": True, "company_id": cls.company.id})
        cls.client_c = cls.env["res.partner"].create({"name": "Other Trust Client"})
        cls._trust("receipt", 75.0, cls.client_c, journal_id=cls.trust_journal_2.id)

    def _wizard_action(self, action, user, **vals):
        """Open ``action`` (a window action's dict) as ``user``, fill the
        wizard with ``vals`` and click Print: the report action returned."""
        Wizard = self.env[action["res_model"]].with_user(user).with_context(
            **(action.get("context") if isinstance(action.get("context"), dict) else {}))
        wizard = Wizard.create({"date": "2025-03-31", **vals})
        return wizard.action_print()

    def _assert_first_account(self, doc):
        text = doc.text_content()
        self.assertIn("Trust Reconciliation: Trust Account", text)
        self.assertNotIn("Second Trust Account", text)
        self.assertEqual(self.clients(doc), {self.client_a.name: 380.0,
                                             self.client_b.name: 300.0})
        self.assertEqual(self.figure(doc, "o_trust_bank_balance"), 680.0)
        self.assertEqual(self.figure(doc, "o_trust_money"), 680.0)
        self.assertEqual(self.figure(doc, "o_trust_client_total"), 680.0)
        self.assertEqual(self.figure(doc, "o_trust_difference"), 0.0)

    def test_from_the_menu(self):
        menu = self.env.ref("account_xero.account_trust_reconciliation_menu")
        action = menu.action.read()[0]
        self.assertEqual(action["res_model"], "account.trust.reconciliation.wizard")
        report = self._wizard_action(action, self.trust_user, journal_id=self.trust_journal.id)
        self.assertEqual(report["report_name"], RECONCILIATION)
        self._assert_first_account(self.print_action("trust.clerk", report))
        # The PDF the Print button downloads is rendered from the same URL
        # (here as HTML when wkhtmltopdf is missing; test_trust_reports_pdf reads a real one).

    def test_from_the_trust_journals_button(self):
        action = self.trust_journal.with_user(self.trust_user).action_open_trust_reconciliation()
        report = self._wizard_action(action, self.trust_user)
        self._assert_first_account(self.print_action("trust.clerk", report))

        action = self.trust_journal_2.with_user(self.trust_user).action_open_trust_reconciliation()
        doc = self.print_action("trust.clerk", self._wizard_action(action, self.trust_user))
        self.assertIn("Second Trust Account", doc.text_content())
        self.assertEqual(self.clients(doc), {"Other Trust Client": 75.0})

    def test_from_the_wizard_with_a_statement(self):
        # Every transaction is on the statement (none outstanding: see
        # test_trust_reports_outstanding.py): its 20 more are unrecorded.
        self.env["account.trust.transaction"].search([
            ("journal_id", "=", self.trust_journal.id), ("state", "=", "posted")],
        ).bank_statement_date = "2025-03-31"
        action = self.env.ref("account_xero.account_trust_reconciliation_wizard_action").read()[0]
        report = self._wizard_action(action, self.trust_user, journal_id=self.trust_journal.id,
                                     use_statement=True, statement_balance=700.0)
        doc = self.print_action("trust.clerk", report)
        self._assert_first_account(doc)
        self.assertEqual(self.figure(doc, "o_trust_statement_balance"), 700.0)
        self.assertEqual(self.figure(doc, "o_trust_statement_difference"), 20.0)
        # As at an earlier date, before the payment.
        report = self._wizard_action(action, self.trust_user, journal_id=self.trust_journal.id,
                                     date="2025-03-01")
        doc = self.print_action("trust.clerk", report)
        self.assertEqual(self.clients(doc), {})
        self.assertIn("No client money held", doc.text_content())


@tagged("post_install", "-at_install")
class TestTrustReconciliationAccess(TrustReportCommon):
    """Client balances are for trust users, of the trust account's company."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._trust("receipt", 500.0, cls.client_a)
        cls.other = cls.setup_other_company(name="Other Firm")["company"]
        cls.other_trust = cls.env["account.journal"].create({
            "name": "Other Firm Trust", "code": "OTRS", "type": "bank", "is_trust_account": True,
            "company_id": cls.other.id})
        cls.other_client = cls.env["res.partner"].create({"name": "Client Of The Other Firm"})
        cls.other.write({
            "trust_liability_account_id": cls.env["account.account"].with_company(cls.other).create({
                "name": "Trust Liability", "code": "2800", "account_type": "liability_current",
            }).id})
        cls.env["account.trust.transaction"].with_company(cls.other).create({
            "kind": "receipt", "amount": 900.0, "partner_id": cls.other_client.id,
            "journal_id": cls.other_trust.id, "date": "2025-03-10", "company_id": cls.other.id,
            "matter_id": cls.env["account.trust.matter"].with_company(cls.other).create({
                "reference": "O-1", "name": "Other matter", "partner_id": cls.other_client.id,
                "company_id": cls.other.id}).id,
        }).with_company(cls.other).action_post()

    def _options_url(self, journal):
        return report_url({"report_name": RECONCILIATION, "context": {},
                           "data": {"journal_ids": journal.ids, "date": "2025-03-31"}})

    def test_the_report_action_is_for_trust_users(self):
        report = self.env.ref("account_xero.action_report_trust_reconciliation")
        self.assertEqual(report.groups_id, self.env.ref("account_xero.group_trust_user"))

    def test_a_user_without_trust_rights_is_refused(self):
        for url in (self._options_url(self.trust_journal),
                    "/report/html/%s/%s" % (RECONCILIATION, self.trust_journal.id),
                    "/report/pdf/%s/%s" % (RECONCILIATION, self.trust_journal.id)):
            response = self.print_url("book.keeper", url)
            self.assertEqual(response.status_code, 403, url)
            self.assertNotIn(self.client_a.name, response.text)
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.bookkeeper)._render_qweb_html(
                RECONCILIATION, self.trust_journal.ids, data={"date": "2025-03-31"})
        # The wizard is not theirs either.
        with self.assertRaises(AccessError):
            self.env["account.trust.reconciliation.wizard"].with_user(self.bookkeeper).create({
                "journal_id": self.trust_journal.id})
        # A trust user prints it.
        response = self.print_url("trust.clerk", self._options_url(self.trust_journal))
        self.assertEqual(response.status_code, 200)
        self.assertIn(self.client_a.name, response.text)

    def test_a_trust_user_of_one_company_cannot_print_anothers(self):
        for url in (self._options_url(self.other_trust),
                    "/report/html/%s/%s" % (RECONCILIATION, self.other_trust.id)):
            response = self.print_url("trust.clerk", url)
            self.assertEqual(response.status_code, 403, url)
            self.assertNotIn("Client Of The Other Firm", response.text)
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.trust_user)._render_qweb_html(
                RECONCILIATION, self.other_trust.ids, data={"date": "2025-03-31"})
        # A trust user of both firms prints the other's, with its client.
        self.trust_user.company_ids = [Command.link(self.other.id)]
        response = self.print_url("trust.clerk", self._options_url(self.other_trust))
        self.assertEqual(response.status_code, 200)
        self.assertIn("Client Of The Other Firm", response.text)
        self.assertNotIn(self.client_a.name, response.text)
