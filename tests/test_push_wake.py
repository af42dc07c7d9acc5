"""Posting wakes the push: a document queued in a transaction is sent as
soon as that transaction commits (the cron "Xero: push" triggered for now,
its workers NOTIFYed), not at the cron's next 5-minute call; one trigger
per transaction, however many documents it posts."""

import json

from odoo.tests import new_test_user, tagged

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestPushWake(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, login="xero_wake_clerk",
            groups="account.group_account_invoice,account_xero.group_xero_user",
            company_id=cls.company.id, company_ids=[cls.company.id])

    def bus_messages(self, user):
        """What the bus carries to ``user`` (the pre-commit hook writes it)."""
        self.env.cr.flush()
        channel = json_dump(channel_with_db(self.env.cr.dbname, user.partner_id))
        return [json.loads(message) for message in self.env["bus.bus"].sudo().search(
            [("channel", "=", channel)], order="id").mapped("message")]

    def assertWokenOnce(self, what):
        due, notified = self.push_wakeups()
        self.assertEqual(len(due), 1, "%s: the push is triggered for now, once" % what)
        self.assertTrue(notified, "%s: the commit wakes the cron workers" % what)

    def test_posting_an_invoice_wakes_the_push_when_it_commits(self):
        self.forget_wakeups()
        invoice = self.make_invoice()
        self.assertEqual(invoice.xero_state, "queued")
        self.assertWokenOnce("an invoice posted")
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)

    def test_registering_a_payment_wakes_the_push(self):
        invoice = self.make_invoice()
        self.push()
        self.forget_wakeups()
        payment = self.pay(invoice)
        self.assertTrue(self.jobs(payment), "the payment is queued")
        self.assertWokenOnce("a payment registered")
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)

    def test_one_trigger_per_transaction_however_many_documents(self):
        self.forget_wakeups()
        invoices = self.make_invoice()
        for amount in (11.0, 12.0, 13.0):
            invoices |= self.make_invoice(amounts=(amount,), partner=self.partner_b)
        bill = self.make_invoice("in_invoice")
        payments = self.pay(invoices[:2])
        self.assertEqual(len(payments), 2)
        self.assertTrue(all(self.jobs(payment) for payment in payments), "the payments are queued")
        self.assertWokenOnce("documents posted one by one in one transaction")
        self.push()
        self.assertEqual(set((invoices | bill).mapped("xero_state")), {"sent"})

    def test_posting_nothing_for_xero_wakes_nothing(self):
        self.connection.sync_sales_invoices = False
        self.forget_wakeups()
        invoice = self.make_invoice()
        self.assertEqual(invoice.xero_state, "not_sent")
        due, notified = self.push_wakeups()
        self.assertFalse(due)
        self.assertFalse(notified)

    def test_the_user_who_posted_is_told_when_the_push_changes_the_state(self):
        """Their open form reloads the record (the JS beside it): one bus
        message per batch, with the documents of theirs that changed."""
        invoices = self.make_invoice(post=False) | self.make_invoice(amounts=(20.0,), post=False)
        invoices.with_user(self.clerk).action_post()
        self.assertEqual(set(invoices.mapped("xero_state")), {"queued"})
        self.assertFalse(self.bus_messages(self.clerk), "posting tells nothing: the form reloads")
        self.push()  # as the cron's user
        self.assertEqual(set(invoices.mapped("xero_state")), {"sent"})
        messages = [m for m in self.bus_messages(self.clerk) if m["type"] == "account_xero/xero_state"]
        self.assertEqual(len(messages), 1, "one message for the batch")
        payload = messages[0]["payload"]
        self.assertEqual((payload["model"], sorted(payload["ids"])), ("account.move", invoices.ids))
