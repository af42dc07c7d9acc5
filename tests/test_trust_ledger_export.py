"""The auditor's export of the trust ledgers for a period (Accounting >
Trust > Export Trust Ledgers): one row per posting of client money with the
client, matter, date, reference, receipt or payment and the running balance
of the client's matter, an opening balance per matter, as CSV or XLSX; for
trust users, of their companies."""

import base64
import csv
import io

import openpyxl

from odoo import Command
from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_trust import TrustCommon, reverse_trust

HEADER = ["Trust account", "Client", "Matter", "Date", "Reference", "Type", "Description",
          "Receipt", "Payment", "Balance"]


@tagged("post_install", "-at_install")
class TestTrustLedgerExport(TrustCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        company = cls.company
        cls.clerk = new_test_user(
            cls.env, "export.clerk", groups="base.group_user,account_xero.group_trust_user",
            company_id=company.id, company_ids=[Command.set(company.ids)])
        cls.bookkeeper = new_test_user(
            cls.env, "export.bookkeeper", groups="base.group_user,account.group_account_invoice",
            company_id=company.id, company_ids=[Command.set(company.ids)])
        cls._trust("receipt", 1000.0, cls.client_a, matter_ref="A-1", date="2025-02-20")
        cls.receipt = cls._trust("receipt", 500.0, cls.client_a, matter_ref="A-1",
                                 date="2025-03-03", memo="Deposit on 12 High Street")
        cls.payment = cls._trust("payment", 300.0, cls.client_a, matter_ref="A-1",
                                 date="2025-03-12", memo="Stamp duty")
        cls._trust("receipt", 250.0, cls.client_b, matter_ref="B-1", date="2025-03-15")
        cls._trust("receipt", 70.0, cls.client_b, matter_ref="B-1", date="2025-04-02")  # after

    def _export(self, fmt="csv", user=None, **vals):
        wizard = self.env["account.trust.ledger.export"].with_user(user or self.clerk).create({
            "date_from": "2025-03-01", "date_to": "2025-03-31", "file_format": fmt, **vals})
        action = wizard.action_export()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertIn("download=true", action["url"])
        data = base64.b64decode(wizard.export_file)
        if fmt == "csv":
            rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
        else:
            sheet = openpyxl.load_workbook(io.BytesIO(data)).active
            rows = [["" if v is None else v for v in row] for row in sheet.iter_rows(values_only=True)]
        self.assertEqual(list(rows[0]), HEADER)
        return wizard, rows[1:]

    def test_csv_one_row_per_posting_with_running_balances(self):
        wizard, rows = self._export()
        self.assertTrue(wizard.export_filename.endswith(".csv"))
        a, b = self.client_a.name, self.client_b.name
        self.assertEqual([row[1:5] + row[7:] for row in rows], [
            [a, "A-1", "2025-03-01", "Opening balance", "", "", "1000.00"],
            [a, "A-1", "2025-03-03", self.receipt.name, "500.00", "", "1500.00"],
            [a, "A-1", "2025-03-12", self.payment.name, "", "300.00", "1200.00"],
            [b, "B-1", "2025-03-01", "Opening balance", "", "", "0.00"],
            [b, "B-1", "2025-03-15", rows[4][4], "250.00", "", "250.00"],
        ])
        self.assertEqual(rows[1][5:7], ["Receipt into trust", "Deposit on 12 High Street"])
        self.assertEqual(rows[1][0], self.trust_journal.name)

    def test_xlsx_and_a_reversal_reads_as_its_direction(self):
        reverse_trust(self.payment, date="2025-03-20")
        wizard, rows = self._export("xlsx")
        self.assertTrue(wizard.export_filename.endswith(".xlsx"))
        reversal = self.payment.reversal_ids
        row = next(row for row in rows if row[4] == reversal.name)
        self.assertEqual((row[7], row[8], row[9]), (300.0, "", 1500.0))

    def test_only_trust_users_of_the_company(self):
        with self.assertRaises(AccessError):
            self._export(user=self.bookkeeper)
        other = self.setup_other_company(name="Other Firm")["company"]
        with self.assertRaisesRegex(UserError, "not yours to export"):
            self._export(company_id=other.id)
        # Another company's clients are not in this company's export.
        self.clerk.company_ids = [Command.link(other.id)]
        other_trust = self.env["account.journal"].create({
            "name": "Other Firm Trust", "code": "OTRS", "type": "bank",
            "is_trust_account": True, "company_id": other.id})
        other_client = self.env["res.partner"].create({"name": "Client Of The Other Firm"})
        other.trust_liability_account_id = self.env["account.account"].with_company(other).create({
            "name": "Trust Liability", "code": "2800", "account_type": "liability_current"})
        self.env["account.trust.transaction"].with_company(other).create({
            "kind": "receipt", "amount": 900.0, "partner_id": other_client.id,
            "journal_id": other_trust.id, "date": "2025-03-10", "company_id": other.id,
            "matter_id": self.env["account.trust.matter"].with_company(other).create({
                "reference": "O-1", "name": "Other", "partner_id": other_client.id,
                "company_id": other.id}).id,
        }).with_company(other).action_post()
        _wizard, rows = self._export()
        self.assertNotIn("Client Of The Other Firm", {row[1] for row in rows})
        _wizard, rows = self._export(company_id=other.id)
        self.assertEqual({row[1] for row in rows}, {"Client Of The Other Firm"})
