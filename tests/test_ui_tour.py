from odoo.tests import HttpCase, tagged

from .xero_mapping_common import XeroMappingCommon


@tagged("post_install", "-at_install")
class TestXeroMappingTour(XeroMappingCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.trust_liability = cls.env["account.account"].create({
            "code": "215000", "name": "Trust Liability", "account_type": "liability_current",
        })
        cls.tax_sale_9 = cls.tax_sale_a.copy({"name": "Sales 9%", "amount": 9.0})

    def test_mapping_tour(self):
        self.assertFalse(self.xa["850"].is_mapped)
        self.start_tour(
            f"/odoo/action-account_xero.action_xero_connection/{self.connection.id}",
            "account_xero_mapping_tour", login="accountman",
        )
        self.assertEqual(self.connection._map_account(self.trust_liability), self.xa["850"])
        self.assertTrue(self.xa["850"].is_mapped)
        self.assertEqual(self.connection._map_tax(self.tax_sale_9, "output"), self.xt["OUTPUT2"])
