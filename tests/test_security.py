from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common_mapping import XeroMappingCommon, xero_account

SECRET_FIELDS = ("client_id", "client_secret", "access_token", "refresh_token",
                 "token_expires_at", "pending_tenants")
XERO_MODELS = ("xero.connection", "xero.account", "xero.tax.rate", "xero.currency",
               "xero.account.map", "xero.tax.map", "xero.currency.map")


@tagged("post_install", "-at_install")
class TestXeroSecurity(XeroMappingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection.sudo().write({
            "client_id": "APP-ID", "client_secret": "APP-SECRET",
            "access_token": "ACCESS", "refresh_token": "REFRESH",
        })
        cls.accountant = new_test_user(
            cls.env, login="xero_accountant",
            groups="account.group_account_user,account_xero.group_xero_user",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.company_b = cls.env["res.company"].sudo().create({"name": "Firm B"})
        cls.connection_b = cls.env["xero.connection"].sudo().create({"company_id": cls.company_b.id})
        cls.connection_b._xero_store_reference(
            accounts=[xero_account("090", "Bank B", "BANK", "ASSET")], tax_rates=[], currencies=[])
        cls.manager_b = new_test_user(
            cls.env, login="xero_manager_b",
            groups="account.group_account_manager",
            company_id=cls.company_b.id, company_ids=[cls.company_b.id],
        )

    def test_groups(self):
        manager = self.env.ref("account_xero.group_xero_manager")
        user = self.env.ref("account_xero.group_xero_user")
        self.assertIn(user, manager.implied_ids)
        self.assertIn(manager, self.env.ref("account.group_account_manager").implied_ids)
        self.assertTrue(self.manager_b.has_group("account_xero.group_xero_manager"))
        self.assertFalse(self.accountant.has_group("account_xero.group_xero_manager"))
        self.assertFalse(self.accountant.has_group("base.group_system"))

    def test_accountant_cannot_read_secrets(self):
        conn = self.connection.with_user(self.accountant)
        self.assertEqual(conn.read(["name", "state"])[0]["state"], "draft")
        for fname in ("client_secret", "access_token", "refresh_token"):
            with self.assertRaises(AccessError):
                conn.read([fname])
            with self.assertRaises(AccessError):
                conn.search_read([("id", "=", conn.id)], [fname])
        fields = conn.fields_get()
        for fname in SECRET_FIELDS:
            self.assertNotIn(fname, fields)
        # nor through the form view
        arch = conn.get_views([(False, "form")])["views"]["form"]["arch"]
        for fname in ("client_id", "client_secret"):
            self.assertNotIn(f'name="{fname}"', arch)

    def test_admin_reads_secrets(self):
        self.assertTrue(self.env.user.has_group("base.group_system"))
        self.assertEqual(self.connection.client_secret, "APP-SECRET")

    def test_accountant_reads_but_does_not_configure(self):
        conn = self.connection.with_user(self.accountant)
        self.assertTrue(conn.account_map_ids)
        self.assertTrue(conn.xero_account_ids)
        with self.assertRaises(AccessError):
            conn.write({"sync_trust": True})
        with self.assertRaises(AccessError):
            conn.account_map_ids[0].unlink()
        with self.assertRaises(AccessError):
            self.env["xero.tax.map"].with_user(self.accountant).create({
                "connection_id": conn.id, "tax_id": self.tax_sale_a.id})

    def test_multi_company_isolation(self):
        for model in XERO_MODELS:
            rows_b = self.env[model].with_user(self.manager_b).with_context(
                active_test=False).search([])
            self.assertFalse(
                rows_b.filtered(lambda r: r.company_id == self.company),
                f"{model}: a user of company B sees rows of company A")
            rows_a = self.env[model].with_user(self.accountant).with_context(
                active_test=False).search([])
            self.assertTrue(rows_a, model)
            self.assertFalse(
                rows_a.filtered(lambda r: r.company_id == self.company_b),
                f"{model}: a user of company A sees rows of company B")
        own = self.env["xero.connection"].with_user(self.manager_b).search([])
        self.assertEqual(own, self.connection_b)
        self.assertEqual(len(own.xero_account_ids), 1)
        with self.assertRaises(AccessError):
            self.connection.with_user(self.manager_b).read(["name"])
        with self.assertRaises(AccessError):
            self.connection.xero_account_ids[0].with_user(self.manager_b).read(["name"])

    def test_sync_log_is_read_only_to_users(self):
        """The sync log is the engine's: users read it, retry and ignore
        (checked on the server), and neither configure rights nor the
        manager group give write access to it."""
        manager = new_test_user(
            self.env, login="xero_log_manager", groups="account_xero.group_xero_manager",
            company_id=self.company.id, company_ids=[self.company.id])
        for user in (self.accountant, manager):
            Job = self.env["xero.sync.job"].with_user(user)
            self.assertTrue(Job.has_access("read"), user.login)
            for operation in ("write", "create", "unlink"):
                self.assertFalse(Job.has_access(operation), (user.login, operation))
