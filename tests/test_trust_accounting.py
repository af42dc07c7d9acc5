"""Trust (client money) transactions in Odoo: the journal entry of each kind,
the per-client trust ledger, and the overdraw rule. No Xero here."""

from odoo import Command
from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from .common_trust import TrustCommon


@tagged("post_install", "-at_install")
class TestTrustAccounting(TrustCommon):

    def test_receipt_credits_the_clients_trust_liability(self):
        tx = self._trust("receipt", 500.0, self.client_a, matter_ref="M-001")
        self.assertEqual(tx.state, "posted")
        self.assertTrue(tx.name.startswith("TRUST/"))
        self.assertEqual(tx.move_id.journal_id, self.trust_journal)
        self.assertEqual(tx.move_id.trust_transaction_id, tx)
        self.assertEqual(self._lines(tx), {
            (self.trust_bank.code, self.client_a.name): 500.0,
            ("2800", self.client_a.name): -500.0,
        })
        self.assertEqual(tx.client_balance, 500.0)
        self.assertEqual(self._ledger(), {self.client_a.name: (500.0, 0.0)})
        row = self.env["account.trust.ledger"].search([("transaction_id", "=", tx.id)])
        self.assertEqual((row.kind, row.matter_id.reference, row.received, row.paid),
                         ("receipt", "M-001", 500.0, 0.0))

    def test_payment_debits_the_clients_trust_liability(self):
        self._trust("receipt", 500.0, self.client_a)
        tx = self._trust("payment", 120.0, self.client_a, payee_id=self.client_b.id,
                         memo="Search fees")
        self.assertEqual(self._lines(tx), {
            ("2800", self.client_a.name): 120.0,
            (self.trust_bank.code, self.client_a.name): -120.0,
        })
        self.assertIn(self.client_b.name, tx.move_id.line_ids[0].name)
        self.assertEqual(self._ledger(), {self.client_a.name: (380.0, 0.0)})

    def test_overdraw_refused_and_nothing_posted(self):
        self._trust("receipt", 100.0, self.client_a)
        # Client B's money must not pay for client A.
        self._trust("receipt", 1000.0, self.client_b)
        moves_before = self.env["account.move"].search_count([])
        tx = self._trust("payment", 100.01, self.client_a, post=False)
        with self.assertRaises(UserError) as caught:
            tx.action_post()
        message = str(caught.exception)
        self.assertIn(self.client_a.name, message)
        self.assertIn("100.00", message)
        self.assertIn("100.01", message)
        self.assertIn("Paid by firm", message)
        self.assertEqual(tx.state, "draft")
        self.assertFalse(tx.move_id)
        self.assertEqual(tx.name, "/")
        self.assertEqual(self.env["account.move"].search_count([]), moves_before)
        self.assertEqual(self._ledger(), {
            self.client_a.name: (100.0, 0.0), self.client_b.name: (1000.0, 0.0)})
        # Exactly the balance is fine.
        self._trust("payment", 100.0, self.client_a)
        self.assertEqual(self._ledger(self.client_a), {self.client_a.name: (0.0, 0.0)})

    def test_two_payments_in_one_call_see_each_other(self):
        self._trust("receipt", 100.0, self.client_a)
        txs = self._trust("payment", 60.0, self.client_a, post=False) \
            | self._trust("payment", 60.0, self.client_a, post=False)
        with self.assertRaises(UserError):
            txs.action_post()

    def test_balance_is_per_trust_account(self):
        other_trust = self.env["account.journal"].create({
            "name": "Trust Investment", "code": "TRIN", "type": "bank", "is_trust_account": True,
        })
        self._trust("receipt", 300.0, self.client_a, journal_id=other_trust.id)
        with self.assertRaises(UserError):
            self._trust("payment", 10.0, self.client_a)

    def test_transfer_to_office_pays_the_invoice(self):
        invoice = self.init_invoice(
            "out_invoice", partner=self.client_a, amounts=[250.0], taxes=[], post=True)
        self._trust("receipt", 400.0, self.client_a)
        tx = self._trust("transfer_to_office", 250.0, self.client_a,
                         dest_journal_id=self.office_journal.id, invoice_id=invoice.id)
        self.assertEqual(self._lines(tx), {
            ("2800", self.client_a.name): 250.0,
            (self.trust_bank.code, self.client_a.name): -250.0,
        })
        payment = tx.payment_id
        self.assertTrue(payment)
        self.assertEqual(payment.journal_id, self.office_journal)
        self.assertEqual(payment.trust_transaction_id, tx)
        self.assertEqual((payment.state, payment.amount, payment.partner_id),
                         ("paid", 250.0, self.client_a))
        self.assertIn(invoice.payment_state, ("paid", "in_payment"))
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertIn(invoice, payment.reconciled_invoice_ids)
        self.assertEqual(self._ledger(), {self.client_a.name: (150.0, 0.0)})

    def test_transfer_to_office_partial_and_checks(self):
        invoice = self.init_invoice(
            "out_invoice", partner=self.client_a, amounts=[250.0], taxes=[], post=True)
        other = self.init_invoice(
            "out_invoice", partner=self.client_b, amounts=[50.0], taxes=[], post=True)
        self._trust("receipt", 100.0, self.client_a)
        self._trust("receipt", 100.0, self.client_b)
        # More than the client holds: refused, the invoice stays unpaid.
        tx = self._trust("transfer_to_office", 250.0, self.client_a, post=False,
                         dest_journal_id=self.office_journal.id, invoice_id=invoice.id)
        with self.assertRaises(UserError):
            tx.action_post()
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertFalse(tx.payment_id)
        # Another client's invoice: refused.
        tx.write({"invoice_id": other.id, "amount": 50.0})
        with self.assertRaisesRegex(UserError, "only its own client"):
            tx.action_post()
        # What the client holds pays part of the invoice.
        tx.write({"invoice_id": invoice.id, "amount": 100.0})
        tx.action_post()
        self.assertEqual(invoice.payment_state, "partial")
        self.assertEqual(invoice.amount_residual, 150.0)
        # A trust account cannot be the office side.
        with self.assertRaises(ValidationError):
            self._trust("transfer_to_office", 10.0, self.client_b, post=False,
                        dest_journal_id=self.trust_journal.id, invoice_id=other.id)

    def test_paid_by_firm_allows_paying_before_funds_arrive(self):
        self.assertEqual(self._ledger(), {})
        with self.assertRaises(UserError):
            self._trust("payment", 200.0, self.client_a)
        # Paid by firm spends the firm's own money in trust, never other clients'.
        self._trust("receipt", 500.0, self.client_b)
        with self.assertRaisesRegex(UserError, "firm's own money"):
            self._trust("paid_by_firm", 200.0, self.client_a)
        self._trust("bank_transfer", 200.0, journal_id=self.office_journal.id,
                    dest_journal_id=self.trust_journal.id)
        tx = self._trust("paid_by_firm", 200.0, self.client_a, payee_id=self.client_b.id)
        self.assertEqual(self._lines(tx), {
            ("1290", self.client_a.name): 200.0,
            (self.trust_bank.code, self.client_a.name): -200.0,
        })
        self.assertEqual(self._ledger(), {
            self.client_a.name: (0.0, 200.0), self.client_b.name: (500.0, 0.0)})
        # The client's funds arrive and repay the firm.
        self._trust("receipt", 250.0, self.client_a)
        with self.assertRaisesRegex(UserError, "owes the firm"):
            self._trust("firm_reimbursement", 250.0, self.client_a)
        repay = self._trust("firm_reimbursement", 200.0, self.client_a)
        self.assertEqual(self._lines(repay), {
            ("2800", self.client_a.name): 200.0,
            ("1290", self.client_a.name): -200.0,
        })
        self.assertEqual(self._ledger(), {
            self.client_a.name: (50.0, 0.0), self.client_b.name: (500.0, 0.0)})
        # Reimbursed, the firm's money is in trust again: it may pay for a client again.
        self._trust("paid_by_firm", 200.0, self.client_a)
        with self.assertRaisesRegex(UserError, "firm's own money"):
            self._trust("paid_by_firm", 0.01, self.client_a)

    def test_statutory_deposit_and_withdrawal(self):
        self._trust("receipt", 1000.0, self.client_a)
        deposit = self._trust("statutory_deposit", 600.0)
        self.assertEqual(self._lines(deposit), {
            ("1295", ""): 600.0,
            (self.trust_bank.code, ""): -600.0,
        })
        # Still the clients' money: their balances do not change.
        self.assertEqual(self._ledger(), {self.client_a.name: (1000.0, 0.0)})
        with self.assertRaisesRegex(UserError, "more than"):
            self._trust("statutory_deposit", 400.01)
        with self.assertRaisesRegex(UserError, "holds"):
            self._trust("statutory_withdrawal", 600.01)
        withdrawal = self._trust("statutory_withdrawal", 250.0)
        self.assertEqual(self._lines(withdrawal), {
            (self.trust_bank.code, ""): 250.0,
            ("1295", ""): -250.0,
        })

    def test_transfer_between_own_bank_accounts(self):
        tx = self._trust("bank_transfer", 75.0, journal_id=self.office_journal.id,
                         dest_journal_id=self.trust_journal.id)
        self.assertEqual(tx.move_id.journal_id, self.office_journal)
        self.assertEqual(self._lines(tx), {
            (self.trust_bank.code, ""): 75.0,
            (self.office_bank.code, ""): -75.0,
        })
        self.assertEqual(self._ledger(), {})
        # Money leaves trust only for a client.
        with self.assertRaisesRegex(ValidationError, "only for a client"):
            self._trust("bank_transfer", 5.0, dest_journal_id=self.office_journal.id)

    def test_posted_is_kept(self):
        tx = self._trust("receipt", 10.0, self.client_a)
        with self.assertRaises(UserError):
            tx.unlink()
        with self.assertRaises(UserError):
            tx.action_cancel()
        with self.assertRaises(UserError):
            tx.move_id.button_draft()
        draft = self._trust("receipt", 10.0, self.client_a, post=False)
        draft.action_cancel()
        self.assertEqual(draft.state, "cancel")
        draft.unlink()

    def test_client_kinds_need_a_client_and_a_trust_account(self):
        with self.assertRaises(ValidationError):
            self._trust("receipt", 10.0, post=False)
        with self.assertRaises(ValidationError):
            self._trust("receipt", 10.0, self.client_a, post=False,
                        journal_id=self.office_journal.id)

    def test_missing_trust_account_is_named(self):
        self.company.trust_paid_by_firm_account_id = False
        with self.assertRaisesRegex(UserError, "Trust paid by firm"):
            self._trust("paid_by_firm", 10.0, self.client_a)

    def test_ledger_pivot_per_client(self):
        self._trust("receipt", 300.0, self.client_a)
        self._trust("receipt", 200.0, self.client_b)
        self._trust("payment", 50.0, self.client_a)
        self._trust("bank_transfer", 20.0, journal_id=self.office_journal.id,
                    dest_journal_id=self.trust_journal.id)
        self._trust("paid_by_firm", 20.0, self.client_b)
        # A journal entry made by hand on the trust liability is refused.
        manual = self.env["account.move"].create({
            "journal_id": self.trust_journal.id,
            "line_ids": [
                Command.create({"account_id": self.trust_bank.id, "balance": 5.0,
                                "partner_id": self.client_b.id}),
                Command.create({"account_id": self.trust_liability.id, "balance": -5.0,
                                "partner_id": self.client_b.id}),
            ],
        })
        with self.assertRaisesRegex(UserError, "posted only by trust transactions"):
            manual.action_post()
        self.assertEqual(self._ledger(), {
            self.client_a.name: (250.0, 0.0), self.client_b.name: (200.0, 20.0)})
        data = self.env["account.trust.ledger"].read_group(
            [], ["balance:sum"], ["partner_id", "journal_id"], lazy=False)
        self.assertEqual(len(data), 2)
