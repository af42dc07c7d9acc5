"""Foreign-currency bank accounts and documents in another currency: a
base-currency invoice paid from a foreign-currency bank journal leaves in
Xero's bank what left Odoo's (BankAmount); a bank transfer's CurrencyRate,
read-only in Xero, is neither sent nor honoured by the sandbox."""

from datetime import date
from decimal import Decimal

from xero_python.accounting import (
    Account,
    BankTransfer,
    Contact,
    CurrencyCode,
    Invoice,
    LineAmountTypes,
    LineItem,
    Payment,
)

from odoo import Command
from odoo.tests import tagged

from ..xero import payloads
from ..xero.client import AccountingClient
from ..xero_sandbox.lines import FX
from .common import XeroPushCommon
from .common_sandbox import XeroClientCase

AUD_BANKS = (("095", "7e1c6c36-0000-4000-8000-000000000095"),
             ("096", "7e1c6c36-0000-4000-8000-000000000096"))


@tagged("post_install", "-at_install")
class TestBooksForeignBanks(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection.sync_entries = True
        cls.aud_journals = cls.env["account.journal"]
        for code, xero_id in AUD_BANKS:
            xero = cls.env["xero.account"].create({
                "connection_id": cls.connection.id, "xero_id": xero_id, "code": code,
                "name": "AUD Account %s" % code, "account_type": "BANK", "account_class": "ASSET",
                "xero_status": "ACTIVE", "currency_code": "AUD"})
            journal = cls.env["account.journal"].create({
                "name": "AUD bank %s" % code, "code": "A%s" % code, "type": "bank",
                "currency_id": cls.other_currency.id})
            cls.env["xero.account.map"].create({
                "connection_id": cls.connection.id,
                "account_id": journal.default_account_id.id, "xero_account_id": xero.id})
            cls.aud_journals |= journal

    def setUp(self):
        super().setUp()
        tenant = self.tenant()
        with self.srv.store.lock:
            for code, xero_id in AUD_BANKS:
                tenant.accounts.append(dict(
                    tenant.account_by_code("090"), AccountID=xero_id, Code=code,
                    Name="AUD Account %s" % code, CurrencyCode="AUD"))

    def test_base_invoice_paid_from_a_foreign_bank_keeps_what_left_the_bank(self):
        invoice = self.make_invoice(amounts=(100.0,), taxes=[])
        wizard = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({
                "payment_date": "2025-06-10", "journal_id": self.aud_journals[0].id,
                "currency_id": self.other_currency.id, "amount": 200.0})
        payment = wizard._create_payments()
        self.assertEqual(invoice.payment_state, "paid")
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        [paid] = self.xero_docs("Payments")
        self.assertEqual(paid["Amount"], Decimal("100.00"))
        self.assertEqual(paid["BankAmount"], Decimal("200.00"),
                         "Xero's AUD bank holds the AUD that left Odoo's")
        self.assertEqual(self.xero_docs("Invoices")[0]["Status"], "PAID")

    def test_foreign_invoice_paid_through_a_third_currency_is_blocked(self):
        eur = self.setup_other_currency("EUR", rates=[("2016-01-01", 0.5)])
        self.env["xero.currency.map"].create({
            "connection_id": self.connection.id, "currency_id": eur.id,
            "xero_currency_id": self.env["xero.currency"].create({
                "connection_id": self.connection.id, "code": "EUR"}).id})
        with self.srv.store.lock:
            self.tenant().currencies.append({"Code": "EUR", "Description": "Euro"})
        invoice = self.make_invoice(amounts=(100.0,), taxes=[], currency=eur)
        wizard = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({
                "payment_date": "2025-06-10", "journal_id": self.aud_journals[0].id,
                "currency_id": self.other_currency.id, "amount": 400.0})
        payment = wizard._create_payments()
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(payment.xero_state, "blocked", payment.xero_error)
        self.assertIn("EUR", payment.xero_error)
        self.assertIn("AUD", payment.xero_error)
        self.assertIn("base currency", payment.xero_error)
        self.assertFalse(self.xero_docs("Payments"))

    def test_foreign_overpayment_pays_the_invoice_in_xero(self):
        # A Deposits received account is set: a deposit in a foreign
        # currency still goes, as an overpayment (Xero takes prepayments in
        # the base currency only).
        self.connection.deposit_received_xero_account_id = self.xa["850"]
        invoice = self.make_invoice(amounts=(100.0,), taxes=[], currency=self.other_currency)
        wizard = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=invoice.ids).create({
                "payment_date": "2025-06-10", "journal_id": self.aud_journals[0].id,
                "currency_id": self.other_currency.id, "amount": 150.0,
                "payment_difference_handling": "open"})
        payment = wizard._create_payments()
        self.assertEqual(invoice.payment_state, "paid")
        self.push()
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        [overpayment] = self.xero_docs("Overpayments")
        self.assertEqual((overpayment["CurrencyCode"], overpayment["Total"]),
                         ("AUD", Decimal("150.00")))
        self.assertEqual(overpayment["CurrencyRate"], Decimal("2"))
        self.assertEqual(overpayment["RemainingCredit"], Decimal("50.00"))
        self.assertEqual(self.xero_docs("Invoices")[0]["Status"], "PAID")

    def test_foreign_transfer_sends_no_currency_rate(self):
        source, dest = self.aud_journals
        move = self.env["account.move"].create({
            "move_type": "entry", "journal_id": source.id, "date": "2025-06-15",
            "currency_id": self.other_currency.id,
            "line_ids": [
                Command.create({"name": "Transfer", "account_id": source.default_account_id.id,
                                "currency_id": self.other_currency.id, "amount_currency": -300.0,
                                "credit": 150.0}),
                Command.create({"name": "Transfer", "account_id": dest.default_account_id.id,
                                "currency_id": self.other_currency.id, "amount_currency": 300.0,
                                "debit": 150.0})]})
        move.action_post()
        sent = []
        create = AccountingClient.create_bank_transfer

        def spy(client, transfer, key):
            sent.append(payloads.to_dict(transfer))
            return create(client, transfer, key)

        self.patch(AccountingClient, "create_bank_transfer", spy)
        self.push()
        self.assertEqual(move.xero_state, "sent", move.xero_error)
        [body] = sent
        self.assertEqual(body["Amount"], 300.0)
        self.assertNotIn("CurrencyRate", body, "read-only in Xero: not sent")
        stored = self.xero_docs("BankTransfers")[0]
        self.assertEqual(stored["CurrencyRate"], FX["AUD"], "Xero books it at its own rate")


@tagged("post_install", "-at_install")
class TestBooksForeignBanksSandbox(XeroClientCase):
    """The sandbox books foreign-currency payments and transfers as Xero does."""

    def setUp(self):
        super().setUp()
        tenant = self.srv.store.tenant(self.tenant_id)
        with self.srv.store.lock:
            for code, currency in (("095", "USD"), ("096", "USD"), ("097", "AUD")):
                tenant.accounts.append(dict(
                    tenant.account_by_code("090"), AccountID="7e1c6c36-0000-4000-8000-000000000%s"
                    % code, Code=code, Name="%s %s" % (currency, code), CurrencyCode=currency))

    def test_transfer_currency_rate_is_read_only(self):
        transfer = BankTransfer(from_bank_account=Account(code="095"),
                                to_bank_account=Account(code="096"), amount=60.0,
                                date=date(2026, 6, 1), currency_rate=0.5)
        result = self.api.create_bank_transfer(transfer, "fx-t")
        self.assertTrue(result.ok, result.message)
        stored = self.srv.store.documents(self.tenant_id, "BankTransfers")[0]
        self.assertEqual(stored["CurrencyRate"], FX["USD"], "Xero's own rate, not the one sent")

    def test_payment_from_a_third_currency_refused(self):
        contact = self.api.create_contacts([Contact(name="FX Ltd")], "fx-c")[0].xero_id
        invoice = Invoice(type="ACCREC", contact=Contact(contact_id=contact),
                          date=date(2026, 6, 1), due_date=date(2026, 6, 30), status="AUTHORISED",
                          currency_code=CurrencyCode("USD"), currency_rate=0.6,
                          line_amount_types=LineAmountTypes("NoTax"),
                          line_items=[LineItem(description="x", quantity=1.0, unit_amount=60.0,
                                               account_code="200")])
        invoice_id = self.api.create_invoices([invoice], "fx-i")[0].xero_id
        refused = self.api.create_payments([Payment(
            invoice=Invoice(invoice_id=invoice_id), account=Account(code="097"), amount=60.0,
            date=date(2026, 6, 2))], "fx-p")[0]
        self.assertFalse(refused.ok)
        self.assertIn("base currency", refused.message)
