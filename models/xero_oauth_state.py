"""One row per "Connect to Xero" click: what the callback needs to trust the
``state`` that comes back and to finish the PKCE exchange.

The ``state`` sent to Xero is ``<payload>.<signature>``: a base64url JSON
payload {"c": connection id, "u": user id, "n": nonce, "exp": epoch} and its
HMAC-SHA256 keyed from ``database.secret`` (odoo.tools.misc.hmac). The
signature proves we made it; the row (found by nonce) makes it single-use,
holds the PKCE code_verifier (never sent to the browser) and binds it to one
user and one connection.
"""

import base64
import calendar
import binascii
import json
import re
import secrets
import time
from datetime import timedelta

from odoo import api, fields, models
from odoo.tools import consteq
from odoo.tools.misc import hmac as odoo_hmac

STATE_TTL = 600  # seconds: ten minutes to consent in Xero
HMAC_SCOPE = "account_xero-oauth"
# What _make_state makes: base64url payload, a dot, odoo.tools.misc.hmac's
# hex digest. Anything else (non-ASCII, NUL, spaces, oversized) is refused
# before it reaches the signature check or the database.
STATE_MAX_LENGTH = 1024
STATE_RE = re.compile(r"[A-Za-z0-9_-]+\.[0-9a-f]+")
NONCE_RE = re.compile(r"[A-Za-z0-9_-]{16,64}")  # secrets.token_urlsafe(24): 32 characters


class XeroOAuthStateError(Exception):
    """The state is unusable. ``reason`` is one of: missing, malformed,
    signature, expired, unknown, used, user, company."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def _b64encode(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _b64decode(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class XeroOAuthState(models.Model):
    _name = "xero.oauth.state"
    _description = "Xero OAuth pending authorization"
    _order = "id desc"
    _log_access = True

    connection_id = fields.Many2one("xero.connection", required=True, ondelete="cascade", index=True)
    user_id = fields.Many2one("res.users", required=True, ondelete="cascade")
    nonce = fields.Char(required=True, index=True, copy=False)
    code_verifier = fields.Char(groups="base.group_system", copy=False)
    expires_at = fields.Datetime(required=True)
    used = fields.Boolean(copy=False)

    _sql_constraints = [("nonce_uniq", "unique(nonce)", "The OAuth nonce must be unique.")]

    # ------------------------------------------------------------------
    # Signing
    # ------------------------------------------------------------------
    def _sign(self, payload_b64):
        return odoo_hmac(self.env(su=True), HMAC_SCOPE, payload_b64)

    def _make_state(self):
        """The ``state`` parameter for this row (signed, expiring)."""
        self.ensure_one()
        payload = {
            "c": self.connection_id.id,
            "u": self.user_id.id,
            "n": self.nonce,
            # Odoo datetimes are naive UTC
            "exp": calendar.timegm(self.expires_at.timetuple()),
        }
        raw = _b64encode(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode())
        return "%s.%s" % (raw, self._sign(raw))

    @api.model
    def _create_for(self, connection, code_verifier):
        return self.sudo().create({
            "connection_id": connection.id,
            "user_id": self.env.uid,
            "nonce": secrets.token_urlsafe(24),
            "code_verifier": code_verifier,
            "expires_at": fields.Datetime.now() + timedelta(seconds=STATE_TTL),
        })

    @api.model
    def _check_state(self, state, user=None):
        """Verify ``state`` and return its row (sudo), or raise
        XeroOAuthStateError. Checks, in order: shape, signature (constant
        time), expiry, the row (exists, not used), the user, the company.
        Marks nothing: the caller consumes the row with ``_consume``."""
        user = user or self.env.user
        if not state:
            raise XeroOAuthStateError("missing")
        if (not isinstance(state, str) or len(state) > STATE_MAX_LENGTH
                or not STATE_RE.fullmatch(state)):
            raise XeroOAuthStateError("malformed")
        raw, signature = state.split(".")
        if not consteq(signature, self._sign(raw)):
            raise XeroOAuthStateError("signature")
        try:
            payload = json.loads(_b64decode(raw))
            conn_id, user_id, nonce, exp = payload["c"], payload["u"], payload["n"], payload["exp"]
        except (ValueError, TypeError, KeyError, binascii.Error):
            raise XeroOAuthStateError("malformed") from None
        if (not all(type(v) is int for v in (conn_id, user_id, exp))
                or not isinstance(nonce, str) or not NONCE_RE.fullmatch(nonce)):
            raise XeroOAuthStateError("malformed")
        if exp < time.time():
            raise XeroOAuthStateError("expired")
        row = self.sudo().search([("nonce", "=", nonce)], limit=1)
        if not row or row.connection_id.id != conn_id or row.user_id.id != user_id:
            raise XeroOAuthStateError("unknown")
        if row.used:
            raise XeroOAuthStateError("used")
        if row.expires_at < fields.Datetime.now():
            raise XeroOAuthStateError("expired")
        if row.user_id != user:
            raise XeroOAuthStateError("user")
        if row.connection_id.company_id not in user.company_ids:
            raise XeroOAuthStateError("company")
        return row

    def _consume(self):
        """Single use: mark the row used before anything is asked of Xero,
        so that a replayed state is refused whatever happens next."""
        self.ensure_one()
        self.sudo().write({"used": True})
        self.env.flush_all()

    @api.autovacuum
    def _gc_expired(self):
        """Drop rows a day past their expiry (used or not)."""
        self.sudo().search([
            ("expires_at", "<", fields.Datetime.now() - timedelta(days=1)),
        ]).unlink()
