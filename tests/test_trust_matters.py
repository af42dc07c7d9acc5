"""Trust matters (account.trust.matter), the company's trust settings (no
Xero needed) and the Trust group, as a firm uses them."""

from psycopg2 import IntegrityError

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import mute_logger

from .common import BrowserTestMixin
from .common_trust import TrustCommon, reverse_trust


class TrustMatterCommon(TrustCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Matter = cls.env["account.trust.matter"]
        cls.sale = Matter.create({
            "reference": "A-SALE", "name": "Sale of the farm", "partner_id": cls.client_a.id})
        cls.lease = Matter.create({
            "reference": "A-LEASE", "name": "Lease", "partner_id": cls.client_a.id})
        cls.estate_b = Matter.create({
            "reference": "B-EST", "name": "Estate", "partner_id": cls.client_b.id})

    def _matter_ledger(self):
        """{matter reference: balance} of the trust ledger."""
        groups = self.env["account.trust.ledger"]._read_group(
            [("company_id", "=", self.company.id)], ["matter_id"], ["balance:sum"])
        return {matter.reference: balance for matter, balance in groups if balance}


@tagged("post_install", "-at_install")
class TestTrustMatters(TrustMatterCommon):

    def test_matter_reference_is_unique_per_company(self):
        self.assertEqual(self.sale.display_name, "A-SALE – Sale of the farm")
        self.assertIn(self.sale, self.env["account.trust.matter"].search(
            [("display_name", "ilike", "farm")]))
        other = self.setup_other_company()["company"]
        self.env["account.trust.matter"].create({
            "reference": "A-SALE", "name": "Elsewhere", "partner_id": self.client_a.id,
            "company_id": other.id})
        with mute_logger("odoo.sql_db"), self.assertRaises(IntegrityError), self.cr.savepoint():
            self.env["account.trust.matter"].create({
                "reference": "A-SALE", "name": "Again", "partner_id": self.client_b.id})

    def test_a_clients_transaction_is_for_one_of_its_matters(self):
        with self.assertRaisesRegex(ValidationError, "choose the client's matter"):
            self._trust("receipt", 10.0, self.client_a, post=False, matter_id=False)
        with self.assertRaisesRegex(ValidationError, "a matter of .*, not of"):
            self._trust("receipt", 10.0, self.client_a, post=False, matter_id=self.estate_b.id)
        with self.assertRaisesRegex(ValidationError, "moves no client's money"):
            self._trust("statutory_deposit", 10.0, post=False, matter_id=self.sale.id)
        with self.assertRaisesRegex(ValidationError, "choose the matter it goes to"):
            self._trust("trust_transfer", 10.0, self.client_a, post=False,
                        matter_id=self.sale.id, dest_partner_id=self.client_b.id,
                        dest_matter_id=False)
        with self.assertRaisesRegex(ValidationError, "a matter of .*, not of"):
            self._trust("trust_transfer", 10.0, self.client_a, post=False,
                        matter_id=self.sale.id, dest_partner_id=self.client_b.id,
                        dest_matter_id=self.lease.id)

    def test_overdraw_is_refused_per_matter(self):
        self._trust("receipt", 500.0, self.client_a, matter_id=self.sale.id)
        self._trust("receipt", 100.0, self.client_a, matter_id=self.lease.id)
        # The client holds 600, the lease 100 of it: the lease cannot pay 200.
        with self.assertRaisesRegex(UserError, "would overdraw matter A-LEASE – Lease"):
            self._trust("payment", 200.0, self.client_a, matter_id=self.lease.id)
        tx = self._trust("payment", 200.0, self.client_a, matter_id=self.sale.id)
        self.assertEqual((tx.client_balance, tx.matter_balance), (400.0, 300.0))
        self.assertEqual((self.sale.balance, self.lease.balance), (300.0, 100.0))
        self.assertEqual(self._matter_ledger(), {"A-SALE": 300.0, "A-LEASE": 100.0})
        self.assertEqual(set(tx.move_id.line_ids.mapped("trust_matter_id")), {self.sale})
        self.assertIn("A-SALE", tx.move_id.ref)
        # The client's balance stays guarded too (first): another client's
        # money never pays.
        with self.assertRaisesRegex(UserError, "would overdraw the trust balance of"):
            self._trust("payment", 1.0, self.client_b, matter_id=self.estate_b.id)

    def test_matter_lock_serializes_spending(self):
        self._trust("receipt", 100.0, self.client_a, matter_id=self.sale.id)
        payment = self._trust("payment", 60.0, self.client_a, matter_id=self.sale.id)
        key = "matter:%d:%d:%d" % (self.company.id, self.sale.id, self.trust_journal.id)
        self.env.cr.execute("SELECT seq FROM account_trust_lock WHERE key = %s", [key])
        self.assertEqual(self.env.cr.fetchone(), (1,))
        self.assertEqual(payment.matter_balance, 40.0)

    def test_transfer_between_matters_and_reversal(self):
        self._trust("receipt", 500.0, self.client_a, matter_id=self.sale.id)
        transfer = self._trust("trust_transfer", 150.0, self.client_a, matter_id=self.sale.id,
                               dest_partner_id=self.client_a.id, dest_matter_id=self.lease.id)
        self.assertEqual((self.sale.balance, self.lease.balance), (350.0, 150.0))
        self._trust("payment", 150.0, self.client_a, matter_id=self.lease.id)
        # The lease spent what it received: the transfer can no longer be undone.
        with self.assertRaisesRegex(UserError, "would overdraw matter A-LEASE"), \
                self.cr.savepoint():
            reverse_trust(transfer)
        receipt = self._trust("receipt", 40.0, self.client_b, matter_id=self.estate_b.id)
        reversal = receipt.browse(reverse_trust(receipt)["res_id"])
        self.assertEqual(reversal.matter_id, self.estate_b)
        self.assertEqual(self.estate_b.balance, 0.0)
        self.assertEqual(self.estate_b.transaction_count, 2)
        self.assertEqual(self.lease.transaction_count, 2)  # the transfer in, the payment

    def test_posted_matter_is_tamper_proof(self):
        tx = self._trust("receipt", 500.0, self.client_a, matter_id=self.sale.id)
        with self.assertRaisesRegex(UserError, "reverse it instead"):
            tx.write({"matter_id": self.lease.id})
        line = tx.move_id.line_ids[0]
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            line.write({"trust_matter_id": self.lease.id})
        with self.assertRaisesRegex(UserError, "Open a new matter"):
            self.sale.partner_id = self.client_b
        with self.assertRaisesRegex(UserError, "archive it instead"):
            self.sale.unlink()
        with self.assertRaisesRegex(UserError, "still holds"):
            self.sale.action_archive()
        self.assertEqual(self.sale.balance, 500.0)
        self.assertEqual(tx.matter_id, self.sale)
        # A matter with no trust records is the firm's to change or delete.
        self.lease.partner_id = self.client_b
        self.lease.unlink()

    def test_smart_buttons(self):
        tx = self._trust("receipt", 70.0, self.client_a, matter_id=self.sale.id)
        action = self.sale.action_open_transactions()
        self.assertEqual(self.env[action["res_model"]].search(action["domain"]), tx)
        self.assertEqual(action["context"]["default_matter_id"], self.sale.id)
        ledger = self.sale.action_open_ledger()
        rows = self.env[ledger["res_model"]].search(ledger["domain"])
        self.assertEqual(sum(rows.mapped("balance")), 70.0)


@tagged("post_install", "-at_install")
class TestTrustSettings(TrustMatterCommon):

    def test_trust_without_any_xero_connection(self):
        self.assertFalse(self.env["xero.connection"].with_context(active_test=False).search(
            [("company_id", "=", self.company.id)]))
        tx = self._trust("receipt", 80.0, self.client_a, matter_id=self.sale.id)
        self.assertEqual(tx.xero_state, "not_sent")
        self.assertEqual(self._ledger(), {self.client_a.name: (80.0, 0.0)})

    def test_settings_set_the_company_trust_accounts_and_journals(self):
        self.company.write({"trust_liability_account_id": False})
        with self.assertRaisesRegex(UserError, "Settings > Accounting > Trust accounting"):
            self._trust("receipt", 10.0, self.client_a, matter_id=self.sale.id)
        other_trust = self.env["account.journal"].create({
            "name": "Trust Investment", "code": "TRIN", "type": "bank",
            "company_id": self.company.id})
        settings = self.env["res.config.settings"].with_company(self.company).create({})
        self.assertEqual(settings.trust_journal_ids, self.trust_journal)
        settings.write({
            "trust_liability_account_id": self.trust_liability.id,
            "trust_journal_ids": [(6, 0, (self.trust_journal | other_trust).ids)],
        })
        settings.execute()
        self.assertEqual(self.company.trust_liability_account_id, self.trust_liability)
        self.assertTrue(other_trust.is_trust_account)
        tx = self._trust("receipt", 10.0, self.client_a, matter_id=self.sale.id,
                         journal_id=other_trust.id)
        self.assertEqual(tx.move_id.journal_id, other_trust)


@tagged("post_install", "-at_install")
class TestTrustGroup(TrustMatterCommon):
    """Trust is given by the Trust group, in Community as it ships: a clerk
    with Invoicing and Trust does it all, Invoicing alone sees none of it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, login="trust_clerk", groups="base.group_user,account_xero.group_trust_user",
            company_id=cls.company.id, company_ids=[cls.company.id])
        cls.billing = new_test_user(
            cls.env, login="billing_only", groups="base.group_user,account.group_account_invoice",
            company_id=cls.company.id, company_ids=[cls.company.id])

    def _visible_menus(self, user):
        return self.env["ir.ui.menu"].with_user(user)._visible_menu_ids()

    def test_the_administrator_has_trust_from_the_start(self):
        admin = self.env.ref("base.user_admin")
        self.assertTrue(admin.has_group("account_xero.group_trust_manager"))
        self.assertIn(self.env.ref("account_xero.account_trust_menu").id,
                      self._visible_menus(admin))

    def test_a_trust_clerk_records_posts_and_reverses(self):
        clerk = self.clerk
        self.assertTrue(clerk.has_group("account.group_account_invoice"))
        self.assertFalse(clerk.has_group("account.group_account_user"))
        self.assertFalse(clerk.has_group("account.group_account_readonly"))
        menus = self._visible_menus(clerk)
        for xmlid in ("account_trust_menu", "account_trust_matter_menu",
                      "account_trust_transaction_menu", "account_trust_ledger_menu"):
            self.assertIn(self.env.ref("account_xero." + xmlid).id, menus, xmlid)
        env = self.env(user=clerk)
        matter = env["account.trust.matter"].create({
            "reference": "C-1", "name": "Conveyancing", "partner_id": self.client_a.id})
        Tx = env["account.trust.transaction"]
        deposit = Tx.create({"kind": "receipt", "partner_id": self.client_a.id,
                             "matter_id": matter.id, "amount": 300.0})
        self.assertEqual(deposit.journal_id, self.trust_journal)
        deposit.action_post()
        withdrawal = Tx.create({"kind": "payment", "partner_id": self.client_a.id,
                                "matter_id": matter.id, "amount": 120.0,
                                "payee_id": self.client_b.id})
        withdrawal.action_post()
        with self.assertRaisesRegex(UserError, "would overdraw"):
            Tx.create({"kind": "payment", "partner_id": self.client_a.id,
                       "matter_id": matter.id, "amount": 180.01}).action_post()
        self.assertEqual(matter.balance, 180.0)
        reversal = withdrawal.browse(reverse_trust(withdrawal)["res_id"])
        self.assertEqual(reversal.state, "posted")
        matter.invalidate_recordset(["balance"])
        self.assertEqual(matter.balance, 300.0)
        # The journal entries, their accounts, journals and clients read.
        lines = deposit.move_id.line_ids
        self.assertEqual(set(lines.mapped("account_id.name")), {
            self.trust_bank.name, self.trust_liability.name})
        self.assertEqual(lines.mapped("partner_id.name")[0], self.client_a.name)
        self.assertEqual(deposit.move_id.journal_id.name, "Trust Account")
        rows = env["account.trust.ledger"].search([("matter_id", "=", matter.id)])
        self.assertEqual(sum(rows.mapped("balance")), 300.0)

    def test_invoicing_alone_sees_no_trust(self):
        self.assertNotIn(self.env.ref("account_xero.account_trust_menu").id,
                         self._visible_menus(self.billing))
        env = self.env(user=self.billing)
        for model in ("account.trust.transaction", "account.trust.matter",
                      "account.trust.ledger"):
            with self.subTest(model=model), self.assertRaises(AccessError):
                env[model].search([])
        with self.assertRaises(AccessError):
            env["account.trust.transaction"].create({
                "kind": "receipt", "partner_id": self.client_a.id,
                "matter_id": self.sale.id, "amount": 1.0})


@tagged("post_install", "-at_install")
class TestTrustMatterTour(BrowserTestMixin, TrustCommon, HttpCase):
    """A trust clerk (Invoicing and Trust rights only) opens a matter, receives
    and pays out trust money on it, sees its balance and is refused an
    overdraw, in the browser."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.tour_client = cls.env["res.partner"].create({"name": "Tour Client Ltd"})
        other = cls.env["account.trust.matter"].create({
            "reference": "TOUR-OTHER", "name": "Other matter", "partner_id": cls.tour_client.id})
        cls._trust("receipt", 1000.0, cls.tour_client, matter_id=other.id)
        new_test_user(cls.env, login="trust_clerk",
                      groups="base.group_user,account_xero.group_trust_user",
                      company_id=cls.company.id, company_ids=[cls.company.id])

    def test_trust_matter_tour(self):
        self.start_tour("/odoo/action-account_xero.account_trust_matter_action",
                        "account_xero_trust_matter_tour", login="trust_clerk")
        matter = self.env["account.trust.matter"].search([("reference", "=", "TOUR-M1")])
        self.assertEqual((matter.partner_id, matter.balance), (self.tour_client, 300.0))
        txs = self.env["account.trust.transaction"].search([("matter_id", "=", matter.id)])
        self.assertEqual(sorted(txs.mapped(lambda t: (t.kind, t.amount, t.state))), [
            ("payment", 200.0, "posted"), ("payment", 300.01, "draft"),
            ("receipt", 500.0, "posted")])
