"""A browser tour: an invoice paid in Xero (the sandbox) turns "Paid" in
Odoo's open form. The sandbox sends its signed webhook to Odoo's endpoint
over real HTTP; in a test Odoo runs no cron, so a thread of the test does
the cron's work (``_cron_pull``) once the webhook is stored, then what the
commit of a cron call does (NOTIFY the bus; a test cursor drops post-commit
hooks)."""

import logging
import threading
from unittest.mock import patch

import requests

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from .common import BrowserTestMixin
from .common_inbound import XeroInboundCommon

_logger = logging.getLogger(__name__)
WEBHOOK_KEY = "whk-tour-2c41"


@tagged("post_install", "-at_install")
class TestPaidInXeroTour(BrowserTestMixin, XeroInboundCommon, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, login="xero_paid_tour_clerk", name="Paid Tour Clerk",
            groups="account.group_account_invoice,account_xero.group_xero_user",
            company_id=cls.company.id, company_ids=[cls.company.id])

    def _paid_in_xero(self, pay, shown, done, errors):
        """Once the tour has seen the invoice unpaid: paid in Xero, Xero's
        webhook to Odoo, the cron's pull, the bus. (Nothing here reads the
        test's cursor: ``pay`` is the request, prepared beforehand.)"""
        try:
            if not shown.wait(60):
                raise AssertionError("the form never showed the invoice unpaid")
            answer = requests.post(timeout=10, **pay)
            if answer.status_code != 200:
                raise AssertionError("the sandbox refused the payment: %s" % answer.text)
            hooks = self.srv.webhooks
            statuses = hooks.deliver(self.xero_tenant_id)
            if statuses != [200]:
                raise AssertionError("Odoo answered Xero's webhook %s" % statuses)
            with self.registry.cursor() as cr:  # the test's, shared with Odoo's HTTP threads
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["xero.webhook.event"]._cron_pull()
            with odoo.sql_db.db_connect("postgres").cursor() as cr:
                cr.execute(SQL("SELECT pg_notify('imbus', %s)", json_dump([self._channel])))
        except Exception as e:  # noqa: BLE001 -- reported by the test's thread
            _logger.exception("the payment in Xero of the tour failed")
            errors.append(e)
        finally:
            done.set()

    def test_invoice_paid_in_xero_turns_paid_in_odoo(self):
        conn = self.connection.sudo()
        conn.webhook_key = WEBHOOK_KEY
        invoice = self.make_invoice(post=False)
        invoice.with_user(self.clerk).action_post()
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        path = "/" + conn.webhook_url.split("://", 1)[1].split("/", 1)[1]
        self.srv.webhooks.subscribe(self.xero_tenant_id, self.base_url() + path, WEBHOOK_KEY)
        self.assertTrue(self.srv.webhooks.intent_to_receive(self.xero_tenant_id)["passed"])

        self._channel = channel_with_db(self.env.cr.dbname, self.clerk.partner_id)
        Move = self.registry["account.move"]
        web_read = Move.web_read
        shown, done, errors = threading.Event(), threading.Event(), []

        def web_read_spy(records, *args, **kwargs):
            result = web_read(records, *args, **kwargs)
            if records.env.context.get("account_xero_tour") == "unpaid" \
                    and records.ids == invoice.ids:
                shown.set()
            return result

        # The bookkeeper matches the bank line to it in Xero.
        pay = {"url": "%s/_sandbox/tenants/%s/in_xero" % (self.srv.url, self.xero_tenant_id),
               "json": {"method": "PUT", "path": "Payments", "body": {"Payments": [{
                   "Invoice": {"InvoiceID": invoice.xero_id}, "Account": {"Code": "090"},
                   "Amount": invoice.amount_total, "Date": "2025-06-20",
                   "Reference": "Bank feed"}]}}}
        payer = threading.Thread(target=self._paid_in_xero, args=(pay, shown, done, errors))
        with patch.object(Move, "web_read", web_read_spy):
            payer.start()
            try:
                self.start_tour(
                    f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}",
                    "account_xero_paid_in_xero_tour", login=self.clerk.login)
            finally:
                shown.set()
                done.wait(60)
                payer.join(5)
        self.assertFalse(errors, errors)
        self.env.invalidate_all()
        self.assertEqual(invoice.payment_state, "paid")
        payment = self.env["account.payment"].search([("xero_import_move_id", "=", invoice.id)])
        self.assertEqual(len(payment), 1)
