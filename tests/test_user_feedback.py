"""Feedback where the user acts: the Xero state beside the document's
status, Ignore that asks first and says what it did, Retry that drops the old
error, documents named as Odoo names them ("Customer Invoice", "Vendor Bill"),
a chatter note that links to the document in Xero, and the push's technical
settings kept to Xero managers in debug mode."""

from datetime import date

from lxml import etree

from odoo.exceptions import AccessError
from odoo.tests import new_test_user, tagged

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestUserFeedback(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.accountant = new_test_user(
            cls.env, "feedback_accountant",
            groups="account.group_account_invoice,account_xero.group_xero_user",
            company_id=cls.company.id, company_ids=[cls.company.id])

    def arch(self, model, view_type="form", user=None):
        Model = self.env[model].with_user(user) if user else self.env[model]
        views = Model.get_views([(False, view_type)])["views"]
        return etree.fromstring(views[view_type]["arch"])

    def test_xero_state_beside_the_status(self):
        for model in ("account.move", "account.payment"):
            header = self.arch(model, user=self.accountant).find(".//header")
            names = [f.get("name") for f in header.iterfind("field")]
            self.assertLess(names.index("xero_state"), names.index("state"), model)
            badge = header.find("field[@name='xero_state']")
            self.assertEqual(badge.get("widget"), "xero_state_badge", model)
        # The link to Xero reads "Open in Xero", not a long address.
        url = self.arch("account.move").find(".//field[@name='xero_url']")
        self.assertEqual(url.get("text"), "Open in Xero")

    def test_ignore_asks_and_says_what_it_did(self):
        for view_type in ("list", "form"):
            button = self.arch("xero.sync.job", view_type).find(
                ".//button[@name='action_ignore']")
            self.assertIn("Not sent", button.get("confirm") or "", view_type)
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=date(2025, 6, 30))
        invoice = self.make_invoice(amounts=(33.0,))
        self.push()
        job = self.jobs(invoice, "invoice")
        self.assertEqual(job.state, "failed")
        action = job.with_user(self.accountant).action_ignore()
        self.assertEqual(action["tag"], "display_notification")
        self.assertIn(invoice.name, action["params"]["message"])
        self.assertIn("Not sent", action["params"]["message"])
        self.assertEqual(invoice.xero_state, "not_sent")
        # Several at once: said of them all.
        other = self.make_invoice(amounts=(34.0,))
        third = self.make_invoice(amounts=(35.0,))
        action = (self.jobs(other, "invoice") | self.jobs(third, "invoice")).with_user(
            self.accountant).action_ignore()
        self.assertIn(f"{other.name}, {third.name}", action["params"]["message"])
        self.assertIn("they show Not sent", action["params"]["message"])

    def test_retry_drops_the_old_error(self):
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=date(2025, 6, 30))
        invoice = self.make_invoice(amounts=(44.0,))
        self.push()
        job = self.jobs(invoice, "invoice")
        self.assertTrue(job.error)
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=None)
        job.with_user(self.accountant).action_retry()
        self.assertEqual((job.state, job.error), ("pending", False))
        self.assertEqual((invoice.xero_state, invoice.xero_error), ("queued", False))

    def test_documents_named_as_in_odoo_with_a_link_to_xero(self):
        invoice = self.make_invoice()
        refund = self.make_invoice("out_refund", amounts=(40.0,))
        self.push()
        bill = self.make_invoice("in_invoice")
        self.push()
        for move, label in ((invoice, "Customer Invoice"), (bill, "Vendor Bill"),
                            (refund, "Customer Credit Note")):
            self.assertEqual(move.xero_state, "sent", (label, move.xero_error))
            job = self.jobs(move).filtered(lambda j: j.operation in ("invoice", "credit_note"))
            self.assertEqual(job.display_name, f"{label}: {move.name}")
            note = move.message_ids.filtered(lambda m: "Sent to Xero" in (m.body or ""))
            self.assertEqual(len(note), 1, move.name)
            body = etree.fromstring(f"<div>{note.body}</div>")
            link = body.find(".//a")
            self.assertIsNotNone(link, note.body)
            self.assertEqual(link.get("href"), move.xero_url)
            self.assertEqual(link.text, f"{label} in Xero")
            self.assertNotIn(move.xero_id, "".join(body.itertext()))
        self.assertIn("AccountsPayable", bill.xero_url)

    def test_push_settings_for_xero_managers_in_debug(self):
        settings = self.arch("res.config.settings")
        push = settings.find(".//setting[@id='account_xero_push']")
        self.assertIsNone(push, "shown outside debug mode")
        # In debug mode, to the Xero managers the Xero block is shown to.
        view = self.env.ref("account_xero.res_config_settings_view_form_inherit_account_xero")
        push = etree.fromstring(view.arch).find(".//setting[@id='account_xero_push']")
        self.assertEqual(push.get("groups"), "base.group_no_one")
        self.assertEqual(push.getparent().get("groups"), "account_xero.group_xero_manager")
        # The accountant neither reads the attempts in the Sync Log nor writes the settings.
        self.assertFalse(self.arch("xero.sync.job", "list", self.accountant).xpath(
            "//field[@name='attempts']"))
        self.assertTrue(self.arch("xero.sync.job", "list").xpath("//field[@name='attempts']"))
        with self.assertRaises(AccessError):
            self.env["res.config.settings"].with_user(self.accountant).create(
                {"xero_push_concurrency": 1})
