"""Settings > Invoicing shows the Xero and Trust accounting blocks to the
users who may change them, whether or not they have "Show Full Accounting
Features": a Community administrator (Odoo Community as it ships) and an
administrator with full accounting features alike. The blocks keep their own
groups ("Xero: configure", Trust administrator)."""

from lxml import etree

from odoo.tests import HttpCase, new_test_user, tagged

from .common import BrowserTestMixin

BLOCKS = ("account_xero_settings", "account_trust_settings")


@tagged("post_install", "-at_install")
class TestSettingsVisibility(BrowserTestMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        base = "base.group_user,base.group_system,account.group_account_manager"
        cls.community_admin = new_test_user(cls.env, "community_admin", groups=base)
        cls.full_admin = new_test_user(
            cls.env, "full_admin", groups=base + ",account.group_account_user")

    def _blocks_seen(self, user):
        Settings = self.env["res.config.settings"].with_user(user)
        arch = Settings.get_views([(False, "form")])["views"]["form"]["arch"]
        tree = etree.fromstring(arch)
        return {b for b in BLOCKS if tree.xpath(f"//block[@id='{b}']")}

    def test_group_set_ups(self):
        self.assertFalse(self.community_admin.has_group("account.group_account_user"))
        self.assertTrue(self.full_admin.has_group("account.group_account_user"))
        self.assertEqual(self._blocks_seen(self.community_admin), set(BLOCKS))
        self.assertEqual(self._blocks_seen(self.full_admin), set(BLOCKS))

    def test_blocks_keep_their_groups(self):
        view = self.env.ref("account_xero.res_config_settings_view_form_inherit_account_xero")
        tree = etree.fromstring(view.arch)
        groups = {b: tree.xpath(f"//block[@id='{b}']/@groups") for b in BLOCKS}
        self.assertEqual(groups, {
            "account_xero_settings": ["account_xero.group_xero_manager"],
            "account_trust_settings": ["account_xero.group_trust_manager"],
        })

    def _tour_from_configuration_page(self, login):
        connection = self.env["xero.connection"].with_context(active_test=False).search(
            [("company_id", "=", self.env.company.id)], limit=1,
        ) or self.env["xero.connection"].create({"company_id": self.env.company.id})
        connection.sync_trust = True
        self.start_tour(f"/odoo/action-account_xero.xero_connection_action/{connection.id}",
                        "account_xero_settings_tour", login=login)

    def test_settings_tour_community_admin(self):
        self._tour_from_configuration_page("community_admin")

    def test_settings_tour_full_accounting_admin(self):
        self._tour_from_configuration_page("full_admin")
