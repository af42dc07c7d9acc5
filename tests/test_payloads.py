"""Pure builder tests: no database, no HTTP."""
from datetime import date
from decimal import Decimal

from odoo.tests import BaseCase, tagged

from ..xero import payloads as p


def _doc(lines, total, types="Exclusive", **kw):
    return p.DocumentValues(
        type=kw.pop("type", "ACCREC"), contact_id="c-1", number="INV/2025/0001",
        date=date(2025, 3, 1), due_date=date(2025, 3, 31), line_amount_types=types,
        lines=lines, total=total, rounding_account_code="860", **kw)


@tagged("post_install", "-at_install")
class TestPayloads(BaseCase):
    def test_xero_rounds_each_line(self):
        lines = [p.LineValues("a", 1, 10.005, "200", "OUTPUT2", 15.0),
                 p.LineValues("b", 3, 0.3333, "200", "OUTPUT2", 15.0)]
        sub, tax, total = p.xero_totals(lines, "Exclusive")
        self.assertEqual(sub, Decimal("11.01"))  # 10.01 (4 dp unit 10.005 → 10.01) + 1.00
        self.assertEqual(tax, Decimal("1.65"))  # 1.50 + 0.15
        self.assertEqual(total, Decimal("12.66"))

    def test_no_rounding_line_when_totals_agree(self):
        doc = _doc([p.LineValues("a", 2, 50, "200", "OUTPUT2", 15.0)], 115.0)
        items = p.build_line_items(doc)
        self.assertEqual(len(items), 1)

    def test_rounding_line_added_when_totals_differ(self):
        # Odoo rounding tax globally: 3 x 0.15 tax... Xero: 3 lines of 1.01 at 15% → 0.15 each.
        lines = [p.LineValues("x%d" % i, 1, 1.01, "200", "OUTPUT2", 15.0) for i in range(3)]
        self.assertEqual(p.xero_totals(lines, "Exclusive")[2], Decimal("3.48"))
        doc = _doc(lines, 3.48 + 0.01)  # Odoo: 3.03 + round(0.4545) = 3.49
        items = p.build_line_items(doc)
        self.assertEqual(len(items), 4)
        rounding = items[-1]
        self.assertEqual(rounding.description, "Rounding")
        self.assertEqual(rounding.unit_amount, 0.01)
        self.assertEqual(rounding.tax_type, "NONE")
        self.assertEqual(rounding.account_code, "860")
        # With the rounding line, Xero's total is Odoo's total.
        self.assertEqual(p.xero_totals(p.with_rounding_line(doc), "Exclusive")[2], Decimal("3.49"))

    def test_negative_rounding(self):
        lines = [p.LineValues("x", 1, 10.0, "200", "OUTPUT2", 15.0)]
        doc = _doc(lines, 11.49)
        self.assertEqual(p.with_rounding_line(doc)[-1].unit_amount, -0.01)

    def test_inclusive_amounts(self):
        lines = [p.LineValues("a", 1, 115.0, "200", "OUTPUT2", 15.0)]
        sub, tax, total = p.xero_totals(lines, "Inclusive")
        self.assertEqual((sub, tax, total), (Decimal("100.00"), Decimal("15.00"), Decimal("115.00")))
        body = p.to_dict(p.build_invoice(_doc(lines, 115.0, types="Inclusive")))
        self.assertEqual(body["LineAmountTypes"], "Inclusive")
        self.assertEqual(len(body["LineItems"]), 1)

    def test_exclusive_invoice_payload(self):
        lines = [p.LineValues("Consulting", 2, 12.3456, "200", "OUTPUT2", 15.0, discount=10)]
        body = p.to_dict(p.build_invoice(_doc(
            lines, 25.55, url="https://odoo.example/odoo/account.move/7",
            reference="PO-9", currency_code="USD", currency_rate=0.61)))
        self.assertEqual(body["Type"], "ACCREC")
        self.assertEqual(body["InvoiceNumber"], "INV/2025/0001")
        self.assertEqual(body["Status"], "AUTHORISED")
        self.assertEqual(body["Url"], "https://odoo.example/odoo/account.move/7")
        self.assertEqual(body["Reference"], "PO-9")
        self.assertEqual(body["CurrencyCode"], "USD")
        self.assertEqual(body["CurrencyRate"], 0.61)
        self.assertEqual(body["Contact"]["ContactID"], "c-1")
        line = body["LineItems"][0]
        self.assertEqual(line["UnitAmount"], 12.3456)
        self.assertEqual(line["DiscountRate"], 10.0)
        self.assertEqual(line["TaxType"], "OUTPUT2")
        self.assertIn("DueDate", body)

    def test_bill_keeps_no_reference_and_input_tax(self):
        lines = [p.LineValues("Paper", 1, 100, "400", "INPUT2", 15.0)]
        body = p.to_dict(p.build_invoice(_doc(lines, 115.0, type="ACCPAY", reference="SUP-1")))
        self.assertEqual(body["Type"], "ACCPAY")
        self.assertNotIn("Reference", body)
        self.assertEqual(body["LineItems"][0]["TaxType"], "INPUT2")

    def test_credit_note_payload(self):
        lines = [p.LineValues("Refund", 1, 100, "200", "OUTPUT2", 15.0)]
        body = p.to_dict(p.build_invoice(_doc(lines, 115.0, type="ACCRECCREDIT")))
        self.assertEqual(body["Type"], "ACCRECCREDIT")
        self.assertEqual(body["CreditNoteNumber"], "INV/2025/0001")
        self.assertNotIn("InvoiceNumber", body)

    def test_no_tax_document(self):
        lines = [p.LineValues("Fee", 1, 99.99, "200", None, 0.0)]
        body = p.to_dict(p.build_invoice(_doc(lines, 99.99, types="NoTax")))
        self.assertEqual(body["LineAmountTypes"], "NoTax")
        self.assertNotIn("TaxType", body["LineItems"][0])

    def test_rounding_needs_an_account(self):
        doc = _doc([p.LineValues("x", 1, 10.0, "200", "OUTPUT2", 15.0)], 11.51)
        doc.rounding_account_code = None
        with self.assertRaises(ValueError):
            p.build_line_items(doc)

    def test_payment_allocation_void(self):
        pay = p.to_dict(p.build_payment("invoice", "inv-1", 40.004, date(2025, 3, 2),
                                        account_code="090", currency_rate=0.5, reference="P1 [k]"))
        self.assertEqual(pay["Invoice"]["InvoiceID"], "inv-1")
        self.assertEqual(pay["Amount"], 40.0)
        self.assertEqual(pay["Account"]["Code"], "090")
        self.assertEqual(pay["CurrencyRate"], 0.5)
        refund = p.to_dict(p.build_payment("credit_note", "cn-1", 5, date(2025, 3, 2), account_code="090"))
        self.assertEqual(refund["CreditNote"]["CreditNoteID"], "cn-1")
        alloc = p.to_dict(p.build_allocation("inv-1", 10, date(2025, 3, 2)))
        self.assertEqual(alloc["Invoice"]["InvoiceID"], "inv-1")
        self.assertEqual(alloc["Amount"], 10.0)
        self.assertEqual(p.to_dict(p.build_void("ACCREC", "inv-1"))["Status"], "VOIDED")
        self.assertEqual(p.to_dict(p.build_void("ACCRECCREDIT", "cn-1", delete=True)),
                         {"CreditNoteID": "cn-1", "Status": "DELETED", "HasAttachments": False,
                          "HasErrors": False})

    def test_contact_and_where(self):
        c = p.to_dict(p.build_contact("ODOO-7", "Acme \"Ltd\"", email="a@b.c", tax_number="123"))
        self.assertEqual(c["ContactNumber"], "ODOO-7")
        self.assertEqual(c["EmailAddress"], "a@b.c")
        # Xero has no escape in a where clause (Xero-Java issue 347).
        self.assertEqual(p.where_equals("Name", "Acme Ltd"), 'Name=="Acme Ltd"')
        with self.assertRaises(ValueError):
            p.where_equals("Name", 'Acme "Ltd"')

    # -- what Xero books ---------------------------------------------------------
    def test_rounding_line_is_for_cents_only(self):
        # Odoo 15 % on 1,000 but Xero's tax type is 0 %: a 150.00 gap is no rounding.
        doc = _doc([p.LineValues("Fees", 1, 1000.0, "200", "ZERORATED", 0.0)], 1150.0)
        self.assertEqual(p.rounding_difference(doc), Decimal("150.00"))
        self.assertFalse(p.rounding_within_tolerance(doc))
        with self.assertRaises(ValueError):
            p.build_line_items(doc)
        # A cent a line is rounding.
        lines = [p.LineValues("x%d" % i, 1, 1.03, "200", "OUTPUT2", 15.0) for i in range(3)]
        self.assertEqual(p.rounding_tolerance(_doc(lines, 0)), Decimal("0.03"))
        self.assertTrue(p.rounding_within_tolerance(_doc(lines, 3.57)))
        self.assertFalse(p.rounding_within_tolerance(_doc(lines, 3.59)))

    def test_discount_on_accrec_only(self):
        line = p.LineValues("Paper", 3, 12.3456, "400", "INPUT2", 15.0, discount=10)
        for doc_type in ("ACCPAY", "ACCPAYCREDIT", "ACCRECCREDIT"):
            body = p.to_dict(p.build_invoice(_doc([line], 38.33, type=doc_type)))
            item = body["LineItems"][0]
            self.assertNotIn("DiscountRate", item, doc_type)
            self.assertEqual(item["UnitAmount"], 11.111, doc_type)  # 12.3456 x 0.9, 4 dp
            self.assertEqual(len(body["LineItems"]), 1, doc_type)  # 3 x 11.111 = 33.33 + 5.00 tax
        item = p.to_dict(p.build_invoice(_doc([line], 38.33)))["LineItems"][0]
        self.assertEqual((item["DiscountRate"], item["UnitAmount"]), (10.0, 12.3456))

    def test_supplier_credit_note_keeps_no_reference(self):
        lines = [p.LineValues("Refund", 1, 100, "400", "INPUT2", 15.0)]
        body = p.to_dict(p.build_invoice(_doc(lines, 115.0, type="ACCPAYCREDIT", reference="X")))
        self.assertNotIn("Reference", body)
        body = p.to_dict(p.build_invoice(_doc(lines, 115.0, type="ACCRECCREDIT", reference="X")))
        self.assertEqual(body["Reference"], "X")

    def test_rates_rounded_to_six_decimals(self):
        lines = [p.LineValues("a", 1, 100, "200", "OUTPUT2", 15.0)]
        body = p.to_dict(p.build_invoice(_doc(lines, 115.0, currency_code="USD",
                                              currency_rate=1 / 0.7)))
        self.assertEqual(body["CurrencyRate"], 1.428571)
        pay = p.to_dict(p.build_payment("invoice", "inv-1", 10, date(2025, 3, 2),
                                        account_code="090", currency_rate=2 / 3))
        self.assertEqual(pay["CurrencyRate"], 0.666667)

    def test_trust_bank_transaction_sends_no_currency(self):
        from ..xero import payloads_bank
        from ..xero import payloads_trust as pt

        body = p.to_dict(pt.build_bank_transaction(pt.BankTransactionValues(
            type="RECEIVE", contact_id="c-1", bank_account=payloads_bank.AccountRef(code="091"),
            date=date(2025, 3, 1), reference="TR/1", currency_code="AUD",
            currency_rate=1 / 0.7, lines=[pt.TrustLine("in", 50.0, "850")])))
        self.assertNotIn("CurrencyCode", body)
        self.assertEqual(body["CurrencyRate"], 1.428571)
