"""What a user reads in the trust lists: a transaction's direction and
signed amount (a reversal reads as the opposite of what it reverses; only
the signed amounts are totalled, and they add up to the trust bank), and the
trust ledger's running balance per client and matter."""

from lxml import etree

from odoo.tests import tagged

from .common_trust import TrustCommon, reverse_trust, trust_matter


@tagged("post_install", "-at_install")
class TestTrustLists(TrustCommon):

    def _read(self, tx):
        return tx.direction, tx.trust_bank_amount

    def test_direction_and_sign(self):
        receipt = self._trust("receipt", 300.0, self.client_a)
        self.assertEqual(self._read(receipt), ("in", 300.0))
        payment = self._trust("payment", 100.0, self.client_a)
        self.assertEqual(self._read(payment), ("out", -100.0))
        reverse_trust(payment, "Cheque not cashed")
        self.assertEqual(self._read(payment.reversal_ids), ("in", 100.0))
        reverse_trust(receipt, "Bounced")
        reversal = receipt.reversal_ids
        # Not "Receipt into trust 300": out of trust, -300.
        self.assertEqual(self._read(reversal), ("out", -300.0))
        self._trust("receipt", 80.0, self.client_b)
        transfer = self._trust("trust_transfer", 30.0, self.client_b,
                               dest_partner_id=self.client_a.id)
        self.assertEqual(self._read(transfer), ("within", 0.0))
        funding = self._trust("bank_transfer", 50.0, journal_id=self.office_journal.id,
                              dest_journal_id=self.trust_journal.id)
        self.assertEqual(self._read(funding), ("in", 50.0))
        draft = self._trust("payment", 10.0, self.client_b, post=False)
        self.assertEqual(self._read(draft), (False, 0.0))
        # The signed amounts add up to the trust bank in the books.
        total = self.env["account.trust.transaction"]._read_group(
            [("company_id", "=", self.company.id)], [], ["trust_bank_amount:sum"])[0][0]
        bank = sum(self.env["account.move.line"].search([
            ("account_id", "=", self.trust_bank.id), ("parent_state", "=", "posted")]).mapped(
                "balance"))
        self.assertEqual(total, bank)
        self.assertEqual(total, 130.0)

    def test_the_list_totals_only_the_signed_amounts(self):
        arch = etree.fromstring(self.env["account.trust.transaction"].get_view(
            self.env.ref("account_xero.account_trust_transaction_view_list").id, "list")["arch"])
        self.assertFalse(arch.xpath("//field[@name='amount']/@sum"))
        self.assertTrue(arch.xpath("//field[@name='trust_bank_amount']/@sum"))
        self.assertTrue(arch.xpath("//field[@name='direction']"))

    def test_ledger_running_balance_per_matter(self):
        self._trust("receipt", 500.0, self.client_a, matter_ref="M-1", date="2025-03-01")
        self._trust("receipt", 70.0, self.client_a, matter_ref="M-2", date="2025-03-02")
        self._trust("payment", 120.0, self.client_a, matter_ref="M-1", date="2025-03-05")
        # Back-dated, between the two: the balances after it move up.
        self._trust("receipt", 40.0, self.client_a, matter_ref="M-1", date="2025-03-03")
        matter = trust_matter(self.env, self.client_a, "M-1")
        rows = self.env["account.trust.ledger"].search(
            [("matter_id", "=", matter.id)], order="date, id")
        self.assertEqual([(str(r.date), r.balance, r.running_balance) for r in rows], [
            ("2025-03-01", 500.0, 500.0), ("2025-03-03", 40.0, 540.0),
            ("2025-03-05", -120.0, 420.0)])
        # Whatever the list filters: as at each line, not the sum of what is shown.
        last = self.env["account.trust.ledger"].search(
            [("matter_id", "=", matter.id), ("date", ">=", "2025-03-04")])
        self.assertEqual(last.running_balance, 420.0)
        self.assertEqual(last.running_balance, matter.balance)
        self.assertFalse(self.env["account.trust.ledger"]._fields["running_balance"].aggregator)
