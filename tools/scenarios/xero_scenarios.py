"""pytest plugin: Odoo's own accounting tests as scenarios for account_xero.

Loaded by ``tools/odoo-scenarios`` (``-p xero_scenarios``) around a run of
tests of Odoo's ``account`` addon, in a database where account_xero is
installed. Odoo's tests are not copied nor changed: every test class built
on ``AccountTestInvoicingCommon`` gets, around each of its tests:

- before: each company with a chart of accounts (a branch goes through its
  root's) connected to a fresh sandbox organisation (Odoo rolls the test
  back, the sandbox does not), Xero's reference data read, **Suggest
  mapping** applied and confirmed, every synchronization switched on;
- after the test, before Odoo rolls it back: the queue pushed until nothing
  is due, then **Reconcile with Xero** as at the latest date of the
  company's posted entries; what was sent, blocked (with the reason) or left
  unsent, and every account whose difference no document explains, are
  written as one JSON line to ``$AXERO_SCENARIO_RESULTS``.

Nothing here changes a test's outcome: an error of the scenario itself is
recorded in its line, not raised.
"""

import contextlib
import json
import logging
import os
import traceback
from collections import Counter

_logger = logging.getLogger("xero_scenarios")

PUSH_ROUNDS = 30
# The sandbox's rate limits off: Odoo's tests may freeze time, and a frozen
# minute never frees (what is measured here is the books, not the pace).
NO_LIMITS = {"minute": 10 ** 9, "day": 10 ** 9, "concurrent": 50, "app_minute": 10 ** 9}
CLIENT_ID, CLIENT_SECRET = "odoo-scenarios", "odoo-scenarios-secret-41c7"


def pytest_collection_finish(session):
    _install()


def _install():
    from odoo.addons.account.tests.common import AccountTestInvoicingCommon

    if getattr(AccountTestInvoicingCommon, "_xero_scenarios", False):
        return
    AccountTestInvoicingCommon._xero_scenarios = True
    original_setup = AccountTestInvoicingCommon.setUp
    original_teardown = AccountTestInvoicingCommon.tearDown

    def setUp(self):
        original_setup(self)
        self._xero_scenario = {"test": self.id(), "companies": []}
        try:
            with _test_mode(self):
                _connect(self)
        except Exception:  # noqa: BLE001 - recorded, never raised into Odoo's test
            self._xero_scenario["error"] = "connect: " + traceback.format_exc(limit=6)

    def tearDown(self):
        record = getattr(self, "_xero_scenario", None)
        if record is not None and "error" not in record:
            try:
                with _test_mode(self):
                    _push_and_compare(self, record)
            except Exception:  # noqa: BLE001 - recorded, never raised into Odoo's test
                record["error"] = "push/compare: " + traceback.format_exc(limit=6)
        if record is not None:
            _write(record)
        original_teardown(self)

    AccountTestInvoicingCommon.setUp = setUp
    AccountTestInvoicingCommon.tearDown = tearDown


@contextlib.contextmanager
def _test_mode(test):
    """The registry in test mode while the plugin works (the token source
    and the push use cursors of their own, which must be the test's), and
    left as it was for Odoo's test (some enter test mode themselves)."""
    if test.registry.in_test_mode():
        yield
        return
    test.registry.enter_test_mode(test.cr)
    try:
        yield
    finally:
        test.registry.leave_test_mode()


def _sandbox(env):
    from odoo.addons.account_xero.tests.common import get_sandbox

    srv = get_sandbox()
    srv.register_app(CLIENT_ID, CLIENT_SECRET, name="Odoo scenarios")
    srv.store.limits.update(NO_LIMITS)
    icp = env["ir.config_parameter"].sudo()
    icp.set_param("account_xero.login_url", srv.url + "/identity/connect/authorize")
    icp.set_param("account_xero.identity_url", srv.url)
    icp.set_param("account_xero.api_url", srv.url)
    return srv


def _connect(test):
    from odoo import fields

    env = test.env
    srv = _sandbox(env)
    Account = env["account.account"].sudo()
    companies = env["res.company"].sudo().search([("parent_id", "=", False)]).filtered(
        lambda c: Account.search_count([("company_ids", "in", c.id)], limit=1))
    Connection = env["xero.connection"].sudo().with_context(active_test=False)
    for company in companies:
        tenant_id = srv.add_tenant("%s (scenario)" % company.name[:40], "NZ",
                                   company.currency_id.name)
        grant = srv.grant(CLIENT_ID, tenant_ids=[tenant_id])
        conn = Connection.search([("company_id", "=", company.id)], limit=1) \
            or Connection.create({"company_id": company.id})
        now = fields.Datetime.now()
        conn.write({
            "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
            "access_token": grant["access_token"], "refresh_token": grant["refresh_token"],
            "token_expires_at": now + _seconds(int(grant["expires_in"])),
            "tenant_id": tenant_id, "tenant_name": srv.store.tenant(tenant_id).name,
            "xero_connection_id": grant["connection_id"], "state": "connected",
            "connected_at": now, "connected_by_id": env.uid, "active": True,
            "sync_sales_invoices": True, "sync_supplier_invoices": True, "sync_trust": True,
            "sync_entries": True, "sync_from_date": "2000-01-01",
        })
        conn.flush_recordset()
        conn.action_refresh_from_xero()
        conn.action_suggest_mapping()
        if hasattr(conn, "suggested_count") and conn.suggested_count:
            conn.action_confirm_suggestions()
        test._xero_scenario["companies"].append(
            {"company": company.name, "connection_id": conn.id, "tenant_id": tenant_id})


def _seconds(n):
    from datetime import timedelta
    return timedelta(seconds=n)


def _push_and_compare(test, record):
    env = test.env
    env.flush_all()
    Job = env["xero.sync.job"].sudo()
    for _round in range(PUSH_ROUNDS):
        env.invalidate_all()
        Job._cron_push(wait_due=False)
        env.invalidate_all()
        if not Job._count_due():
            break
    for entry in record["companies"]:
        conn = env["xero.connection"].sudo().browse(entry["connection_id"])
        jobs = Job.search([("connection_id", "=", conn.id)])
        entry["jobs"] = dict(Counter("%s/%s" % (j.operation, j.state) for j in jobs))
        entry["blocked"] = dict(Counter(_reason(j.error) for j in jobs if j.state == "blocked"))
        entry["failed"] = dict(Counter(_reason(j.error) for j in jobs if j.state == "failed"))
        waiting = jobs.filtered(lambda j: j.state in ("pending", "sending"))
        behind = waiting.filtered(lambda j: _behind_blocked(j))
        entry["waiting_on_blocked"] = len(behind)
        entry["unsent"] = len(waiting - behind)
        moves = env["account.move"].sudo().search(
            [("company_id", "child_of", conn.company_id.id), ("state", "=", "posted")],
            order="date desc", limit=1)
        if not moves:
            entry["unexplained"] = []
            continue
        rec = env["xero.reconcile"].sudo().create({"connection_id": conn.id, "date": moves.date})
        rec._compare(raise_errors=False)
        entry["reconcile_state"] = rec.state
        if rec.state != "done":
            entry["reconcile_error"] = rec.error
        entry["unexplained"] = [
            {"account": line.xero_account_id.display_name, "difference": line.difference,
             "explained": line.explained, "unexplained": line.unexplained}
            for line in rec.line_ids if abs(line.unexplained) >= 0.005]
        entry["differences"] = sum(1 for line in rec.line_ids if abs(line.difference) >= 0.005)


def _behind_blocked(job):
    """A queued job that waits for one blocked or failed (its document, its
    contact): it goes when that one is mended."""
    seen = set()
    while job.depends_on_job_id and job.id not in seen:
        seen.add(job.id)
        job = job.depends_on_job_id
        if job.state in ("blocked", "failed"):
            return True
    return False


def _reason(error):
    """An error's first sentence, its numbers and names kept short: a reason
    to count, not the message of one document."""
    text = (error or "").strip().splitlines()[0] if error else "(no message)"
    return text[:160]


def _write(record):
    path = os.environ.get("AXERO_SCENARIO_RESULTS")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, default=str) + "\n")
