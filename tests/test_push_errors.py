"""What Xero refuses, and what goes wrong on the way: Xero's validation
errors end on the record and in the log in Xero's own words; 401, 429, 5xx
and timeouts never lose a document and never send one twice."""

from datetime import date, timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account_xero.xero.pacer import pacer_for

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestPushXeroRefusals(XeroPushCommon):
    """Each of the validation errors the issue lists: failed, Xero's words on
    the document and on its job (the sync log), after one try."""

    def assertFailedWith(self, record, operation, words, attempts=1):
        return super().assertFailedWith(record, operation, words, attempts)

    def test_invalid_account_code(self):
        with self.srv.store.lock:
            self.tenant().accounts = [a for a in self.tenant().accounts if a.get("Code") != "200"]
        invoice = self.make_invoice()
        self.push()
        self.assertFailedWith(
            invoice, "invoice", "Account code '200' is not a valid code for this document.")
        self.assertFalse(self.xero_docs("Invoices"))

    def test_invalid_tax_type(self):
        with self.srv.store.lock:
            self.tenant().tax_rate("OUTPUT2")["Status"] = "DELETED"
        invoice = self.make_invoice()
        self.push()
        self.assertFailedWith(invoice, "invoice", "The TaxType code 'OUTPUT2' does not exist or "
                                                  "cannot be used with this type of transaction.")

    def test_locked_period(self):
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=date(2025, 6, 30))
        bill = self.make_invoice("in_invoice", date="2025-06-15")
        self.push()
        self.assertFailedWith(bill, "invoice", "The document date cannot be before the period "
                                               "lock date, currently set at 30-Jun-2025")
        # The contact went; only the bill failed.
        self.assertEqual(self.jobs(self.partner_a, "contact").state, "done")

    def test_archived_contact(self):
        first = self.make_invoice()
        self.push()
        self.assertEqual(first.xero_state, "sent", first.xero_error)
        contact_id = self.xero_doc("Invoices", first.xero_id)["Contact"]
        with self.srv.store.lock:
            contacts = self.tenant().docs["Contacts"]
            contacts[contact_id.lower()] = dict(contacts[contact_id.lower()], ContactStatus="ARCHIVED")
        second = self.make_invoice(amounts=(30.0,))
        self.push()
        self.assertFailedWith(second, "invoice", "is archived and cannot be used on this document")

    # A currency Xero does not subscribe and a payment over what is due:
    # see the bad input catalogue (tests/test_bad_input.py).

    def test_failed_is_not_retried_by_the_cron(self):
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=date(2025, 6, 30))
        invoice = self.make_invoice()
        self.push()
        before = len(self.api_requests())
        self.push()
        self.assertEqual(len(self.api_requests()), before)
        self.assertEqual(invoice.xero_state, "failed")


@tagged("post_install", "-at_install")
class TestPushTransport(XeroPushCommon):
    """401, 429, 5xx and timeouts, seen from the documents."""

    def test_401_mid_batch_refreshes_once(self):
        invoices = self.make_invoice(amounts=(10.0,)) | self.make_invoice(amounts=(20.0,))
        self.push()  # the contact, the two invoices
        more = self.env["account.move"]
        for i in range(3):
            more |= self.make_invoice(amounts=(30.0 + i,))
        # The access token expires while the batch is on its way.
        self.srv.faults.expire_token(path="*/Invoices", method="PUT")
        before = self._xero_token_requests()
        self.push()
        self.assertEqual(self._xero_token_requests() - before, 1, "one refresh")
        self.assertEqual(set((invoices | more).mapped("xero_state")), {"sent"})
        self.assertEqual(self.connection.state, "connected")
        for move in more:
            self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, move.name), 1)

    def test_401_after_a_good_refresh_waits_and_keeps_the_connection(self):
        invoice = self.make_invoice(amounts=(10.0,))
        self.push()  # the contact and the invoice
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        later = self.make_invoice(amounts=(20.0,))
        # Xero refuses the token twice: before and right after the refresh.
        self.srv.faults.expire_token(path="*/Invoices", method="PUT", times=2)
        self.push()
        job = self.jobs(later, "invoice")
        self.assertEqual(job.state, "pending", "a 401 is not the document's fault")
        self.assertEqual(job.attempts, 0)
        self.assertEqual(later.xero_state, "queued")
        self.assertEqual(self.connection.state, "connected",
                         "the refresh worked: no reconnect is asked of the admin")
        self.env.cr.execute("UPDATE xero_sync_job SET next_try_at = now() AT TIME ZONE 'UTC' "
                            "- interval '1 second' WHERE id = %s", [job.id])
        self.push()
        self.assertEqual(later.xero_state, "sent", later.xero_error)
        self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, later.name), 1)

    def test_5xx_backs_off_then_fails_after_the_configured_attempts(self):
        self.env["ir.config_parameter"].sudo().set_param("account_xero.push_max_attempts", "2")
        invoice = self.make_invoice()
        self.push()  # the contact goes; the invoice waits for it
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        # Xero fails on its side for every write (the client's own retries included).
        self.srv.faults.status(503, path="*/Invoices", method="PUT", times=None)
        invoice2 = self.make_invoice(amounts=(42.0,))
        job = self.jobs(invoice2, "invoice")
        start = fields.Datetime.now()
        self.push()
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.attempts, 1)
        self.assertTrue(job.in_doubt, "a write that may have reached Xero is looked up first")
        self.assertGreater(job.next_try_at, start + timedelta(seconds=20))
        self.assertIn("HTTP 503", job.error)
        self.assertEqual(invoice2.xero_state, "queued")
        # Not due yet: the next run leaves it alone.
        before = len(self.api_requests())
        self.push()
        self.assertEqual(len(self.api_requests()), before)
        # Due again, still failing: the second attempt is the last one.
        job.sudo().next_try_at = fields.Datetime.now()
        self.push()
        self.assertEqual(job.state, "failed")
        self.assertEqual(job.attempts, 2)
        self.assertIn("Xero could not be reached after 2 attempts", job.error)
        self.assertIn("HTTP 503", job.error)
        self.assertEqual(invoice2.xero_state, "failed")
        self.assertIn("Xero could not be reached after 2 attempts", invoice2.xero_error)
        self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, invoice2.name), 0)
        # Xero is back: retry sends it, once.
        self.srv.faults.clear()
        job.action_retry()
        self.push()
        self.assertEqual(invoice2.xero_state, "sent", invoice2.xero_error)
        self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, invoice2.name), 1)

    def test_dropped_connection_backs_off(self):
        """No answer at all (what a timeout looks like to the engine)."""
        invoice = self.make_invoice()
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        # Every write is dropped (no answer): the client gives up, the job waits.
        self.srv.faults.drop(path="*/Invoices", method="PUT", times=None)
        invoice2 = self.make_invoice(amounts=(12.0,))
        self.push()
        job = self.jobs(invoice2, "invoice")
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.attempts, 1)
        self.assertGreater(job.next_try_at, fields.Datetime.now())
        self.assertEqual(invoice2.xero_state, "queued")
        self.srv.faults.clear()
        job.sudo().next_try_at = fields.Datetime.now()
        self.push()
        self.assertEqual(invoice2.xero_state, "sent", invoice2.xero_error)
        self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, invoice2.name), 1)

    def test_429_reschedules_without_counting_an_attempt(self):
        invoice = self.make_invoice()
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        # A Retry-After longer than the client waits inline: the engine reschedules.
        self.srv.faults.rate_limit(retry_after=120, path="*/Invoices", method="PUT")
        invoice2 = self.make_invoice(amounts=(15.0,))
        job = self.jobs(invoice2, "invoice")
        start = fields.Datetime.now()
        self.push()
        self.assertEqual(job.state, "pending")
        self.assertEqual(job.attempts, 0, "a 429 is Xero's pace, not a failed attempt")
        self.assertFalse(job.in_doubt)
        self.assertGreaterEqual(job.next_try_at, start + timedelta(seconds=119))
        self.assertIn("rate limit", job.error)
        self.assertEqual(invoice2.xero_state, "queued")
        # Due again too early: this process's pacer still honours Retry-After
        # and does not call Xero at all; still no attempt counted.
        job.sudo().next_try_at = fields.Datetime.now()
        before = len(self.api_requests())
        self.push()
        self.assertEqual(len(self.api_requests()), before)
        self.assertEqual((job.state, job.attempts), ("pending", 0))
        # Retry-After has passed.
        pacer_for(self.srv.url, self.xero_tenant_id).blocked_until = 0.0
        job.sudo().next_try_at = fields.Datetime.now()
        self.push()
        self.assertEqual(invoice2.xero_state, "sent", invoice2.xero_error)
        self.assertEqual(job.attempts, 1)
        self.assertFalse(self.Job.search([("state", "=", "failed")]))

    def test_a_write_xero_may_hold_is_looked_up_when_its_retry_is_refused(self):
        """Xero stored two payments but answered 500; the client's retry of
        that request (same key) met a 429 longer than it waits. Xero may hold
        them: they are looked up before they go again, never sent again
        blind under another request's key (found by bench/prod-soak: Xero
        then refused them, the invoices being paid, and they ended failed;
        on invoices paid in part Xero would have held them twice)."""
        first, second = self.make_invoice(amounts=(100.0,)), self.make_invoice(amounts=(60.0,))
        self.push()
        payments = self.pay(first, amount=40.0) | self.pay(second, amount=20.0)
        self.srv.faults.fail_after_commit(path="*/Payments", method="PUT")
        self.srv.faults.rate_limit(retry_after=120, path="*/Payments", method="PUT", skip=1)
        self.push()
        self.assertEqual(len(self.xero_docs("Payments")), 2, "Xero stored them")
        for payment in payments:
            job = self.jobs(payment, "payment")
            self.assertEqual(job.state, "pending")
            self.assertTrue(job.in_doubt, "Xero may hold it: looked up before it goes again")
        # Another payment joins the queue: the next request is not the same.
        third = self.make_invoice(amounts=(80.0,))
        self.push()
        payments |= self.pay(third, amount=30.0)
        pacer_for(self.srv.url, self.xero_tenant_id).blocked_until = 0.0
        self.Job.search([("state", "=", "pending")]).sudo().next_try_at = fields.Datetime.now()
        self.push()
        for payment in payments:
            self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        self.assertEqual(sorted(p["Amount"] for p in self.xero_docs("Payments")), [20.0, 30.0, 40.0])
