"""The Xero connection's access tokens: ``XeroTokenSource``, through which
the Accounting API clients of the cron's worker threads get them, and their
serialized refresh (Xero rotates the refresh token at every use). Connect,
the callback and Disconnect are in xero_connection_oauth.py."""

import calendar
import logging
import threading
import time
from datetime import timedelta

import psycopg2.errors

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import UserError
from odoo.modules.registry import Registry

from ..xero.client import AccountingClient
from ..xero.errors import XeroAuthError, XeroOAuthError, XeroTransientError
from ..xero.identity import Endpoints
from .xero_connection import TOKEN_FIELDS, TOKEN_MARGIN

_logger = logging.getLogger(__name__)


def _epoch(value):
    """Odoo's naive-UTC datetime -> epoch seconds (None for False)."""
    return calendar.timegm(value.timetuple()) if value else None


class XeroTokenSource:
    """Access tokens for an AccountingClient, bound to (database, connection id).

    Holds no environment: from any thread it opens its own cursor when it
    needs the database, and keeps the last token in memory until it is
    within 60 seconds of expiry. ``refresh_access_token`` (after a 401)
    refreshes unless another worker already did.
    """

    def __init__(self, dbname, connection_id, access_token=None, expires_at=None):
        self.dbname = dbname
        self.connection_id = connection_id
        self._token = access_token or None
        self._expires_at = expires_at
        self._lock = threading.Lock()

    def __repr__(self):
        return "XeroTokenSource(%r, %r)" % (self.dbname, self.connection_id)

    def access_token(self):
        with self._lock:
            if self._token and self._expires_at and self._expires_at - TOKEN_MARGIN > time.time():
                return self._token
            return self._fetch(None)

    def refresh_access_token(self, rejected_token=None):
        """After a 401 on ``rejected_token``: a new token. When another
        thread of this process has replaced it already, that one is used."""
        rejected_token = rejected_token or self._token or ""
        with self._lock:
            if self._token and self._token != rejected_token and self._expires_at \
                    and self._expires_at - TOKEN_MARGIN > time.time():
                return self._token
            return self._fetch(rejected_token)

    def _fetch(self, rejected_token):
        with Registry(self.dbname).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            conn = env["xero.connection"].browse(self.connection_id)
            token = conn._get_access_token(rejected_token=rejected_token)
            self._token, self._expires_at = token, _epoch(conn.token_expires_at)
        return token


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    def _xero_accounting_client(self):
        """Xero's Accounting API for this connection's tenant.

        The token source is bound to the database and the connection id, not
        to this environment, so the client may be used from a cron thread or
        worker threads; it starts with the token this transaction sees. Its
        pacer keeps the organisation's calls within Xero's limits together
        with the other processes' (xero_tenant_pace.py).
        """
        self.ensure_one()
        conn = self.sudo()
        if not conn.tenant_id or conn.state != "connected":
            raise UserError(_("%s is not connected to a Xero organisation.", conn.display_name))
        source = XeroTokenSource(
            self.env.cr.dbname, self.id,
            access_token=conn.access_token,
            expires_at=_epoch(conn.token_expires_at),
        )
        return AccountingClient(
            Endpoints(**self._xero_endpoints()), conn.tenant_id, source, timeout=30,
            pacer=self._xero_pacer(),
        )

    # --- Access tokens: serialized refresh ----------------------------------
    def _get_access_token(self, rejected_token=None):
        """A valid access token, refreshed if it expires within 60 seconds.

        ``rejected_token``: a token Xero just refused with 401; refresh unless
        another worker already replaced it.
        """
        self.ensure_one()
        conn = self.sudo()
        token, expires = conn.access_token, conn.token_expires_at
        soon = fields.Datetime.now() + timedelta(seconds=TOKEN_MARGIN)
        if token and expires and expires > soon and token != rejected_token:
            return token
        return self._xero_refresh_locked(rejected_token)

    def _xero_refresh_locked(self, rejected_token=None):
        """Refresh the tokens under a row lock on this connection.

        Xero rotates the refresh token at every use: two workers that spend
        the same one race, and the loser (after Xero's grace period) ends the
        connection. So the refresh happens in its own transaction that holds
        the connection row (SELECT ... FOR NO KEY UPDATE, waiting): whoever
        comes second finds the tokens the first one stored and uses them.
        That transaction is committed on its own because a rotated refresh
        token must be stored whatever becomes of the caller's transaction:
        if the caller rolled back, we would keep a spent token and lose the
        connection.

        FOR NO KEY UPDATE rather than FOR UPDATE: it still excludes another
        refresher, but does not wait for transactions that merely reference
        the connection (inserting Xero accounts, maps or jobs takes FOR KEY
        SHARE on it), the caller's own included.
        """
        self.ensure_one()
        self.env["xero.connection"].flush_model()
        registry = self.env.registry
        result = None
        # A caller that has already written to xero_connection may hold this
        # row: a second connection would wait for it forever. Such a caller
        # (and a connection created in the caller's uncommitted transaction,
        # invisible elsewhere) refreshes in its own transaction, which holds
        # or can take the lock itself.
        if registry.in_test_mode() or not self._xero_caller_wrote_connections():
            cr = registry.cursor()
            try:
                if not registry.in_test_mode():
                    # READ COMMITTED: after waiting for the lock, read the
                    # tokens the other worker committed (REPEATABLE READ
                    # would fail with a serialization error instead).
                    cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
                    cr.execute("SET LOCAL lock_timeout = '60s'")
                try:
                    result = self._xero_refresh_in(cr, rejected_token)
                except psycopg2.errors.LockNotAvailable as exc:
                    # Another transaction held the row for a minute (or the
                    # caller's own, through a token source's cursor): retry later.
                    raise XeroTransientError(_(
                        "Another Xero token refresh is taking too long; try again shortly."
                    )) from exc
                if result is not None:
                    # Our own cursor, holding only the refresh (see the docstring).
                    cr.commit()  # pylint: disable=invalid-commit
            except Exception:
                cr.rollback()
                raise
            finally:
                cr.close()
        if result is None:
            result = self._xero_refresh_in(self.env.cr, rejected_token)
            self.env.flush_all()
        self.invalidate_recordset(list(TOKEN_FIELDS), flush=False)
        if result is None:
            raise XeroAuthError(_("This Xero connection no longer exists."))
        token, error = result
        if error:
            raise error
        return token

    def _xero_caller_wrote_connections(self):
        self.env.cr.execute(
            """SELECT 1 FROM pg_locks
                WHERE pid = pg_backend_pid() AND locktype = 'relation'
                  AND relation = 'xero_connection'::regclass AND mode = 'RowExclusiveLock'
                LIMIT 1"""
        )
        return bool(self.env.cr.fetchone())

    def _xero_refresh_in(self, cr, rejected_token):
        """Within ``cr``: lock the row, then use or refresh its tokens.

        Returns None if the row is not visible in ``cr``, else
        (token, None) or (None, XeroAuthError) with what was written.
        """
        cr.execute(
            """SELECT access_token, refresh_token, token_expires_at, state
                 FROM xero_connection WHERE id = %s FOR NO KEY UPDATE""",
            [self.id],
        )
        row = cr.fetchone()
        if row is None:
            return None
        access, refresh, expires, state = row
        soon = fields.Datetime.now() + timedelta(seconds=TOKEN_MARGIN)
        if access and expires and expires > soon and access != rejected_token:
            return access, None  # another worker refreshed while we waited
        env = api.Environment(cr, SUPERUSER_ID, {})
        conn = env["xero.connection"].browse(self.id)
        if not refresh or state not in ("connected", "choose_tenant"):
            return None, XeroAuthError(_(
                "%s is not connected to Xero: connect again.", conn.display_name
            ))
        try:
            tokens = conn._xero_identity_client().refresh(refresh)
        except XeroOAuthError as exc:
            if exc.error != "invalid_grant":
                conn.write({"last_error": exc.message})
                return None, XeroAuthError(exc.message, status=exc.status)
            message = _("Xero refused the stored authorization; reconnect")
            conn.write({
                "state": "expired",
                "access_token": False,
                "refresh_token": False,
                "token_expires_at": False,
                "last_error": message,
            })
            conn.message_post(body=message)
            _logger.warning("Xero connection %s: refresh refused (invalid_grant); reconnect needed",
                            self.id)
            return None, XeroAuthError(message, status=exc.status)
        vals = self._xero_token_vals(tokens)
        if not vals["refresh_token"]:
            vals["refresh_token"] = refresh  # Xero did not rotate it
        vals["last_error"] = False
        conn.write(vals)
        conn.flush_recordset()
        _logger.info("Xero connection %s: access token refreshed", self.id)
        return tokens.access_token, None
