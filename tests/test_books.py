"""Right in a real Xero organisation's books: what the addon sends is what
Xero books (taxes, discounts, bill numbers, exchange rates, warnings), and
the sandbox refuses what Xero refuses there."""

import copy
import uuid
from datetime import date

from xero_python.accounting import (
    Account,
    BankTransaction,
    Contact,
    CurrencyCode,
    Invoice,
    LineAmountTypes,
    LineItem,
    Payment,
)

from odoo import fields
from odoo.tests import tagged

from ..xero import payloads
from .common import XeroPushCommon
from .common_trust import TrustXeroCommon
from .common_sandbox import XeroClientCase


@tagged("post_install", "-at_install")
class TestBooks(XeroPushCommon):

    def _puts(self, path_end):
        return [r for r in self.api_requests()
                if r["method"] in ("PUT", "POST") and r["tenant_id"] == self.xero_tenant_id
                and r["path"].rstrip("/").endswith(path_end)]

    # -- 1. a tax whose Xero rate is not Odoo's ----------------------------------
    def test_tax_mapped_to_another_rate_blocks(self):
        """Odoo 15 % mapped to Xero's 0 % Zero Rated: not sent with a 150.00
        Rounding line (Xero would book the tax as income, the GST return
        would be wrong) but blocked, naming the tax."""
        self.env["xero.tax.map"].search([
            ("connection_id", "=", self.connection.id), ("tax_id", "=", self.tax_sale_a.id),
        ]).xero_output_tax_id = self.xt["ZERORATED"]
        invoice = self.make_invoice(amounts=(1000.0,))
        self.assertAlmostEqual(invoice.amount_total, 1150.0)
        self.push()
        self.assertEqual(invoice.xero_state, "blocked")
        self.assertEqual(self.jobs(invoice, "invoice").state, "blocked")
        self.assertIn(self.tax_sale_a.display_name, invoice.xero_error)
        self.assertIn("Zero Rated", invoice.xero_error)
        self.assertFalse(self._puts("/Invoices"))
        self.assertFalse(self.xero_docs("Invoices"))

    def test_rounding_line_stays_for_cents(self):
        """Per-line rounding still goes on a Rounding line (a cent)."""
        self.company.tax_calculation_rounding_method = "round_globally"
        invoice = self.make_invoice(amounts=(1.03, 1.03, 1.03))
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertAlmostEqual(float(doc["Total"]), invoice.amount_total)
        self.assertEqual(doc["LineItems"][-1]["Description"], "Rounding")
        self.assertAlmostEqual(float(doc["LineItems"][-1]["LineAmount"]), 0.01)

    # -- 2. discounts on bills ------------------------------------------------------
    def test_bill_discount_sent_as_discounted_unit_price(self):
        bill = self.make_invoice("in_invoice", amounts=(200.0,), post=False)
        bill.invoice_line_ids.discount = 10.0
        bill.action_post()
        self.push()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        doc = self.xero_doc("Invoices", bill.xero_id)
        line = doc["LineItems"][0]
        self.assertFalse(line.get("DiscountRate"))
        self.assertAlmostEqual(float(line["UnitAmount"]), 180.0)
        self.assertAlmostEqual(float(doc["Total"]), bill.amount_total)
        self.assertAlmostEqual(float(doc["TotalTax"]), bill.amount_tax)

    def test_sales_invoice_keeps_its_discount(self):
        invoice = self.make_invoice(amounts=(200.0,), post=False)
        invoice.invoice_line_ids.discount = 10.0
        invoice.action_post()
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        line = self.xero_doc("Invoices", invoice.xero_id)["LineItems"][0]
        self.assertEqual(float(line["DiscountRate"]), 10.0)
        self.assertAlmostEqual(float(line["LineAmount"]), 180.0)

    # -- 3. a bill's number is the supplier's -------------------------------------
    def test_bill_number_is_the_supplier_reference(self):
        bill = self.make_invoice("in_invoice", amounts=(100.0,), post=False)
        bill.ref = "SUP-4711"
        bill.action_post()
        plain = self.make_invoice("in_invoice", amounts=(50.0,))
        self.assertEqual(bill._xero_invoice_number(), "SUP-4711")
        self.assertEqual(plain._xero_invoice_number(), plain.name)
        self.push()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        doc = self.xero_doc("Invoices", bill.xero_id)
        self.assertEqual(doc["InvoiceNumber"], "SUP-4711")
        self.assertFalse(doc.get("Reference"))
        self.assertEqual(self.xero_doc("Invoices", plain.xero_id)["InvoiceNumber"], plain.name)
        values, issues = bill._xero_document_values(self.connection)
        body = payloads.to_dict(payloads.build_invoice(values))
        self.assertFalse(issues)
        self.assertEqual(body["InvoiceNumber"], "SUP-4711")
        self.assertNotIn("Reference", body)

    def test_sales_invoice_keeps_number_and_reference(self):
        invoice = self.make_invoice(amounts=(100.0,), post=False)
        invoice.ref = "PO-9"
        invoice.action_post()
        self.assertEqual(invoice._xero_invoice_number(), invoice.name)
        self.push()
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertEqual((doc["InvoiceNumber"], doc["Reference"]), (invoice.name, "PO-9"))

    # -- 4. exchange rates ----------------------------------------------------------
    def test_payment_rate_is_the_payments_own(self):
        """An AUD invoice at 2.0 paid when AUD is at 1.6: Odoo books a
        realised gain; the Xero payment carries 1.6 so Xero books the same."""
        self.env["res.currency.rate"].create({
            "name": "2025-06-10", "rate": 1.6, "currency_id": self.other_currency.id,
            "company_id": self.company.id})
        invoice = self.make_invoice(amounts=(100.0,), currency=self.other_currency)
        payment = self.pay(invoice, date="2025-06-10")
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        doc = self.xero_doc("Payments", payment.xero_id)
        # Odoo's own ratio (115.00 AUD / 71.88), to Xero's 6 decimals.
        self.assertAlmostEqual(float(doc["CurrencyRate"]), 1.6, places=3)
        # Xero's base-currency amount of the payment is Odoo's.
        self.assertAlmostEqual(float(doc["BankAmount"]), abs(payment.amount_company_currency_signed))

    def test_rates_go_with_six_decimals(self):
        self.env["res.currency.rate"].create({
            "name": "2025-05-01", "rate": 1.23456789, "currency_id": self.other_currency.id,
            "company_id": self.company.id})
        invoice = self.make_invoice(amounts=(100.0,), currency=self.other_currency)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(str(self.xero_doc("Invoices", invoice.xero_id)["CurrencyRate"]), "1.234568")


    def test_bill_in_doubt_is_found_by_its_supplier_reference(self):
        """Xero stored the bill but the answer was lost: before it is sent
        again it is looked up by the number it has in Xero (the supplier's
        reference), not Odoo's, and not made twice, even though the next
        request (another bill with it) carries another Idempotency-Key."""
        bill = self.make_invoice("in_invoice", amounts=(100.0,), post=False)
        bill.ref = "SUP-77"
        bill.action_post()
        # Every try of the request (the client's own retries included) is
        # stored, then its answer lost.
        self.srv.faults.fail_after_commit(path="*/Invoices", method="PUT", then="drop", times=3)
        self.push()
        job = self.jobs(bill, "invoice")
        self.assertTrue(job.in_doubt)
        self.assertEqual(len([d for d in self.xero_docs("Invoices")
                              if d["InvoiceNumber"] == "SUP-77"]), 1)
        other = self.make_invoice("in_invoice", amounts=(5.0,))
        job.sudo().next_try_at = fields.Datetime.now()
        self.push()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertEqual(other.xero_state, "sent", other.xero_error)
        self.assertEqual(len([d for d in self.xero_docs("Invoices")
                              if d["InvoiceNumber"] == "SUP-77"]), 1)


    def test_xero_warning_is_kept_and_shown(self):
        """Xero accepts a payment dated before its invoice, with a warning:
        the warning is kept on the job and shown on the payment."""
        invoice = self.make_invoice(amounts=(100.0,), date="2025-06-01")
        payment = self.pay(invoice, date="2025-05-20")
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        job = self.jobs(payment, "payment")
        self.assertIn("Payment made prior to", job.warning)
        self.assertIn("Payment made prior to", payment.xero_warning)
        self.assertFalse(invoice.xero_warning)


@tagged("post_install", "-at_install")
class TestBooksSandbox(XeroClientCase):
    """The sandbox refuses what Xero refuses, and warns where it warns."""

    def _contact(self):
        return self.api.create_contacts([Contact(name="Books Ltd")], "books-c")[0].xero_id

    def _invoice(self, contact_id, typ="ACCREC", discount=None, rate=None, currency=None):
        line = LineItem(description="Fees", quantity=1.0, unit_amount=100.0, account_code="200"
                        if typ == "ACCREC" else "400")
        if discount:
            line.discount_rate = discount
        invoice = Invoice(type=typ, contact=Contact(contact_id=contact_id), date=date(2026, 6, 1),
                          due_date=date(2026, 6, 30), status="AUTHORISED", line_items=[line],
                          line_amount_types=LineAmountTypes("Exclusive"))
        if currency:
            invoice.currency_code = CurrencyCode(currency)
        if rate:
            invoice.currency_rate = rate
        return invoice

    def test_discount_only_on_sales_invoices(self):
        cid = self._contact()
        sale, bill = self.api.create_invoices([
            self._invoice(cid, discount=10.0), self._invoice(cid, "ACCPAY", discount=10.0)], "books-i")
        self.assertTrue(sale.ok, sale.message)
        self.assertFalse(bill.ok)
        self.assertIn("DiscountRate", bill.message)

    def test_rate_with_more_than_six_decimals_refused(self):
        cid = self._contact()
        ok, bad = self.api.create_invoices([
            self._invoice(cid, currency="USD", rate=0.612345),
            self._invoice(cid, currency="USD", rate=0.6123456)], "books-r")
        self.assertTrue(ok.ok, ok.message)
        self.assertFalse(bad.ok)
        self.assertIn("CurrencyRate", bad.message)

    def test_bill_reference_is_not_kept(self):
        cid = self._contact()
        bill = self._invoice(cid, "ACCPAY")
        bill.invoice_number = "SUP-1"
        bill.reference = "ignored"
        result = self.api.create_invoices([bill], "books-b")[0]
        self.assertTrue(result.ok, result.message)
        self.assertEqual(result.obj.invoice_number, "SUP-1")
        self.assertFalse(result.obj.reference)

    def test_bank_transaction_in_its_accounts_currency(self):
        cid = self._contact()

        def spend(currency=None, bank="090"):
            bt = BankTransaction(type="SPEND", contact=Contact(contact_id=cid),
                                 bank_account=Account(code=bank), date=date(2026, 6, 1),
                                 line_amount_types=LineAmountTypes("NoTax"), status="AUTHORISED",
                                 line_items=[LineItem(description="x", quantity=1.0,
                                                      unit_amount=10.0, account_code="400")])
            if currency:
                bt.currency_code = CurrencyCode(currency)
            return bt

        tenant = self.srv.store.tenant(self.tenant_id)
        with self.srv.store.lock:
            usd_bank = dict(tenant.account_by_code("090"), AccountID="7e1c6c36-0000-4000-8000-0000000000a1",
                            Code="095", Name="USD Account", CurrencyCode="USD")
            tenant.accounts.append(usd_bank)
        plain, in_usd, as_base = self.api.create_bank_transactions(
            [spend(), spend(bank="095"), spend("NZD", bank="095")], "books-bt")
        self.assertTrue(plain.ok, plain.message)
        self.assertTrue(in_usd.ok, in_usd.message)
        # Xero takes the bank account's currency; NZD on the USD account is refused.
        self.assertEqual(str(getattr(in_usd.obj.currency_code, "value", in_usd.obj.currency_code)),
                         "USD")
        self.assertFalse(as_base.ok)
        self.assertIn("overpayments", as_base.message)

    def test_payment_warning_is_returned(self):
        """Xero accepts a payment dated before its invoice with a warning;
        the client hands the warning back on the accepted element."""
        cid = self._contact()
        invoice = self.api.create_invoices([self._invoice(cid)], "books-w-i")[0]
        self.assertTrue(invoice.ok, invoice.message)
        result = self.api.create_payments([Payment(
            invoice=Invoice(invoice_id=invoice.xero_id), account=Account(code="090"),
            amount=10.0, date=date(2026, 5, 1))], "books-w-p")[0]
        self.assertTrue(result.ok, result.message)
        self.assertTrue(result.xero_id)
        self.assertEqual(len(result.warnings), 1)
        self.assertIn("Payment made prior to", result.warnings[0])



@tagged("post_install", "-at_install")
class TestBooksTrust(TrustXeroCommon):

    def test_trust_bank_in_another_currency_blocks(self):
        """Trust money is kept in the company currency; Xero books a bank
        transaction in its bank account's currency (no CurrencyCode taken):
        a trust account mapped to a Xero bank account in another currency
        blocks instead of booking company-currency amounts as AUD."""
        tenant = self.srv.store.tenant(self.xero_tenant_id)
        with self.srv.store.lock:
            aud_bank = copy.deepcopy(tenant.account_by_code("095"))
            aud_bank.update(AccountID=str(uuid.uuid4()), Code="096", Name="Trust AUD",
                            CurrencyCode="AUD")
            tenant.accounts.append(aud_bank)
        xero_aud = self.env["xero.account"].create({
            "connection_id": self.connection.id, "xero_id": aud_bank["AccountID"], "code": "096",
            "name": "Trust AUD", "account_type": "BANK", "account_class": "ASSET",
            "xero_status": "ACTIVE", "currency_code": "AUD"})
        self.env["xero.account.map"].search([
            ("connection_id", "=", self.connection.id),
            ("account_id", "=", self.trust_journal.default_account_id.id),
        ]).xero_account_id = xero_aud
        receipt = self.trust("receipt", 300.0, self.client_a)
        self.push()
        self.assertEqual(receipt.xero_state, "blocked", receipt.xero_error)
        self.assertIn("AUD", receipt.xero_error)
        self.assertIn(self.company.currency_id.name, receipt.xero_error)
        self.assertFalse(self.xero_docs("BankTransactions"))
