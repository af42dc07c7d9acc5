"""Apps finds the addon: searching "Xero" with Odoo's default "Apps" filter
lists it (the manifest declares an application), its card opens the
description page in Odoo rather than a site outside, and the description's
screenshots are shown at a readable size."""

from odoo.tests import HttpCase, tagged

from .common import BrowserTestMixin


@tagged("post_install", "-at_install")
class TestAppsListing(BrowserTestMixin, HttpCase):

    def test_default_apps_filter_finds_it(self):
        Module = self.env["ir.module.module"]
        # The "Apps" filter and the name field of base.view_module_filter.
        found = Module.search([
            ("application", "=", True),
            "|", "|", ("summary", "ilike", "Xero"), ("shortdesc", "ilike", "Xero"),
            ("name", "ilike", "Xero"),
        ])
        self.assertIn("account_xero", found.mapped("name"))
        module = found.filtered(lambda m: m.name == "account_xero")
        self.assertEqual(module.icon, "/account_xero/static/description/icon.png")
        # No "Learn More" to a site outside: the card offers "Module Info".
        self.assertFalse(module.website)
        self.assertIn("/account_xero/static/description/screenshot_invoice.png",
                      module.description_html)

    def test_find_the_app_tour(self):
        self.start_tour("/odoo/apps", "account_xero_find_app_tour", login="admin")
