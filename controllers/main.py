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


def _callback_error_reasons():
    """The authorization endpoint's error codes (RFC 6749 section 4.1.2.1,
    the ones Xero's identity service answers with), each explained."""
    return {
        "access_denied": _("Access was not granted in Xero (the consent was cancelled or "
                           "refused)."),
        "invalid_request": _("Xero found the authorization request invalid (invalid_request): "
                             "check the app's redirect URI at developer.xero.com, then connect "
                             "again."),
        "unauthorized_client": _("This Xero app may not ask for authorization this way "
                                 "(unauthorized_client): it must be a Web app at "
                                 "developer.xero.com."),
        "unsupported_response_type": _("Xero does not accept this kind of authorization request "
                                       "(unsupported_response_type)."),
        "invalid_scope": _("Xero refused the scopes asked for (invalid_scope): check the "
                           "connection's scopes."),
        "server_error": _("Xero failed on its side (server_error). Try again in a few minutes."),
        "temporarily_unavailable": _("Xero is temporarily unavailable (temporarily_unavailable). "
                                     "Try again in a few minutes."),
    }


# What Xero's redirect back carries (RFC 6749 sections 4.1.2 and 4.1.2.1;
# Xero adds scope and session_state): each at most once.
CALLBACK_PARAMS = ("code", "state", "error", "error_description", "error_uri", "scope",
                   "session_state")
# RFC 6749 appendix A.11: code = 1*VSCHAR (printable ASCII, %x20-7E).
_CODE_RE = re.compile(r"[\x20-\x7e]{1,2048}")
# RFC 6749 appendix A.8: error_description = 1*NQSCHAR (%x20-21 / %x23-5B / %x5D-7E).
_DESCRIPTION_RE = re.compile(r"[\x20\x21\x23-\x5b\x5d-\x7e]+")


def _valid_code(code):
    return isinstance(code, str) and bool(_CODE_RE.fullmatch(code))


def _clean_description(description):
    """Xero's error_description when it is what RFC 6749 allows (printable
    ASCII, no quote nor backslash), cut to 300 characters; else nothing."""
    if not isinstance(description, str) or not _DESCRIPTION_RE.fullmatch(description):
        return ""
    return description[:300]


class XeroOAuthController(http.Controller):

    # -- pages --------------------------------------------------------------
    def _settings_url(self, connection=None):
        env = request.env
        has_action = bool(env.ref("account_xero.xero_connection_action", raise_if_not_found=False))
        if connection:
            if has_action:
                return "/odoo/action-account_xero.xero_connection_action/%d" % connection.id
            return "/odoo/xero.connection/%d" % connection.id
        return "/odoo/action-account_xero.xero_connection_action" if has_action else "/odoo"

    def _refuse(self, title, reason, connection=None, status=400):
        return request.render(
            "account_xero.oauth_error",
            {"title": title, "reason": reason, "back_url": self._settings_url(connection)},
            status=status,
        )

    def _connection_for_user(self, connection_id):
        """The connection (as the current user) if they may manage it, else None."""
        try:
            conn_id = int(connection_id)
            if not 0 < conn_id < 2**31:  # PostgreSQL's integer; beyond it the query fails
                return None
            conn = request.env["xero.connection"].browse(conn_id).exists()
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
        # RFC 6749 section 3.1: "Request and response parameters MUST NOT be
        # included more than once." A repeated one is a forged or mangled
        # answer; Odoo would silently keep the first.
        args = request.httprequest.args
        repeated = [key for key in CALLBACK_PARAMS if len(args.getlist(key)) > 1]
        if repeated:
            _logger.warning("Xero OAuth callback refused: parameters repeated: %r", repeated)
            return self._refuse(title, _(
                "Xero's answer carried a parameter more than once (%(names)s); it was not "
                "used.", names=", ".join(repeated)))
        if error:
            return self._refuse(title, self._error_reason(error, error_description))

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
        if not _valid_code(code):
            # Refused before the state is spent: the genuine answer can still complete.
            _logger.warning("Xero OAuth callback refused: malformed authorization code (%d characters)",
                            len(code))
            return self._refuse(
                title, _("Xero's answer carried an authorization code that is not valid."), conn)

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

    def _error_reason(self, error, description):
        """The page's reason for Xero's ``error`` answer. Only the codes of
        the allow-list are explained (with Xero's description, cleaned);
        anything else gets a generic message: the query string is anybody's
        to write, and the page must not speak for Xero."""
        reasons = _callback_error_reasons()
        if error not in reasons:
            _logger.warning("Xero OAuth callback: Xero answered an unknown error=%r", error[:200])
            return _("Xero refused the authorization with an error this page does not "
                     "recognise. Start again with \"Connect to Xero\".")
        _logger.info("Xero OAuth callback: Xero answered error=%r", error)
        reason = reasons[error]
        description = _clean_description(description)
        if description:
            reason = "%s %s" % (reason, _("Xero said: %(description)s", description=description))
        return reason

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
