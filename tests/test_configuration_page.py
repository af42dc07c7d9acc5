"""The configuration page a newcomer lands on: Accounting > Configuration >
Xero Integration opens the company's own connection form (one company, one
form), created on first use, and shows the redirect URI to register at Xero."""

from odoo.exceptions import ValidationError
from odoo.tests import TransactionCase, tagged


@tagged("post_install", "-at_install")
class TestConfigurationPage(TransactionCase):

    def open_menu(self, env):
        menu = env.ref("account_xero.xero_connection_menu")
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

    def test_sync_log_at_a_glance(self):
        action = self.open_menu(self.env)
        connection = self.env["xero.connection"].browse(action["res_id"])
        partner = self.env["res.partner"].create({"name": "Glance Ltd"})
        Job = self.env["xero.sync.job"].sudo()
        jobs = Job.create([{"connection_id": connection.id, "res_model": "res.partner",
                            "res_id": partner.id, "operation": "contact", "version": v}
                           for v in (1, 2, 3)])
        jobs[1].write({"state": "failed", "error": "Xero said no."})
        jobs[2].write({"state": "blocked", "error": "A mapping is missing."})
        connection.invalidate_recordset()
        self.assertEqual((connection.job_queued_count, connection.job_failed_count,
                          connection.job_blocked_count), (1, 1, 1))
        failed = connection.with_context(xero_jobs="failed").action_open_jobs()
        self.assertEqual(self.env["xero.sync.job"].search(failed["domain"]), jobs[1])
        self.assertFalse(connection.last_push_at)
        jobs[0].write({"state": "done", "sent_at": "2026-11-30 10:00:00"})
        connection.invalidate_recordset()
        self.assertEqual(str(connection.last_push_at), "2026-11-30 10:00:00")

    def test_push_settings_are_settings(self):
        settings = self.env["res.config.settings"].create({"xero_push_concurrency": 2,
                                                          "xero_push_max_attempts": 4})
        settings.execute()
        icp = self.env["ir.config_parameter"].sudo()
        self.assertEqual(icp.get_param("account_xero.push_concurrency"), "2")
        self.assertEqual(self.env["xero.sync.job"]._push_concurrency(), 2)
        self.assertEqual(self.env["xero.sync.job"]._max_attempts(), 4)
        with self.assertRaises(ValidationError):
            self.env["res.config.settings"].create({"xero_push_concurrency": 9})
