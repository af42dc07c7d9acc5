"""What a call of "Xero: pull" takes (models/xero_payment_import.py,
``_xero_claim_events``): documents, not single events. Xero redelivers an
event two or three times; a burst of payments made in Xero must not cost a
read of the same invoice in call after call, and two workers pulling at once
never work on the same document."""

from datetime import timedelta
from unittest.mock import patch

from odoo import fields, sql_db
from odoo.tests import tagged
from odoo.tools import SQL

from odoo.addons.account_xero.models import xero_payment_import, xero_webhook_poll
from odoo.addons.account_xero.xero.errors import XeroRateLimited

from .common_inbound import XeroInboundCommon


@tagged("post_install", "-at_install")
class TestPullClaim(XeroInboundCommon):

    def pay_in_xero(self, move, amount):
        return self.pay_in_xero_on("Invoice", move.xero_id, amount)

    def sent_invoices(self, *amounts):
        moves = self.env["account.move"]
        for amount in amounts:
            moves |= self.make_invoice(amounts=(amount,))
        self.push()
        for move in moves:
            self.assertEqual(move.xero_state, "sent", move.xero_error)
        return moves

    def invoice_reads(self, since):
        return [r for r in self.api_requests()[since:]
                if r["method"] == "GET" and "/Invoices" in r["path"]]

    def told_without_triggers(self):
        """Two invoices sent and told by webhook, the pulls not woken yet:
        their two crons."""
        first, second = self.sent_invoices(100.0, 120.0)
        self.event("INVOICE", first.xero_id)
        self.event("INVOICE", second.xero_id)
        crons = (self.env.ref("account_xero.ir_cron_xero_pull")
                 | self.env.ref("account_xero.ir_cron_xero_pull_second"))
        self.triggers(crons).unlink()
        return crons

    def triggers(self, crons):
        return self.env["ir.cron.trigger"].search([("cron_id", "in", crons.ids)])

    def test_copies_of_an_event_are_read_in_one_call(self):
        """Two documents a call: the first invoice told three times and the
        second once are all taken by one call, each invoice read once; before,
        a call took the first two events (both copies of the first invoice)
        and the next call read that invoice again for its third copy."""
        first, second = self.sent_invoices(100.0, 120.0)
        self.pay_in_xero(first, 40.0)
        self.pay_in_xero(second, 50.0)
        for move in (first, first, first, second):
            self.event("INVOICE", move.xero_id)
        before = len(self.api_requests())
        with patch.object(xero_payment_import, "CLAIM", 2):
            self.pull()
        self.assertEqual(set(self.events().mapped("state")), {"done"},
                         self.events().mapped("note"))
        self.assertEqual(len(self.invoice_reads(before)), 1, self.invoice_reads(before))
        self.assertEqual((len(self.imported(first)), len(self.imported(second))), (1, 1))

    def test_a_document_another_pull_holds_is_left_to_it(self):
        """Another worker's pull holds the first invoice (its lock for the
        document, in its own transaction): this pull leaves its events
        received and registers the second's payment; once the other
        transaction ends, the next pull takes the first."""
        first, second = self.sent_invoices(100.0, 120.0)
        self.pay_in_xero(first, 40.0)
        self.pay_in_xero(second, 50.0)
        self.event("INVOICE", first.xero_id)
        self.event("INVOICE", second.xero_id)
        key = "%s/INVOICE/%s" % (self.connection.id, first.xero_id.lower())
        # Another worker: its own connection (the registry's cursors share the
        # test's connection), its transaction never committed.
        with sql_db.db_connect(self.env.cr.dbname).cursor() as other:
            other.execute(SQL("SELECT pg_advisory_xact_lock(%s, hashtext(%s))",
                              xero_payment_import.PULL_LOCK, key))
            self.pull()
            by_move = {e.resource_id: e.state for e in self.events()}
            self.assertEqual((by_move[first.xero_id.lower()], by_move[second.xero_id.lower()]),
                             ("received", "done"))
            self.assertEqual((len(self.imported(first)), len(self.imported(second))), (0, 1))
            other.rollback()
        self.pull()
        self.assertEqual(set(self.events().mapped("state")), {"done"})
        self.assertEqual(len(self.imported(first)), 1)

    def test_a_burst_wakes_a_second_pull(self):
        """More documents waiting than a call takes: the call wakes the
        pull again and its second worker (Odoo runs one scheduled action in
        one worker at a time), which does not poll."""
        crons = self.told_without_triggers()
        with patch.object(xero_payment_import, "CLAIM", 1):
            self.pull()
        self.assertEqual(set(self.triggers(crons).cron_id.ids), set(crons.ids))
        self.assertIn("poll=False", crons[1].code)

    def test_a_poll_sets_the_next_when_it_is_due(self):
        """After a poll, the pull runs again when the next poll is due
        (before: at the cron's next 5-minute run after that, so that a change
        no webhook told waited up to ten minutes)."""
        self.connection.sudo().write({"pull_polled_at": False, "pull_modified_since": False})
        cron = self.env.ref("account_xero.ir_cron_xero_pull")
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        self.pull()
        polled = self.connection.pull_polled_at
        self.assertTrue(polled)
        self.assertIn(polled + xero_webhook_poll.POLL_EVERY,
                      Trigger.search([("cron_id", "=", cron.id)]).mapped("call_at"))

    def test_a_document_waiting_for_odoos_payment_is_passed_over(self):
        """An invoice whose payment registered in Odoo is still queued for
        Xero waits (a payment found on it in Xero may be Odoo's): a call
        passes it over and takes the next invoice, and reads it again once
        Odoo's payment is sent. Before, it took the first place of every
        call (one document a call here: the second invoice's payment never
        came), and was read from Xero each time."""
        waiting, paid = self.sent_invoices(100.0, 120.0)
        self.pay(waiting, amount=30.0)  # queued, not pushed yet
        self.pay_in_xero(waiting, 20.0)
        self.pay_in_xero(paid, 50.0)
        self.event("INVOICE", waiting.xero_id)
        self.event("INVOICE", paid.xero_id)
        cron = self.env.ref("account_xero.ir_cron_xero_pull")
        Trigger = self.env["ir.cron.trigger"]
        Trigger.search([("cron_id", "=", cron.id)]).unlink()
        before = len(self.api_requests())
        with patch.object(xero_payment_import, "CLAIM", 1):
            self.pull()
            self.pull()
        self.assertEqual((len(self.imported(waiting)), len(self.imported(paid))), (0, 1))
        self.assertEqual(len(self.invoice_reads(before)), 1, "the waiting invoice is not read")
        by_move = {e.resource_id: e.state for e in self.events()}
        self.assertEqual(by_move[waiting.xero_id.lower()], "received")
        later = fields.Datetime.now() + timedelta(seconds=20)
        self.assertTrue(Trigger.search([("cron_id", "=", cron.id), ("call_at", ">", later)]),
                        "the pull runs again for it later")
        self.push()
        with patch.object(xero_payment_import, "CLAIM", 1):
            self.pull()
        self.assertEqual(len(self.imported(waiting)), 1)
        self.assertEqual(set(self.events().mapped("state")), {"done"})

    def test_xeros_rate_limit_sets_the_next_call_for_when_it_frees(self):
        """Xero's minute spent (shared with the push): a call that met the
        limit wakes the pulls for when it frees, not at once (before: a loop
        of calls, each claiming the same documents and meeting the limit
        again, 13 in a second at the end of the inbound soak)."""
        crons = self.told_without_triggers()
        client = type(self.connection._xero_accounting_client())

        def limited(*args, **kwargs):
            raise XeroRateLimited(40, "minute")

        with patch.object(xero_payment_import, "CLAIM", 1), \
                patch.object(client, "get_by_ids", limited):
            self.pull()
        self.assertEqual(set(self.events().mapped("state")), {"received"})
        soon = fields.Datetime.now() + timedelta(seconds=30)
        triggers = self.triggers(crons)
        self.assertTrue(triggers)
        self.assertFalse(triggers.filtered(lambda t: t.call_at < soon), triggers.mapped("call_at"))
