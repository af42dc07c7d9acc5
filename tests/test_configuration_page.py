"""The configuration page a newcomer lands on: Accounting > Configuration >
Xero Integration opens the company's own connection form (one company, one
form), created on first use, and shows the redirect URI to register at Xero."""

from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestConfigurationPage(TransactionCase):

    def open_menu(self, env):
        menu = env.ref("account_xero.menu_xero_connection")
        return menu.action.with_env(env).run()

    def test_menu_opens_the_company_form(self):
        Connection = self.env["xero.connection"].with_context(active_test=False)
        Connection.search([("company_id", "=", self.env.company.id)]).unlink()
        action = self.open_menu(self.env)
        self.assertEqual(action["res_model"], "xero.connection")
        self.assertEqual(action["view_mode"], "form")
        connection = Connection.browse(action["res_id"])
        self.assertEqual(connection.company_id, self.env.company)
        # Again: the same form, no second connection.
        self.assertEqual(self.open_menu(self.env)["res_id"], connection.id)
        self.assertEqual(Connection.search_count([("company_id", "=", self.env.company.id)]), 1)

    def test_redirect_uri_to_register(self):
        self.env["ir.config_parameter"].sudo().set_param("web.base.url", "https://firm.example.com/")
        action = self.open_menu(self.env)
        connection = self.env["xero.connection"].browse(action["res_id"])
        self.assertEqual(connection.redirect_uri, "https://firm.example.com/xero/oauth/callback")
