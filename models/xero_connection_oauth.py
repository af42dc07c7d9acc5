"""The Xero connection's OAuth2 flow: the identity client, Connect, Xero's
callback and the choice of organisation, Disconnect and revocation. The
connection itself (fields, guards, pages) is in xero_connection.py; its
access tokens and their refresh, in xero_connection_token.py."""

import base64
import binascii
import json
import logging
from datetime import datetime, timezone

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError

from ..xero.identity import Endpoints, IdentityClient
from ..xero.errors import XeroError
from ..xero.oauth import make_pkce_pair
from .xero_connection import OPEN_JOB_STATES

_logger = logging.getLogger(__name__)


def _from_epoch(value):
    return datetime.fromtimestamp(value, timezone.utc).replace(tzinfo=None, microsecond=0)


def _jwt_claims(token):
    """The claims of a JWT, unverified (we only read which consent it is)."""
    try:
        part = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError, TypeError, binascii.Error):
        return {}
    return claims if isinstance(claims, dict) else {}


def _consent_tenants(items, access_token):
    """The organisations the consent just given granted.

    GET /connections lists every tenant this Xero user connected to the app,
    earlier consents included; Xero's guidance is to keep those whose
    authEventId is the access token's authentication_event_id. Only
    ORGANISATION tenants can use the Accounting API.
    """
    tenants = [
        c for c in items or []
        if isinstance(c, dict) and c.get("tenantId")
        and (c.get("tenantType") or "ORGANISATION") == "ORGANISATION"
    ]
    event = _jwt_claims(access_token).get("authentication_event_id")
    if event:
        return [c for c in tenants if c.get("authEventId") == event]
    return tenants


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    # ------------------------------------------------------------------------
    # OAuth2: clients, connect, callback, tokens, disconnect
    # ------------------------------------------------------------------------
    def _xero_identity_client(self):
        """Xero's identity service with this connection's app credentials."""
        self.ensure_one()
        creds = self.sudo()
        return IdentityClient(
            Endpoints(**self._xero_endpoints()), creds.client_id, creds.client_secret, timeout=20
        )

    def action_choose_tenant(self):
        """Back to the choice of organisation (a consent gave access to
        several, and none is chosen yet)."""
        self.ensure_one()
        if self.state != "choose_tenant":
            raise UserError(_("This connection is not waiting for an organisation to be chosen."))
        return {"type": "ir.actions.act_url", "target": "self",
                "url": "/xero/oauth/tenant?connection_id=%d" % self.id}

    def _compute_redirect_uri(self):
        self.redirect_uri = self._xero_redirect_uri()

    @api.model
    def _xero_redirect_uri(self):
        base = self.env["ir.config_parameter"].sudo().get_param("web.base.url") or ""
        return base.rstrip("/") + "/xero/oauth/callback"

    def _xero_is_manager(self, user=None):
        user = user or self.env.user
        return user._is_system() or user.has_group("account_xero.group_xero_manager")

    def _xero_check_manager(self):
        if not self._xero_is_manager():
            raise AccessError(_("Only a Xero manager can connect or disconnect Xero."))

    def action_connect(self):
        """Button "Connect to Xero": send the browser to Xero's consent page
        (authorization-code grant with the client secret and PKCE S256)."""
        self.ensure_one()
        self._xero_check_manager()
        self.check_access("write")
        conn = self.sudo()
        if not (conn.client_id or "").strip() or not (conn.client_secret or "").strip():
            raise UserError(_(
                "Enter the Client ID and Client Secret of your Xero app (developer.xero.com, "
                "My Apps) before connecting."
            ))
        scopes = " ".join((conn.scopes or "").split())
        if "offline_access" not in scopes.split():
            raise UserError(_(
                "The scopes must include offline_access, or Xero gives no refresh token "
                "and the connection ends after 30 minutes."
            ))
        verifier, challenge = make_pkce_pair()
        row = self.env["xero.oauth.state"]._create_for(self, verifier)
        url = self._xero_identity_client().authorize_url(
            self._xero_redirect_uri(), scopes, row._make_state(), challenge
        )
        return {"type": "ir.actions.act_url", "url": url, "target": "self"}

    @api.model
    def _xero_token_vals(self, tokens):
        return {
            "access_token": tokens.access_token,
            "refresh_token": tokens.refresh_token,
            "token_expires_at": _from_epoch(tokens.expires_at),
            "last_refresh": fields.Datetime.now(),
        }

    def _oauth_complete(self, state_row, code):
        """Finish the consent that ``state_row`` started: exchange ``code``
        (client secret + PKCE verifier) for tokens, read which organisations
        the consent granted, and store. Returns "connected" or
        "choose_tenant". Raises XeroError before anything is stored."""
        self.ensure_one()
        conn = self.sudo()
        idc = self._xero_identity_client()
        tokens = idc.exchange_code(code, self._xero_redirect_uri(), state_row.sudo().code_verifier)
        tenants = _consent_tenants(idc.connections(tokens.access_token), tokens.access_token)
        if not tenants:
            raise XeroError(_(
                "Xero granted access to no organisation. Connect again and tick an "
                "organisation on Xero's consent page."
            ))
        vals = self._xero_token_vals(tokens)
        if len(tenants) == 1:
            conn._xero_set_tenant(tenants[0], vals)
            conn._xero_after_connect()
            return "connected"
        vals.update({
            "state": "choose_tenant",
            "pending_tenants": [
                {"tenantId": t["tenantId"], "tenantName": t.get("tenantName") or t["tenantId"],
                 "id": t.get("id")}
                for t in tenants
            ],
            "last_error": False,
        })
        conn.write(vals)
        return "choose_tenant"

    def _xero_set_tenant(self, tenant, vals):
        self.ensure_one()
        conn = self.sudo()
        previous = conn.ids_tenant_id or conn.tenant_id
        previous_name = conn.ids_tenant_name or conn.tenant_name or previous
        vals = dict(
            vals,
            tenant_id=tenant["tenantId"],
            tenant_name=tenant.get("tenantName") or False,
            xero_connection_id=tenant.get("id") or False,
            ids_tenant_id=tenant["tenantId"],
            ids_tenant_name=tenant.get("tenantName") or False,
            state="connected",
            connected_at=fields.Datetime.now(),
            connected_by_id=self.env.uid,
            pending_tenants=False,
            last_error=False,
        )
        conn.write(vals)
        body = _("Connected to the Xero organisation %s.", conn.tenant_name or conn.tenant_id)
        if previous and previous != conn.tenant_id:
            body += " " + _("It replaces another organisation: review the maps.")
            body += " " + conn._xero_forget_organisation(previous_name)
        conn.message_post(body=body)

    def _xero_forget_organisation(self, old_name):
        """Connected to another organisation: the Xero ids held for the old
        one mean nothing in the new one (a payment or a void would name a
        document that is not there). Contact bindings go, the jobs are set
        aside (those still to send included), and the documents show "not
        sent" without a Xero id, so Post to Xero sends them to the new
        organisation. Returns the sentence saying so."""
        self.ensure_one()
        from .xero_document_mixin import XERO_WRITE_CONTEXT

        Job = self.env["xero.sync.job"].sudo()
        jobs = Job.search([("connection_id", "=", self.id), ("state", "!=", "cancelled")])
        open_jobs = jobs.filtered(lambda j: j.state in OPEN_JOB_STATES)
        jobs.with_context(xero_defer_refresh=True)._cancel(_(
            "Made for the Xero organisation %s, which this connection no longer uses.",
            old_name))
        bindings = self.env["xero.contact.binding"].sudo().search(
            [("connection_id", "=", self.id)])
        bindings.unlink()
        documents = 0
        by_model = {}
        for job in jobs:
            by_model.setdefault(job.res_model, set()).add(job.res_id)
        for model, ids in by_model.items():
            if model not in self.env or "xero_state" not in self.env[model]._fields:
                continue
            records = self.env[model].sudo().browse(list(ids)).exists()
            records.with_context(**XERO_WRITE_CONTEXT).write({
                "xero_state": "not_sent", "xero_id": False, "xero_error": False,
                "xero_sent_at": False})
            documents += len(records)
        return _(
            "What Odoo held for %(old)s was reset: %(bindings)s contact links and the Xero "
            "ids of %(documents)s documents cleared, %(open)s jobs not yet sent cancelled. "
            "Post to Xero sends documents to this organisation.",
            old=old_name, bindings=len(bindings), documents=documents, open=len(open_jobs))

    def _oauth_choose_tenant(self, tenant_id):
        """The admin picked one of the organisations a consent granted."""
        self.ensure_one()
        self._xero_check_manager()
        conn = self.sudo()
        if conn.state != "choose_tenant":
            raise UserError(_("This connection is not waiting for an organisation to be chosen."))
        pending = conn.pending_tenants or []
        chosen = next((t for t in pending if t.get("tenantId") == tenant_id), None)
        if not chosen:
            raise UserError(_("Choose one of the organisations Xero offered."))
        conn._xero_set_tenant(chosen, {})
        # Xero connected the app to every organisation ticked on its consent
        # page; the access token reaches all of them. We keep only the one the
        # admin chose and remove the others at Xero (DELETE /connections/{id}),
        # so the app holds no access it does not use (and uncertified apps
        # have a cap on connections). An organisation that another company of
        # this database uses with the same app is left alone.
        conn._xero_drop_connections([t for t in pending if t is not chosen])
        conn._xero_after_connect()

    def _xero_drop_connections(self, tenants):
        self.ensure_one()
        conn = self.sudo()
        others = conn.with_context(active_test=False).search([
            ("id", "!=", conn.id), ("tenant_id", "!=", False),
        ]).filtered(lambda c: c.client_id == conn.client_id)
        in_use = set(others.mapped("tenant_id"))
        todo = [t for t in tenants if t.get("id") and t.get("tenantId") not in in_use]
        if not todo:
            return
        try:
            token = conn._get_access_token()
            idc = conn._xero_identity_client()
            for tenant in todo:
                idc.delete_connection(token, tenant["id"])
        except XeroError as exc:
            _logger.warning("Xero connection %s: could not remove unchosen organisations: %s",
                            conn.id, exc.message)
            conn.message_post(body=_(
                "Xero kept access to organisations that were not chosen: %s",
                exc.message,
            ))

    def _xero_after_connect(self):
        """Pull Xero's reference data right after connecting. A failure here
        keeps the connection: it is logged and noted on the record, and the
        admin can use "Refresh from Xero" later."""
        self.ensure_one()
        if not hasattr(self, "action_refresh_from_xero"):
            return
        try:
            with self.env.cr.savepoint():
                self.action_refresh_from_xero()
        except Exception as exc:  # noqa: BLE001 - never lose a fresh connection
            message = exc.message if isinstance(exc, XeroError) else (
                exc.args[0] if isinstance(exc, UserError) and exc.args else exc.__class__.__name__
            )
            _logger.warning("Xero connection %s connected; reference data not pulled: %s",
                            self.id, message)
            self.sudo().message_post(body=_(
                "Connected, but Xero's accounts, tax rates and currencies could not be read: "
                "%s. Use \"Refresh from Xero\".", message,
            ))

    def _xero_sharing_connections(self):
        """The other companies' connections that hold the same Xero
        connection (same app and organisation, or the same connection id)."""
        self.ensure_one()
        conn = self.sudo()
        if not conn.tenant_id and not conn.xero_connection_id:
            return conn.browse()
        others = conn.with_context(active_test=False).search([
            ("id", "!=", conn.id), ("state", "in", ("connected", "choose_tenant", "expired")),
        ])
        return others.filtered(lambda other: (
            conn.xero_connection_id and other.xero_connection_id == conn.xero_connection_id
        ) or (conn.tenant_id and other.tenant_id == conn.tenant_id
              and other.client_id == conn.client_id))

    @api.model
    def _xero_revoke_all(self):
        """At uninstall: revoke every stored refresh token, which removes
        the app's connections to the organisations (xero-node 4.10.1
        revokeToken: "revokes a user's refresh token and removes all their
        connections to your app"). Xero's refusal is logged, never raised:
        the uninstall goes on."""
        conns = self.sudo().with_context(active_test=False).search(
            [("refresh_token", "!=", False)])
        done = set()
        for conn in conns:
            key = (conn.client_id, conn.refresh_token)
            if key in done:
                continue
            done.add(key)
            try:
                conn._xero_identity_client().revoke(conn.refresh_token)
            except XeroError as exc:
                _logger.warning("Xero connection %s: refresh token not revoked at uninstall: %s",
                                conn.id, exc.message)
        return len(done)

    def action_disconnect(self):
        """Button "Disconnect": remove the app's connection at Xero and
        revoke the refresh token; locally the tokens and tenant are cleared
        whatever Xero answers (a failure there is shown as a warning)."""
        self.ensure_one()
        self._xero_check_manager()
        self.check_access("write")
        conn = self.sudo()
        problems = []
        name = conn.tenant_name or conn.tenant_id
        # Another company may use the same Xero connection (this app, this
        # organisation): removing it, or revoking our refresh token (which
        # "removes all their connections to your app", xero-node 4.10.1
        # revokeToken), would cut that company off too. Then only this
        # company's tokens go.
        shared = conn._xero_sharing_connections()
        if not shared and (conn.refresh_token or conn.access_token):
            idc = conn._xero_identity_client()
            if conn.xero_connection_id:
                try:
                    idc.delete_connection(conn._get_access_token(), conn.xero_connection_id)
                except XeroError as exc:
                    problems.append(exc.message)
            refresh = conn.refresh_token
            if refresh:
                try:
                    idc.revoke(refresh)
                except XeroError as exc:
                    problems.append(exc.message)
        conn.write({
            "access_token": False,
            "refresh_token": False,
            "token_expires_at": False,
            "tenant_id": False,
            "tenant_name": False,
            "xero_connection_id": False,
            "pending_tenants": False,
            "state": "disconnected",
            "last_error": "\n".join(problems) or False,
        })
        body = _("Disconnected from Xero%s.", " (%s)" % name if name else "")
        if shared:
            body += " " + _(
                "Xero's access was left in place: %s use the same Xero organisation "
                "through this app.", ", ".join(shared.mapped("company_id.display_name")))
        if problems:
            body += " " + _("Xero answered: %s", "; ".join(problems))
        conn.message_post(body=body)
        if problems:
            _logger.warning("Xero connection %s disconnected locally; Xero answered: %s",
                            conn.id, "; ".join(problems))
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "type": "warning" if problems else "success",
                "title": _("Disconnected from Xero"),
                "message": _(
                    "The tokens were removed here, but Xero could not confirm: %s",
                    "; ".join(problems),
                ) if problems else _("This company no longer uses Xero; other companies "
                                     "keep the same organisation.") if shared
                else _("Xero no longer gives this database access."),
                "sticky": bool(problems),
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }
