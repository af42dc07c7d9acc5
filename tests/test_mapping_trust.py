"""Check mapping, when Xero's chart lacks the trust accounts the seed names
(trust liability, trust transfers): it says to create them in Xero and to
click Refresh from Xero, instead of only "not mapped"."""

from odoo.tests import tagged

from .common_mapping import XeroMappingCommon


@tagged("post_install", "-at_install")
class TestMappingTrustMissingInXero(XeroMappingCommon):

    def _accounts(self):
        Account = self.env["account.account"]
        return {
            "trust_liability_account_id": Account.create({
                "code": "215000", "name": "Trust Liability", "account_type": "liability_current"}),
            "trust_transfer_account_id": Account.create({
                "code": "215100", "name": "Trust Transfers", "account_type": "liability_current"}),
        }

    def test_create_it_in_xero_then_refresh(self):
        without_trust = [a for a in self.xero_accounts_src
                         if a.code not in ("850", "851", "852", "853")]
        self.connection._xero_store_reference(accounts=without_trust)
        accounts = self._accounts()
        self.company.write({fname: account.id for fname, account in accounts.items()})
        self.connection.write({"sync_trust": True,
                               "bank_transfer_xero_account_id": self.xa["855"].id})
        messages = self.issue_messages("trust")
        for account, label in ((accounts["trust_liability_account_id"], "Trust liability"),
                               (accounts["trust_transfer_account_id"], "Trust transfers")):
            wanted = [m for m in messages if account.display_name in m]
            self.assertEqual(len(wanted), 1, messages)
            self.assertIn("Xero has no account for it", wanted[0])
            self.assertIn("create it in Xero", wanted[0])
            self.assertIn("Liability account that allows payments", wanted[0])
            self.assertIn("click Refresh from Xero", wanted[0])
            self.assertIn(label, wanted[0])
        # Created in Xero and read back: now only to map.
        self.connection._xero_store_reference(accounts=self.xero_accounts_src)
        messages = self.issue_messages("trust")
        self.assertFalse([m for m in messages if "create it in Xero" in m], messages)
        self.assertIn("Account %s (Trust liability) is not mapped to a Xero account."
                      % accounts["trust_liability_account_id"].display_name, messages)
