"""Fees leave trust only against the matter they were billed on: a transfer
to office pays an invoice billed on the transaction's matter (its Matter, or
the client's matter whose reference the invoice carries), no more than is
due; another matter's money of the same client does not pay it (SRA rule
4.3, NZ reg 12(6)(a): per client ledger, subdivided into matters)."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_trust import TrustRulesCommon


@tagged("post_install", "-at_install")
class TestTrustFeesPerMatter(TrustRulesCommon):

    def _invoice(self, amount, **vals):
        invoice = self.init_invoice("out_invoice", partner=self.client_a, amounts=[amount],
                                    taxes=[], invoice_date="2025-03-01")
        invoice.write(vals)
        invoice.action_post()
        return invoice

    def _pay(self, invoice, amount, matter):
        """Pay ``invoice`` from ``matter`` (not through ``_trust``, which
        bills an invoice on no matter on the transaction's)."""
        tx = self.env["account.trust.transaction"].create({
            "kind": "transfer_to_office", "amount": amount, "partner_id": self.client_a.id,
            "matter_id": matter.id, "journal_id": self.trust_journal.id, "date": "2025-03-10",
            "dest_journal_id": self.office_journal.id, "invoice_id": invoice.id})
        tx.action_post()
        return tx

    def test_a_matters_money_pays_only_that_matters_fees(self):
        self._trust("receipt", 500.0, self.client_a, matter_id=self.sale.id, date="2025-03-01")
        self._trust("receipt", 40.0, self.client_a, matter_id=self.lease.id, date="2025-03-01")
        lease_bill = self._invoice(100.0, trust_matter_id=self.lease.id)
        with self.assertRaisesRegex(UserError, "billed on matter .*Lease.*not on .*Sale"):
            self._pay(lease_bill, 100.0, self.sale)
        self.assertEqual(lease_bill.amount_residual, 100.0)
        # The lease's own money pays it, up to what the lease holds.
        self._pay(lease_bill, 40.0, self.lease)
        self.assertEqual(lease_bill.amount_residual, 60.0)
        # The matter of an invoice paid from trust stays.
        with self.assertRaisesRegex(UserError, "paid from trust"):
            lease_bill.trust_matter_id = self.sale

    def test_an_invoice_on_no_matter_is_not_paid_from_trust(self):
        self._trust("receipt", 500.0, self.client_a, matter_id=self.sale.id, date="2025-03-01")
        bill = self._invoice(100.0)
        with self.assertRaisesRegex(UserError, "billed on no matter"):
            self._pay(bill, 100.0, self.sale)
        # The matter's reference on the invoice names it (as the form proposes).
        bill = self._invoice(100.0, ref="A-SALE")
        self._pay(bill, 100.0, self.sale)
        self.assertEqual(bill.amount_residual, 0.0)
