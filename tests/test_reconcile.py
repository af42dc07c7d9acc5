"""Reconcile with Xero: the sandbox's Trial Balance, the client's reading of
it, and the per-account comparison of Odoo with Xero (``xero.reconcile``)."""

import os
import time
from decimal import Decimal

from lxml import etree

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from . import test_sandbox, test_trust_xero
from .common import XeroPushCommon


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
class TestSandboxTrialBalance(test_sandbox.SandboxCase):

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

    def test_foreign_allocation_books_the_difference_of_rates(self):
        """A credit note in AUD at 2.5 allocated to an invoice in AUD at 2.0:
        Xero's Accounts Receivable keeps the invoice's rest at its own rate,
        the difference of rates on the 40.00 AUD allocated (16.00 against
        20.00) is a realised loss (it stayed on Accounts Receivable)."""
        cid = self.contact()["ContactID"]

        def document(kind, typ, rate, amount):
            r = self.put("/" + kind, {kind: [{
                "Type": typ, "Contact": {"ContactID": cid}, "Date": "2026-11-20",
                "Status": "AUTHORISED", "CurrencyCode": "AUD", "CurrencyRate": rate,
                "LineAmountTypes": "NoTax", "LineItems": [{
                    "Description": "AUD", "Quantity": 1, "UnitAmount": amount,
                    "AccountCode": "200"}]}]})
            self.assertEqual(r.status_code, 200, r.text)
            return r.json()[kind][0]

        inv = document("Invoices", "ACCREC", 2.0, 100)
        cn = document("CreditNotes", "ACCRECCREDIT", 2.5, 40)
        r = self.put("/CreditNotes/%s/Allocations" % cn["CreditNoteID"], {"Allocations": [{
            "Amount": 40, "Invoice": {"InvoiceID": inv["InvoiceID"]}, "Date": "2026-11-28"}]})
        self.assertEqual(r.status_code, 200, r.text)
        ytd = _ytd(_tb(self, "2026-11-30"))
        self.assertEqual(ytd["610"], Decimal("30.00"), "60.00 AUD left at 2.0")
        self.assertEqual(ytd["499"], Decimal("4.00"))
        self.assertEqual(sum(ytd.values()), 0)

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
class TestSandboxTrialBalanceSchema(test_sandbox.TestSandboxOpenAPI):
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


@tagged("post_install", "-at_install")
class TestReconcile(XeroPushCommon):
    """Odoo's balances against Xero's Trial Balance, per Xero account."""

    def compare(self, date="2025-12-31"):
        rec = self.env["xero.reconcile"].create({"connection_id": self.connection.id, "date": date})
        rec.action_compare()
        return rec

    def line(self, rec, code):
        return rec.line_ids.filtered(lambda l: l.xero_account_id.code == code)

    def pushed_documents(self):
        invoices = self.make_invoice(amounts=(100.0, 33.33)) | self.make_invoice(
            amounts=(250.0,), partner=self.partner_b)
        # (Odoo proposes a partner's usual account: the credit note before the bill.)
        refund = self.make_invoice("out_refund", amounts=(20.0,))
        bill = self.make_invoice("in_invoice", amounts=(80.0,), partner=self.partner_b)
        self.pay(invoices[0])
        self.pay(bill, amount=50.0)
        self.push()
        self.assertEqual(set((invoices | bill | refund).mapped("xero_state")), {"sent"},
                         (invoices | bill | refund).mapped("xero_error"))
        return invoices, bill, refund

    def test_pushed_documents_reconcile_to_the_cent(self):
        invoices, bill, refund = self.pushed_documents()
        for date in ("2025-12-31", "2026-06-30"):  # the second after Xero's year end (31 March)
            rec = self.compare(date)
            self.assertEqual(rec.state, "done")
            self.assertEqual(
                [(l.xero_account_id.code, l.odoo_balance, l.xero_balance)
                 for l in rec.line_ids if l.difference], [], date)
            self.assertEqual(rec.difference_count, 0)
            self.assertIn("agree", rec.summary)
        # What is compared: receivables, sales, the GST Xero books the tax
        # in, the bank the payments reached (Odoo's outstanding receipts
        # count with the bank journal's account) ...
        receivable = sum(invoices.mapped("amount_total")) - refund.amount_total \
            - invoices[0].amount_total
        self.assertAlmostEqual(self.line(rec, "610").xero_balance, receivable)
        self.assertAlmostEqual(self.line(rec, "090").odoo_balance, invoices[0].amount_total - 50.0)
        self.assertAlmostEqual(self.line(rec, "820").odoo_balance,
                               -(sum(invoices.mapped("amount_tax")) - refund.amount_tax
                                 - bill.amount_tax))
        # ... and, after the year end, last year's profit in Retained Earnings.
        self.assertEqual(str(rec.fiscal_year_start), "2026-04-01")
        self.assertFalse(self.line(rec, "200"))
        self.assertTrue(self.line(rec, "960").xero_balance < 0)
        self.env.invalidate_all()
        self.assertFalse(self.connection.reconcile_drift)
        self.assertEqual(self.connection.last_reconcile_id, rec)

    def test_payments_through_the_charts_outstanding_account(self):
        # Payment methods without an outstanding account use the chart's
        # (account.payment._get_outstanding_account): still the bank's in Xero.
        bank = self.company_data["default_journal_bank"]
        (bank.inbound_payment_method_line_ids | bank.outbound_payment_method_line_ids).write(
            {"payment_account_id": False})
        invoice = self.make_invoice(amounts=(300.0,))
        payment = self.pay(invoice)
        self.assertNotIn(payment.outstanding_account_id,
                         bank.inbound_payment_method_line_ids.payment_account_id)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        rec = self.compare()
        self.assertAlmostEqual(self.line(rec, "090").xero_balance, invoice.amount_total)
        self.assertEqual([(l.xero_account_id.code, l.odoo_balance, l.xero_balance)
                          for l in rec.line_ids if l.difference], [])

    def test_foreign_currency_and_exchange_difference(self):
        # 115 AUD invoiced at 2 AUD a dollar, paid when it is 2.5: Xero books
        # the loss in Realised Currency Gains, Odoo in its exchange account.
        self.env["res.currency.rate"].create({
            "name": "2025-06-10", "rate": 2.5, "currency_id": self.other_currency.id,
            "company_id": self.company.id})
        invoice = self.make_invoice(amounts=(100.0,), currency=self.other_currency)
        self.pay(invoice)
        self.push()
        self.assertEqual(invoice.payment_state, "paid")
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        rec = self.compare()
        self.assertEqual([(l.xero_account_id.code, l.odoo_balance, l.xero_balance)
                          for l in rec.line_ids if l.difference], [])
        self.assertAlmostEqual(self.line(rec, "499").xero_balance, 57.5 - 46.0)
        self.assertAlmostEqual(self.line(rec, "090").xero_balance, 46.0)

    def test_blocked_document_explains_the_difference(self):
        self.pushed_documents()
        unmapped = self.company_data["default_account_revenue"].copy({"code": "400900"})
        blocked = self.make_invoice(amounts=(500.0,), post=False)
        blocked.invoice_line_ids.account_id = unmapped
        blocked.action_post()
        self.push()
        self.assertEqual(blocked.xero_state, "blocked")
        rec = self.compare()
        self.env.invalidate_all()
        receivable = self.line(rec, "610")
        self.assertAlmostEqual(receivable.difference, blocked.amount_total)
        self.assertEqual(len(receivable.item_ids), 1)
        item = receivable.item_ids
        self.assertEqual((item.move_id, item.reason), (blocked, "blocked"))
        self.assertAlmostEqual(item.amount, blocked.amount_total)
        self.assertIn(unmapped.code, item.error)
        self.assertAlmostEqual(receivable.unexplained, 0.0)
        gst = self.line(rec, "820")
        self.assertAlmostEqual(gst.difference, -blocked.amount_tax)
        self.assertEqual(gst.item_ids.move_id, blocked)
        self.assertEqual(rec.difference_count, 2)  # the income account is not mapped
        self.assertAlmostEqual(rec.unexplained_total, 0.0)
        action = receivable.action_open_items()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), item)
        self.assertTrue(self.connection.reconcile_drift)

    def test_header_total_is_the_table_total(self):
        """The form's Total difference is the total under its table of
        accounts, and the only one there."""
        self.pushed_documents()
        unmapped = self.company_data["default_account_revenue"].copy({"code": "400901"})
        blocked = self.make_invoice(amounts=(500.0,), post=False)
        blocked.invoice_line_ids.account_id = unmapped
        blocked.action_post()
        self.push()
        rec = self.compare()
        arch = etree.fromstring(rec.get_views([(False, "form")])["views"]["form"]["arch"])
        summed = arch.xpath("//field[@name='line_ids']/list/field[@sum]/@name")
        self.assertTrue(summed)
        totals = {name: round(sum(rec.line_ids.mapped(name)), 2) for name in summed}
        self.assertEqual(totals, {name: rec.total_difference for name in summed})
        self.assertAlmostEqual(rec.total_difference, blocked.amount_total + blocked.amount_tax)
        self.assertIn(rec.currency_id.format(rec.total_difference), rec.summary)

    def test_document_sent_with_another_total(self):
        invoices, _bill, _refund = self.pushed_documents()
        move = invoices[1]
        # Someone edits the invoice in Xero: 250 becomes 200 (+ 15 % GST).
        store = self.srv.store
        with store.lock:
            docs = store.tenant(self.xero_tenant_id).docs["Invoices"]
            doc = docs[move.xero_id.lower()]
            line = dict(doc["LineItems"][0], LineAmount=Decimal("200.00"),
                        TaxAmount=Decimal("30.00"))
            docs[move.xero_id.lower()] = dict(doc, LineItems=[line], SubTotal=Decimal("200.00"),
                                              TotalTax=Decimal("30.00"), Total=Decimal("230.00"),
                                              AmountDue=Decimal("230.00"))
        rec = self.compare()
        receivable = self.line(rec, "610")
        self.assertAlmostEqual(receivable.difference, move.amount_total - 230.0)
        self.assertEqual(receivable.item_ids.mapped("reason"), ["different"])
        self.assertEqual(receivable.item_ids.move_id, move)
        self.assertAlmostEqual(receivable.unexplained, 0.0)
        self.assertIn("230", receivable.item_ids.error)

    def test_daily_check_flags_drift(self):
        self.pushed_documents()
        Reconcile = self.env["xero.reconcile"]
        Reconcile._cron_check()
        self.env.invalidate_all()
        self.assertFalse(self.connection.reconcile_drift, self.connection.reconcile_message)
        self.assertTrue(self.connection.reconcile_checked_at)
        # Posted, not pushed yet: the next check sees Odoo ahead of Xero.
        queued = self.make_invoice(amounts=(42.0,))
        Reconcile._cron_check()
        self.env.invalidate_all()
        self.assertTrue(self.connection.reconcile_drift)
        self.assertIn("account(s) differ", self.connection.reconcile_message)
        last = self.connection.last_reconcile_id
        self.assertEqual(last.origin, "cron")
        item = self.line(last, "610").item_ids
        self.assertEqual((item.move_id, item.reason), (queued, "queued"))
        # Xero unreachable: noted on the connection, the cron does not fail.
        self.srv.faults.add("status", path="/api.xro/2.0/*", times=None, status=503)
        Reconcile._cron_check()
        self.srv.faults.clear()
        self.env.invalidate_all()
        self.assertTrue(self.connection.reconcile_drift)
        self.assertIn("failed", self.connection.reconcile_message)
        self.assertEqual(self.connection.last_reconcile_id.state, "error")
        settings = self.env["res.config.settings"].create({})
        self.assertTrue(settings.xero_reconcile_drift)

    def test_the_daily_check_and_the_push_share_xeros_limits(self):
        """The daily check runs in one cron worker while the push, in the
        other, has five calls in flight: its first call waits for one of
        them to end (a sixth at once is a 429), and its calls are told to
        the push as they go (it neither learned nor told them: 4 of the 8
        429s of the 10,000-document push)."""
        now = time.time()
        self.pace_of_another_process(calls=[now] * 5, flying=[now + 0.5] * 5)
        self.env["xero.reconcile"]._cron_check()
        self.env.invalidate_all()
        self.assertTrue(self.connection.last_reconcile_id, "the check ran")
        calls = [t for t in self.pace_entries()[str(os.getpid())]["calls"] if t > now]
        self.assertGreaterEqual(len(calls), 2, "the organisation and its trial balance, told")
        self.assertGreaterEqual(min(calls) - now, 0.5, "its first call waited for a place in flight")

    def test_accountant_compares_and_reads_the_documents(self):
        self.pushed_documents()
        self.make_invoice(amounts=(42.0,))  # queued
        accountant = new_test_user(
            self.env, login="recon_accountant", company_id=self.company.id,
            company_ids=[self.company.id],
            groups="account.group_account_user,account_xero.group_xero_user")
        rec = self.env["xero.reconcile"].with_user(accountant).create(
            {"connection_id": self.connection.id, "date": "2025-12-31"})
        rec.action_compare()
        line = rec.line_ids.filtered(lambda l: l.xero_account_id.code == "610")
        self.assertEqual(line.item_ids.mapped("reason"), ["queued"])
        self.assertEqual(line.item_ids.document.name, line.item_ids.move_id.name)
        with self.assertRaises(AccessError):
            line.item_ids.unlink()
        outsider = new_test_user(self.env, login="recon_outsider", company_id=self.company.id,
                                 company_ids=[self.company.id], groups="account.group_account_user")
        with self.assertRaises(AccessError):
            self.env["xero.reconcile"].with_user(outsider).search([])

    def test_connection_without_the_report_scope(self):
        scopes = "offline_access accounting.invoices accounting.settings"
        grant = self.srv.grant(self.xero_client_id, tenant_ids=[self.xero_tenant_id],
                               scopes=scopes)
        self.connection.write({"scopes": scopes, "access_token": grant["access_token"],
                               "refresh_token": grant["refresh_token"]})
        self.connection.flush_recordset()
        with self.assertRaisesRegex(UserError, "accounting.reports.trialbalance.read"):
            self.compare()

    def test_reachable_from_the_connection(self):
        action = self.connection.action_open_reconcile()
        rec = self.env["xero.reconcile"].browse(action["res_id"])
        self.assertEqual((rec.connection_id, rec.state), (self.connection, "draft"))
        self.assertEqual(self.connection.action_open_reconcile()["res_id"], rec.id)
        menu = self.env.ref("account_xero.xero_reconcile_menu")
        self.assertEqual(menu.parent_id, self.env.ref("account.account_reports_management_menu"))


@tagged("post_install", "-at_install")
class TestReconcileTrust(test_trust_xero.TrustXeroCommon):

    def test_trust_transactions_reconcile(self):
        invoice = self.make_invoice(amounts=(200.0,), taxes=[], partner=self.client_a)
        self.trust("receipt", 1000.0, self.client_a, matter_ref="A-1")
        self.trust("payment", 120.0, self.client_a, payee_id=self.client_b.id)
        self.trust("bank_transfer", 60.0, journal_id=self.office_journal.id,
                   dest_journal_id=self.trust_journal.id)
        self.trust("paid_by_firm", 60.0, self.client_b, payee_id=self.client_a.id)
        self.trust("receipt", 90.0, self.client_b, matter_ref="B-1")
        self.trust("firm_reimbursement", 60.0, self.client_b)
        self.trust("transfer_to_office", 200.0, self.client_a,
                   dest_journal_id=self.office_journal.id, invoice_id=invoice.id)
        self.trust("statutory_deposit", 300.0)
        self.trust("statutory_withdrawal", 100.0)
        self.push()
        self.push()
        rec = self.env["xero.reconcile"].create(
            {"connection_id": self.connection.id, "date": "2025-12-31"})
        rec.action_compare()
        self.assertEqual([(l.xero_account_id.code, l.odoo_balance, l.xero_balance,
                           [a.code for a in l.odoo_account_ids])
                          for l in rec.line_ids if l.difference], [])
        self.assertAlmostEqual(
            rec.line_ids.filtered(lambda l: l.xero_account_id.code == "2800").xero_balance, -710.0)
