"""The trust reports as real PDFs: wkhtmltopdf run by Odoo's own report
rendering (forced in tests: ir.actions.report._render_qweb_pdf renders HTML
under test unless ``force_report_rendering``), read back with pdftotext.

Debian's wkhtmltopdf (the package tools/env.sh installs) is built without
wkhtmltopdf's patched Qt: it ignores --header-html and --footer-html, so the
company header and the page footer of web.external_layout are not printed;
everything in the page body is (clients, matters, figures, the address). It
also draws text set in a web font (the company's report font) as outlines,
with no text to search or copy: the trust reports print in fonts of the
system (static/src/scss/account_trust_report.scss), which this test proves by
reading their text back.

Rendered in the test's thread, not through /report/download: in an HttpCase
the request would hold the test cursor while wkhtmltopdf asks the same
server for the report's stylesheets, and both wait (test_trust_reports.py
prints through the URLs as HTML)."""

import shutil
import subprocess
import unittest

from odoo.addons.base.models.ir_actions_report import _get_wkhtmltopdf_bin
from odoo.tests import tagged

from .common import running_in_ci
from .common_trust import trust_matter
from .common_trust_reports import RECONCILIATION, TrustReportCommon


def pdf_text(pdf):
    """The text of ``pdf`` (bytes) as pdftotext lays it out."""
    return subprocess.run(["pdftotext", "-layout", "-", "-"], input=pdf, capture_output=True,
                          check=True, timeout=60).stdout.decode()


@tagged("post_install", "-at_install")
class TestTrustReportsPdf(TrustReportCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        missing = [name for name, found in (
            ("wkhtmltopdf", _get_wkhtmltopdf_bin()), ("pdftotext", shutil.which("pdftotext")))
            if not found]
        if missing:
            reason = ("%s not installed: tools/setup installs them (Debian packages wkhtmltopdf, "
                      "poppler-utils)" % " and ".join(missing))
            if running_in_ci():
                raise AssertionError(reason + "; under CI the PDF tests must run.")
            raise unittest.SkipTest(reason)
        cls.client_a.name = "Ada Lovelace Estates"
        cls.receipt = cls._trust("receipt", 500.0, cls.client_a, matter_ref="M-001",
                                 memo="Deposit on 12 High Street")
        cls._trust("receipt", 300.0, cls.client_b)
        cls._trust("payment", 120.0, cls.client_a, matter_ref="M-001")

    def _pdf(self, report, res_ids=None, data=None):
        pdf, kind = self.env["ir.actions.report"].with_user(self.trust_user).with_context(
            force_report_rendering=True)._render_qweb_pdf(report, res_ids, data=data)
        self.assertEqual(kind, "pdf")
        self.assertTrue(pdf.startswith(b"%PDF"), pdf[:100])
        return pdf_text(pdf)

    def test_reconciliation_pdf_names_the_clients(self):
        text = self._pdf(RECONCILIATION, data={
            "journal_ids": self.trust_journal.ids, "date": "2025-03-31"})
        self.assertIn("Trust Reconciliation: Trust Account", text)
        self.assertIn("Ada Lovelace Estates", text)
        self.assertIn(self.client_b.name, text)
        self.assertIn("680.00", text)  # the trust money held = the client ledgers
        self.assertIn("380.00", text)
        self.assertIn("The trust account reconciles", text)
        # The firm's name is in the body: Debian's build drops the layout's header.
        self.assertIn(self.company.name, text)

    def test_reconciliation_pdf_lists_the_outstanding_items(self):
        # The first receipt is on the statement; the rest is not yet.
        self.receipt.bank_statement_date = "2025-03-11"
        text = self._pdf(RECONCILIATION, data={
            "journal_ids": self.trust_journal.ids, "date": "2025-03-31",
            "statement_balance": 500.0})
        self.assertIn("Deposits not yet on the bank statement", text)
        self.assertIn("Payments not yet presented", text)
        self.assertIn("Adjusted statement balance", text)
        for tx in self.env["account.trust.transaction"].search([
                ("journal_id", "=", self.trust_journal.id), ("id", "!=", self.receipt.id)]):
            self.assertIn(tx.name, text)
        self.assertNotIn(self.receipt.name, text)
        self.assertIn("120.00", text)

    def test_statement_and_receipt_pdfs(self):
        matter = trust_matter(self.env, self.client_a, "M-001")
        text = self._pdf("account_xero.report_trust_matter_statement", matter.ids)
        self.assertIn("Client Ledger Statement", text)
        self.assertIn("Ada Lovelace Estates", text)
        self.assertIn("M-001", text)
        self.assertIn("380.00", text)
        text = self._pdf("account_xero.report_trust_receipt", self.receipt.ids)
        self.assertIn("Trust Receipt %s" % self.receipt.name, text)
        self.assertIn("Ada Lovelace Estates", text)
        self.assertIn("500.00", text)
        self.assertIn("Deposit on 12 High Street", text)
