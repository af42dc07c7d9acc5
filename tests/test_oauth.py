"""OAuth2 round trips between Odoo and the Xero sandbox, over real HTTP."""

import html
import logging
import re
import threading
from contextlib import contextmanager
from datetime import timedelta
from unittest.mock import patch
from urllib.parse import parse_qs, urlsplit

import requests

from odoo import SUPERUSER_ID, api, fields
from odoo.tests import HttpCase, TransactionCase, new_test_user, tagged

from odoo.addons.account_xero.xero.errors import XeroAuthError

from .common import XeroSandboxMixin

TOKEN_FIELDS = ("access_token", "refresh_token", "token_expires_at", "tenant_id", "tenant_name",
                "xero_connection_id", "state", "pending_tenants")


class _Capture(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records = []

    def emit(self, record):
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001
            text = str(record.msg)
        if record.exc_info:
            text += "\n" + logging.Formatter().formatException(record.exc_info)
        self.records.append((record.name, text))


@contextmanager
def capture_all_logs():
    """Every log record of every logger, at DEBUG, for the duration."""
    handler = _Capture()
    root = logging.getLogger()
    names = ["", "odoo", "werkzeug", "urllib3", "requests", "xero_python",
             "odoo.addons.account_xero"]
    saved = {name: logging.getLogger(name).level for name in names + ["odoo.sql_db"]}
    root.addHandler(handler)
    for name in names:
        logging.getLogger(name).setLevel(logging.DEBUG)
    # Odoo's SQL trace (--log-sql) prints every query with its values, the
    # whole database's data included: an opt-in diagnostic, left out here.
    logging.getLogger("odoo.sql_db").setLevel(logging.INFO)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        for name, level in saved.items():
            logging.getLogger(name).setLevel(level)


@tagged("post_install", "-at_install")
class TestXeroOAuth(XeroSandboxMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.manager = new_test_user(
            cls.env, login="xero_manager", groups="base.group_user,account_xero.group_xero_manager",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.other_manager = new_test_user(
            cls.env, login="xero_manager2", groups="base.group_user,account_xero.group_xero_manager",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.conn = cls.env["xero.connection"].sudo().create({
            "company_id": cls.company.id,
            "client_id": cls.xero_client_id,
            "client_secret": cls.xero_client_secret,
        })

    def setUp(self):
        super().setUp()
        self._xero_clear_sandbox()
        self.authenticate("xero_manager", "xero_manager")

    # -- helpers ------------------------------------------------------------
    def _connect_url(self, user=None):
        action = self.conn.with_user(user or self.manager).action_connect()
        self.assertEqual(action["type"], "ir.actions.act_url")
        self.assertEqual(action["target"], "self")
        return action["url"]

    def _consent(self, url, tenants=None, allow=True):
        """Play the admin on Xero's consent page; return Xero's redirect (the callback URL)."""
        page = requests.get(url, timeout=10)
        self.assertEqual(page.status_code, 200, page.text[:300])
        hidden = [(n, html.unescape(v)) for n, v in
                  re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)]
        tenants = [self.xero_tenant_id] if tenants is None else tenants
        data = hidden + [("tenant", t) for t in tenants] + [("action", "allow" if allow else "cancel")]
        resp = requests.post(self.srv.url + "/identity/connect/authorize", data=data,
                             allow_redirects=False, timeout=10)
        self.assertEqual(resp.status_code, 302, resp.text[:300])
        location = resp.headers["Location"]
        self.assertTrue(location.startswith(self.base_url() + "/xero/oauth/callback?"), location)
        return location

    def _callback(self, url):
        return self.url_open(url, allow_redirects=False)

    def _snapshot(self, conn=None):
        conn = (conn or self.conn).sudo()
        self.env.invalidate_all()
        return {f: conn[f] for f in TOKEN_FIELDS}

    def _assert_refused(self, url, *expected, conn=None):
        before = self._snapshot(conn)
        resp = self._callback(url)
        self.assertEqual(resp.status_code, 400, resp.text[:500])
        self.assertIn("The connection to Xero was not made", resp.text)
        self.assertIn("Back to Xero settings", resp.text)
        for text in expected:
            self.assertIn(text, html.unescape(resp.text))
        self.assertEqual(self._snapshot(conn), before, "a refused callback changed the connection")
        return resp

    def _state_of(self, url):
        return parse_qs(urlsplit(url).query)["state"][0]

    # -- the round trip -----------------------------------------------------
    def test_round_trip_one_organisation(self):
        url = self._connect_url()
        query = parse_qs(urlsplit(url).query)
        self.assertTrue(url.startswith(self.srv.url + "/identity/connect/authorize?"))
        self.assertEqual(query["response_type"], ["code"])
        self.assertEqual(query["client_id"], [self.xero_client_id])
        self.assertEqual(query["redirect_uri"], [self.base_url() + "/xero/oauth/callback"])
        self.assertEqual(query["code_challenge_method"], ["S256"])
        self.assertIn("offline_access", query["scope"][0].split())
        self.assertIn("accounting.invoices", query["scope"][0].split())
        self.assertTrue(query["code_challenge"][0] and query["state"][0])
        self.assertNotIn(self.xero_client_secret, url)

        resp = self._callback(self._consent(url))
        self.assertIn(resp.status_code, (302, 303), resp.text[:500])
        self.assertTrue(resp.headers["Location"].endswith(
            "/odoo/action-account_xero.xero_connection_action/%d" % self.conn.id),
            resp.headers["Location"])

        self.env.invalidate_all()
        conn = self.conn.sudo()
        self.assertEqual(conn.state, "connected")
        self.assertEqual(conn.tenant_id, self.xero_tenant_id)
        self.assertEqual(conn.tenant_name, "Demo Company (NZ)")
        self.assertTrue(conn.access_token and conn.refresh_token)
        self.assertGreater(conn.token_expires_at, fields.Datetime.now() + timedelta(minutes=25))
        self.assertEqual(conn.connected_by_id, self.manager)
        xero_conns = [c for c in self.srv.store.connections.values()
                      if c["client_id"] == self.xero_client_id]
        self.assertEqual([c["id"] for c in xero_conns], [conn.xero_connection_id])
        if hasattr(conn, "action_refresh_from_xero"):
            self.assertTrue(conn.xero_account_ids, "reference data pulled after connecting")
            self.assertTrue(conn.reference_refreshed_at)
        self.assertFalse(self.env["xero.oauth.state"].sudo().search(
            [("connection_id", "=", conn.id), ("used", "=", False)]))

    def test_round_trip_choose_organisation(self):
        second = self.srv.add_tenant("Second Ltd (AU)", country="AU", base_currency="AUD")
        url = self._connect_url()
        resp = self._callback(self._consent(url, tenants=[self.xero_tenant_id, second]))
        self.assertEqual(resp.status_code, 200, resp.text[:500])
        self.assertIn("Choose the Xero organisation", resp.text)
        self.assertIn("Demo Company (NZ)", resp.text)
        self.assertIn("Second Ltd (AU)", resp.text)
        self.env.invalidate_all()
        self.assertEqual(self.conn.state, "choose_tenant")
        self.assertFalse(self.conn.tenant_id)
        self.assertEqual(len(self.srv.store.connections), 2)
        # Gone elsewhere meanwhile: the connection's form leads back to the choice.
        back = self.conn.action_choose_tenant()
        resp = self.url_open(back["url"])
        self.assertEqual(resp.status_code, 200, resp.text[:500])
        self.assertIn("Second Ltd (AU)", resp.text)

        csrf = re.search(r'name="csrf_token" value="([^"]+)"', resp.text).group(1)
        resp = self.url_open("/xero/oauth/tenant", data={
            "csrf_token": csrf, "connection_id": self.conn.id, "tenant_id": second,
        }, allow_redirects=False)
        self.assertIn(resp.status_code, (302, 303), resp.text[:500])
        self.env.invalidate_all()
        conn = self.conn.sudo()
        self.assertEqual(conn.state, "connected")
        self.assertEqual(conn.tenant_id, second)
        self.assertEqual(conn.tenant_name, "Second Ltd (AU)")
        self.assertFalse(conn.pending_tenants)
        # The organisation not chosen was disconnected at Xero.
        remaining = list(self.srv.store.connections.values())
        self.assertEqual([c["tenantId"] for c in remaining], [second])
        self.assertEqual(conn.xero_connection_id, remaining[0]["id"])

    def test_choose_organisation_needs_csrf(self):
        second = self.srv.add_tenant("Second Ltd (AU)", country="AU", base_currency="AUD")
        self._callback(self._consent(self._connect_url(), tenants=[self.xero_tenant_id, second]))
        resp = self.url_open("/xero/oauth/tenant", data={
            "connection_id": self.conn.id, "tenant_id": second,
        }, allow_redirects=False)
        self.assertEqual(resp.status_code, 400)
        self.env.invalidate_all()
        self.assertEqual(self.conn.state, "choose_tenant")

    # -- refusals: each shows why and stores nothing -----------------------
    def _connected(self):
        """Start from a working connection, so "nothing changed" means something."""
        self._xero_connect(self.company)
        self.env.flush_all()

    def test_refused_access_denied(self):
        self._connected()
        location = self._consent(self._connect_url(), allow=False)
        self.assertIn("error=access_denied", location)
        self._assert_refused(location, "Access was not granted in Xero")

    def test_refused_other_error_shows_description(self):
        self._connected()
        state = self._state_of(self._consent(self._connect_url()))
        self._assert_refused(
            "/xero/oauth/callback?error=invalid_scope&error_description=Scope+x+is+not+allowed"
            "&state=" + state,
            "invalid_scope", "Scope x is not allowed")

    def test_refused_missing_code(self):
        self._connected()
        state = self._state_of(self._consent(self._connect_url()))
        self._assert_refused("/xero/oauth/callback?state=" + state, "no authorization code")
        self._assert_refused("/xero/oauth/callback?code=&state=" + state, "no authorization code")

    def test_refused_missing_state(self):
        self._connected()
        location = self._consent(self._connect_url())
        code = parse_qs(urlsplit(location).query)["code"][0]
        self._assert_refused("/xero/oauth/callback?code=" + code, "carried no state")

    def test_refused_malformed_state(self):
        self._connected()
        State = self.env["xero.oauth.state"]
        self._assert_refused("/xero/oauth/callback?code=abc&state=garbage", "not one this database made")
        raw = "bm90LWpzb24"  # base64url of "not-json", correctly signed
        self._assert_refused("/xero/oauth/callback?code=abc&state=%s.%s" % (raw, State._sign(raw)),
                             "not one this database made")

    def test_refused_forged_signature(self):
        self._connected()
        location = self._consent(self._connect_url())
        state = self._state_of(location)
        raw, sig = state.split(".")
        forged = location.replace(state, raw + "." + ("0" * len(sig)))
        self._assert_refused(forged, "invalid signature")
        # the payload altered (another connection), signature kept
        tampered = location.replace(state, raw[:-2] + ("AA" if raw[-2:] != "AA" else "BB") + "." + sig)
        self._assert_refused(tampered, "invalid signature")

    def test_refused_expired_state(self):
        self._connected()
        location = self._consent(self._connect_url())
        row = self.env["xero.oauth.state"].sudo().search([("connection_id", "=", self.conn.id)], limit=1)
        row.expires_at = fields.Datetime.now() - timedelta(minutes=1)
        expired_state = row._make_state()  # signed, with an exp in the past
        self.env.flush_all()
        self._assert_refused(location.replace(self._state_of(location), expired_state), "expired")

    def test_refused_replayed_state(self):
        location = self._consent(self._connect_url())
        first = self._callback(location)
        self.assertIn(first.status_code, (302, 303))
        self._assert_refused(location, "already used")

    def test_refused_other_user(self):
        self._connected()
        location = self._consent(self._connect_url(user=self.other_manager))
        self._assert_refused(location, "started by another user")

    def test_refused_company_not_allowed(self):
        company2 = self.env["res.company"].create({"name": "Xero Other Co"})
        self.manager.sudo().write({"company_ids": [(4, company2.id)]})
        conn2 = self.env["xero.connection"].sudo().create({
            "company_id": company2.id, "client_id": self.xero_client_id,
            "client_secret": self.xero_client_secret,
        })
        action = conn2.with_user(self.manager).with_company(company2).action_connect()
        location = self._consent(action["url"])
        self.manager.sudo().write({"company_ids": [(3, company2.id)]})
        self.env.flush_all()
        self._assert_refused(location, "company you do not have access to", conn=conn2)

    def test_refused_invalid_grant(self):
        self._connected()
        location = self._consent(self._connect_url())
        code = parse_qs(urlsplit(location).query)["code"][0]
        self._assert_refused(location.replace(code, "not-a-real-code"), "Xero refused the authorization")

    def test_refused_token_endpoint_500(self):
        self._connected()
        location = self._consent(self._connect_url())
        self.srv.faults.status(500, path="/connect/token")
        self._assert_refused(location, "Xero failed on its side")

    def test_refused_token_endpoint_html(self):
        self._connected()
        location = self._consent(self._connect_url())
        self.srv.faults.html(200, path="/connect/token")
        self._assert_refused(location, "HTML page")

    def test_refused_token_endpoint_timeout(self):
        self._connected()
        location = self._consent(self._connect_url())
        self.srv.faults.slow(seconds=1.5, path="/connect/token")
        Connection = self.registry["xero.connection"]
        original = Connection._xero_identity_client

        def quick_client(rec):
            client = original(rec)
            client.timeout = 0.5
            return client

        with patch.object(Connection, "_xero_identity_client", quick_client):
            self._assert_refused(location, "did not answer in time")

    def test_refused_no_organisation(self):
        self._connected()
        self.conn.sudo().scopes = "offline_access openid profile email"
        location = self._consent(self._connect_url(), tenants=[])
        self._assert_refused(location, "granted access to no organisation")

    def test_refused_connections_endpoint_fails(self):
        self._connected()
        location = self._consent(self._connect_url())
        self.srv.faults.status(503, path="/connections")
        self._assert_refused(location, "Xero failed on its side")

    # -- malformed callbacks: 400 with a reason, never a 500 ----------------
    def test_refused_non_ascii_state(self):
        self._connected()
        for state in ("%C3%A9t%C3%A9.abc", "abc.%C3%A9", "%E2%80%AE.%F0%9F%92%A9"):
            self._assert_refused("/xero/oauth/callback?code=abc&state=" + state,
                                 "not one this database made")

    def test_refused_undecodable_or_odd_state(self):
        self._connected()
        for state in ("%FF%FE.%FF", "a%00b.c", "a.b.c", ".", "a" * 5000 + ".b", "a+b.c%20d"):
            self._assert_refused("/xero/oauth/callback?code=abc&state=" + state,
                                 "not one this database made")

    def test_refused_signed_state_with_odd_payload(self):
        """Payloads this database never makes, even correctly signed."""
        self._connected()
        State = self.env["xero.oauth.state"]
        import base64
        import json
        for payload in ([1, 2], "text", {"c": 1}, {"c": 1, "u": 1, "n": "a\x00b", "exp": 2**40},
                        {"c": 1, "u": 1, "n": "é" * 10, "exp": 2**40},
                        {"c": 1, "u": 1, "n": "n" * 500, "exp": 2**40},
                        {"c": 2**80, "u": 1, "n": "abc", "exp": 2**40},
                        {"c": 1, "u": 1, "n": "abc", "exp": 1e300}):
            raw = base64.urlsafe_b64encode(json.dumps(payload).encode()).rstrip(b"=").decode()
            resp = self._callback("/xero/oauth/callback?code=abc&state=%s.%s" % (raw, State._sign(raw)))
            self.assertEqual(resp.status_code, 400, (payload, resp.text[:300]))
            self.assertIn("The connection to Xero was not made", resp.text)

    def test_refused_malformed_code_keeps_the_state(self):
        """A code Xero never makes is refused before the state is spent: the
        genuine answer still completes."""
        self._connected()
        location = self._consent(self._connect_url())
        code = parse_qs(urlsplit(location).query)["code"][0]
        for bad in ("%C3%A9%C3%A9", "a%0Ab", "a%00b", "x" * 3000):
            self._assert_refused(location.replace(code, bad), "authorization code that is not valid")
        resp = self._callback(location)
        self.assertIn(resp.status_code, (302, 303), resp.text[:500])
        self.env.invalidate_all()
        self.assertEqual(self.conn.state, "connected")

    def test_refused_repeated_parameters(self):
        """RFC 6749 section 3.1: parameters MUST NOT be included more than once."""
        self._connected()
        location = self._consent(self._connect_url())
        state = self._state_of(location)
        code = parse_qs(urlsplit(location).query)["code"][0]
        self._assert_refused(location + "&state=" + state, "more than once")
        self._assert_refused(location + "&code=" + code, "more than once")
        self._assert_refused("/xero/oauth/callback?error=access_denied&error=server_error&state="
                             + state, "more than once")
        # refused before the state was spent
        self.assertIn(self._callback(location).status_code, (302, 303))

    def test_refused_missing_parameters(self):
        self._connected()
        self._assert_refused("/xero/oauth/callback", "carried no state")
        self._assert_refused("/xero/oauth/callback?code=&state=", "carried no state")

    def test_callback_error_codes_allow_list(self):
        """Xero's (OAuth2's, RFC 6749 section 4.1.2.1) error codes are
        explained; anything else gets a generic message and is logged as
        repr, never shown."""
        self._connected()
        expected = {
            "access_denied": "Access was not granted in Xero",
            "invalid_request": "Xero found the authorization request invalid",
            "unauthorized_client": "This Xero app may not ask for authorization",
            "unsupported_response_type": "Xero does not accept this kind of authorization request",
            "invalid_scope": "Xero refused the scopes asked for",
            "server_error": "Xero failed on its side",
            "temporarily_unavailable": "Xero is temporarily unavailable",
        }
        for error, text in expected.items():
            self._assert_refused("/xero/oauth/callback?error=" + error, text)
        for error in ("%3Cscript%3Ealert(1)%3C%2Fscript%3E", "%C3%A9chec", "call+0800+123+456",
                      "x" * 3000):
            with self.assertLogs("odoo.addons.account_xero.controllers.main", "INFO") as logs:
                resp = self._assert_refused(
                    "/xero/oauth/callback?error=%s&error_description=Call+0800+123+456" % error,
                    "Xero refused the authorization with an error this page does not recognise")
            shown = html.unescape(resp.text)
            self.assertNotIn("alert(1)", shown)
            self.assertNotIn("0800", shown)
            self.assertNotIn("échec", shown)
            self.assertTrue(any("error='" in line or 'error="' in line for line in logs.output),
                            logs.output)

    def test_tenant_choice_malformed_connection(self):
        for value in ("99999999999999999999", "%C3%A9", "-1", "1e3", ""):
            resp = self.url_open("/xero/oauth/tenant?connection_id=" + value, allow_redirects=False)
            self.assertEqual(resp.status_code, 400, (value, resp.text[:300]))
            self.assertIn("You cannot manage this Xero connection", html.unescape(resp.text))

    # -- tokens -------------------------------------------------------------
    def test_refresh_after_401(self):
        conn = self._xero_connect(self.company)
        old_refresh = conn.refresh_token
        self.srv.expire_access_tokens()  # Xero says expired; Odoo still thinks valid
        org = conn._xero_accounting_client().get_organisation()
        self.assertEqual(org.name, "Demo Company (NZ)")
        self.env.invalidate_all()
        self.assertNotEqual(conn.refresh_token, old_refresh, "the refresh token rotated")
        self.assertTrue(conn.last_refresh)

    def test_refresh_before_expiry(self):
        conn = self._xero_connect(self.company)
        old_access, old_refresh = conn.access_token, conn.refresh_token
        conn.token_expires_at = fields.Datetime.now() + timedelta(seconds=30)
        self.srv.expire_access_tokens()
        before = self._xero_token_requests()
        token = conn._get_access_token()
        self.assertNotEqual(token, old_access)
        self.assertEqual(self._xero_token_requests() - before, 1)
        self.assertNotEqual(conn.refresh_token, old_refresh)
        self.assertGreater(conn.token_expires_at, fields.Datetime.now() + timedelta(minutes=25))
        # a second call uses the stored token
        self.assertEqual(conn._get_access_token(), token)
        self.assertEqual(self._xero_token_requests() - before, 1)
        resp = requests.get(self.srv.url + "/connections", timeout=10,
                            headers={"Authorization": "Bearer " + token})
        self.assertEqual(resp.status_code, 200)

    def test_invalid_grant_expires_connection(self):
        conn = self._xero_connect(self.company)
        refresh = conn.refresh_token
        self.srv.store.refresh_tokens[refresh]["revoked"] = True
        conn.token_expires_at = fields.Datetime.now() - timedelta(minutes=1)
        # Not assertRaises: Odoo's rolls back to a savepoint, and we want to
        # see what the refresh committed before raising.
        caught = None
        try:
            conn._get_access_token()
        except XeroAuthError as exc:
            caught = exc
        self.assertIsNotNone(caught, "no XeroAuthError")
        self.assertNotIn(refresh, str(caught))
        self.assertEqual(str(caught), "Xero refused the stored authorization; reconnect")
        self.env.invalidate_all()
        self.assertEqual(conn.state, "expired")
        self.assertEqual(conn.last_error, "Xero refused the stored authorization; reconnect")
        self.assertNotIn(refresh, conn.last_error)
        self.assertFalse(conn.refresh_token)

    # -- disconnect ---------------------------------------------------------
    def test_disconnect_revokes(self):
        conn = self._xero_connect(self.company)
        refresh, xero_conn_id = conn.refresh_token, conn.xero_connection_id
        self.assertIn(xero_conn_id, self.srv.store.connections)
        action = conn.with_user(self.manager).action_disconnect()
        self.assertEqual(action["params"]["type"], "success")
        self.assertNotIn(xero_conn_id, self.srv.store.connections)
        self.assertTrue(self.srv.store.refresh_tokens[refresh]["revoked"])
        self.env.invalidate_all()
        self.assertEqual(conn.state, "disconnected")
        self.assertFalse(conn.access_token or conn.refresh_token or conn.tenant_id
                         or conn.xero_connection_id)

    def test_disconnect_when_xero_fails(self):
        conn = self._xero_connect(self.company)
        self.srv.faults.status(500, path="/connect/revocation")
        self.srv.faults.status(500, path="/connections/*", method="DELETE")
        action = conn.with_user(self.manager).action_disconnect()
        self.assertEqual(action["params"]["type"], "warning")
        self.env.invalidate_all()
        self.assertEqual(conn.state, "disconnected")
        self.assertFalse(conn.access_token or conn.refresh_token or conn.tenant_id)

    def test_connect_requires_credentials_and_manager(self):
        from odoo.exceptions import AccessError, UserError

        self.conn.sudo().client_secret = False
        with self.assertRaises(UserError):
            self.conn.with_user(self.manager).action_connect()
        accountant = new_test_user(self.env, login="xero_user_only",
                                   groups="base.group_user,account_xero.group_xero_user")
        with self.assertRaises(AccessError):
            self.conn.with_user(accountant).action_connect()

    # -- secrets ------------------------------------------------------------
    def test_secrets_never_logged(self):
        with capture_all_logs() as logs:
            location = self._consent(self._connect_url())
            code = parse_qs(urlsplit(location).query)["code"][0]
            self._callback(location)
            self.env.invalidate_all()
            conn = self.conn.sudo()
            first_access, first_refresh = conn.access_token, conn.refresh_token
            self.srv.expire_access_tokens()
            conn._xero_accounting_client().get_organisation()
            self.env.invalidate_all()
            second_access, second_refresh = conn.access_token, conn.refresh_token
            # a refused callback with a code, too
            self._callback(location)
            conn.with_user(self.manager).action_disconnect()
        secrets = {
            "client secret": self.xero_client_secret,
            "first access token": first_access, "first refresh token": first_refresh,
            "second access token": second_access, "second refresh token": second_refresh,
        }
        self.assertTrue(all(secrets.values()))
        self.assertTrue(logs.records, "nothing was captured")
        for name, text in logs.records:
            for what, secret in secrets.items():
                self.assertNotIn(secret, text, "%s logged by %s" % (what, name))
            if not name.startswith(("urllib3", "requests")):  # the test's own HTTP client
                self.assertNotIn(code, text, "authorization code logged by %s" % name)
        messages = self.env["mail.message"].sudo().search(
            [("model", "=", "xero.connection"), ("res_id", "=", self.conn.id)])
        for body in messages.mapped("body"):
            for secret in secrets.values():
                self.assertNotIn(secret, str(body))


@tagged("post_install", "-at_install")
class TestXeroRefreshConcurrency(XeroSandboxMixin, TransactionCase):
    """Two workers, each in its own real transaction, find the access token
    expired at the same moment: the row lock makes them spend the refresh
    token once. Data is committed here (and removed afterwards), since real
    concurrency needs transactions that see each other's commits."""

    xero_registry_test_mode = False
    xero_set_params = False

    def test_two_workers_refresh_once(self):
        srv = self.srv
        endpoints = {
            "login_url": srv.url + "/identity/connect/authorize",
            "identity_url": srv.url, "api_url": srv.url,
        }
        Connection = self.registry["xero.connection"]
        grant = self._xero_grant()
        with self.registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            company = env.ref("base.main_company")
            env["xero.connection"].search([("company_id", "=", company.id)]).unlink()
            conn = env["xero.connection"].create({
                "company_id": company.id,
                "client_id": self.xero_client_id, "client_secret": self.xero_client_secret,
                "access_token": grant["access_token"], "refresh_token": grant["refresh_token"],
                "token_expires_at": fields.Datetime.now() - timedelta(minutes=1),
                "tenant_id": grant["tenant_id"], "xero_connection_id": grant["connection_id"],
                "state": "connected",
            })
            conn_id = conn.id

        def drop():
            with self.registry.cursor() as cr:
                api.Environment(cr, SUPERUSER_ID, {})["xero.connection"].browse(conn_id).unlink()
        self.addCleanup(drop)

        srv.expire_access_tokens()
        srv.faults.slow(seconds=0.5, path="/connect/token")  # widen the race window
        before = self._xero_token_requests()
        barrier = threading.Barrier(2, timeout=10)
        tokens, errors = {}, []

        def worker(n):
            try:
                with self.registry.cursor() as cr:
                    env = api.Environment(cr, SUPERUSER_ID, {})
                    rec = env["xero.connection"].browse(conn_id)
                    rec.token_expires_at  # noqa: B018 - both see the expired token
                    barrier.wait()
                    tokens[n] = rec._get_access_token()
            except Exception as exc:  # noqa: BLE001
                errors.append(exc)

        with patch.object(Connection, "_xero_endpoints", lambda self: endpoints):
            threads = [threading.Thread(target=worker, args=(n,)) for n in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join(30)
        self.assertFalse(errors, errors)
        self.assertEqual(len(tokens), 2)
        self.assertEqual(tokens[0], tokens[1], "the second worker used the first one's token")
        self.assertNotEqual(tokens[0], grant["access_token"])
        self.assertEqual(self._xero_token_requests() - before, 1, "one refresh at Xero")
        resp = requests.get(srv.url + "/connections", timeout=10,
                            headers={"Authorization": "Bearer " + tokens[0]})
        self.assertEqual(resp.status_code, 200)
        with self.registry.cursor() as cr:
            cr.execute("SELECT refresh_token, access_token FROM xero_connection WHERE id = %s",
                       [conn_id])
            refresh, access = cr.fetchone()
        self.assertNotEqual(refresh, grant["refresh_token"], "the rotated refresh token was stored")
        self.assertEqual(access, tokens[0])
