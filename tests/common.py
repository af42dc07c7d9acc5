"""Shared set-up for the addon's Odoo tests: one Xero sandbox per test
process (``XeroSandboxMixin``), and the bases of the push tests: a company
connected to its own sandbox tenant with everything mapped
(``XeroPushCommon``), small requests (``XeroPushSmallRequests``), deposit
accounts mapped (``XeroDepositsCommon``). The trust bases are in
``common_trust.py``, the sandbox's and the client's in ``common_sandbox.py``,
the mapping's in ``common_mapping.py``.

    from odoo.addons.account_xero.tests.common import XeroSandboxMixin

    @tagged("post_install", "-at_install")
    class TestSomething(XeroSandboxMixin, AccountTestInvoicingCommon):   # or TransactionCase, HttpCase
        @classmethod
        def setUpClass(cls):
            super().setUpClass()
            cls.connection = cls._xero_connect(cls.company_data["company"])

The mixin (put it first in the bases):
- starts the sandbox once per process (lazily) and resets it for each class,
  registering the test app ``cls.xero_client_id`` / ``cls.xero_client_secret``;
- points ``account_xero.login_url`` / ``identity_url`` / ``api_url`` at it;
- puts the registry in test mode for a TransactionCase too (HttpCase already
  does), so the token refresh's separate cursor and the token source's own
  cursor run inside the test transaction instead of waiting for it;
- offers ``_xero_connect(company)``: a connected ``xero.connection`` with
  tokens from ``srv.grant`` (no browser).
"""

import atexit
import contextlib
import json
import logging
import os
import threading
import unittest
from datetime import timedelta

from odoo import fields, http, sql_db

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.account_xero.models import xero_sync_job
from odoo.addons.account_xero.xero.pacer import LedgerTurn

from odoo.addons.account_xero.xero_sandbox import SandboxServer

_logger = logging.getLogger(__name__)

_SANDBOX = None
_SANDBOX_LOCK = threading.Lock()


def get_sandbox():
    """The process-wide sandbox server, started on first use."""
    global _SANDBOX  # noqa: PLW0603 - one server per test process
    with _SANDBOX_LOCK:
        if _SANDBOX is None:
            _SANDBOX = SandboxServer().start()
            atexit.register(_SANDBOX.stop)
        return _SANDBOX


class FakeClock:
    """A monotonic clock that moves only when something sleeps on it."""

    def __init__(self):
        self.now = 1000.0
        self.slept = []

    def __call__(self):
        return self.now

    def sleep(self, seconds):
        self.slept.append(seconds)
        self.now += seconds


class MemoryLedger:
    """The ledger that the processes calling one organisation share (see
    ``TenantPacer``), in memory: each pacer that holds it is a process."""

    def __init__(self):
        self.lock = threading.RLock()
        self.entries = {}

    @contextlib.contextmanager
    def turn(self, me):
        with self.lock:
            turn = LedgerTurn(me, self.entries)
            yield turn
            if turn.mine is not None:
                self.entries[me] = turn.mine

    def look(self, me):
        with self.lock:
            return LedgerTurn(me, self.entries).others


class XeroSandboxMixin:
    """Mixin for TransactionCase, HttpCase and AccountTestInvoicingCommon."""

    xero_client_id = "odoo-test-app"
    xero_client_secret = "odoo-test-secret-7d1f0c2b9a4e"
    # Enter registry test mode when the base class did not (TransactionCase).
    xero_registry_test_mode = True
    # Write the sandbox URLs into ir.config_parameter in the test transaction.
    xero_set_params = True

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.srv = get_sandbox()
        cls.srv.reset()
        cls.srv.register_app(cls.xero_client_id, cls.xero_client_secret, name="Odoo tests")
        cls.xero_tenant_id = cls.srv.store.default_tenant_id
        if cls.xero_set_params:
            icp = cls.env["ir.config_parameter"].sudo()
            icp.set_param("account_xero.login_url", cls.srv.url + "/identity/connect/authorize")
            icp.set_param("account_xero.identity_url", cls.srv.url)
            icp.set_param("account_xero.api_url", cls.srv.url)
        if cls.xero_registry_test_mode and not cls.registry.in_test_mode():
            cls.registry.enter_test_mode(cls.cr)
            cls.addClassCleanup(cls.registry.leave_test_mode)

    def pace_entries(self, tenant_id=None):
        """The processes' entries in the ledger of the organisation's pace,
        read on a connection of its own (the ledger commits at each call)."""
        with contextlib.closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as cr:
            cr.execute("SELECT calls FROM xero_tenant_pace WHERE tenant_id = %s",
                       [tenant_id or self.xero_tenant_id])
            row = cr.fetchone()
        return row[0] if row else {}

    def pace_of_another_process(self, calls=(), flying=(), tenant_id=None):
        """Another Odoo process (the other cron worker) called the
        organisation at ``calls`` and has calls in flight until ``flying``
        (epoch times); forgotten after the test."""
        tenant_id = tenant_id or self.xero_tenant_id
        # Its own connection, committed on leaving (the ledger's, as another process's).
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("""
                INSERT INTO xero_tenant_pace (tenant_id, calls) VALUES (%s, %s)
                    ON CONFLICT (tenant_id) DO UPDATE
                   SET calls = xero_tenant_pace.calls || EXCLUDED.calls
            """, [tenant_id, json.dumps({"other.1": {"calls": list(calls), "flying": list(flying)}})])
        self.addCleanup(self._forget_other_process, tenant_id)

    def _forget_other_process(self, tenant_id):
        with sql_db.db_connect(self.env.cr.dbname).cursor() as cr:
            cr.execute("UPDATE xero_tenant_pace SET calls = calls - 'other.1' WHERE tenant_id = %s",
                       [tenant_id])

    @classmethod
    def _xero_grant(cls, tenant_ids=None):
        return cls.srv.grant(cls.xero_client_id, tenant_ids=tenant_ids or [cls.xero_tenant_id])

    @classmethod
    def _xero_connect(cls, company=None, tenant_id=None, **vals):
        """A connected xero.connection for ``company`` (tokens from the sandbox)."""
        company = company or cls.env.company
        tenant_id = tenant_id or cls.xero_tenant_id
        grant = cls._xero_grant([tenant_id])
        Connection = cls.env["xero.connection"].sudo()
        conn = Connection.with_context(active_test=False).search(
            [("company_id", "=", company.id)], limit=1
        ) or Connection.create({"company_id": company.id})
        now = fields.Datetime.now()
        conn.write(dict({
            "client_id": cls.xero_client_id,
            "client_secret": cls.xero_client_secret,
            "access_token": grant["access_token"],
            "refresh_token": grant["refresh_token"],
            "token_expires_at": now + timedelta(seconds=int(grant["expires_in"])),
            "tenant_id": grant["tenant_id"],
            "tenant_name": cls.srv.store.tenant(grant["tenant_id"]).name,
            "xero_connection_id": grant["connection_id"],
            "state": "connected",
            "connected_at": now,
            "connected_by_id": cls.env.uid,
        }, **vals))
        # The token source reads the connection through its own (test) cursor.
        conn.flush_recordset()
        return conn

    @classmethod
    def _xero_clear_sandbox(cls):
        """Forget tokens, codes, connections, requests and faults; keep the
        app and the tenants (their ids stay valid)."""
        store = cls.srv.store
        with store.lock:
            for name in ("auth_codes", "access_tokens", "refresh_tokens", "connections"):
                getattr(store, name).clear()
            del store.requests[:]
            store.reset_rate_limits()
        cls.srv.faults.clear()

    @classmethod
    def _xero_token_requests(cls):
        """How many times the sandbox's token endpoint was called so far."""
        return sum(1 for r in list(cls.srv.store.requests) if r["path"].rstrip("/") == "/connect/token")


def running_in_ci():
    """True under CI (``CI=true``, as CI services and .ci/run set it)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


class BrowserTestMixin:
    """Mixin for an HttpCase whose tests drive Chromium (tours, browser_js).

    Odoo's HttpCase *skips* a browser test when it cannot start Chromium
    (odoo/tests/common.py: ChromeBrowser, _find_executable raise
    unittest.SkipTest). Under CI that would hide the tours, so there the
    test fails; elsewhere it still skips, but says loudly what and why.
    """

    def browser_js(self, *args, **kwargs):
        # The browser's first requests reach Odoo's HTTP server threads at
        # once, and each may compute http.root.statics, which parses
        # every module's manifest with ast: CPython 3.11 keeps the AST
        # recursion depth per interpreter, not per thread, and concurrent
        # parses can fail with "SystemError: AST constructor recursion depth
        # mismatch" (python/cpython gh-106905), a 500 on a static asset and a
        # failed tour. Computed here, once, in this thread, before Chromium starts.
        http.root.statics  # noqa: B018  # pylint: disable=pointless-statement
        try:
            return super().browser_js(*args, **kwargs)
        except unittest.SkipTest as e:
            reason = (
                f"browser test {self.id()} could not run: {e}. Install Chromium "
                f"(tools/setup or tools/test do it as root; else apt-get install chromium)."
            )
            if running_in_ci():
                self.fail(f"{reason} Under CI a browser test must run, not skip.")
            _logger.warning("SKIPPED %s", reason)
            raise unittest.SkipTest(reason) from e


class XeroPushCommon(XeroSandboxMixin, AccountTestInvoicingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.xero_tenant_id = cls.srv.add_tenant(
            "Push Test Ltd", "NZ", cls.company.currency_id.name)
        cls.connection = cls._xero_connect(
            cls.company, sync_sales_invoices=True, sync_supplier_invoices=True)
        cls.connection.action_refresh_from_xero()
        cls.xa = {a.code: a for a in cls.connection.xero_account_ids if a.code}
        cls.xt = {t.tax_type: t for t in cls.connection.xero_tax_rate_ids}
        cls._map_everything()
        cls.Job = cls.env["xero.sync.job"]
        cls.other_currency = cls.setup_other_currency("AUD", rates=[("2016-01-01", 2.0)])
        cls.env["xero.currency.map"].create({
            "connection_id": cls.connection.id,
            "currency_id": cls.other_currency.id,
            "xero_currency_id": cls.connection.xero_currency_ids.filtered(
                lambda c: c.code == "AUD").id,
        })

    @classmethod
    def _map_everything(cls):
        Account = cls.env["account.account"]
        accounts = Account.search(Account._check_company_domain(cls.company))
        by_type = {
            "asset_cash": "090", "asset_receivable": "610", "liability_payable": "800",
            "income": "200", "income_other": "260", "expense": "400",
            "expense_direct_cost": "310", "equity": "960", "equity_unaffected": "960",
        }
        cls.env["xero.account.map"].create([
            {"connection_id": cls.connection.id, "account_id": account.id,
             "xero_account_id": cls.xa[by_type.get(account.account_type, "850")].id}
            for account in accounts
        ])
        Tax = cls.env["account.tax"]
        taxes = Tax.search([*Tax._check_company_domain(cls.company),
                            ("type_tax_use", "in", ("sale", "purchase"))])
        cls.env["xero.tax.map"].create([
            {"connection_id": cls.connection.id, "tax_id": tax.id,
             "xero_output_tax_id": cls.xt["OUTPUT2"].id, "xero_input_tax_id": cls.xt["INPUT2"].id}
            for tax in taxes
        ])
        company_currency = cls.company.currency_id
        cls.env["xero.currency.map"].create({
            "connection_id": cls.connection.id, "currency_id": company_currency.id,
            "xero_currency_id": cls.connection.xero_currency_ids.filtered(
                lambda c: c.code == company_currency.name).id,
        })

    def setUp(self):
        super().setUp()
        # Document numbers restart in every (rolled back) test: a fresh Xero
        # organisation per test, same chart, tax types and currencies.
        self.xero_tenant_id = self.srv.add_tenant(
            "Push Test Ltd", "NZ", self.company.currency_id.name)
        self._xero_connect(self.company, tenant_id=self.xero_tenant_id)

    # -- helpers ------------------------------------------------------------
    def xero_docs(self, kind):
        """The sandbox's stored documents of a kind ("Invoices", "Contacts", ...)."""
        docs = self.srv.store.documents(self.xero_tenant_id, kind)
        return list(docs.values()) if isinstance(docs, dict) else list(docs)

    def xero_doc(self, kind, xero_id):
        key = {"Invoices": "InvoiceID", "CreditNotes": "CreditNoteID", "Payments": "PaymentID",
               "Contacts": "ContactID"}[kind]
        found = [d for d in self.xero_docs(kind) if d.get(key) == xero_id]
        return found[0] if found else None

    def _puts(self, path_end):
        """The writes (PUT, POST) the sandbox received on a path ending so."""
        return [r for r in self.api_requests()
                if r["method"] in ("PUT", "POST") and r["path"].rstrip("/").endswith(path_end)]

    def push_wakeups(self):
        """The cron "Xero: push"'s triggers due now once this transaction
        commits, and whether the commit NOTIFYs the cron workers (a commit
        runs the pre-commit hooks first, then the post-commit ones: the
        test flushes, it never commits)."""
        self.env.cr.flush()
        cron = self.env.ref("account_xero.ir_cron_xero_push")
        due = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", "<=", fields.Datetime.now())])
        notified = any(getattr(func, "__name__", None) == "notify_cron_workers"
                       for func in self.env.cr.postcommit._funcs)
        return due, notified

    def forget_wakeups(self):
        """A new transaction (what came before was committed and handled)."""
        self.push_wakeups()[0].unlink()
        self.env.cr.postcommit.clear()

    def api_requests(self):
        return [r for r in list(self.srv.store.requests) if "/api.xro/" in r["path"]]

    def push(self):
        """One run of the cron "Xero: push"."""
        self.env.invalidate_all()
        done = self.Job._cron_push()
        self.env.invalidate_all()
        return done

    def make_invoice(self, move_type="out_invoice", amounts=(100.0,), taxes=None, partner=None,
                     post=True, currency=None, date="2025-06-01", **kw):
        taxes = taxes if taxes is not None else (
            self.tax_sale_a if move_type.startswith("out") else self.tax_purchase_a)
        move = self.init_invoice(
            move_type, partner=partner or self.partner_a, invoice_date=date, amounts=list(amounts),
            taxes=taxes, currency=currency, **kw)
        if post:
            move.action_post()
        return move

    def pay(self, moves, amount=None, date="2025-06-10"):
        ctx = {"active_model": "account.move", "active_ids": moves.ids}
        vals = {"payment_date": date}
        if amount is not None:
            vals["amount"] = amount
        wizard = self.env["account.payment.register"].with_context(**ctx).create(vals)
        return wizard._create_payments()

    def tenant(self):
        """The sandbox's organisation of this test."""
        return self.srv.store.tenant(self.xero_tenant_id)

    def assertFailedWith(self, record, operation, words, attempts=None):
        """Failed, with Xero's words (or ours) on the document and on its
        job (the Sync Log); ``attempts``: as many tries as that."""
        job = self.jobs(record, operation)[-1:]
        self.assertEqual(job.state, "failed", job.error)
        self.assertIn(words, job.error)
        self.assertEqual(record.xero_state, "failed")
        self.assertIn(words, record.xero_error)
        if attempts is not None:
            self.assertEqual(job.attempts, attempts)
        return job

    def jobs(self, record, operation=None):
        domain = [("res_model", "=", record._name), ("res_id", "=", record.id)]
        if operation:
            domain.append(("operation", "=", operation))
        return self.Job.search(domain, order="id")


class XeroPushSmallRequests(XeroPushCommon):
    """Requests of 5 documents instead of 50 (so that 15 invoices make three
    requests), the customer's contact already in Xero."""

    def setUp(self):
        super().setUp()
        self.patch(xero_sync_job, "BATCH_SIZE", 5)
        # The contact goes first, so that the pushes below only send invoices.
        first = self.make_invoice()
        self.push()
        self.assertEqual(first.xero_state, "sent", first.xero_error)

    def make_invoices(self, count=15):
        return [self.make_invoice(amounts=(10.0 + i,)) for i in range(count)]


class XeroDepositsCommon(XeroPushCommon):
    """Deposits accounts mapped (877 received, 620 paid), and helpers."""

    def setUp(self):
        super().setUp()
        self.connection.write({
            "deposit_received_xero_account_id": self.xa["877"].id,
            "deposit_paid_xero_account_id": self.xa["620"].id,
        })
        self.bank = self.company_data["default_journal_bank"]

    def make_payment(self, amount, payment_type="inbound", partner=None, date="2025-06-01",
                     partner_type=None):
        payment = self.env["account.payment"].create({
            "payment_type": payment_type,
            "partner_type": partner_type or ("customer" if payment_type == "inbound" else "supplier"),
            "partner_id": (partner or self.partner_a).id,
            "amount": amount,
            "date": date,
            "journal_id": self.bank.id,
        })
        payment.action_post()
        return payment

    def match(self, payment, invoice):
        lines = (payment.move_id.line_ids | invoice.line_ids).filtered(
            lambda l: l.account_id.account_type in ("asset_receivable", "liability_payable")
            and not l.reconciled)
        lines.reconcile()

    def account_id(self, code):
        return next(a["AccountID"] for a in self.tenant().accounts if a["Code"] == code)

    def compare_books(self):
        rec = self.env["xero.reconcile"].create({
            "connection_id": self.connection.id, "date": "2025-12-31"})
        rec.action_compare()
        return [(l.xero_account_id.code, l.odoo_balance, l.xero_balance)
                for l in rec.line_ids if l.difference]
