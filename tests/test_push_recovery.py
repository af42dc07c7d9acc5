"""The push recovers without a duplicate or a loss: one invalid element of a
batch fails alone, a crash after Xero accepted, an answer dropped and
replayed, a storm of rate limits, two cron calls claiming at once."""

import time
from datetime import date, timedelta

from odoo import fields
from odoo.tests import tagged

from .common import XeroPushCommon


class Crash(Exception):
    pass


@tagged("post_install", "-at_install")
class TestPushRecovery(XeroPushCommon):

    def test_batch_with_one_invalid_element(self):
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=date(2025, 1, 31))
        good = self.make_invoice(date="2025-06-01")
        bad = self.make_invoice(date="2025-01-15")
        self.push()
        self.assertEqual(good.xero_state, "sent")
        self.assertEqual(bad.xero_state, "failed")
        self.assertTrue(bad.xero_error)
        self.assertEqual(len(self._puts("/Invoices")), 1)
        self.assertIn(bad, self.env["account.move"].search([("xero_state", "in", ("failed", "blocked"))]))

    def test_crash_after_accept_no_duplicate(self):
        invoice = self.make_invoice()
        self.push()  # the contact
        invoice2 = self.make_invoice(amounts=(70.0,))
        jobs = self.Job._claim()
        self.assertIn(self.jobs(invoice2, "invoice"), jobs)
        with self.assertRaises(Crash), self.env.cr.savepoint():
            jobs._process()
            self.env.flush_all()
            raise Crash()  # Xero accepted; our commit never happened
        self.env.invalidate_all()
        job = self.jobs(invoice2, "invoice")
        self.assertEqual(job.state, "sending")
        job.sudo().sending_until = fields.Datetime.now() - timedelta(minutes=1)
        self.push()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, invoice2.name), 1)
        self.assertEqual(invoice.xero_state, "sent")

    def test_idempotent_replay_after_dropped_answer(self):
        self.srv.faults.fail_after_commit(path="*/Invoices", method="PUT", then="drop")
        invoice = self.make_invoice()
        self.push()
        for _i in range(3):
            if invoice.xero_state == "sent":
                break
            self.Job.search([("state", "=", "pending")]).sudo().next_try_at = fields.Datetime.now()
            self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, invoice.name), 1)

    def test_rate_limit_storm(self):
        invoices = self.env["account.move"]
        for i in range(5):
            invoices |= self.make_invoice(amounts=(10.0 + i,))
        self.srv.faults.rate_limit(retry_after=1, times=8)
        for _i in range(15):
            self.push()
            if not self.Job.search_count([("state", "in", ("pending", "sending"))]):
                break
            time.sleep(1.1)
        self.assertEqual(set(invoices.mapped("xero_state")), {"sent"})
        self.assertFalse(self.Job.search([("state", "=", "failed")]))

    def test_claims_are_exclusive(self):
        self.make_invoice()
        first = self.Job._claim()
        self.assertTrue(first)
        self.assertFalse(self.Job._claim() & first)
