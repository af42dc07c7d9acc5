"""Several requests at once: the requests of one kind (invoices, payments,
contacts...) go to Xero up to 5 at a time, Xero's limit of calls in flight
per organisation. Whatever happens to one of them, the answers to the others
are recorded: nothing accepted is sent again, nothing is lost.

Requests carry 5 documents here instead of 50, so that 15 invoices make
three requests."""

import threading
import time
from datetime import timedelta

from odoo import fields
from odoo.tests import tagged

from odoo.addons.account_xero.xero.client import AccountingClient
from odoo.addons.account_xero.xero.pacer import pacer_for

from .common import XeroPushCommon, XeroPushSmallRequests


@tagged("post_install", "-at_install")
class TestPushParallel(XeroPushSmallRequests):

    def invoice_puts(self):
        return [r for r in self.api_requests()
                if r["method"] == "PUT" and r["path"].endswith("/Invoices")]

    def assertEachOnceInXero(self, invoices):
        for invoice in invoices:
            self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
            self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, invoice.name), 1,
                             invoice.name)
            self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["InvoiceNumber"],
                             invoice.name)

    def test_requests_of_one_kind_are_in_flight_together(self):
        invoices = self.make_invoices()
        # Each request waits until the three are out: sent one after the
        # other, the first would wait for ever (here: fail after 30 s).
        meet = threading.Barrier(3, timeout=30)
        call = AccountingClient.call

        def waiting_call(client, method, *args, **kwargs):
            if method == "create_invoices":
                meet.wait()
            return call(client, method, *args, **kwargs)

        self.patch(AccountingClient, "call", waiting_call)
        puts = len(self.invoice_puts())
        self.push()
        self.assertEqual(len(self.invoice_puts()) - puts, 3)
        self.assertEachOnceInXero(invoices)

    def test_one_at_a_time_when_configured(self):
        self.env["ir.config_parameter"].sudo().set_param("account_xero.push_concurrency", "1")
        invoices = self.make_invoices()
        lock = threading.Lock()
        seen = {"now": 0, "most": 0, "threads": set()}
        call = AccountingClient.call

        def counting_call(client, method, *args, **kwargs):
            with lock:
                seen["now"] += 1
                seen["most"] = max(seen["most"], seen["now"])
                seen["threads"].add(threading.current_thread().name)
            try:
                time.sleep(0.05)  # room for a second request, were one sent
                return call(client, method, *args, **kwargs)
            finally:
                with lock:
                    seen["now"] -= 1

        self.patch(AccountingClient, "call", counting_call)
        self.push()
        self.assertEqual(seen["most"], 1)
        self.assertEqual(seen["threads"], {threading.current_thread().name})
        self.assertEachOnceInXero(invoices)

    def test_429_on_one_request_keeps_what_xero_accepted(self):
        invoices = self.make_invoices()
        jobs = self.Job.browse([self.jobs(invoice, "invoice").id for invoice in invoices])
        # The second request to arrive is refused for two minutes.
        self.srv.faults.rate_limit(retry_after=120, path="*/Invoices", method="PUT", skip=1)
        start = fields.Datetime.now()
        self.push()
        done = jobs.filtered(lambda j: j.state == "done")
        waiting = jobs - done
        # The first request's answer at least is recorded; the refused one and
        # any not yet sent wait for Retry-After (5 invoices a request).
        self.assertGreaterEqual(len(done), 5)
        self.assertGreaterEqual(len(waiting), 5)
        self.assertEqual(len(done) % 5, 0)
        self.assertEqual(set(waiting.mapped("state")), {"pending"})
        self.assertEqual(set(waiting.mapped("attempts")), {0}, "a 429 is not a failed attempt")
        self.assertFalse(any(waiting.mapped("in_doubt")))
        for job in waiting:
            self.assertGreaterEqual(job.next_try_at, start + timedelta(seconds=119))
            self.assertIn("rate limit", job.error)
        by_job = {self.jobs(invoice, "invoice").id: invoice for invoice in invoices}
        for job in done:
            self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id,
                                                           by_job[job.id].name), 1)
        for job in waiting:
            self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id,
                                                           by_job[job.id].name), 0)
            self.assertEqual(by_job[job.id].xero_state, "queued")
        # Retry-After has passed: the rest goes, and only the rest.
        pacer_for(self.srv.url, self.xero_tenant_id).blocked_until = 0.0
        waiting.sudo().next_try_at = fields.Datetime.now()
        puts = len(self.invoice_puts())
        self.push()
        self.assertEqual(len(self.invoice_puts()) - puts, len(waiting) // 5)
        self.assertEachOnceInXero(invoices)
        self.assertEqual(len(self.xero_docs("Invoices")), 16)

    def test_5xx_on_one_request_backs_off_that_request_only(self):
        invoices = self.make_invoices()
        unlucky = invoices[7]  # in the second request
        # Xero fails on its side for every try of the request carrying it
        # (the client's own retries included) and for nothing else.
        self.srv.faults.status(503, method="PUT", path="*/Invoices", body_contains=unlucky.name,
                               times=None)
        self.push()
        same_request = invoices[5:10]
        for invoice in same_request:
            job = self.jobs(invoice, "invoice")
            self.assertEqual((job.state, job.attempts), ("pending", 1))
            self.assertTrue(job.in_doubt, "a write that may have reached Xero is looked up first")
            self.assertIn("HTTP 503", job.error)
            self.assertEqual(invoice.xero_state, "queued")
        self.assertEachOnceInXero(invoices[:5] + invoices[10:])
        # Xero is back: the five are looked up (not found) and sent, once.
        self.srv.faults.clear()
        self.Job.sudo().browse([self.jobs(i, "invoice").id for i in same_request]).next_try_at = \
            fields.Datetime.now()
        self.push()
        self.assertEachOnceInXero(invoices)
        self.assertEqual(len(self.xero_docs("Invoices")), 16)

    def test_accepted_but_unanswered_request_is_found_not_resent(self):
        """Xero stores the request of invoices[5:10], then the connection
        drops (every try): those five are in doubt, and the next run finds
        them in Xero by number instead of sending them again."""
        invoices = self.make_invoices()
        self.srv.faults.fail_after_commit(then="drop", method="PUT", path="*/Invoices",
                                          body_contains=invoices[7].name, times=None)
        self.push()
        for invoice in invoices[5:10]:
            job = self.jobs(invoice, "invoice")
            self.assertEqual((job.state, job.in_doubt), ("pending", True))
            self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, invoice.name), 1)
        self.srv.faults.clear()
        self.Job.sudo().browse([self.jobs(i, "invoice").id for i in invoices[5:10]]).next_try_at = \
            fields.Datetime.now()
        puts = len(self.invoice_puts())
        self.push()
        self.assertEqual(len(self.invoice_puts()), puts, "found in Xero, not sent again")
        self.assertEachOnceInXero(invoices)


@tagged("post_install", "-at_install")
class TestPushContactDirectory(XeroPushCommon):
    """Many new customers are matched against Xero's contacts read a
    thousand a page, rather than a look-up per 25 customers."""

    def contact_gets(self):
        return [r for r in self.api_requests()
                if r["method"] == "GET" and r["path"].endswith("/Contacts")]

    def enqueue_contacts(self, partners):
        for partner in partners:
            partner._xero_enqueue_contact(self.connection)

    def test_many_new_customers_one_directory_read(self):
        Partner = self.env["res.partner"]
        partners = Partner.create([
            {"name": "Directory Customer %02d" % i, "email": "customer%02d@example.com" % i}
            for i in range(60)])
        # Two of them are in Xero already: one by name, one by email.
        api = self.connection._xero_accounting_client()
        from xero_python.accounting import Contact
        by_name, by_email = api.create_contacts([
            Contact(name=partners[3].name),
            Contact(name="Customer 41 (Xero's own name)", email_address=partners[41].email),
        ], "pre-existing-contacts")
        gets = len(self.contact_gets())
        self.enqueue_contacts(partners)
        self.push()
        reads = self.contact_gets()[gets:]
        self.assertEqual(len(reads), 1, [r["path"] for r in reads])
        self.assertIn("pageSize=1000", reads[0]["query"])
        self.assertNotIn("where=", reads[0]["query"])
        self.assertEqual(partners[3]._xero_binding(self.connection).xero_id, by_name.xero_id)
        self.assertEqual(partners[41]._xero_binding(self.connection).xero_id, by_email.xero_id)
        contacts = self.xero_docs("Contacts")
        in_xero = {c["ContactID"] for c in contacts}
        for partner in partners:
            self.assertIn(partner._xero_binding(self.connection).xero_id, in_xero, partner.name)
        names = [c["Name"] for c in contacts]
        self.assertEqual(len(names), len(set(names)), "no contact made twice")

    def test_few_new_customers_one_lookup(self):
        partners = self.env["res.partner"].create([
            {"name": "Lookup Customer %02d" % i} for i in range(5)])
        gets = len(self.contact_gets())
        self.enqueue_contacts(partners)
        self.push()
        reads = self.contact_gets()[gets:]
        self.assertEqual(len(reads), 1)
        self.assertIn("where=", reads[0]["query"])
        for partner in partners:
            self.assertTrue(partner._xero_binding(self.connection).xero_id, partner.name)
