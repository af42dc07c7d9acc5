"""Reconcile with Xero: the sandbox's Trial Balance, the client's reading of
it, and the per-account comparison of Odoo with Xero (``xero.reconcile``)."""

from decimal import Decimal

from odoo.tests import tagged

from .test_sandbox import SandboxCase, TestSandboxOpenAPI


def _tb(case, date):
    r = case.get("/Reports/TrialBalance", params={"date": date})
    case.assertEqual(r.status_code, 200, r.text)
    return r.json()


def _ytd(body):
    """{account code: YTD debit - credit} of a Trial Balance answer."""
    out = {}
    for section in body["Reports"][0]["Rows"]:
        for row in section.get("Rows", []):
            if row["RowType"] != "Row":
                continue
            label = row["Cells"][0]["Value"]
            code = label.rsplit("(", 1)[-1].rstrip(")")
            debit, credit = (Decimal(c["Value"] or "0") for c in row["Cells"][3:5])
            out[code] = debit - credit
    return out


@tagged("post_install", "-at_install")
class TestSandboxTrialBalance(SandboxCase):

    def _documents(self):
        cid = self.contact()["ContactID"]
        inv = self.invoice(cid).json()["Invoices"][0]          # 100 + 15 GST, 2026-11-27
        r = self.put("/Payments", {"Payments": [{"Invoice": {"InvoiceID": inv["InvoiceID"]},
                                                 "Account": {"Code": "090"}, "Amount": 40,
                                                 "Date": "2026-11-28"}]})
        self.assertEqual(r.status_code, 200, r.text)
        bill = self.put("/Invoices", {"Invoices": [{
            "Type": "ACCPAY", "Contact": {"ContactID": cid}, "Date": "2026-11-20",
            "Status": "AUTHORISED", "LineItems": [{"Description": "Rent", "Quantity": 1,
                                                   "UnitAmount": 200, "AccountCode": "469",
                                                   "TaxType": "INPUT2"}]}]})
        self.assertEqual(bill.status_code, 200, bill.text)
        cn = self.put("/CreditNotes", {"CreditNotes": [{
            "Type": "ACCRECCREDIT", "Contact": {"ContactID": cid}, "Date": "2026-11-27",
            "Status": "AUTHORISED", "LineItems": [{"Description": "Back", "Quantity": 1,
                                                   "UnitAmount": 10, "AccountCode": "200",
                                                   "TaxType": "OUTPUT2"}]}]})
        self.assertEqual(cn.status_code, 200, cn.text)
        bt = self.put("/BankTransactions", {"BankTransactions": [{
            "Type": "SPEND", "Contact": {"ContactID": cid}, "BankAccount": {"Code": "090"},
            "Date": "2026-11-25", "LineAmountTypes": "Inclusive",
            "LineItems": [{"Description": "Fees", "Quantity": 1, "UnitAmount": 23,
                           "AccountCode": "404", "TaxType": "INPUT2"}]}]})
        self.assertEqual(bt.status_code, 200, bt.text)
        tr = self.put("/BankTransfers", {"BankTransfers": [{
            "FromBankAccount": {"Code": "090"}, "ToBankAccount": {"Code": "091"},
            "Amount": 7, "Date": "2026-11-26"}]})
        self.assertEqual(tr.status_code, 200, tr.text)
        mj = self.put("/ManualJournals", {"ManualJournals": [{
            "Narration": "Accrual", "Date": "2026-11-26", "Status": "POSTED",
            "JournalLines": [{"LineAmount": 30, "AccountCode": "429"},
                             {"LineAmount": -30, "AccountCode": "850"}]}]})
        self.assertEqual(mj.status_code, 200, mj.text)
        # A year before: last financial year's profit is Retained Earnings now.
        old = self.put("/Invoices", {"Invoices": [{
            "Type": "ACCREC", "Contact": {"ContactID": cid}, "Date": "2025-02-01",
            "Status": "AUTHORISED", "LineItems": [{"Description": "Old", "Quantity": 1,
                                                   "UnitAmount": 100, "AccountCode": "200"}]}]})
        self.assertEqual(old.json()["Invoices"][0]["Total"], 115.0)
        # A draft posts nothing.
        draft = self.invoice(cid, status="DRAFT").json()["Invoices"][0]
        self.assertEqual(draft["Status"], "DRAFT")

    def test_trial_balance_from_stored_documents(self):
        self._documents()
        ytd = _ytd(_tb(self, "2026-11-30"))
        self.assertEqual(ytd, {
            "200": Decimal("-90.00"),        # 100 sales - 10 credit note
            "469": Decimal("200.00"),
            "404": Decimal("20.00"),         # 23 inclusive of 15 % GST
            "429": Decimal("30.00"),
            "850": Decimal("-30.00"),
            "610": Decimal("115.00") - 40 - Decimal("11.50") + 115,
            "800": Decimal("-230.00"),
            "820": Decimal("-15.00") + 30 + Decimal("1.50") + 3 - 15,
            "090": Decimal("40.00") - 23 - 7,
            "091": Decimal("7.00"),
            "960": Decimal("-100.00"),       # the invoice of 2025-02-01 (year to 31 March)
        })
        self.assertEqual(sum(ytd.values()), 0)
        body = _tb(self, "2026-11-26")
        self.assertEqual(_ytd(body)["090"], Decimal("-30.00"))  # before the payment
        self.assertEqual(body["Reports"][0]["ReportTitles"][2], "As at 26 November 2026")
        total = body["Reports"][0]["Rows"][-1]["Rows"][0]["Cells"]
        self.assertEqual(total[0]["Value"], "Total")
        self.assertEqual(total[3]["Value"], total[4]["Value"])

    def test_trial_balance_scope(self):
        narrow = self.srv.grant("demo", scopes="offline_access accounting.settings accounting.invoices")
        r = self.get("/Reports/TrialBalance", headers=self.h(token=narrow["access_token"]))
        self.assertEqual(r.status_code, 401)
        self.assertIn("AuthorizationUnsuccessful", r.text)
        broad = self.srv.grant("demo", scopes="offline_access accounting.reports.read")
        r = self.get("/Reports/TrialBalance", headers=self.h(token=broad["access_token"]))
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(self.get("/Reports/BalanceSheet").status_code, 404)


@tagged("post_install", "-at_install")
class TestSandboxTrialBalanceSchema(TestSandboxOpenAPI):
    """The sandbox's Trial Balance against the spec's ReportWithRows."""

    def test_answers_match_schemas(self):
        spec = self._spec()
        TestSandboxTrialBalance._documents(self)
        body = _tb(self, "2026-11-30")
        self._check(spec, "ReportWithRows", body)
        report = body["Reports"][0]
        self._check(spec, "ReportWithRow", report)
        row_types = spec["components"]["schemas"]["RowType"]["enum"]
        for section in report["Rows"]:
            self.assertIn(section["RowType"], row_types)
            for row in section.get("Rows", []):
                self._check(spec, "ReportRow", row)
                for cell in row["Cells"]:
                    self._check(spec, "ReportCell", cell)
                    self.assertIsInstance(cell["Value"], str)
