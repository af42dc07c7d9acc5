"""The trust ledger's rules as a firm's auditor reads them: no client or
matter is overdrawn on any date (a back-dated posting is checked against
every later date), whatever posts it."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .test_trust_accounting import TrustCommon, reverse_trust


class TrustRulesCommon(TrustCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.interest_income = cls.env["account.account"].create({
            "name": "Interest Income", "code": "4270", "account_type": "income_other"})
        Matter = cls.env["account.trust.matter"]
        cls.sale = Matter.create({
            "reference": "A-SALE", "name": "Sale", "partner_id": cls.client_a.id})
        cls.lease = Matter.create({
            "reference": "A-LEASE", "name": "Lease", "partner_id": cls.client_a.id})

    def _balances_by_date(self, partner):
        """{date: running balance} of the client's ledger."""
        running, result = 0.0, {}
        for line in self.env["account.trust.ledger"].search(
                [("partner_id", "=", partner.id)], order="date, id"):
            running += line.balance
            result[line.date.isoformat()] = running
        return result


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
