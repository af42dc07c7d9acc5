"""api.xero.com/api.xro/2.0: authentication, scopes, envelope, reference data.

Document endpoints live in contacts.py, invoices.py, payments.py, banking.py
and deposits.py (on the shared machinery of documents.py and lines.py) and register
themselves in ROUTES.
"""
import json

from werkzeug.wrappers import Response

from .util import dumps, ms_plain, new_id, parse_http_date, to_jsonable
from .where import WhereError, apply_order, compile_where

# resource (lower case) -> scope family. Xero's granular scopes
# (https://developer.xero.com/documentation/guides/oauth2/scopes/): the
# broad accounting.transactions(.read) still covers the transactional
# families for apps created before the granular scopes.
FAMILY = {
    "organisation": "settings", "accounts": "settings", "taxrates": "settings",
    "currencies": "settings", "trackingcategories": "settings", "brandingthemes": "settings",
    "contacts": "contacts", "contactgroups": "contacts",
    "invoices": "invoices", "creditnotes": "invoices", "items": "settings",
    "payments": "payments", "batchpayments": "payments", "overpayments": "payments",
    "prepayments": "payments",
    "banktransactions": "banktransactions", "banktransfers": "banktransactions",
    "manualjournals": "manualjournals",
}
TRANSACTIONAL = {"invoices", "payments", "banktransactions", "manualjournals"}

ROUTES = {}   # resource (lower) -> handler(ctx, rest_segments) -> Response | (status, body)


def route(name):
    def deco(fn):
        ROUTES[name.lower()] = fn
        return fn
    return deco


def problem(status, title, detail, headers=None):
    """Xero's RFC 7807-style problem body for auth and platform errors."""
    body = {"Type": None, "Title": title, "Status": status, "Detail": detail,
            "Instance": new_id(), "Extensions": {}}
    return Response(json.dumps(body), status=status, mimetype="application/json", headers=headers or {})


def not_found():
    # Xero answers an unknown document id or resource with 404 and this text.
    return Response("The resource you're looking for cannot be found", status=404, mimetype="text/plain")


def bad_request(message, error_number=10, type_="ValidationException", elements=None):
    body = {"ErrorNumber": error_number, "Type": type_, "Message": message}
    if elements is not None:
        body["Elements"] = elements
    return Response(dumps(body), status=400, mimetype="application/json")


class Ctx:
    def __init__(self, sb, request, tenant, token, app):
        self.sb = sb
        self.store = sb.store
        self.request = request
        self.tenant = tenant
        self.token = token
        self.app = app

    @property
    def args(self):
        return self.request.args

    def flag(self, name, default=False):
        v = None
        for k, val in self.request.args.items():
            if k.lower() == name.lower():
                v = val
        if v is None:
            return default
        return v.lower() in ("1", "true", "yes")

    def arg(self, name):
        for k, val in self.request.args.items():
            if k.lower() == name.lower():
                return val
        return None

    def body(self):
        raw = self.request.get_data(cache=True)
        if not raw:
            return {}
        try:
            return json.loads(raw)
        except ValueError:
            raise BodyError() from None

    def envelope(self, key, items, extra=None):
        env = {"Id": new_id(), "Status": "OK", "ProviderName": self.app["name"] if self.app else "Xero API",
               "DateTimeUTC": ms_plain(self.store.utcnow())}
        if extra:
            env.update(extra)
        env[key] = items
        return env


class BodyError(Exception):
    pass


def json_response(body, status=200):
    return Response(json.dumps(to_jsonable(body)), status=status, mimetype="application/json")


def authenticate(sb, request, resource):
    """(ctx, None) or (None, error Response) for an api.xro request."""
    store = sb.store
    auth = request.headers.get("Authorization", "")
    www = {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    if not auth.lower().startswith("bearer "):
        return None, problem(401, "Unauthorized", "AuthenticationUnsuccessful", www)
    info = store.access_tokens.get(auth[7:].strip())
    if not info:
        return None, problem(401, "Unauthorized", "AuthenticationUnsuccessful", www)
    if info["exp"] <= store.time():
        import datetime as dt

        when = dt.datetime.fromtimestamp(info["exp"], dt.timezone.utc).strftime("%m/%d/%Y %H:%M:%S")
        return None, problem(401, "Unauthorized", "TokenExpired: token expired at %s" % when,
                             {"WWW-Authenticate": 'Bearer error="invalid_token", '
                                                 'error_description="The token expired at \'%s\'"' % when})
    tenant_id = (request.headers.get("xero-tenant-id") or "").strip().lower()
    tenant = store.tenants.get(tenant_id)
    covered = tenant is not None and any(
        c["tenantId"] == tenant_id for c in store.connections_for(info["client_id"], info["user_id"]))
    if not covered:
        # Missing/unknown tenant or one the token's connections don't cover.
        return None, problem(403, "Forbidden", "AuthenticationUnsuccessful")
    family = FAMILY.get(resource)
    if family:
        write = request.method in ("PUT", "POST", "DELETE")
        allowed = {"accounting.%s" % family}
        if not write:
            allowed.add("accounting.%s.read" % family)
        if family in TRANSACTIONAL or resource == "creditnotes":
            allowed.add("accounting.transactions")
            if not write:
                allowed.add("accounting.transactions.read")
        if not allowed.intersection(info["scopes"]):
            # Xero answers a call outside the granted scopes with 401
            # "AuthorizationUnsuccessful" (observed body, see
            # github.com/benedwards44/apex-for-xero/issues/25).
            return None, problem(401, "Unauthorized", "AuthorizationUnsuccessful")
    return Ctx(sb, request, tenant, info, store.apps.get(info["client_id"])), None


def list_response(ctx, key, docs, paged=False, page_size=100, render=None):
    """Filter (If-Modified-Since, where), order, page and wrap a list."""
    since = parse_http_date(ctx.request.headers.get("If-Modified-Since"))
    if since:
        docs = [d for d in docs if d.get("UpdatedDateUTC") and d["UpdatedDateUTC"] > since]
    try:
        pred = compile_where(ctx.arg("where"))
        docs = [d for d in docs if pred(d)]
        docs = apply_order(docs, ctx.arg("order"))
    except WhereError as e:
        return bad_request(str(e), error_number=16, type_="QueryParseException")
    extra = None
    page = ctx.arg("page")
    if paged and page:
        try:
            page = max(int(page), 1)
            size = int(ctx.arg("pageSize") or page_size)
        except ValueError:
            return bad_request("Invalid page", error_number=16, type_="QueryParseException")
        # Xero caps pageSize at 1000 on the endpoints that take it.
        size = min(max(size, 1), 1000)
        total = len(docs)
        docs = docs[(page - 1) * size: page * size]
        extra = {"pagination": {"page": page, "pageSize": size,
                                "pageCount": (total + size - 1) // size, "itemCount": total}}
    items = [render(d) for d in docs] if render else docs
    return json_response(ctx.envelope(key, items, extra))


# --- reference data -------------------------------------------------------

@route("Organisation")
def organisation(ctx, rest):
    if ctx.request.method != "GET":
        return not_found()
    if rest and rest[0].lower() == "actions":
        return json_response(ctx.envelope("Actions", []))
    return json_response(ctx.envelope("Organisations", [ctx.tenant.organisation]))


@route("Accounts")
def accounts(ctx, rest):
    if ctx.request.method != "GET":
        # Creating accounts is out of the sandbox's scope (the addon maps to
        # existing accounts); Xero itself supports PUT/POST.
        return Response("Method not supported by the sandbox", status=405)
    docs = list(ctx.tenant.accounts)
    if rest:
        acc = ctx.tenant.account_by_id(rest[0])
        return json_response(ctx.envelope("Accounts", [acc])) if acc else not_found()
    return list_response(ctx, "Accounts", docs)


@route("TaxRates")
def tax_rates(ctx, rest):
    if ctx.request.method != "GET":
        return Response("Method not supported by the sandbox", status=405)
    docs = list(ctx.tenant.tax_rates)
    tax_type = ctx.arg("TaxType")
    if tax_type:
        docs = [d for d in docs if d["TaxType"] == tax_type]
    return list_response(ctx, "TaxRates", docs)


@route("Currencies")
def currencies(ctx, rest):
    if ctx.request.method != "GET":
        return Response("Method not supported by the sandbox", status=405)
    return list_response(ctx, "Currencies", list(ctx.tenant.currencies))
