"""The push as Odoo runs it in production: prefork workers, cron processes
killed when a unit of work outlives ``limit_time_real``, any process killed
at any moment.

- One cron call is a short unit of work: once its time budget is spent it
  starts no new request, puts back what it did not send (not in doubt, no
  attempt counted) and leaves the rest to the next call, which it triggers.
- A call killed after its claim leaves its jobs in "sending" under a short
  lease: they are looked up and sent again within a couple of minutes.
- A document that makes the engine raise (not Xero: our own code) fails
  alone, with a readable message; every other job goes on.

Requests carry 5 documents here instead of 50.
"""

import os
import time
from datetime import timedelta
from unittest.mock import patch

import psycopg2

from odoo import fields, sql_db
from odoo.tests import tagged

from odoo.addons.account_xero.models import xero_sync_cron
from odoo.addons.account_xero.xero import pacer as pacer_module
from odoo.addons.account_xero.xero.identity import Endpoints
from odoo.addons.account_xero.xero.pacer import MINUTE_MARGIN, TenantPacer

from .common import FakeClock, XeroPushSmallRequests


@tagged("post_install", "-at_install")
class TestPushDeployment(XeroPushSmallRequests):

    def in_xero(self, invoice):
        return self.srv.store.count_invoices(self.xero_tenant_id, invoice.name)

    def triggers_due(self):
        self.env.cr.flush()  # what a commit does first: the trigger for now is made then
        cron = self.env.ref("account_xero.ir_cron_xero_push")
        return self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", "<=", fields.Datetime.now())])

    def test_a_cron_call_stops_at_its_time_budget_and_hands_over(self):
        self.env["ir.config_parameter"].sudo().set_param("account_xero.push_concurrency", "1")
        invoices = self.make_invoices(15)  # three requests
        self.srv.faults.slow(seconds=1.0, path="*/Invoices", method="PUT", times=None)
        self.env["ir.cron.trigger"].search([]).unlink()
        self.env.invalidate_all()
        self.Job._cron_push(time_budget=0.5)
        self.env.invalidate_all()
        sent = [inv for inv in invoices if self.in_xero(inv)]
        # The first request went; the budget was spent when it came back, so
        # no other request was started in this call.
        self.assertEqual(len(sent), 5)
        rest = self.Job.browse([self.jobs(inv, "invoice").id for inv in invoices
                                if inv not in sent])
        self.assertEqual(set(rest.mapped("state")), {"pending"})
        self.assertFalse(any(rest.mapped("in_doubt")), "nothing of them reached Xero")
        self.assertEqual(set(rest.mapped("attempts")), {0}, "running out of time is no failure")
        self.assertTrue(all(job.next_try_at <= fields.Datetime.now() for job in rest))
        self.assertTrue(self.triggers_due(), "the next call is triggered at once")
        self.assertEqual({inv.xero_state for inv in invoices if inv not in sent}, {"queued"})
        # The next calls take the rest, each document once.
        for _round in range(4):
            self.Job._cron_push(time_budget=0.5)
            self.env.invalidate_all()
        for invoice in invoices:
            self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
            self.assertEqual(self.in_xero(invoice), 1)

    def test_xeros_minute_is_bridged_by_the_next_call_not_by_a_worker_poll(self):
        # Xero's rolling minute was spent: the pacer put the invoice back for
        # when it frees, 40 s on. A trigger for then would not be announced
        # to the cron workers (Odoo NOTIFYs only for a trigger due now), and
        # a worker polls every 60 to 69 s: the organisation would wait up to
        # a minute more, each minute. The call triggers the next one now.
        invoice = self.make_invoice(amounts=(42.0,))
        self.jobs(invoice.partner_id, "contact").sudo().state = "done"
        job = self.jobs(invoice, "invoice")
        job.sudo().next_try_at = fields.Datetime.now() + timedelta(seconds=40)
        self.env["ir.cron.trigger"].search([]).unlink()
        self.Job._cron_push(time_budget=0, wait_due=True)
        self.assertTrue(self.triggers_due(), "the next call is triggered now, to wait for the invoice")
        self.assertEqual(self.in_xero(invoice), 0)
        # Due in ten minutes (a long backoff): a trigger for then, no chain.
        job.sudo().next_try_at = fields.Datetime.now() + timedelta(minutes=10)
        self.env["ir.cron.trigger"].search([]).unlink()
        self.Job._cron_push(time_budget=0, wait_due=True)
        self.assertFalse(self.triggers_due())
        cron = self.env.ref("account_xero.ir_cron_xero_push")
        self.assertTrue(self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", ">=", job.next_try_at)]))

    def test_a_call_waits_for_what_comes_due_within_its_budget(self):
        invoice = self.make_invoice(amounts=(43.0,))
        self.push()  # the contact and the invoice
        self.assertEqual(self.in_xero(invoice), 1)
        later = self.make_invoice(amounts=(44.0,), partner=invoice.partner_id)
        job = self.jobs(later, "invoice")
        job.sudo().next_try_at = fields.Datetime.now() + timedelta(seconds=1)
        self.Job._cron_push(time_budget=5, wait_due=True)
        self.env.invalidate_all()
        self.assertEqual(later.xero_state, "sent", "sent when it came due, in the same call")
        self.assertEqual(self.in_xero(later), 1)
        # Due after the budget: the call sleeps to its end (a chain of such
        # calls never loops busy), sends nothing, and hands over.
        last = self.make_invoice(amounts=(45.0,), partner=invoice.partner_id)
        self.jobs(last, "invoice").sudo().next_try_at = fields.Datetime.now() + timedelta(seconds=30)
        with patch.object(xero_sync_cron, "_sleep") as sleep:
            self.Job._cron_push(time_budget=2, wait_due=True)
        self.assertEqual(self.in_xero(last), 0)
        self.assertEqual(len(sleep.call_args_list), 1)
        self.assertGreater(sleep.call_args_list[0].args[0], 1.5, "it waited out its budget")

    def test_jobs_of_a_killed_call_are_sent_within_two_minutes(self):
        invoice = self.make_invoice(amounts=(42.0,))
        # A cron worker claims the job, then is killed (SIGKILL by Odoo's
        # watchdog) before it sends anything: the claim is all that is left.
        self.env.invalidate_all()
        claimed = self.Job._claim()
        self.assertEqual(claimed, self.jobs(invoice, "invoice"))
        self.assertEqual(claimed.state, "sending")
        self.assertLessEqual(claimed.sending_until, fields.Datetime.now() + timedelta(minutes=2))
        cron = self.env.ref("account_xero.ir_cron_xero_push")
        wake = self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)])
        self.assertTrue(any(t.call_at <= claimed.sending_until + timedelta(seconds=5) for t in wake)
                        and any(t.call_at >= claimed.sending_until for t in wake),
                        "the cron is woken when the lease runs out")
        real_now = fields.Datetime.now
        with patch.object(fields.Datetime, "now",
                          staticmethod(lambda: real_now() + timedelta(minutes=2, seconds=5))):
            self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.in_xero(invoice), 1)

    def test_a_killed_call_leaves_few_jobs_in_doubt(self):
        """A call claims about ten requests' worth of jobs, not more: killed,
        it leaves only those in doubt (each looked up in Xero before it is
        sent again), and the rest of the queue goes on as usual."""
        invoices = self.make_invoices(60)  # twelve requests of five
        self.env.invalidate_all()
        claimed = self.Job._claim()
        self.assertLessEqual(len(claimed), 50, "ten requests of five")
        rest = self.Job.browse([self.jobs(inv, "invoice").id for inv in invoices]) - claimed
        self.assertTrue(rest)
        self.assertEqual(set(rest.mapped("state")), {"pending"})
        # The call is killed: the next one sends what it had not claimed at
        # once, and what it had claimed once its lease runs out.
        self.push()
        self.assertEqual({inv.xero_state for inv in invoices if self.jobs(inv, "invoice") in rest},
                         {"sent"})
        real_now = fields.Datetime.now
        with patch.object(fields.Datetime, "now",
                          staticmethod(lambda: real_now() + timedelta(minutes=2, seconds=5))):
            self.push()
        for invoice in invoices:
            self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
            self.assertEqual(self.in_xero(invoice), 1)

    def test_a_dead_workers_claim_is_taken_up_at_once(self):
        """A cron worker killed after its claim: its database session is gone,
        and with it the lock it held on its claim, so the next call looks its
        jobs up at once, without waiting for the lease; a live worker's claim
        is left alone."""
        invoice = self.make_invoice(amounts=(43.0,))
        job = self.jobs(invoice, "invoice")
        self.env.invalidate_all()
        # Worker W (a session of its own) claims: its claim carries its token.
        budget = xero_sync_cron.CallBudget(15)
        worker = psycopg2.connect(**sql_db.connection_info_for(self.env.cr.dbname)[1])
        self.addCleanup(lambda: worker.closed or worker.close())
        with worker.cursor() as cr:
            cr.execute("SELECT pg_advisory_lock(%s, %s)", (xero_sync_cron.CLAIM_LOCK, budget.token))
        claimed = self.Job.with_context(xero_budget=budget)._claim()
        self.assertEqual(claimed, job)
        self.assertGreater(job.sending_until, fields.Datetime.now() + timedelta(seconds=60))
        # W is alive: another call leaves its claim alone.
        self.push()
        self.assertEqual(job.state, "sending")
        self.assertEqual(self.in_xero(invoice), 0)
        # W is killed: its session ends, and the next call takes the job up.
        worker.close()
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertTrue(job.state == "done" and self.in_xero(invoice) == 1)

    def test_an_invoice_queued_apart_from_its_contact_waits_for_it(self):
        """Two users post the first invoices of a new customer at once: one
        transaction queues the contact, the other cannot see that job and
        queues its invoice alone. The invoice waits for the contact instead
        of being blocked as "not in Xero yet"."""
        partner = self.env["res.partner"].create({"name": "Brand New Client Ltd"})
        invoice = self.make_invoice(partner=partner, amounts=(61.0,))
        job = self.jobs(invoice, "invoice")
        self.assertTrue(job.depends_on_job_id)
        job.sudo().depends_on_job_id = False  # as the other user's transaction queued it
        # The contact is slow to go: Xero fails on its side once.
        self.srv.faults.status(503, path="*/Contacts", method="PUT", times=None)
        self.push()
        self.assertEqual(job.state, "pending", job.error)
        self.assertIn("Waiting for Brand New Client Ltd", job.error)
        self.assertEqual(invoice.xero_state, "queued")
        self.srv.faults.clear()
        self.jobs(partner, "contact").sudo().next_try_at = fields.Datetime.now()
        job.sudo().next_try_at = fields.Datetime.now()
        self.push()
        job.sudo().next_try_at = fields.Datetime.now()
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.in_xero(invoice), 1)

    def test_a_document_that_makes_the_engine_raise_fails_alone(self):
        invoices = self.make_invoices(3)
        bad = invoices[1]
        Move = self.env.registry["account.move"]
        values_of = Move._xero_document_values

        def broken_values(move, connection):
            if move.id == bad.id:
                raise KeyError("tax_ids")  # a bug of ours, for this document only
            return values_of(move, connection)

        self.patch(Move, "_xero_document_values", broken_values)
        self.push()
        for invoice in (invoices[0], invoices[2]):
            self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
            self.assertEqual(self.in_xero(invoice), 1)
        job = self.jobs(bad, "invoice")
        self.assertEqual(job.state, "failed")
        self.assertIn("KeyError", job.error)
        self.assertIn("could not prepare", job.error)
        self.assertEqual(bad.xero_state, "failed")
        self.assertEqual(self.in_xero(bad), 0)
        # Once the cause is gone, Retry sends it.
        self.patch(Move, "_xero_document_values", values_of)
        job.action_retry()
        self.push()
        self.assertEqual(bad.xero_state, "sent", bad.xero_error)
        self.assertEqual(self.in_xero(bad), 1)

    def test_each_organisation_gets_its_turn(self):
        """Two companies, each connected to its own Xero organisation: the
        one with much to send does not keep the other waiting."""
        company_b = self.setup_other_company(name="Firm B")["company"]
        tenant_b = self.srv.add_tenant("Firm B Ltd", "NZ", company_b.currency_id.name)
        conn_b = self._xero_connect(company_b, tenant_id=tenant_b, sync_sales_invoices=True)
        conn_b.action_refresh_from_xero()
        xa = {a.code: a for a in conn_b.xero_account_ids if a.code}
        Account = self.env["account.account"]
        self.env["xero.account.map"].create([
            {"connection_id": conn_b.id, "account_id": account.id,
             "xero_account_id": xa[{"asset_receivable": "610", "income": "200",
                                    "liability_payable": "800"}.get(account.account_type, "850")].id}
            for account in Account.search(Account._check_company_domain(company_b))])
        xt = {t.tax_type: t for t in conn_b.xero_tax_rate_ids}
        Tax = self.env["account.tax"]
        self.env["xero.tax.map"].create([
            {"connection_id": conn_b.id, "tax_id": tax.id,
             "xero_output_tax_id": xt["OUTPUT2"].id, "xero_input_tax_id": xt["INPUT2"].id}
            for tax in Tax.search([*Tax._check_company_domain(company_b),
                                   ("type_tax_use", "in", ("sale", "purchase"))])])
        self.env["xero.currency.map"].create({
            "connection_id": conn_b.id, "currency_id": company_b.currency_id.id,
            "xero_currency_id": conn_b.xero_currency_ids.filtered(
                lambda c: c.code == company_b.currency_id.name).id})
        self.env["ir.config_parameter"].sudo().set_param("account_xero.push_concurrency", "1")

        def invoice_b(amount):
            return self.init_invoice("out_invoice", partner=self.partner_b, amounts=[amount],
                                     invoice_date="2025-06-01", company=company_b, post=True)

        first_b = invoice_b(60.0)  # its contact goes too
        self.push()
        self.assertEqual(first_b.xero_state, "sent", first_b.xero_error)
        invoices_a = self.make_invoices(15)  # three requests, queued first
        invoice_b = invoice_b(70.0)
        self.assertEqual(self.jobs(invoice_b, "invoice").connection_id, conn_b)
        # Calls with no time to spare: each sends one request, then hands over.
        for _call in range(2):
            self.env.invalidate_all()
            self.Job._cron_push(time_budget=0)
        self.env.invalidate_all()
        self.assertEqual(invoice_b.xero_state, "sent", invoice_b.xero_error)
        self.assertEqual(self.srv.store.count_invoices(tenant_b, invoice_b.name), 1)
        self.assertTrue(any(self.in_xero(inv) for inv in invoices_a))

    def test_a_connection_whose_client_cannot_be_made_holds_up_no_other(self):
        """Our code raises while making one connection's client: its jobs
        wait with the reason, and the call goes on (here: returns)."""
        invoice = self.make_invoice(amounts=(44.0,))
        Connection = self.env.registry["xero.connection"]

        def broken(connection):
            raise KeyError("token_expires_at")

        self.patch(Connection, "_xero_accounting_client", broken)
        self.push()
        job = self.jobs(invoice, "invoice")
        self.assertEqual(job.state, "pending")
        self.assertIn("KeyError", job.error)
        self.assertGreater(job.next_try_at, fields.Datetime.now())
        self.assertEqual(self.in_xero(invoice), 0)

    # -- several organisations: a spent minute holds no one else up ---------
    def _paced_organisations(self, frees_in):
        """This organisation and a second one (another company's), each with
        a pacer on one fake clock whose minute frees in ``frees_in`` seconds
        (0: free now); returns their connection ids and the clock."""
        company_b = self.env["res.company"].create({"name": "Pacer Org B"})
        conn_b = self.env["xero.connection"].sudo().create({
            "company_id": company_b.id, "tenant_id": "pacer-org-b-tenant"})
        clock = FakeClock()
        ids = []
        for conn, wait in zip((self.connection, conn_b), frees_in):
            pacer = TenantPacer(clock=clock, sleep=clock.sleep)
            # Xero's minute spent by 60 calls, the first of them `wait` s from leaving it.
            pacer.started.extend([clock.now - 60 + wait] * 60 if wait else [])
            key = (Endpoints(**conn._xero_endpoints()).api_url, conn.tenant_id)
            self.addCleanup(pacer_module._PACERS.pop, key, None)
            pacer_module._PACERS[key] = pacer
            ids.append(conn.id)
        return ids, clock

    def _rounds(self, due, clock, time_budget, wait_due):
        claimed = []

        def claim(_job, _limit=None, connection_id=None):
            claimed.append(connection_id)
            return self.Job.browse()

        Job = self.registry["xero.sync.job"]
        with patch.object(Job, "_next_round", lambda _self: list(due)), \
                patch.object(Job, "_claim", claim), \
                patch.object(xero_sync_cron, "_sleep", clock.sleep):
            self.Job._cron_push(time_budget=time_budget, wait_due=wait_due)
        return claimed

    def test_a_spent_minute_is_left_while_the_pacer_serves_the_other_organisations(self):
        # Organisation A's rolling minute frees in 40 s, B's is free. Claimed
        # first, A's requests held the call in A's pacer (up to the client's
        # max_wait) while B waited: with five organisations each minute's
        # stretch began seconds late, and every later one inherited it.
        (conn_a, conn_b), clock = self._paced_organisations((40, 0))
        claimed = self._rounds([conn_a, conn_b], clock, time_budget=0, wait_due=False)
        self.assertEqual(claimed, [conn_b], "B is served; A is not claimed while its minute is spent")
        self.assertEqual(clock.slept, [], "nothing waited for A's minute")

    def test_a_call_waits_for_the_first_organisation_pacer_to_free(self):
        # Both minutes are spent: A's frees in 3 s (within the call's
        # budget), B's in 40 s. The call sleeps until A's frees, serves A,
        # and leaves B to a later call, triggered now.
        self.make_invoice(amounts=(46.0,))  # A has jobs due (the claim is left out here)
        (conn_a, conn_b), clock = self._paced_organisations((3, 40))
        self.env["ir.cron.trigger"].search([]).unlink()
        claimed = self._rounds([conn_a, conn_b], clock, time_budget=5, wait_due=True)
        self.assertEqual(claimed, [conn_a])
        self.assertAlmostEqual(clock.slept[0], 3.0 + MINUTE_MARGIN, delta=0.1,
                               msg="it slept until A's minute freed")
        self.assertTrue(self.triggers_due(), "the next call is triggered now, for B")

    def test_a_pacer_counts_the_calls_the_other_cron_process_makes(self):
        # Both cron workers push: Xero's minute counts the calls of both.
        invoice = self.make_invoice(amounts=(47.0,))
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        mine = self.pace_entries()[str(os.getpid())]
        self.assertGreaterEqual(len(mine["calls"]), 2, "its calls (contact, invoice) told to the other")
        self.assertEqual(mine["flying"], [], "none in flight any more")
        # The other process spent the minute from 30 s to 20 s ago: this one
        # waits until those calls leave it, not a minute from Xero's count.
        now = time.time()
        self.pace_of_another_process(calls=[now - 30 + k / 6 for k in range(58)])
        key = (Endpoints(**self.connection._xero_endpoints()).api_url, self.connection.tenant_id)
        self.addCleanup(pacer_module._PACERS.pop, key, None)
        self.assertAlmostEqual(self.Job._pace_wait(self.connection.id), 30.0, delta=1.0)
