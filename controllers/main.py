"""OAuth2 routes: Xero's redirect back to Odoo, and the choice of organisation.

Every refusal renders ``account_xero.oauth_error`` with a plain reason and
stores nothing on the connection. Tokens, codes and secrets never reach a
page, a message or a log line.
"""

import logging
import re

from odoo import _, http
from odoo.exceptions import AccessError, UserError
from odoo.http import request

from ..models.xero_oauth_state import XeroOAuthStateError
from ..xero.errors import XeroError

_logger = logging.getLogger(__name__)


class _RedactOAuthCallback(logging.Filter):
    """Odoo's access log (logger "werkzeug") prints each request line with
    its query string; the callback's carries the authorization code and the
    state. Keep the path, drop the query."""

    pattern = re.compile(r"(/xero/oauth/callback)\?[^\s\"']*")

    def filter(self, record):
        try:
            text = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken record is not ours to fix
            return True
        if "/xero/oauth/callback?" in text:
            record.msg = self.pattern.sub(r"\1?[redacted]", text)
            record.args = ()
        return True


_werkzeug_logger = logging.getLogger("werkzeug")
if not any(isinstance(f, _RedactOAuthCallback) for f in _werkzeug_logger.filters):
    _werkzeug_logger.addFilter(_RedactOAuthCallback())


def _state_reasons():
    return {
        "missing": _("Xero's answer carried no state, so it cannot be matched to a "
                     "\"Connect to Xero\" click made here."),
        "malformed": _("Xero's answer carried a state that is not one this database made."),
        "signature": _("The state in Xero's answer has an invalid signature: it was not "
                       "made by this database or was altered."),
        "expired": _("The authorization took too long (more than 10 minutes) and expired."),
        "unknown": _("The state in Xero's answer does not match any pending connection."),
        "used": _("This authorization was already used. Each \"Connect to Xero\" click "
                  "can be completed once."),
        "user": _("This authorization was started by another user. The user who clicked "
                  "\"Connect to Xero\" must complete it."),
        "company": _("This authorization is for a company you do not have access to."),
    }


class XeroOAuthController(http.Controller):

    # -- pages --------------------------------------------------------------
    def _settings_url(self, connection=None):
        env = request.env
        has_action = bool(env.ref("account_xero.action_xero_connection", raise_if_not_found=False))
        if connection:
            if has_action:
                return "/odoo/action-account_xero.action_xero_connection/%d" % connection.id
            return "/odoo/xero.connection/%d" % connection.id
        return "/odoo/action-account_xero.action_xero_connection" if has_action else "/odoo"

    def _refuse(self, title, reason, connection=None, status=400):
        return request.render(
            "account_xero.oauth_error",
            {"title": title, "reason": reason, "back_url": self._settings_url(connection)},
            status=status,
        )

    def _connection_for_user(self, connection_id):
        """The connection (as the current user) if they may manage it, else None."""
        try:
            conn = request.env["xero.connection"].browse(int(connection_id)).exists()
            if not conn:
                return None
            conn.check_access("write")
        except (AccessError, ValueError, TypeError):
            return None
        if not conn._xero_is_manager():
            return None
        return conn

    # -- callback -----------------------------------------------------------
    @http.route("/xero/oauth/callback", type="http", auth="user", methods=["GET"])
    def xero_oauth_callback(self, code=None, state=None, error=None, error_description=None, **kw):
        title = _("The connection to Xero was not made")
        if error:
            if error == "access_denied":
                reason = _("Access was not granted in Xero (the consent was cancelled or refused).")
            else:
                reason = _("Xero refused the authorization (%s).", error)
            if error_description:
                reason = "%s %s" % (reason, _("Xero said: %s", error_description))
            _logger.info("Xero OAuth callback: Xero answered error=%s", error)
            return self._refuse(title, reason)

        State = request.env["xero.oauth.state"]
        try:
            row = State._check_state(state)
        except XeroOAuthStateError as exc:
            _logger.warning("Xero OAuth callback refused: state %s (user %s)",
                            exc.reason, request.env.uid)
            return self._refuse(title, _state_reasons()[exc.reason])

        conn = self._connection_for_user(row.connection_id.id)
        if not conn:
            _logger.warning("Xero OAuth callback refused: user %s may not manage connection %s",
                            request.env.uid, row.connection_id.id)
            return self._refuse(title, _state_reasons()["company"])
        if not code:
            return self._refuse(title, _("Xero's answer carried no authorization code."), conn)

        row._consume()
        try:
            with request.env.cr.savepoint():
                outcome = conn._oauth_complete(row, code)
        except (XeroError, UserError) as exc:
            message = exc.message if isinstance(exc, XeroError) else exc.args[0]
            _logger.warning("Xero OAuth callback for connection %s failed: %s", conn.id, message)
            return self._refuse(title, message, conn)
        if outcome == "choose_tenant":
            return self._choose_page(conn)
        return request.redirect(self._settings_url(conn), local=True)

    # -- choice of organisation --------------------------------------------
    def _choose_page(self, conn):
        return request.render("account_xero.oauth_choose_tenant", {
            "connection": conn,
            "tenants": conn.sudo().pending_tenants or [],
            "back_url": self._settings_url(conn),
        })

    @http.route("/xero/oauth/tenant", type="http", auth="user", methods=["GET", "POST"])
    def xero_oauth_tenant(self, connection_id=None, tenant_id=None, **kw):
        title = _("The Xero organisation was not chosen")
        conn = self._connection_for_user(connection_id)
        if not conn:
            return self._refuse(title, _("You cannot manage this Xero connection."))
        if conn.state != "choose_tenant":
            return self._refuse(
                title, _("This connection is not waiting for an organisation to be chosen."), conn)
        if request.httprequest.method == "GET":
            return self._choose_page(conn)
        if not tenant_id:
            return self._refuse(title, _("Choose an organisation."), conn)
        try:
            with request.env.cr.savepoint():
                conn._oauth_choose_tenant(tenant_id)
        except (XeroError, UserError) as exc:
            message = exc.message if isinstance(exc, XeroError) else exc.args[0]
            return self._refuse(title, message, conn)
        return request.redirect(self._settings_url(conn), local=True)
