"""The trust ledger's rules as a firm's auditor reads them: no client or
matter is overdrawn on any date (a back-dated posting is checked against
every later date), whatever posts it."""

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from ..models.account_trust_transaction import trust_internal

from .common_trust import TrustRulesCommon, reverse_trust


@tagged("post_install", "-at_install")
class TestTrustBalancesAsAtEveryDate(TrustRulesCommon):

    def test_payment_dated_before_the_receipt_it_draws_on_is_refused(self):
        self._trust("receipt", 100.0, self.client_a, matter_ref="A-SALE", date="2025-03-10")
        with self.assertRaisesRegex(UserError, "would overdraw .*lowest from 03/05/2025 on"):
            self._trust("payment", 100.0, self.client_a, matter_ref="A-SALE",
                        date="2025-03-05")
        # On the receipt's own day, or later, it is paid.
        self._trust("payment", 60.0, self.client_a, matter_ref="A-SALE", date="2025-03-10")
        self._trust("payment", 40.0, self.client_a, matter_ref="A-SALE", date="2025-03-11")
        self.assertEqual(self._balances_by_date(self.client_a),
                         {"2025-03-10": 40.0, "2025-03-11": 0.0})

    def test_back_dated_payment_checked_against_every_later_date(self):
        self._trust("receipt", 100.0, self.client_a, matter_ref="A-SALE", date="2025-03-01")
        self._trust("payment", 80.0, self.client_a, matter_ref="A-SALE", date="2025-03-20")
        # As at 10 March the client holds 100, but on 20 March only 20 is left.
        with self.assertRaisesRegex(UserError, "balance is .*20.00"):
            self._trust("payment", 30.0, self.client_a, matter_ref="A-SALE",
                        date="2025-03-10")
        self._trust("payment", 20.0, self.client_a, matter_ref="A-SALE", date="2025-03-10")
        self.assertEqual(min(self._balances_by_date(self.client_a).values()), 0.0)

    def test_back_dated_transfer_between_matters_is_refused(self):
        self._trust("receipt", 100.0, self.client_a, matter_ref="A-SALE", date="2025-03-10")
        with self.assertRaisesRegex(UserError, "would overdraw matter A-SALE"):
            self._trust("trust_transfer", 100.0, self.client_a, matter_ref="A-SALE",
                        dest_partner_id=self.client_a.id, dest_matter_ref="A-LEASE",
                        date="2025-03-09")
        # Nor can the receiving matter spend it before it arrives.
        self._trust("trust_transfer", 100.0, self.client_a, matter_ref="A-SALE",
                    dest_partner_id=self.client_a.id, dest_matter_ref="A-LEASE",
                    date="2025-03-12")
        with self.assertRaisesRegex(UserError, "would overdraw"):
            self._trust("payment", 50.0, self.client_a, matter_ref="A-LEASE",
                        date="2025-03-11")

    def test_back_dated_reversal_of_a_spent_receipt_is_refused(self):
        receipt = self._trust("receipt", 100.0, self.client_a, matter_ref="A-SALE",
                              date="2025-03-01")
        self._trust("payment", 100.0, self.client_a, matter_ref="A-SALE", date="2025-03-20")
        with self.assertRaisesRegex(UserError, "would overdraw"):
            reverse_trust(receipt, "Bounced", "2025-03-05")
        self.assertFalse(receipt.reversal_ids.filtered(lambda r: r.state == "posted"))

    def test_back_dated_transfer_to_office_and_recovery_are_refused(self):
        invoice = self.init_invoice(
            "out_invoice", partner=self.client_a, amounts=[100.0], taxes=[], post=True)
        self._trust("receipt", 100.0, self.client_a, matter_ref="A-SALE", date="2025-03-10")
        with self.assertRaisesRegex(UserError, "would overdraw"):
            self._trust("transfer_to_office", 100.0, self.client_a, matter_ref="A-SALE",
                        dest_journal_id=self.office_journal.id, invoice_id=invoice.id,
                        date="2025-03-01")
        self.assertEqual(invoice.amount_residual, 100.0)
        # Paid by firm on 1 March, the client's money arrives on 10 March:
        # the firm recovers it from then on, not before.
        self._trust("bank_transfer", 50.0, journal_id=self.office_journal.id,
                    dest_journal_id=self.trust_journal.id, date="2025-02-01")
        self._trust("paid_by_firm", 50.0, self.client_a, matter_ref="A-SALE",
                    date="2025-03-01")
        with self.assertRaisesRegex(UserError, "cannot recover"):
            self._trust("firm_withdrawal", 50.0, self.client_a, matter_id=self.sale.id,
                        withdrawal_type="paid_by_firm", dest_journal_id=self.office_journal.id,
                        date="2025-03-05")
        self._trust("firm_withdrawal", 50.0, self.client_a, matter_id=self.sale.id,
                    withdrawal_type="paid_by_firm", dest_journal_id=self.office_journal.id,
                    date="2025-03-10")

    def test_firm_funds_withdrawn_before_they_arrived_are_refused(self):
        self._trust("receipt", 100.0, self.client_a, matter_ref="A-SALE", date="2025-03-01")
        self._trust("bank_transfer", 50.0, journal_id=self.office_journal.id,
                    dest_journal_id=self.trust_journal.id, date="2025-03-10")
        with self.assertRaisesRegex(UserError, "of the firm's own money"):
            self._trust("firm_withdrawal", 50.0, withdrawal_type="firm_funds",
                        dest_journal_id=self.office_journal.id, date="2025-03-05")


@tagged("post_install", "-at_install")
class TestTrustHandEntries(TrustRulesCommon):

    def test_hand_entry_overdrawing_a_client_is_refused(self):
        self._trust("receipt", 100.0, self.client_a, matter_ref="A-SALE")
        move = self._hand_entry((self.trust_liability, self.client_a, 500.0),
                                (self.trust_bank, self.client_a, -500.0))
        with self.assertRaisesRegex(UserError, "posted only by trust transactions"):
            move.action_post()
        self.assertEqual(self._ledger(), {self.client_a.name: (100.0, 0.0)})
        # Nor in another journal, on the trust accounts.
        other = self._hand_entry((self.trust_liability, self.client_a, 50.0),
                                 (self.company_data["default_account_revenue"], None, -50.0),
                                 journal=self.company_data["default_journal_misc"])
        with self.assertRaisesRegex(UserError, "Trust Liability"):
            other.action_post()

    def test_bank_fee_by_hand_refused_and_recorded_as_a_bank_fee(self):
        move = self._hand_entry((self.bank_fees, None, 5.0), (self.trust_bank, None, -5.0))
        with self.assertRaisesRegex(UserError, "Bank fee"):
            move.action_post()
        self._trust("receipt", 100.0, self.client_a, matter_ref="A-SALE")
        # The fee is the firm's: clients' money does not pay it.
        with self.assertRaisesRegex(UserError, "firm's own money"):
            self._trust("bank_fee", 5.0, fee_account_id=self.bank_fees.id)
        self._fund(5.0)
        fee = self._trust("bank_fee", 5.0, fee_account_id=self.bank_fees.id)
        self.assertEqual(self._lines(fee), {("6040", ""): 5.0, (self.trust_bank.code, ""): -5.0})
        with self.assertRaisesRegex(ValidationError, "fee"):
            self._trust("bank_fee", 1.0)
        # Reversed like any other.
        reversal = fee.browse(reverse_trust(fee, "Refunded by the bank")["res_id"])
        self.assertEqual(self._lines(reversal),
                         {("6040", ""): -5.0, (self.trust_bank.code, ""): 5.0})

    def test_posted_items_keep_matter_client_and_amounts(self):
        receipt = self._trust("receipt", 100.0, self.client_a, matter_ref="A-SALE")
        line = receipt.move_id.line_ids.filtered(lambda l: l.account_id == self.trust_liability)
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            line.write({"trust_matter_id": self.lease.id})
        # Nor is a matter given to an entry by hand.
        draft = self._hand_entry(
            (self.trust_bank, self.client_a, 40.0), (self.trust_liability, self.client_a, -40.0))
        with self.assertRaisesRegex(UserError, "matter of a journal item"):
            draft.line_ids.write({"trust_matter_id": self.sale.id})
        # An entry by hand from before they were refused: its items stay too.
        old = trust_internal(draft)
        old.action_post()
        old_line = old.line_ids.filtered(lambda l: l.account_id == self.trust_liability)
        with self.assertRaisesRegex(UserError, "stay as they were posted"):
            old_line.with_env(self.env).write({"trust_matter_id": self.sale.id})
        with self.assertRaisesRegex(UserError, "stay as they were posted"):
            old_line.with_env(self.env).write({"partner_id": self.client_b.id})
        self.assertEqual(old_line.partner_id, self.client_a)
        self.assertFalse(old_line.trust_matter_id)


@tagged("post_install", "-at_install")
class TestTrustFirmWithdrawalLimits(TrustRulesCommon):

    def test_interest_withdrawn_only_once_received(self):
        self._trust("receipt", 100.0, self.client_a, matter_ref="A-SALE")
        # No interest received: nothing to withdraw (it would take client money).
        with self.assertRaisesRegex(UserError, "interest not yet withdrawn"):
            self._withdraw("interest", 10.0)
        self._trust("bank_interest", 10.0, interest_account_id=self.interest_income.id,
                    date="2025-03-20")
        with self.assertRaisesRegex(UserError, "lowest from 03/15/2025 on"):
            self._withdraw("interest", 10.0, date="2025-03-15")
        self._withdraw("interest", 6.0, date="2025-03-20")
        with self.assertRaisesRegex(UserError, "interest not yet withdrawn"):
            self._withdraw("interest", 5.0, date="2025-03-21")
        self._withdraw("interest", 4.0, date="2025-03-21")
        self.assertEqual(self._ledger(), {self.client_a.name: (100.0, 0.0)})

    def test_interest_is_not_the_firms_own_funds(self):
        self._trust("bank_interest", 10.0, interest_account_id=self.interest_income.id)
        with self.assertRaisesRegex(UserError, "firm's own money"):
            self._withdraw("firm_funds", 10.0)

    def test_interest_owed_to_a_statutory_fund_is_not_withdrawn(self):
        self.company.trust_interest_to_firm = False
        with self.assertRaisesRegex(ValidationError, "liability account"):
            self._trust("bank_interest", 10.0, interest_account_id=self.interest_income.id)
        self._trust("bank_interest", 10.0, interest_account_id=self.interest_fund.id)
        with self.assertRaisesRegex(ValidationError, "statutory fund"):
            self._withdraw("interest", 10.0)
        with self.assertRaisesRegex(UserError, "firm's own money"):
            self._withdraw("firm_funds", 10.0)

    def test_reversing_interest_already_withdrawn_is_refused(self):
        received = self._trust("bank_interest", 10.0,
                               interest_account_id=self.interest_income.id)
        self._withdraw("interest", 10.0)
        with self.assertRaisesRegex(UserError, "not yet withdrawn"):
            reverse_trust(received, "Bank error")


@tagged("post_install", "-at_install")
class TestTrustLockDates(TrustRulesCommon):

    def _assert_refused_not_moved(self, date="2025-03-10", **vals):
        with self.assertRaisesRegex(UserError, "locked period"):
            self._trust("receipt", 10.0, self.client_a, matter_ref="A-SALE", date=date, **vals)
        self.assertFalse(self.env["account.trust.transaction"].search(
            [("state", "=", "posted"), ("amount", "=", 10.0)]))

    def test_every_lock_date_refuses_a_trust_posting(self):
        for field in ("fiscalyear_lock_date", "tax_lock_date", "sale_lock_date",
                      "purchase_lock_date", "hard_lock_date"):
            with self.subTest(field=field), self.env.cr.savepoint() as sp:
                self.company[field] = "2025-03-31"
                self._assert_refused_not_moved()
                # After the lock date, it posts on its own date.
                tx = self._trust("receipt", 20.0, self.client_a, matter_ref="A-SALE",
                                 date="2025-04-01")
                self.assertEqual(tx.move_id.date.isoformat(), "2025-04-01")
                sp.rollback()
                self.env.invalidate_all()

    def test_transfer_to_office_in_a_sales_locked_period_is_refused(self):
        invoice = self.init_invoice(
            "out_invoice", partner=self.client_a, amounts=[50.0], taxes=[], post=True,
            invoice_date="2025-03-01")
        self._trust("receipt", 100.0, self.client_a, matter_ref="A-SALE", date="2025-03-01")
        self.company.sale_lock_date = "2025-03-15"
        with self.assertRaisesRegex(UserError, "locked period"):
            self._trust("transfer_to_office", 50.0, self.client_a, matter_ref="A-SALE",
                        dest_journal_id=self.office_journal.id, invoice_id=invoice.id,
                        date="2025-03-10")
        self.assertEqual(invoice.amount_residual, 50.0)

    def test_a_users_lock_date_exception_lets_the_posting_keep_its_date(self):
        self.company.fiscalyear_lock_date = "2025-03-31"
        self._assert_refused_not_moved()
        self.env["account.lock_exception"].create({
            "company_id": self.company.id, "user_id": self.env.user.id,
            "fiscalyear_lock_date": "2025-02-28", "reason": "Audit correction"})
        self.env["res.company"].invalidate_model()
        tx = self._trust("receipt", 10.0, self.client_a, matter_ref="A-SALE",
                         date="2025-03-10")
        self.assertEqual(tx.move_id.date.isoformat(), "2025-03-10")


@tagged("post_install", "-at_install")
class TestTrustMatterHistory(TrustRulesCommon):

    def test_matter_with_history_keeps_its_analytic_account(self):
        plan = self.env["account.analytic.plan"].create({"name": "Matters"})
        Analytic = self.env["account.analytic.account"]
        first, other = Analytic.create([{"name": "A-SALE", "plan_id": plan.id},
                                        {"name": "Other", "plan_id": plan.id}])
        self.sale.analytic_account_id = first
        self.sale.analytic_account_id = other  # no history yet: free to change
        self._trust("receipt", 10.0, self.client_a, matter_ref="A-SALE")
        for value in (first, Analytic):
            with self.assertRaisesRegex(UserError, "Analytic account stays"):
                self.sale.analytic_account_id = value
        self.assertEqual(self.sale.analytic_account_id, other)

    def test_matter_holding_money_cannot_be_archived(self):
        self._trust("receipt", 125.0, self.client_a, matter_ref="A-SALE")
        with self.assertRaisesRegex(UserError, r"still holds .*125\.00"):
            self.sale.action_archive()
        self.assertTrue(self.sale.active)
        self._trust("payment", 125.0, self.client_a, matter_ref="A-SALE")
        self.sale.action_archive()
        self.assertFalse(self.sale.active)
        self.lease.action_archive()  # never held money
