"""A document whose taxes Xero cannot take is blocked with a message the
user can act on, never failed with an error of Odoo's."""

from odoo import Command
from odoo.tests import tagged

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestDocumentTaxes(XeroPushCommon):

    def test_line_with_two_taxes_is_blocked_naming_them(self):
        # Found by tools/odoo-scenarios on Odoo's test_invoice_taxes: the
        # job failed with "Expected singleton: account.tax(...)".
        move = self.make_invoice(amounts=(100.0,), post=False)
        move.invoice_line_ids.tax_ids = [Command.set((self.tax_sale_a | self.tax_sale_b).ids)]
        move.action_post()
        self.push()
        self.assertEqual(move.xero_state, "blocked", move.xero_error)
        self.assertIn("several taxes", move.xero_error)
        self.assertIn(self.tax_sale_b.name, move.xero_error)
