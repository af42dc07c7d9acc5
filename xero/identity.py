"""Xero's identity service: the authorization-code grant with PKCE, token
refresh and revocation, and the connected tenants (``IdentityClient``), with
the endpoints of Xero's services (``Endpoints``) and the tokens it hands out
(``TokenSet``).

With ``client.py`` (the Accounting API) this is every HTTP call to Xero. No
``odoo`` import here.
"""

import base64
import time
from dataclasses import dataclass
from urllib.parse import urlencode

import requests

from .errors import XeroAuthError, XeroError, XeroOAuthError, XeroRateLimited, XeroTransientError
from .pacer import _retry_after


@dataclass(frozen=True)
class Endpoints:
    """Base URLs of Xero's three hosts (or of the sandbox standing for them)."""

    login_url: str = "https://login.xero.com/identity/connect/authorize"
    identity_url: str = "https://identity.xero.com"
    api_url: str = "https://api.xero.com"

    @property
    def token_url(self):
        return self.identity_url.rstrip("/") + "/connect/token"

    @property
    def revocation_url(self):
        return self.identity_url.rstrip("/") + "/connect/revocation"

    @property
    def connections_url(self):
        return self.api_url.rstrip("/") + "/connections"

    @property
    def accounting_url(self):
        return self.api_url.rstrip("/") + "/api.xro/2.0"


@dataclass
class TokenSet:
    access_token: str
    refresh_token: str
    expires_at: float
    scope: str = ""
    id_token: str = None

    @classmethod
    def from_response(cls, data, now=None):
        try:
            return cls(
                access_token=data["access_token"],
                refresh_token=data.get("refresh_token") or "",
                expires_at=(now or time.time()) + float(data.get("expires_in") or 1800),
                scope=data.get("scope") or "",
                id_token=data.get("id_token"),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise XeroTransientError(
                "Xero's identity service answered without an access token."
            ) from exc

    def __repr__(self):  # never print tokens, not even in a traceback
        return "TokenSet(expires_at=%r, scope=%r)" % (self.expires_at, self.scope)


def describe_body(body, content_type=""):
    """A short, safe description of an unexpected answer (no echo of HTML)."""
    text = (body or b"")[:200].decode("utf-8", "replace").strip().lower()
    if "html" in (content_type or "").lower() or text.startswith(("<!doctype", "<html")):
        return "an HTML page instead of data"
    if not text:
        return "an empty answer"
    return "an answer that is not JSON"


# ---------------------------------------------------------------------------
# Identity
# ---------------------------------------------------------------------------
class IdentityClient:
    """Xero's identity service: the authorization-code grant with PKCE,
    refresh-token rotation, revocation and the list of connected tenants."""

    def __init__(self, endpoints, client_id, client_secret, timeout=20, session=None):
        self.endpoints = endpoints
        self.client_id = client_id or ""
        self.client_secret = client_secret or ""
        self.timeout = timeout
        self.session = session or requests.Session()

    def authorize_url(self, redirect_uri, scopes, state, code_challenge):
        params = {
            "response_type": "code",
            "client_id": self.client_id,
            "redirect_uri": redirect_uri,
            "scope": scopes,
            "state": state,
            "code_challenge": code_challenge,
            "code_challenge_method": "S256",
        }
        return "%s?%s" % (self.endpoints.login_url, urlencode(params))

    def _basic_auth(self):
        raw = ("%s:%s" % (self.client_id, self.client_secret)).encode()
        return "Basic " + base64.b64encode(raw).decode("ascii")

    def _request(self, method, url, what, **kwargs):
        try:
            resp = self.session.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as exc:
            raise XeroTransientError("Xero did not answer in time (%s)." % what) from exc
        except requests.RequestException as exc:
            raise XeroTransientError("Xero could not be reached (%s)." % what) from exc
        if resp.status_code >= 500:
            raise XeroTransientError(
                "Xero failed on its side (%s): HTTP %s with %s."
                % (what, resp.status_code, describe_body(resp.content, resp.headers.get("Content-Type"))),
                status=resp.status_code,
            )
        if resp.status_code == 429:
            raise XeroRateLimited(
                _retry_after(resp.headers), resp.headers.get("X-Rate-Limit-Problem")
            )
        return resp

    def _json(self, resp, what):
        try:
            return resp.json()
        except ValueError as exc:
            raise XeroTransientError(
                "Xero answered %s (%s, HTTP %s)."
                % (describe_body(resp.content, resp.headers.get("Content-Type")), what, resp.status_code),
                status=resp.status_code,
            ) from exc

    def _token_call(self, data, what):
        resp = self._request(
            "POST",
            self.endpoints.token_url,
            what,
            data=data,
            headers={"Authorization": self._basic_auth(), "Accept": "application/json"},
        )
        payload = self._json(resp, what)
        if resp.status_code != 200 or "error" in payload:
            raise XeroOAuthError(
                payload.get("error") if isinstance(payload, dict) else None,
                payload.get("error_description") if isinstance(payload, dict) else None,
                status=resp.status_code,
            )
        return TokenSet.from_response(payload)

    def exchange_code(self, code, redirect_uri, code_verifier):
        return self._token_call(
            {
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": redirect_uri,
                "code_verifier": code_verifier,
            },
            "authorization code exchange",
        )

    def refresh(self, refresh_token):
        return self._token_call(
            {"grant_type": "refresh_token", "refresh_token": refresh_token},
            "token refresh",
        )

    def revoke(self, refresh_token):
        resp = self._request(
            "POST",
            self.endpoints.revocation_url,
            "token revocation",
            data={"token": refresh_token},
            headers={"Authorization": self._basic_auth()},
        )
        if resp.status_code != 200:
            payload = self._json(resp, "token revocation") if resp.content else {}
            payload = payload if isinstance(payload, dict) else {}
            raise XeroOAuthError(payload.get("error"), payload.get("error_description"),
                                 status=resp.status_code)

    def connections(self, access_token):
        resp = self._request(
            "GET",
            self.endpoints.connections_url,
            "list of connected organisations",
            headers={"Authorization": "Bearer " + access_token, "Accept": "application/json"},
        )
        if resp.status_code == 401:
            raise XeroAuthError("Xero refused the access token.", status=401)
        if resp.status_code != 200:
            raise XeroError("Xero refused to list the connected organisations (HTTP %s)."
                            % resp.status_code, status=resp.status_code)
        payload = self._json(resp, "list of connected organisations")
        if not isinstance(payload, list):
            raise XeroTransientError("Xero answered the list of organisations with no list.")
        return payload

    def delete_connection(self, access_token, connection_id):
        resp = self._request(
            "DELETE",
            "%s/%s" % (self.endpoints.connections_url, connection_id),
            "removal of the connection",
            headers={"Authorization": "Bearer " + access_token},
        )
        if resp.status_code == 404:
            return  # already gone: what we wanted
        if resp.status_code not in (200, 204):
            raise XeroError("Xero refused to remove the connection (HTTP %s)."
                            % resp.status_code, status=resp.status_code)
