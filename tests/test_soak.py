"""A small soak: a few dozen documents pushed through a seeded mix of faults
(writes stored then answered 500 or dropped, 429, 5xx, dropped connections,
401 TokenExpired) and a worker "killed" between Xero's accept and our commit;
then Xero (the sandbox's store) against Odoo, document by document, and
account by account (Reconcile with Xero: balances to the cent).
The full soak is bench/soak.py."""

import collections
from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.account_xero.models import xero_sync_job
from odoo.addons.account_xero.xero.client import AccountingClient
from odoo.addons.account_xero.xero.pacer import pacer_for

from .common import XeroPushCommon


class _Killed(BaseException):
    """The worker died after Xero accepted its write."""


@tagged("post_install", "-at_install")
class TestSoak(XeroPushCommon):

    def test_soak_nothing_duplicated_lost_or_mismatched(self):
        srv = self.srv
        invoices = self.env["account.move"]
        for i in range(24):
            partner = (self.partner_a, self.partner_b)[i % 2]
            invoices |= self.make_invoice(amounts=(10.0 + i, 3.33 * (i % 5 + 1)), partner=partner)
        payments = self.env["account.payment"]
        for move in invoices:
            payments |= self.pay(move)
        self.env["ir.config_parameter"].sudo().set_param("account_xero.push_max_attempts", "1000")
        srv.store.limits.update(minute=10 ** 6, day=10 ** 7, app_minute=10 ** 7)
        pacer_for(srv.url, self.xero_tenant_id).per_minute = 10 ** 6
        srv.faults.seed(1234)
        for kind, probability, params in (
                ("fail_after_commit", 0.15, {"method": "PUT", "status": 500}),
                ("fail_after_commit", 0.08, {"method": "PUT", "then": "drop"}),
                ("rate_limit", 0.08, {"retry_after": 1}),
                ("status", 0.08, {"status": 503}),
                ("drop", 0.05, {}),
                ("expire_token", 0.05, {})):
            params = dict(params)
            method = params.pop("method", "*")
            srv.faults.add(kind, path="/api.xro/2.0/*", method=method, times=None,
                           probability=probability, **params)

        Job = self.Job
        orig_call, orig_claim = AccountingClient.call, type(Job)._claim
        state = {"claimed": [], "kills": 0}

        def call(client, method, *args, **kwargs):
            state.setdefault("methods", collections.Counter())[method] += 1
            data = orig_call(client, method, *args, **kwargs)
            # Killed after the 1st, 3rd and 6th write Xero accepted: fixed
            # points, so the test does not depend on a lucky draw.
            state["accepted"] = state.get("accepted", 0) + method.startswith("create_")
            if method.startswith("create_") and state["accepted"] in (1, 3, 6):
                state["kills"] += 1
                raise _Killed(method)
            return data

        def claim(self, limit=200, connection_id=None):
            jobs = orig_claim(self, limit, connection_id)
            state["claimed"] = jobs.ids
            return jobs

        no_wait = patch.object(AccountingClient, "call", call)
        # Small batches: more requests, more faults on the way.
        with no_wait, patch.object(type(Job), "_claim", claim), \
                patch.object(xero_sync_job, "BATCH_SIZE", 4), patch("time.sleep", lambda s: None):
            for _round in range(200):
                # Backoff delays and leases end now (a fast-forwarded clock).
                self.env.flush_all()
                self.env.cr.execute("""
                    UPDATE xero_sync_job SET next_try_at = (now() AT TIME ZONE 'UTC') - interval '1 second'
                     WHERE state = 'pending';
                    UPDATE xero_sync_job SET sending_until = (now() AT TIME ZONE 'UTC') - interval '1 second'
                     WHERE state = 'sending';
                    UPDATE xero_connection SET state = 'connected' WHERE state = 'expired';
                """)
                self.env.invalidate_all()
                try:
                    with self.env.cr.savepoint():
                        self.Job._cron_push(time_budget=5, limit=10)
                except _Killed:
                    # The claim was committed on its own: it survives the
                    # crash, the rest of the worker's transaction does not.
                    self.env.invalidate_all()
                    self.env.cr.execute(
                        "UPDATE xero_sync_job SET state = 'sending', sending_until = "
                        "(now() AT TIME ZONE 'UTC') - interval '1 second' WHERE id = ANY(%s)",
                        [state["claimed"]])
                    continue
                self.env.invalidate_all()
                if not Job.search_count([("state", "in", ("pending", "sending"))]):
                    break
        fired = collections.Counter(kind for _id, kind, _m, _p in srv.faults.fired)
        srv.faults.clear()
        self.assertGreaterEqual(sum(fired.values()) + state["kills"], 15, fired)
        self.assertTrue(state["kills"], "no worker was killed %s" % state)

        jobs = Job.search([("connection_id", "=", self.connection.id)])
        self.assertEqual(set(jobs.mapped("state")), {"done"},
                         [(j.display_name, j.state, j.error) for j in jobs if j.state != "done"])
        live = collections.defaultdict(list)
        for doc in self.xero_docs("Invoices"):
            if doc.get("Status") not in ("VOIDED", "DELETED"):
                live[doc["InvoiceNumber"]].append(doc)
        by_key = collections.defaultdict(list)
        for pay in self.xero_docs("Payments"):
            by_key[(pay.get("Reference") or "").rsplit("[", 1)[-1].rstrip("]")].append(pay)
        duplicates = lost = mismatched = 0
        for move in invoices:
            docs = live.get(move.name, [])
            lost += not docs
            duplicates += max(0, len(docs) - 1)
            mismatched += bool(docs) and abs(float(docs[0]["Total"]) - move.amount_total) > 0.005
        for payment in payments:
            job = self.jobs(payment, "payment")
            hits = by_key.get(job.idempotency_key, [])
            lost += not hits
            duplicates += max(0, len(hits) - 1)
            mismatched += bool(hits) and abs(float(hits[0]["Amount"]) - payment.amount) > 0.005
        contacts = collections.Counter(c.get("ContactNumber") for c in self.xero_docs("Contacts"))
        duplicates += sum(n - 1 for n in contacts.values() if n > 1)
        self.assertEqual((duplicates, lost, mismatched), (0, 0, 0))
        # Then the balances, per Xero account, to the cent: Xero's Trial
        # Balance against Odoo (Reconcile with Xero).
        rec = self.env["xero.reconcile"].create({
            "connection_id": self.connection.id,
            "date": max(invoices.mapped("date") + payments.mapped("date"))})
        rec.action_compare()
        self.assertEqual(rec.state, "done", rec.error)
        self.assertTrue(rec.line_ids.filtered(lambda l: l.xero_account_id.code == "610"))
        self.assertEqual([(l.xero_account_id.code, l.odoo_balance, l.xero_balance)
                          for l in rec.line_ids if l.difference], [])
