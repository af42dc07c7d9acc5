"""login.xero.com / identity.xero.com / api.xero.com/connections.

OAuth 2.0 authorization code flow (with optional PKCE S256) and refresh-token
rotation as Xero documents it:
https://developer.xero.com/documentation/guides/oauth2/auth-flow/
https://developer.xero.com/documentation/guides/oauth2/pkce-flow/
https://developer.xero.com/documentation/guides/oauth2/token-types/
https://developer.xero.com/documentation/guides/oauth2/tenants/
"""
import base64
import hashlib
import html
import json
from urllib.parse import urlencode, urlsplit, urlunsplit, parse_qsl

from werkzeug.wrappers import Response

from .store import AUTH_CODE_TTL, KNOWN_SCOPES, REFRESH_GRACE
from .util import new_id, random_token


def _json(body, status=200, headers=None):
    h = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    h.update(headers or {})
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=h)


def oauth_error(error, status=400, description=None):
    body = {"error": error}
    if description:
        body["error_description"] = description
    return _json(body, status)


def _redirect(uri, params):
    parts = urlsplit(uri)
    query = parse_qsl(parts.query, keep_blank_values=True) + [(k, v) for k, v in params.items() if v is not None]
    return Response("", status=302, headers={"Location": urlunsplit(parts._replace(query=urlencode(query)))})


def _error_page(message, status=400):
    body = ("<!DOCTYPE html><html><head><title>Xero | Error</title></head><body>"
            "<h1>Sorry, something went wrong</h1><p class='error'>%s</p></body></html>" % html.escape(message))
    return Response(body, status=status, mimetype="text/html")


PARAMS = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
          "code_challenge_method", "nonce", "acr_values", "prompt")


def authorize(sb, request):
    store = sb.store
    src = request.args if request.method == "GET" else request.form
    p = {k: (src.get(k) if src.get(k) is not None else request.args.get(k)) for k in PARAMS}
    app = store.apps.get(p["client_id"] or "")
    # Without a known client or an allowed redirect_uri Xero shows an error
    # page instead of redirecting (an unverified redirect is never followed).
    if not app:
        return _error_page("unauthorized_client: Unknown client or client not enabled")
    if not p["redirect_uri"]:
        return _error_page("invalid_request: redirect_uri is missing")
    if app["redirect_uris"] is not None and p["redirect_uri"] not in app["redirect_uris"]:
        return _error_page("invalid_request: Invalid redirect_uri")
    state = p["state"]
    if p["response_type"] != "code":
        return _redirect(p["redirect_uri"], {"error": "unsupported_response_type", "state": state})
    scopes = (p["scope"] or "").split()
    if not scopes or any(s not in KNOWN_SCOPES for s in scopes):
        return _redirect(p["redirect_uri"], {"error": "invalid_scope", "state": state})
    if p["code_challenge"] or p["code_challenge_method"]:
        if p["code_challenge_method"] != "S256" or not p["code_challenge"]:
            return _redirect(p["redirect_uri"], {"error": "invalid_request", "state": state,
                                                 "error_description": "code_challenge_method must be S256"})
    tenants = list(store.tenants.values())
    if request.method == "GET" and not store.auto_approve:
        return _consent_page(app, tenants, p, scopes)
    if request.method == "POST" and request.form.get("action") != "allow":
        return _redirect(p["redirect_uri"], {"error": "access_denied", "state": state})
    if request.method == "POST":
        chosen = [t for t in request.form.getlist("tenant") if t in store.tenants]
        if not chosen and any(s.startswith("accounting.") for s in scopes):
            return _consent_page(app, tenants, p, scopes, error="Select an organisation to connect.")
    else:
        chosen = list(store.tenants)
    code = random_token(32)
    with store.lock:
        store.auth_codes[code] = {
            "client_id": app["client_id"], "redirect_uri": p["redirect_uri"], "scopes": scopes,
            "code_challenge": p["code_challenge"], "tenant_ids": chosen,
            "expires": store.time() + AUTH_CODE_TTL, "used": False,
        }
    return _redirect(p["redirect_uri"], {"code": code, "scope": " ".join(scopes), "state": state,
                                         "session_state": random_token(16)})


def _consent_page(app, tenants, p, scopes, error=None):
    hidden = "".join('<input type="hidden" name="%s" value="%s">' % (k, html.escape(v or "", quote=True))
                     for k, v in p.items() if v is not None)
    rows = "".join(
        '<li><label><input type="checkbox" name="tenant" value="%s"%s> %s</label></li>'
        % (t.tenant_id, " checked" if i == 0 else "", html.escape(t.name))
        for i, t in enumerate(tenants))
    scope_list = "".join("<li>%s</li>" % html.escape(s) for s in scopes)
    err = '<p class="error">%s</p>' % html.escape(error) if error else ""
    body = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Xero | Authorise %(app)s</title></head>
<body>
<h1>%(app)s wants access to your Xero organisations</h1>%(err)s
<form method="post" id="consent">%(hidden)s
<h2>Organisations</h2><ul class="tenants">%(rows)s</ul>
<h2>Permissions</h2><ul class="scopes">%(scopes)s</ul>
<button type="submit" name="action" value="allow" id="allow">Allow access</button>
<button type="submit" name="action" value="cancel" id="cancel">Cancel</button>
</form></body></html>""" % {"app": html.escape(app["name"]), "err": err, "hidden": hidden,
                             "rows": rows, "scopes": scope_list}
    return Response(body, mimetype="text/html")


def _client_auth(store, request):
    client_id = secret = None
    auth = request.authorization
    if auth and auth.type == "basic":
        client_id, secret = auth.username, auth.password
    else:
        client_id, secret = request.form.get("client_id"), request.form.get("client_secret")
    app = store.apps.get(client_id or "")
    return app, secret


def token(sb, request):
    store = sb.store
    app, secret = _client_auth(store, request)
    grant_type = request.form.get("grant_type")
    with store.lock:
        if grant_type == "authorization_code":
            code = store.auth_codes.get(request.form.get("code") or "")
            # PKCE public clients authenticate with client_id + code_verifier only.
            if not app or (secret != app["client_secret"] and not (code and code["code_challenge"] and secret is None)):
                return oauth_error("invalid_client")
            if not code or code["used"] or code["expires"] < store.time() or code["client_id"] != app["client_id"]:
                if code and code["used"]:
                    # RFC 6749 10.5: a reused code should revoke what it issued.
                    code["revoke"] = True
                return oauth_error("invalid_grant")
            if request.form.get("redirect_uri") != code["redirect_uri"]:
                return oauth_error("invalid_grant")
            if code["code_challenge"]:
                verifier = request.form.get("code_verifier") or ""
                digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
                if digest != code["code_challenge"]:
                    return oauth_error("invalid_grant")
            code["used"] = True
            auth_event_id = new_id()
            body = store.issue_tokens(app["client_id"], code["scopes"], auth_event_id)
            user_id = store.access_tokens[body["access_token"]]["user_id"]
            for tid in code["tenant_ids"]:
                store.connect(app["client_id"], tid, auth_event_id, user_id)
            return _json(body)
        if grant_type == "refresh_token":
            if not app or secret != app["client_secret"]:
                return oauth_error("invalid_client")
            rt = store.refresh_tokens.get(request.form.get("refresh_token") or "")
            t = store.time()
            if (not rt or rt["revoked"] or rt["client_id"] != app["client_id"] or rt["expires"] < t
                    or (rt["used_at"] is not None and t - rt["used_at"] > REFRESH_GRACE)):
                return oauth_error("invalid_grant")
            if rt["used_at"] is None:
                rt["used_at"] = t
            # Within the grace period a used refresh token may be exchanged
            # again as many times as needed; each exchange returns a new
            # token pair (choice: earlier pairs are not invalidated).
            body = store.issue_tokens(app["client_id"], rt["scopes"], rt["auth_event_id"],
                                      rt["user_id"], rt["session_id"])
            return _json(body)
        if grant_type == "client_credentials":
            return oauth_error("unauthorized_client")
        return oauth_error("unsupported_grant_type")


def revocation(sb, request):
    """Revoking a refresh token removes every connection of that authorisation."""
    store = sb.store
    app, secret = _client_auth(store, request)
    if not app or secret != app["client_secret"]:
        return oauth_error("invalid_client")
    with store.lock:
        rt = store.refresh_tokens.get(request.form.get("token") or "")
        if rt and rt["client_id"] == app["client_id"]:
            event = rt["auth_event_id"]
            for other in store.refresh_tokens.values():
                if other["auth_event_id"] == event:
                    other["revoked"] = True
            for cid in [c["id"] for c in store.connections.values()
                        if c["client_id"] == app["client_id"] and c["user_id"] == rt["user_id"]]:
                del store.connections[cid]
    return Response("", status=200)


def _bearer(sb, request):
    store = sb.store
    auth = request.headers.get("Authorization", "")
    if not auth.lower().startswith("bearer "):
        return None, "AuthenticationUnsuccessful"
    info = store.access_tokens.get(auth[7:].strip())
    if not info:
        return None, "AuthenticationUnsuccessful"
    if info["exp"] <= store.time():
        return None, "TokenExpired"
    return info, None


def _conn_json(c, store):
    t = store.tenants.get(c["tenantId"])
    return {"id": c["id"], "authEventId": c["authEventId"], "tenantId": c["tenantId"],
            "tenantType": c["tenantType"], "tenantName": t.name if t else None,
            "createdDateUtc": c["createdDateUtc"].strftime("%Y-%m-%dT%H:%M:%S.%f0"),
            "updatedDateUtc": c["updatedDateUtc"].strftime("%Y-%m-%dT%H:%M:%S.%f0")}


def connections(sb, request, conn_id=None):
    from .accounting import problem

    store = sb.store
    with store.lock:
        info, err = _bearer(sb, request)
        if err:
            return problem(401, "Unauthorized", err if err != "TokenExpired" else "TokenExpired: token expired",
                           {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        mine = store.connections_for(info["client_id"], info["user_id"])
        if request.method == "GET" and conn_id is None:
            event = request.args.get("authEventId")
            rows = [_conn_json(c, store) for c in mine if not event or c["authEventId"] == event]
            return Response(json.dumps(rows), mimetype="application/json")
        if request.method == "DELETE" and conn_id:
            for c in mine:
                if c["id"].lower() == conn_id.lower():
                    del store.connections[c["id"]]
                    return Response("", status=204)
            return problem(404, "Not Found", "Connection not found")
        return problem(405, "Method Not Allowed", "")
