"""Shared set-up for the addon's Odoo tests: one Xero sandbox per test process.

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
import logging
import os
import threading
import unittest
from datetime import timedelta

from odoo import fields, http

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
