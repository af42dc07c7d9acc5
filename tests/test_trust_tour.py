from odoo.tests import HttpCase, tagged

from .common import BrowserTestMixin
from .common_trust import TrustCommon


@tagged("post_install", "-at_install")
class TestTrustTour(BrowserTestMixin, TrustCommon, HttpCase):
    """A trust receipt recorded through the UI shows in the trust ledger."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_client = cls.env["res.partner"].create({"name": "Tour Client Ltd"})
        cls.env["account.trust.matter"].create({
            "reference": "TOUR-42", "name": "Estate", "partner_id": cls.tour_client.id})

    def test_trust_receipt_tour(self):
        self.start_tour("/odoo/action-account_xero.account_trust_transaction_action",
                        "account_xero_trust_tour", login="accountman")
        tx = self.env["account.trust.transaction"].search(
            [("partner_id", "=", self.tour_client.id)])
        self.assertEqual((tx.state, tx.kind, tx.amount, tx.matter_id.reference),
                         ("posted", "receipt", 1234.5, "TOUR-42"))
        self.assertEqual(tx.journal_id, self.trust_journal)
        self.assertEqual(self._ledger(self.tour_client), {"Tour Client Ltd": (1234.5, 0.0)})
