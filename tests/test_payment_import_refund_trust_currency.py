"""Payments made in Xero on credit notes (CREDITNOTE events) as on invoices,
refused on the trust bank with a message, and valued at Xero's rate in
another currency (issue 25)."""

from odoo.tests import tagged

from .common_inbound import XeroInboundCommon


@tagged("post_install", "-at_install")
class TestPaymentImportRefundTrustCurrency(XeroInboundCommon):

    def test_refund_paid_in_xero_is_paid_in_odoo(self):
        refund = self.make_invoice("out_refund", amounts=(40.0,))
        self.push()
        self.assertEqual(refund.xero_state, "sent", refund.xero_error)
        paid = self.pay_in_xero_on("CreditNote", refund.xero_id, refund.amount_total)
        self.event("CREDITNOTE", refund.xero_id)
        self.pull()
        self.assertEqual(self.events().state, "done", self.events().note)
        payment = self.imported(refund)
        self.assertEqual(len(payment), 1)
        self.assertEqual((payment.xero_import_id, payment.payment_type, payment.amount),
                         (paid["PaymentID"].lower(), "outbound", refund.amount_total))
        self.assertEqual(refund.payment_state, "paid")
        # Redelivered: still one; and never sent back.
        self.event("CREDITNOTE", refund.xero_id)
        self.pull()
        self.assertEqual(len(self.imported(refund)), 1)
        self.push()
        self.assertEqual(len(self.xero_docs("Payments")), 1)

    def test_payment_on_the_trust_bank_is_refused_with_a_message(self):
        trust = self.env["account.journal"].create({
            "name": "Trust Account", "code": "TRST", "type": "bank", "is_trust_account": True})
        Map = self.env["xero.account.map"]
        Map.search([("connection_id", "=", self.connection.id),
                    ("xero_account_id", "=", self.xa["091"].id)]).unlink()
        Map.create({"connection_id": self.connection.id, "account_id": trust.default_account_id.id,
                    "xero_account_id": self.xa["091"].id})
        move = self.make_invoice()
        self.push()
        self.pay_in_xero_on("Invoice", move.xero_id, 10.0, code="091")
        self.event("INVOICE", move.xero_id)
        self.pull()
        event = self.events()
        self.assertEqual(event.state, "failed")
        self.assertIn("trust bank account", event.note)
        self.assertIn("trust ledger", event.note)
        self.assertFalse(self.imported(move))
        self.assertEqual(move.payment_state, "not_paid")

    def test_foreign_currency_payment_at_xeros_rate(self):
        move = self.make_invoice(amounts=(200.0,), currency=self.other_currency)  # Odoo: 2.0
        self.push()
        self.assertEqual(move.xero_state, "sent", move.xero_error)
        paid = self.pay_in_xero_on("Invoice", move.xero_id, move.amount_total, CurrencyRate=2.5)
        self.event("INVOICE", move.xero_id)
        self.pull()
        payment = self.imported(move)
        self.assertEqual(len(payment), 1, self.events().note)
        liquidity = payment.move_id.line_ids.filtered(
            lambda l: l.account_id == payment.outstanding_account_id)
        self.assertAlmostEqual(liquidity.balance, round(move.amount_total / 2.5, 2))
        self.assertAlmostEqual(liquidity.balance, paid["BankAmount"])
        self.assertEqual((payment.currency_id, payment.amount),
                         (self.other_currency, move.amount_total))
        self.assertEqual(move.payment_state, "paid")
        # The exchange difference Odoo books for it is not sent to Xero.
        self.push()
        self.assertFalse(self.xero_docs("ManualJournals"))

    def test_polling_finds_a_refund_paid_in_xero(self):
        refund = self.make_invoice("out_refund", amounts=(30.0,))
        self.push()
        self.pay_in_xero_on("CreditNote", refund.xero_id, refund.amount_total)
        self.connection.sudo().write({"pull_polled_at": False, "pull_modified_since": False})
        self.pull()
        self.assertEqual(self.events().mapped(lambda e: (e.event_category, e.resource_id)),
                         [("CREDITNOTE", refund.xero_id.lower())])
        self.assertEqual(len(self.imported(refund)), 1, self.events().note)
        self.assertEqual(refund.payment_state, "paid")
