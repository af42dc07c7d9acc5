"""Trust transactions in Odoo, continued: reversing a posted transaction,
trust transfers between clients, matters and trust accounts, the row lock
that serializes spending one balance, multi-company rules, and the refusal
of foreign-currency trust accounts. No Xero here."""

import psycopg2

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import tagged
from odoo.tools import mute_logger

from .common_trust import TrustCommon, reverse_trust


@tagged("post_install", "-at_install")
class TestTrustReversal(TrustCommon):

    def test_receipt_reversed_by_a_linked_reversing_entry(self):
        receipt = self._trust("receipt", 500.0, self.client_a, matter_ref="M-9")
        action = reverse_trust(receipt)
        reversal = self.env["account.trust.transaction"].browse(action["res_id"])
        self.assertEqual((reversal.state, reversal.kind, reversal.reversed_tx_id),
                         ("posted", "receipt", receipt))
        self.assertTrue(receipt.is_reversed)
        self.assertEqual(receipt.state, "posted")  # kept in the trust records
        self.assertNotEqual(reversal.name, receipt.name)
        self.assertEqual(self._lines(reversal), {
            (self.trust_bank.code, self.client_a.name): -500.0,
            ("2800", self.client_a.name): 500.0,
        })
        self.assertEqual(self._ledger(), {self.client_a.name: (0.0, 0.0)})
        rows = self.env["account.trust.ledger"].search([("partner_id", "=", self.client_a.id)])
        self.assertEqual(len(rows), 2)
        self.assertEqual(rows.filtered("reversed_tx_id").reversed_tx_id, receipt)
        self.assertEqual(set(rows.mapped("matter_id.reference")), {"M-9"})
        # Once only, and never a reversal of a reversal.
        with self.assertRaisesRegex(UserError, "already reversed"):
            reverse_trust(receipt)
        with self.assertRaisesRegex(UserError, "itself a reversal"):
            reverse_trust(reversal)
        # Still never deleted nor reset.
        with self.assertRaises(UserError):
            receipt.unlink()
        with self.assertRaises(UserError):
            reversal.move_id.button_draft()

    def test_reversing_a_spent_receipt_is_refused(self):
        receipt = self._trust("receipt", 100.0, self.client_a)
        self._trust("payment", 80.0, self.client_a)
        with self.assertRaisesRegex(UserError, "overdraw"), self.env.cr.savepoint():
            reverse_trust(receipt)
        self.env.invalidate_all()
        self.assertFalse(receipt.is_reversed)
        self.assertFalse(receipt.reversal_ids)
        self.assertEqual(self._ledger(), {self.client_a.name: (20.0, 0.0)})

    def test_payment_reversed_gives_the_money_back(self):
        self._trust("receipt", 100.0, self.client_a)
        payment = self._trust("payment", 100.0, self.client_a)
        reverse_trust(payment)
        self.assertEqual(self._ledger(), {self.client_a.name: (100.0, 0.0)})

    def test_transfer_to_office_reversed_unpays_the_invoice(self):
        invoice = self.init_invoice(
            "out_invoice", partner=self.client_a, amounts=[250.0], taxes=[], post=True)
        self._trust("receipt", 400.0, self.client_a)
        tx = self._trust("transfer_to_office", 250.0, self.client_a,
                         dest_journal_id=self.office_journal.id, invoice_id=invoice.id)
        self.assertEqual(invoice.amount_residual, 0.0)
        action = reverse_trust(tx)
        reversal = self.env["account.trust.transaction"].browse(action["res_id"])
        self.assertEqual(self._lines(reversal), {
            ("2800", self.client_a.name): -250.0,
            (self.trust_bank.code, self.client_a.name): 250.0,
        })
        self.assertEqual(tx.payment_id.state, "canceled")
        self.assertEqual(reversal.payment_id, tx.payment_id)
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertEqual(invoice.amount_residual, 250.0)
        self.assertEqual(self._ledger(), {self.client_a.name: (400.0, 0.0)})

    def test_paid_by_firm_and_statutory_reversals_are_checked(self):
        self._trust("bank_transfer", 100.0, journal_id=self.office_journal.id,
                    dest_journal_id=self.trust_journal.id)
        pbf = self._trust("paid_by_firm", 100.0, self.client_a)
        self._trust("receipt", 100.0, self.client_a)
        self._trust("firm_reimbursement", 100.0, self.client_a)
        # Reimbursed: the client no longer owes the firm what reversing would take back.
        with self.assertRaisesRegex(UserError, "owes the firm"):
            reverse_trust(pbf)
        deposit = self._trust("statutory_deposit", 50.0)
        self._trust("statutory_withdrawal", 50.0)
        with self.assertRaisesRegex(UserError, "statutory deposit account holds"):
            reverse_trust(deposit)


@tagged("post_install", "-at_install")
class TestTrustTransfer(TrustCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.other_trust = cls.env["account.journal"].create({
            "name": "Trust Investment", "code": "TRIN", "type": "bank", "is_trust_account": True,
            "company_id": cls.company.id,
        })

    def test_between_clients_in_one_trust_account(self):
        self._trust("receipt", 300.0, self.client_a, matter_ref="A-1")
        tx = self._trust("trust_transfer", 120.0, self.client_a, matter_ref="A-1",
                         dest_partner_id=self.client_b.id, dest_matter_ref="B-7")
        self.assertEqual(tx.move_id.journal_id, self.trust_journal)
        self.assertEqual(tx.dest_move_id.journal_id, self.trust_journal)
        self.assertEqual(self._lines(tx), {
            ("2810", self.client_a.name): 120.0,
            (self.trust_bank.code, self.client_a.name): -120.0,
        })
        dest = {(l.account_id.code, l.partner_id.name): l.balance for l in tx.dest_move_id.line_ids}
        self.assertEqual(dest, {
            (self.trust_bank.code, self.client_b.name): 120.0,
            ("2810", self.client_b.name): -120.0,
        })
        self.assertEqual(self._ledger(), {
            self.client_a.name: (180.0, 0.0), self.client_b.name: (120.0, 0.0)})
        # Per matter: the receiving side carries the "to" matter.
        rows = self.env["account.trust.ledger"].search([("transaction_id", "=", tx.id)])
        self.assertEqual({(r.partner_id, r.matter_id.reference, r.received, r.paid) for r in rows}, {
            (self.client_a, "A-1", 0.0, 120.0), (self.client_b, "B-7", 120.0, 0.0)})
        # The Trust transfers account nets to zero; the trust bank does not move.
        for account in (self.trust_transfers, self.trust_bank):
            total = sum(self.env["account.move.line"].search([
                ("account_id", "=", account.id), ("move_id", "in",
                                                  (tx.move_id | tx.dest_move_id).ids)]).mapped("balance"))
            self.assertAlmostEqual(total, 0.0)
        # Client B can now spend it; client A only what is left.
        self._trust("payment", 120.0, self.client_b)
        with self.assertRaisesRegex(UserError, "overdraw"):
            self._trust("trust_transfer", 180.01, self.client_a, dest_partner_id=self.client_b.id)

    def test_between_trust_accounts_and_matters_of_one_client(self):
        self._trust("receipt", 300.0, self.client_a, matter_ref="A-1")
        tx = self._trust("trust_transfer", 200.0, self.client_a, matter_ref="A-1",
                         dest_partner_id=self.client_a.id, dest_matter_ref="A-2",
                         dest_journal_id=self.other_trust.id)
        self.assertEqual(tx.dest_move_id.journal_id, self.other_trust)
        data = self.env["account.trust.ledger"]._read_group(
            [("partner_id", "=", self.client_a.id)], ["journal_id"], ["balance:sum"])
        self.assertEqual(dict(data), {self.trust_journal: 100.0, self.other_trust: 200.0})
        bank = self.env["account.move.line"].search([
            ("account_id", "=", self.other_trust.default_account_id.id)])
        self.assertEqual(sum(bank.mapped("balance")), 200.0)
        # Reversed: back where it was.
        reverse_trust(tx)
        data = self.env["account.trust.ledger"]._read_group(
            [("partner_id", "=", self.client_a.id)], ["journal_id"], ["balance:sum"])
        self.assertEqual({j: b for j, b in data if b}, {self.trust_journal: 300.0})

    def test_checks(self):
        with self.assertRaisesRegex(ValidationError, "choose the client it goes to"):
            self._trust("trust_transfer", 10.0, self.client_a, post=False)
        with self.assertRaisesRegex(ValidationError, "another client, matter"):
            self._trust("trust_transfer", 10.0, self.client_a, post=False,
                        dest_partner_id=self.client_a.id)
        with self.assertRaisesRegex(ValidationError, "not a trust"):
            self._trust("trust_transfer", 10.0, self.client_a, post=False,
                        dest_partner_id=self.client_b.id, dest_journal_id=self.office_journal.id)


@tagged("post_install", "-at_install")
class TestTrustConcurrency(TrustCommon):

    def test_spending_one_balance_takes_a_row_lock(self):
        """Two transactions spending one client's balance: the second waits
        for the first (and, in REPEATABLE READ, fails to serialize once the
        first commits, so Odoo retries it against the new balance). An
        advisory lock would let it read the balance from before."""
        self._trust("receipt", 100.0, self.client_a)
        payment = self._trust("payment", 60.0, self.client_a, post=False)
        legs = payment._get_move_legs()
        changes = payment._guarded_changes(legs)
        key = "client:%d:%d:%d" % (self.company.id, self.client_a.id, self.trust_journal.id)
        self.assertEqual(sorted(changes), [
            ("client", self.company.id, self.client_a.id, self.trust_journal.id),
            ("matter", self.company.id, payment.matter_id.id, self.trust_journal.id)])
        payment._check_trust_balance(legs)  # takes the lock in this (test) transaction
        self.env.cr.execute("SELECT seq FROM account_trust_lock WHERE key = %s", [key])
        self.assertTrue(self.env.cr.fetchone())
        # Another transaction cannot take it while this one holds it.
        with self.env.registry.cursor() as other, mute_logger("odoo.sql_db"):
            other.execute("SET LOCAL lock_timeout = '200ms'")
            with self.assertRaises(psycopg2.errors.LockNotAvailable):
                other.execute("""
                    INSERT INTO account_trust_lock AS l (key, seq) VALUES (%s, 1)
                    ON CONFLICT (key) DO UPDATE SET seq = l.seq + 1
                """, [key])
            other.rollback()
        # Receipts lower no balance: they take no lock.
        receipt = self._trust("receipt", 1.0, self.client_b, post=False)
        self.assertFalse(receipt._guarded_changes(receipt._get_move_legs()))


@tagged("post_install", "-at_install")
class TestTrustCompanyAndCurrency(TrustCommon):

    def test_foreign_currency_trust_account_refused(self):
        eur = self.setup_other_currency("EUR")
        journal = self.env["account.journal"].create({
            "name": "Trust EUR", "code": "TREU", "type": "bank", "is_trust_account": True,
            "currency_id": eur.id, "company_id": self.company.id,
        })
        with self.assertRaisesRegex(ValidationError, "kept in the company currency"):
            self._trust("receipt", 10.0, self.client_a, post=False, journal_id=journal.id)

    def test_trust_records_follow_the_company_rules(self):
        self._trust("receipt", 100.0, self.client_a)
        company_b = self.setup_other_company()["company"]
        user = self.env["res.users"].create({
            "name": "Accountant B", "login": "trust_accountant_b",
            "company_id": company_b.id, "company_ids": [(6, 0, company_b.ids)],
            "groups_id": [(6, 0, [self.env.ref("account.group_account_user").id,
                                  self.env.ref("account_xero.group_trust_user").id,
                                  self.env.ref("base.group_user").id])],
        })
        Tx = self.env["account.trust.transaction"].with_user(user)
        Ledger = self.env["account.trust.ledger"].with_user(user)
        self.assertFalse(Tx.search([]))
        self.assertFalse(Ledger.search([]))
        tx = self.env["account.trust.transaction"].search([], limit=1)
        with self.assertRaises(AccessError):
            tx.with_user(user).read(["amount"])
        # The accountant of the company sees it.
        self.assertTrue(self.env["account.trust.ledger"].with_user(self.env.user).search([
            ("company_id", "=", self.company.id)]))
        # A transaction of company B cannot use company A's trust account.
        with self.assertRaises(UserError):
            self.env["account.trust.transaction"].create({
                "kind": "receipt", "amount": 5.0, "company_id": company_b.id,
                "partner_id": self.client_a.id, "journal_id": self.trust_journal.id,
            })
