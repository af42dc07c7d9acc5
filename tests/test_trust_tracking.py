"""Matters as Xero tracking on trust (client money): a trust transaction's
matter carries its analytic account, and the bank transactions and manual
journals it becomes in Xero carry that account's tracking option, as
Actionstep sends a matter with its trust entries."""

from odoo.tests import tagged

from .common_trust import trust_matter
from .common_trust import TrustXeroCommon

SMITH = "M-1001 Smith v Jones"
BROWN = "M-1002 Estate of Brown"


@tagged("post_install", "-at_install")
class TestTrustTracking(TrustXeroCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        plan = cls.env["account.analytic.plan"].create({"name": "Matters"})
        Account = cls.env["account.analytic.account"]
        cls.smith = Account.create({"name": "Smith v Jones", "plan_id": plan.id})
        cls.brown = Account.create({"name": "Estate of Brown", "plan_id": plan.id})
        cls.green = Account.create({"name": "Green purchase", "plan_id": plan.id})  # no option
        conn = cls.connection
        categories = {c.name: c for c in conn.xero_tracking_category_ids}
        options = {o.name: o for o in conn.xero_tracking_option_ids}
        cls.env["xero.tracking.category.map"].create({
            "connection_id": conn.id, "plan_id": plan.id,
            "xero_category_id": categories["Matter"].id})
        cls.env["xero.tracking.map"].create([
            {"connection_id": conn.id, "analytic_account_id": cls.smith.id,
             "xero_option_id": options[SMITH].id},
            {"connection_id": conn.id, "analytic_account_id": cls.brown.id,
             "xero_option_id": options[BROWN].id},
        ])

    def matter(self, partner, reference, analytic):
        matter = trust_matter(self.env, partner, reference)
        matter.analytic_account_id = analytic
        return matter

    def tracking_of(self, tx):
        """{bank transaction type: [(category, option)] of its line} of what
        ``tx`` became in Xero."""
        docs = {d["BankTransactionID"]: d for d in self.xero_docs("BankTransactions")}
        return {
            docs[xero_id]["Type"]: [(t["Name"], t["Option"])
                                    for t in docs[xero_id]["LineItems"][0].get("Tracking") or []]
            for xero_id in tx.xero_id.split(",")
        }

    def test_receipt_and_transfer_between_matters_carry_each_matters_option(self):
        smith = self.matter(self.client_a, "A-SMITH", self.smith)
        brown = self.matter(self.client_a, "A-BROWN", self.brown)
        receipt = self.trust("receipt", 500.0, self.client_a, matter_id=smith.id)
        transfer = self.trust("trust_transfer", 200.0, self.client_a, matter_id=smith.id,
                              dest_partner_id=self.client_a.id, dest_matter_id=brown.id)
        self.push()
        self.assertEqual((receipt.xero_state, transfer.xero_state), ("sent", "sent"))
        self.assertEqual(self.tracking_of(receipt), {"RECEIVE": [("Matter", SMITH)]})
        self.assertEqual(self.tracking_of(transfer), {
            "SPEND": [("Matter", SMITH)], "RECEIVE": [("Matter", BROWN)]})
        self.assertEqual(self.xero_trust_ledger(), self.odoo_trust_ledger())

    def test_a_matter_without_analytic_account_goes_untracked(self):
        receipt = self.trust("receipt", 80.0, self.client_b, matter_ref="B-1")
        self.push()
        self.assertEqual(receipt.xero_state, "sent")
        self.assertEqual(self.tracking_of(receipt), {"RECEIVE": []})

    def test_a_matter_whose_analytic_account_has_no_option_is_blocked_by_name(self):
        green = self.matter(self.client_b, "B-GREEN", self.green)
        receipt = self.trust("receipt", 80.0, self.client_b, matter_id=green.id)
        self.push()
        self.assertEqual(receipt.xero_state, "blocked")
        self.assertIn("Green purchase", self.jobs(receipt).error)
        self.assertEqual(self.trust_docs_count(), 0)
