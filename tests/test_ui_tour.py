import os
import unittest
from unittest.mock import patch

from odoo.tests import HttpCase, tagged

from .common import BrowserTestMixin
from .common_mapping import XeroMappingCommon


@tagged("post_install", "-at_install")
class TestXeroMappingTour(BrowserTestMixin, XeroMappingCommon, HttpCase):

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
            f"/odoo/action-account_xero.xero_connection_action/{self.connection.id}",
            "account_xero_mapping_tour", login="accountman",
        )
        self.assertEqual(self.connection._map_account(self.trust_liability), self.xa["850"])
        self.assertTrue(self.xa["850"].is_mapped)
        self.assertEqual(self.connection._map_tax(self.tax_sale_9, "output"), self.xt["OUTPUT2"])


@tagged("post_install", "-at_install")
class TestBrowserTestWithoutChromium(BrowserTestMixin, HttpCase):
    """A browser test that cannot start Chromium fails under CI and says why
    it skipped elsewhere (Odoo's HttpCase would skip it silently)."""

    def _tour_without_chromium(self, ci):
        env = dict(os.environ, CI="true") if ci else {k: v for k, v in os.environ.items() if k != "CI"}
        with patch.dict(os.environ, env, clear=True), \
                patch("odoo.tests.common.ChromeBrowser",
                      side_effect=unittest.SkipTest("Chrome executable not found")):
            self.start_tour("/odoo", "account_xero_mapping_tour", login="admin")

    def test_fails_under_ci(self):
        try:
            with self.assertRaisesRegex(AssertionError, "Chrome executable not found.*Under CI"):
                self._tour_without_chromium(ci=True)
        except unittest.SkipTest as e:
            self.fail(f"skipped under CI instead of failing: {e}")

    def test_skip_says_why_outside_ci(self):
        with self.assertLogs("odoo.addons.account_xero.tests.common", "WARNING") as logs, \
                self.assertRaisesRegex(unittest.SkipTest, "could not run: Chrome executable not found"):
            self._tour_without_chromium(ci=False)
        self.assertIn("SKIPPED browser test", logs.output[0])
