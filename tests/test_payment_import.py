"""Payments made in Xero come back to Odoo exactly once, and nothing that
came from Xero goes back to it."""

import os
import time
import uuid
from datetime import timedelta
from unittest.mock import patch

import requests

from odoo.tests import tagged

from odoo.addons.account_xero.models import xero_webhook_poll

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestPaymentImport(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank = cls.company_data["default_journal_bank"]
        cash = cls.company_data["default_journal_cash"]
        # One journal per Xero bank account: the cash journal to Savings.
        cls.env["xero.account.map"].search([
            ("connection_id", "=", cls.connection.id),
            ("account_id", "=", cash.default_account_id.id)]).xero_account_id = cls.xa["091"]
        # Their banks are reconciled in Xero: payments made there come back.
        (cls.bank | cash).xero_bank_reconciled_in = "xero"
        cls.Event = cls.env["xero.webhook.event"].sudo()

    def setUp(self):
        super().setUp()
        # These tests tell Odoo by webhook; polling has its own test.
        self.connection.sudo().pull_polled_at = "2999-01-01 00:00:00"

    # -- helpers ------------------------------------------------------------
    def xero_api(self, method, path, body=None):
        conn = self.connection.sudo()
        response = requests.request(method, self.srv.url + "/api.xro/2.0/" + path, json=body,
                                    timeout=10, headers={
                                        "Authorization": "Bearer " + conn.access_token,
                                        "xero-tenant-id": conn.tenant_id,
                                        "Accept": "application/json"})
        self.assertLess(response.status_code, 300, response.text)
        return response.json()

    def pay_in_xero(self, move, amount, code="090", date="2025-06-20"):
        body = {"Payments": [{"Invoice": {"InvoiceID": move.xero_id}, "Account": {"Code": code},
                              "Amount": amount, "Date": date, "Reference": "Bank feed"}]}
        return self.xero_api("PUT", "Payments", body)["Payments"][0]["PaymentID"]

    def event(self, move, when="2026-12-01T10:00:00.000"):
        self.Event._xero_insert_events([(
            self.connection.id, self.company.id, "INVOICE", "UPDATE", move.xero_id.lower(), when,
            "2026-12-01 10:00:00")])

    def pull(self):
        self.env.invalidate_all()
        done = self.Event._cron_pull()
        self.env.invalidate_all()
        return done

    def sent_invoice(self, amount=100.0):
        move = self.make_invoice(amounts=(amount,))
        self.push()
        self.assertEqual(move.xero_state, "sent", move.xero_error)
        return move

    def imported(self, move):
        return self.env["account.payment"].search([("xero_import_move_id", "=", move.id)])

    # -- tests ----------------------------------------------------------------
    def test_payment_made_in_xero_is_paid_in_odoo_once(self):
        move = self.sent_invoice()
        pid = self.pay_in_xero(move, 50.0)
        self.event(move)
        self.pull()
        payment = self.imported(move)
        self.assertEqual(len(payment), 1)
        self.assertEqual((payment.xero_import_id, payment.amount, str(payment.date),
                          payment.journal_id), (pid.lower(), 50.0, "2025-06-20", self.bank))
        self.assertEqual(move.payment_state, "partial")
        self.assertAlmostEqual(move.amount_residual, move.amount_total - 50.0)
        event = self.Event.search([("connection_id", "=", self.connection.id)])
        self.assertEqual(event.state, "done", event.note)
        # Redelivered, a later update of the same invoice, another pull: still one.
        self.event(move)
        self.event(move, when="2026-12-01T10:00:01.000")
        self.pull()
        self.assertEqual(len(self.imported(move)), 1)
        # Never echoed: nothing is queued for it, and the push sends no payment.
        self.assertFalse(self.Job.search([("target_move_id", "=", move.id),
                                          ("operation", "=", "payment")]))
        self.push()
        self.assertEqual(len(self.xero_docs("Payments")), 1)

    def test_payment_deleted_in_xero_is_cancelled_in_odoo(self):
        move = self.sent_invoice()
        pid = self.pay_in_xero(move, move.amount_total)
        self.event(move)
        self.pull()
        self.assertEqual(move.payment_state, "paid")
        self.xero_api("POST", "Payments/" + pid, {"Status": "DELETED"})
        self.event(move, when="2026-12-02T09:00:00.000")
        self.pull()
        self.assertEqual(self.imported(move).state, "canceled")
        self.assertEqual(move.payment_state, "not_paid")

    def test_odoo_payment_is_not_imported_back(self):
        move = self.sent_invoice()
        self.pay(move, amount=30.0)
        self.push()
        self.assertEqual(len(self.xero_docs("Payments")), 1)
        self.event(move)
        self.pull()
        self.assertFalse(self.imported(move))
        self.assertEqual(len(move._get_reconciled_payments()), 1)

    def test_waits_while_odoo_payment_is_queued(self):
        move = self.sent_invoice()
        self.pay(move, amount=30.0)  # queued, not pushed yet
        self.pay_in_xero(move, 20.0)
        self.event(move)
        self.pull()
        event = self.Event.search([("connection_id", "=", self.connection.id)])
        self.assertEqual(event.state, "received", "it waits for Odoo's own payment")
        self.assertFalse(self.imported(move))
        self.push()
        self.pull()
        self.assertEqual(len(self.imported(move)), 1)
        self.assertEqual(event.state, "done")

    def test_payment_in_another_currency(self):
        move = self.make_invoice(amounts=(200.0,), currency=self.other_currency)
        self.push()
        self.assertEqual(move.xero_state, "sent", move.xero_error)
        self.pay_in_xero(move, move.amount_total)
        self.event(move)
        self.pull()
        payment = self.imported(move)
        self.assertEqual((payment.currency_id, payment.amount),
                         (self.other_currency, move.amount_total))
        self.assertEqual(move.payment_state, "paid")

    def test_unmapped_bank_account_blocks_with_a_message(self):
        move = self.sent_invoice()
        self.env["xero.account.map"].search([
            ("connection_id", "=", self.connection.id),
            ("xero_account_id", "=", self.xa["091"].id)]).unlink()
        self.pay_in_xero(move, 10.0, code="091")
        self.event(move)
        self.pull()
        event = self.Event.search([("connection_id", "=", self.connection.id)])
        self.assertEqual(event.state, "failed")
        self.assertIn("091", event.note)
        self.assertIn("GL account map", event.note)
        self.assertFalse(self.imported(move))

    def test_polling_finds_what_no_webhook_told(self):
        move = self.sent_invoice()
        other = self.make_invoice(amounts=(70.0,), post=False)  # not in Xero
        self.pay_in_xero(move, 40.0)
        self.connection.sudo().write({"pull_polled_at": False, "pull_modified_since": False})
        self.pull()
        self.assertEqual(len(self.imported(move)), 1)
        event = self.Event.search([("connection_id", "=", self.connection.id)])
        self.assertEqual(event.mapped("resource_id"), [move.xero_id.lower()])
        self.assertEqual(event.state, "done", event.note)
        self.assertTrue(self.connection.pull_modified_since)
        self.assertFalse(other.xero_id)
        # Within five minutes nothing is asked again.
        calls = len(self.api_requests())
        self.pull()
        self.assertEqual(len(self.api_requests()), calls)

    def test_polling_does_not_tell_again_what_a_webhook_told(self):
        """A change a webhook told, and the pull read after it, is not put in
        the inbox again by the next poll (before: each poll after a burst
        told by webhooks queued every document of it once more, each read
        from Xero again, ahead of the new events); a later change is."""
        self.srv.webhooks.subscribe(self.xero_tenant_id, "http://127.0.0.1:9/unused", "key")
        move = self.sent_invoice()
        self.pay_in_xero(move, 40.0)
        told = self.srv.webhooks.changes(self.xero_tenant_id)
        self.Event._xero_insert_events([
            self.Event._xero_event_row(self.connection, event) for event in told
            if event["resourceId"].lower() == move.xero_id.lower()])
        self.pull()
        self.assertEqual(len(self.imported(move)), 1)
        events = self.Event.search([("connection_id", "=", self.connection.id)])
        self.assertEqual(len(events), 1)
        self.connection.sudo().write({"pull_polled_at": False, "pull_modified_since": False})
        self.pull()
        self.assertEqual(self.Event.search([("connection_id", "=", self.connection.id)]), events)
        # Paid again in Xero, no webhook: the poll tells it.
        self.pay_in_xero(move, 10.0, date="2025-06-21")
        self.connection.sudo().pull_polled_at = False
        self.pull()
        self.assertEqual(len(self.Event.search([("connection_id", "=", self.connection.id)])), 2)
        self.assertEqual(len(self.imported(move)), 2)

    def test_polling_reads_what_another_worker_wrote_since_the_last_batch(self):
        """Odoo runs a scheduled action's batches in one cursor, committing
        between them without clearing the ORM's cache: an invoice read in an
        earlier batch before the push (another worker) recorded its Xero id
        must not be read with no id by the poll (it crashed the cron call:
        'bool' object has no attribute 'lower')."""
        move = self.sent_invoice()
        xero_id = move.xero_id
        self.pay_in_xero(move, 40.0)
        # An earlier batch read it before the push's commit...
        self.env.cr.execute("UPDATE account_move SET xero_id = NULL WHERE id = %s", [move.id])
        self.env.invalidate_all()
        self.assertFalse(move.xero_id)
        # ...and the push, in its own transaction, recorded the id since.
        self.env.cr.execute("UPDATE account_move SET xero_id = %s WHERE id = %s", [xero_id, move.id])
        self.connection.sudo().write({"pull_polled_at": False, "pull_modified_since": False})
        self.Event._cron_pull()
        self.env.invalidate_all()
        self.assertEqual(len(self.imported(move)), 1)

    def test_polling_when_xero_changed_only_documents_odoo_never_sent(self):
        """Xero's changes since the last poll may all be documents Odoo never
        sent (the bookkeeper's own, in Xero): the poll stores nothing and
        moves its mark on (it crashed the cron call: 'bool' object has no
        attribute 'lower', the Xero id of no document)."""
        move = self.sent_invoice()
        self.pay_in_xero(move, 40.0)
        move.sudo().xero_id = False  # Xero's invoice is not one Odoo knows
        self.connection.sudo().write({"pull_polled_at": False, "pull_modified_since": False})
        self.pull()
        self.assertFalse(self.Event.search([("connection_id", "=", self.connection.id)]))
        self.assertTrue(self.connection.pull_polled_at)
        self.assertFalse(self.imported(move))

    def test_a_large_change_is_polled_over_several_short_calls(self):
        """After a large push every document it sent is changed since the
        last poll: one cron call read them all at Xero's pace (10,000
        invoices took it past Odoo's time limit: killed, all read again the
        next time). A call reads a few pages, the oldest change first, and
        the next call goes on from the last change read."""
        move = self.sent_invoice()
        tenant = self.srv.store.tenant(self.xero_tenant_id)
        sent = tenant.docs["Invoices"][move.xero_id.lower()]
        earlier = sent["UpdatedDateUTC"] - timedelta(minutes=1)
        for i in range(150):  # the bookkeeper's own, changed before Odoo's
            xero_id = str(uuid.uuid4())
            tenant.docs["Invoices"][xero_id] = dict(
                sent, InvoiceID=xero_id, InvoiceNumber="XERO-%d" % i,
                UpdatedDateUTC=earlier + timedelta(milliseconds=i))
        self.pay_in_xero(move, 40.0)  # changed last
        self.connection.sudo().write({"pull_polled_at": False, "pull_modified_since": False})
        def poll_reads():  # pages of changes (the import's reads name their ids)
            return [r for r in self.api_requests() if r["method"] == "GET"
                    and "page=" in (r.get("query") or "") and "where" not in (r.get("query") or "")]

        with patch.object(xero_webhook_poll, "POLL_PAGES", 1, create=True):  # create: the old code had none
            self.pull()
            self.assertEqual(len(poll_reads()), 3,
                             "one page of invoices, credit notes and payments in the first call")
            self.assertTrue(self.connection.pull_poll_partial)
            self.pull()  # goes on at once, not in five minutes
            self.assertEqual(len(poll_reads()), 6, "the 50 left read in the next call")
        self.assertEqual(len(self.imported(move)), 1)
        self.assertFalse(self.connection.pull_poll_partial)

    def test_the_polls_calls_are_told_to_the_push(self):
        """The poll and the pull run in a cron worker other than the push's:
        their calls are recorded for it (as the push records its own), so
        the push does not spend the minute they share with Xero and meet a
        429 at its end."""
        self.sent_invoice()
        self.connection.sudo().write({"pull_polled_at": False, "pull_modified_since": False})
        before = time.time() - 0.01
        self.pull()
        calls = self.pace_entries().get(str(os.getpid()), {}).get("calls", [])
        self.assertGreaterEqual(len([t for t in calls if t > before]), 3,
                                "invoices, credit notes and payments asked, recorded for the push")

    def test_event_for_a_document_odoo_never_sent(self):
        self.event(self.env["account.move"].new({"xero_id": "11111111-2222-3333-4444-555555555555"}))
        self.pull()
        event = self.Event.search([("connection_id", "=", self.connection.id)])
        self.assertEqual(event.state, "ignored")
        self.assertIn("not a document odoo sent", event.note.lower())
