import logging
import threading
from unittest.mock import patch

import odoo
from odoo import SUPERUSER_ID, api
from odoo.tests import HttpCase, new_test_user, tagged
from odoo.tools import SQL

from odoo.addons.bus.models.bus import channel_with_db, json_dump

from .common import BrowserTestMixin
from .common import XeroPushCommon

_logger = logging.getLogger(__name__)


@tagged("post_install", "-at_install")
class TestPushTour(BrowserTestMixin, XeroPushCommon, HttpCase):
    """Post an invoice in the browser and see "Sent" appear without
    reloading. In a test Odoo runs no cron: a thread of the test does the
    cron's work (``_cron_push``) once the tour saw the invoice queued, and
    then what the commit of a cron call does (NOTIFY the bus; a test cursor
    drops post-commit hooks)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.clerk = new_test_user(
            cls.env, login="xero_tour_clerk", name="Tour Clerk",
            groups="account.group_account_invoice,account_xero.group_xero_user",
            company_id=cls.company.id, company_ids=[cls.company.id])

    def _push_once_queued(self, shown, done, errors):
        """The cron's call, once the tour has seen the invoice queued."""
        try:
            if not shown.wait(60):
                raise AssertionError("the form never showed the invoice queued")
            with self.registry.cursor() as cr:  # the test's, shared with Odoo's HTTP threads
                env = api.Environment(cr, SUPERUSER_ID, {})
                env["xero.sync.job"]._cron_push(wait_due=False)
            channel = channel_with_db(self.env.cr.dbname, self.clerk.partner_id)
            with odoo.sql_db.db_connect("postgres").cursor() as cr:
                cr.execute(SQL("SELECT pg_notify('imbus', %s)", json_dump([channel])))
        except Exception as e:  # noqa: BLE001 -- reported by the test's thread
            _logger.exception("the push of the tour failed")
            errors.append(e)
        finally:
            done.set()

    def test_posted_invoice_shows_sent_without_reloading(self):
        invoice = self.make_invoice(post=False)
        Move = self.registry["account.move"]
        web_read = Move.web_read
        shown, done, errors = threading.Event(), threading.Event(), []

        def web_read_spy(records, *args, **kwargs):
            result = web_read(records, *args, **kwargs)
            # The tour says it saw "Queued" by reading the state with this key.
            if records.env.context.get("account_xero_tour") == "queued" \
                    and records.ids == invoice.ids and records.sudo().xero_state == "queued":
                shown.set()
            return result

        pusher = threading.Thread(target=self._push_once_queued, args=(shown, done, errors))
        with patch.object(Move, "web_read", web_read_spy):
            pusher.start()
            try:
                self.start_tour(
                    f"/odoo/action-account.action_move_out_invoice_type/{invoice.id}",
                    "account_xero_post_invoice_tour", login=self.clerk.login)
            finally:
                shown.set()
                done.wait(60)
                pusher.join(5)
        self.assertFalse(errors, errors)
        self.env.invalidate_all()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, invoice.name), 1)
