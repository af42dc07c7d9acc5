"""The records a regulator asks for: every trust record's history in its
chatter (who, when, what), kept for good: posted trust records are never
deleted, archived matters keep their ledgers, and uninstalling the addon,
which would drop the trust tables, is refused while posted trust records
exist (models/ir_module_module.py)."""

from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common_trust import TrustCommon, trust_matter


@tagged("post_install", "-at_install")
class TestTrustRetention(TrustCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, "retention.clerk", groups="base.group_user,account_xero.group_trust_user",
            company_id=cls.company.id, company_ids=[cls.company.id])
        cls.module = cls.env["ir.module.module"].search([("name", "=", "account_xero")])

    def _commit_tracking(self):
        """What a commit does for the chatter: write the tracked changes
        (records created in the same transaction are not tracked)."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _tracked(self, record):
        """[(author, field label, old, new)] of ``record``'s chatter, oldest first."""
        result = []
        for message in record.message_ids.sorted("id").sudo():
            for value in message.tracking_value_ids:
                old, new = value._tracking_value_format()[0]["oldValue"], \
                    value._tracking_value_format()[0]["newValue"]
                result.append((message.author_id, value.field_id.field_description,
                               old["value"], new["value"]))
        return result

    def test_the_chatter_says_who_changed_what_of_a_transaction(self):
        Tx = self.env["account.trust.transaction"].with_user(self.clerk).with_context(
            tracking_disable=False, mail_notrack=False, mail_create_nolog=False)
        tx = Tx.create({
            "kind": "payment", "amount": 100.0, "partner_id": self.client_a.id,
            "matter_id": trust_matter(self.env, self.client_a).id,
            "journal_id": self.trust_journal.id, "date": "2025-03-10", "memo": "Search fees"})
        self._trust("receipt", 500.0, self.client_a)
        self._commit_tracking()
        payee = self.env["res.partner"].create({"name": "Land Registry"})
        tx.write({"memo": "Search and survey fees", "payee_id": payee.id, "amount": 120.0})
        self._commit_tracking()
        tx.action_post()
        self._commit_tracking()
        tracked = self._tracked(tx)
        author = self.clerk.partner_id
        self.assertIn((author, "Description", "Search fees", "Search and survey fees"), tracked)
        self.assertIn((author, "Payee", "", "Land Registry"), tracked)
        self.assertIn((author, "Amount", 100.0, 120.0), tracked)
        self.assertIn((author, "State", "Draft", "Posted"), tracked)
        # Created by the clerk, said so in the chatter.
        self.assertEqual(tx.message_ids.sorted("id")[0].author_id, author)

    def test_the_history_of_a_posted_transaction_stays(self):
        Tx = self.env["account.trust.transaction"].with_user(self.clerk).with_context(
            tracking_disable=False, mail_notrack=False, mail_create_nolog=False)
        tx = Tx.create({
            "kind": "receipt", "amount": 100.0, "partner_id": self.client_a.id,
            "matter_id": trust_matter(self.env, self.client_a).id,
            "journal_id": self.trust_journal.id, "date": "2025-03-10"})
        self._commit_tracking()
        tx.amount = 90.0
        self._commit_tracking()
        tx.action_post()
        self._commit_tracking()
        tx.message_post(body="Cheque banked by the receptionist.", message_type="comment",
                        subtype_xmlid="mail.mt_note")  # as Log note does
        history = tx.message_ids.filtered("tracking_value_ids")
        self.assertTrue(history)
        for message in history:
            # The clerk may write on the transaction: Odoo would let them
            # delete or rewrite its messages, their own changes included.
            with self.assertRaisesRegex(UserError, "history of .* cannot be deleted"):
                message.with_user(self.clerk).unlink()
            with self.assertRaisesRegex(UserError, "cannot be changed"):
                message.with_user(self.clerk).write({"body": "nothing happened"})
            with self.assertRaisesRegex(UserError, "cannot be deleted"):
                message.sudo().tracking_value_ids.unlink()  # administrators too
        self.assertEqual(tx.message_ids.filtered("tracking_value_ids"), history)
        # A note the clerk wrote stays theirs; a draft's history goes with it.
        tx.message_ids.filtered(lambda m: "receptionist" in (m.body or "")).with_user(
            self.clerk).unlink()
        draft = Tx.create({
            "kind": "receipt", "amount": 5.0, "partner_id": self.client_a.id,
            "matter_id": trust_matter(self.env, self.client_a).id,
            "journal_id": self.trust_journal.id, "date": "2025-03-10"})
        self._commit_tracking()
        draft.amount = 6.0
        self._commit_tracking()
        draft.unlink()

    def test_the_chatter_says_who_changed_what_of_a_matter(self):
        matter = self.env["account.trust.matter"].with_user(self.clerk).with_context(
            tracking_disable=False, mail_notrack=False).create({
                "reference": "R-1", "name": "Purchase", "partner_id": self.client_a.id})
        self._commit_tracking()
        matter.write({"name": "Purchase of 3 Mill Lane", "active": False})
        self._commit_tracking()
        tracked = self._tracked(matter)
        author = self.clerk.partner_id
        self.assertIn((author, "Matter", "Purchase", "Purchase of 3 Mill Lane"), tracked)
        self.assertIn((author, "Active", True, False), tracked)

    def test_an_archived_matter_keeps_its_ledger(self):
        matter = trust_matter(self.env, self.client_a, "K-1")
        self._trust("receipt", 200.0, self.client_a, matter_ref="K-1")
        self._trust("payment", 200.0, self.client_a, matter_ref="K-1")
        with self.assertRaisesRegex(UserError, "still holds"), self.env.cr.savepoint():
            self._trust("receipt", 5.0, self.client_a, matter_ref="K-1")
            matter.action_archive()
        matter = trust_matter(self.env, self.client_a, "K-1")
        matter.action_archive()
        self.assertFalse(matter.active)
        lines = self.env["account.trust.ledger"].search([("matter_id", "=", matter.id)])
        self.assertEqual(sorted(lines.mapped("balance")), [-200.0, 200.0])
        html = self.env["ir.actions.report"]._render_qweb_html(
            "account_xero.report_trust_matter_statement", matter.ids)[0].decode()
        self.assertIn("K-1", html)
        with self.assertRaisesRegex(UserError, "archive it instead"):
            matter.unlink()

    def test_posted_trust_records_are_never_deleted(self):
        tx = self._trust("receipt", 50.0, self.client_a)
        for records in (tx, tx.move_id, tx.move_id.line_ids, tx.matter_id):
            with self.assertRaises(UserError, msg=records._name):
                records.unlink()
        self.assertTrue(tx.exists() and tx.move_id.exists())

    def test_uninstalling_is_refused_while_posted_trust_records_exist(self):
        self._trust("receipt", 50.0, self.client_a)
        account = self.env["ir.module.module"].search([("name", "=", "account")])
        for modules, button in ((self.module, "button_uninstall_wizard"),
                                (self.module, "button_immediate_uninstall"),
                                (self.module, "button_uninstall"),
                                (account, "button_uninstall")):
            with self.assertRaisesRegex(UserError, "cannot be uninstalled.*keep the addon installed"):
                getattr(modules, button)()
        self.assertEqual(self.module.state, "installed")

    def test_uninstalling_without_posted_trust_records_is_not_refused(self):
        self._trust("receipt", 50.0, self.client_a, post=False)
        action = self.module.button_uninstall_wizard()
        self.assertEqual(action["res_model"], "base.module.uninstall")
