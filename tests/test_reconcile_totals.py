"""Reconcile with Xero (issue 23): a payment Xero holds with another amount
than Odoo's is named as "different", as an invoice is; the comparison's
header total is the total under its table of accounts, however many
accounts there are."""

from decimal import Decimal

from lxml import etree

from odoo.tests import tagged

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestReconcileTotals(XeroPushCommon):

    def compare(self, date="2025-12-31"):
        rec = self.env["xero.reconcile"].create({"connection_id": self.connection.id, "date": date})
        rec.action_compare()
        self.env.invalidate_all()
        return rec

    def line(self, rec, code):
        return rec.line_ids.filtered(lambda l: l.xero_account_id.code == code)

    def test_payment_sent_with_another_amount(self):
        invoice = self.make_invoice(amounts=(200.0,))  # 230
        payment = self.pay(invoice)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        # Xero holds 200 of it (a payment entered again by hand in Xero, say).
        store = self.srv.store
        with store.lock:
            docs = store.tenant(self.xero_tenant_id).docs["Payments"]
            key = payment.xero_id.lower()
            docs[key] = dict(docs[key], Amount=Decimal("200.00"), BankAmount=Decimal("200.00"))
        rec = self.compare()
        bank = self.line(rec, "090")
        self.assertAlmostEqual(bank.difference, 30.0)
        item = bank.item_ids
        self.assertEqual((item.res_model, item.res_id, item.reason),
                         ("account.payment", payment.id, "different"))
        self.assertAlmostEqual(item.amount, 30.0)
        self.assertIn("200", item.error)
        self.assertAlmostEqual(bank.unexplained, 0.0)
        receivable = self.line(rec, "610")
        self.assertEqual(receivable.item_ids.mapped("reason"), ["different"])
        self.assertAlmostEqual(receivable.unexplained, 0.0)
        self.assertAlmostEqual(rec.unexplained_total, 0.0)

    def test_header_total_is_the_table_total_with_many_accounts(self):
        """More accounts differ than the form's table shows on one page:
        its total is still the header's."""
        Account = self.env["account.account"]
        accounts = Account.create([{"name": "Fee income %d" % i, "code": "4009%02d" % i,
                                    "account_type": "income"} for i in range(45)])
        for i, account in enumerate(accounts):
            # Each income account alone on its Xero account, none sent.
            xero = self.env["xero.account"].create({
                "connection_id": self.connection.id, "xero_id": "00000000-0000-0000-0000-%012d" % i,
                "code": "9%02d" % i, "name": "Fees %d" % i, "account_class": "REVENUE",
                "account_type": "REVENUE"})
            self.env["xero.account.map"].create({
                "connection_id": self.connection.id, "account_id": account.id,
                "xero_account_id": xero.id})
            invoice = self.make_invoice(amounts=(10.0 + i,), post=False)
            invoice.invoice_line_ids.account_id = account
            invoice.action_post()
        rec = self.compare()
        self.assertGreater(len(rec.line_ids), 40)
        arch = etree.fromstring(rec.get_views([(False, "form")])["views"]["form"]["arch"])
        [table] = arch.xpath("//field[@name='line_ids']/list")
        # The web client sums the records of the page it shows (x2many
        # lists: 40 unless the list says otherwise).
        page = int(table.get("limit") or 40)
        shown = rec.line_ids[:page]
        summed = table.xpath("./field[@sum]/@name")
        self.assertTrue(summed)
        for name in summed:
            self.assertAlmostEqual(round(sum(shown.mapped(name)), 2), rec.total_difference,
                                   msg=name)
        self.assertIn(rec.currency_id.format(rec.total_difference), rec.summary)

    def test_sent_document_absent_from_xero(self):
        invoice = self.make_invoice(amounts=(100.0,))
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        # Gone from the organisation (removed there; Xero answers nothing for its id).
        store = self.srv.store
        with store.lock:
            store.tenant(self.xero_tenant_id).docs["Invoices"].pop(invoice.xero_id.lower())
        rec = self.compare()
        receivable = self.line(rec, "610")
        self.assertAlmostEqual(receivable.difference, invoice.amount_total)
        item = receivable.item_ids
        self.assertEqual((item.move_id, item.reason), (invoice, "different"))
        self.assertIn("Xero's total is 0", item.error)
        self.assertAlmostEqual(rec.unexplained_total, 0.0)
