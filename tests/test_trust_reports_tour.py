"""The trust reports printed in a browser, as a trust clerk prints them.

With wkhtmltopdf the web client downloads a PDF, which a tour cannot read:
here Odoo reports wkhtmltopdf missing (/report/check_wkhtmltopdf), so the web
client shows each report in its viewer, on the URL it builds, and the tour
reads the clients and figures there (test_trust_reports_pdf.py reads real
PDFs)."""

from unittest.mock import patch

from odoo import Command
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.base.models.ir_actions_report import IrActionsReport

from .common import BrowserTestMixin
from .common_trust import TrustCommon


@tagged("post_install", "-at_install")
class TestTrustReportsTour(BrowserTestMixin, TrustCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company.external_report_layout_id = cls.env.ref("web.external_layout_standard")
        cls.trust_journal.name = "Tour Trust Account"
        cls.tour_client = cls.env["res.partner"].create({"name": "Tour Client Ltd"})
        cls._trust("receipt", 500.0, cls.tour_client, matter_ref="TOUR-R1")
        new_test_user(
            cls.env, "tour.clerk", groups="base.group_user,account_xero.group_trust_user",
            company_id=cls.company.id, company_ids=[Command.set(cls.company.ids)])

    def _tour(self, url, name):
        with patch.object(IrActionsReport, "get_wkhtmltopdf_state", lambda self: "install"):
            self.start_tour(url, name, login="tour.clerk", timeout=180)

    def test_print_each_trust_report(self):
        self._tour("/odoo/action-account_xero.account_trust_transaction_action",
                   "account_xero_trust_reports_tour")

    def test_reconciliation_from_the_trust_journal(self):
        self._tour("/odoo/action-account.action_account_journal_form/%s" % self.trust_journal.id,
                   "account_xero_trust_journal_reconciliation_tour")
