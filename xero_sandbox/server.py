"""The WSGI application, the fault/rate-limit/idempotency pipeline, the
/_sandbox/ control API and SandboxServer (a threaded werkzeug server)."""
import hashlib
import json
import logging
import re
import socket
import threading
import time

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from . import accounting, identity, pages
from . import contacts  # noqa: F401  (registers Contacts)
from . import invoices  # noqa: F401  (registers Invoices, CreditNotes, Allocations)
from . import payments  # noqa: F401  (registers Payments)
from . import banking  # noqa: F401  (registers BankTransactions, BankTransfers, ManualJournals)
from . import deposits  # noqa: F401  (registers Prepayments, Overpayments)
from . import reports  # noqa: F401  (registers Reports/TrialBalance)
from . import tracking  # noqa: F401  (registers TrackingCategories)
from .faults import Faults
from .store import DEFAULT_LIMITS, DEFAULT_SCOPES, DOC_KINDS, IDEMPOTENCY_TTL, Store
from .util import new_id, now, to_jsonable
from .webhooks import Webhooks

# The client id of Xero's own web app, for what is done "in Xero" (_in_xero).
WEB_APP = "xero-web-app"

_logger = logging.getLogger(__name__)
API_PREFIX = "/api.xro/2.0/"
_GUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")


class _Drop(ConnectionAbortedError):
    """Raised to make werkzeug's server treat the request as a dropped connection."""


def _endpoint(path):
    """Path template for stats: ids replaced by {id}."""
    if path.lower().startswith(API_PREFIX.lower()):
        segs = path[len(API_PREFIX):].strip("/").split("/")
        if len(segs) > 1:
            segs[1] = "{id}"
        return API_PREFIX + "/".join(segs)
    return _GUID.sub("{id}", path)


def _xero_error_body(status):
    titles = {500: "An error occurred", 502: "Bad Gateway", 503: "Service Unavailable",
              504: "Gateway Timeout", 400: "Bad Request", 404: "Not Found"}
    if status == 503:
        # Xero's body when the organisation/API is temporarily unavailable.
        detail = "The Xero API is temporarily unavailable. Please try again later."
    else:
        detail = ("An error occurred in Xero. Check the API Status page "
                  "http://status.developer.xero.com for current service status.")
    return {"Type": None, "Title": titles.get(status, "Error"), "Status": status, "Detail": detail,
            "Instance": new_id(), "Extensions": {}}


def _html_error(status):
    reason = {502: "Bad Gateway", 503: "Service Temporarily Unavailable", 504: "Gateway Time-out"}.get(status, "Error")
    body = ("<html>\r\n<head><title>%d %s</title></head>\r\n<body>\r\n<center><h1>%d %s</h1></center>\r\n"
            "</body>\r\n</html>\r\n" % (status, reason, status, reason))
    return Response(body, status=status, mimetype="text/html")


def _rate_limited(retry_after, problem, headers=None):
    h = {"Retry-After": retry_after if isinstance(retry_after, str) else str(int(retry_after)),
         "X-Rate-Limit-Problem": problem}
    h.update(headers or {})
    body = {"Type": None, "Title": "Too Many Requests", "Status": 429,
            "Detail": "Rate limit exceeded", "Instance": new_id(), "Extensions": {}}
    return Response(json.dumps(body), status=429, mimetype="application/json", headers=h)


class SandboxApp:
    def __init__(self, sb):
        self.sb = sb

    def __call__(self, environ, start_response):
        request = Request(environ)
        started = time.time()
        entry = {"time": now().isoformat(), "method": request.method, "path": request.path,
                 "endpoint": _endpoint(request.path), "query": request.query_string.decode("latin-1"),
                 "tenant_id": request.headers.get("xero-tenant-id"), "client_id": None,
                 "status": None, "idempotency_key": request.headers.get("Idempotency-Key"),
                 "fault": None, "replayed": False}
        # Logged on arrival (and completed in place) so that a request still
        # being answered, or whose client gave up, is counted when it came.
        if not request.path.startswith("/_sandbox"):
            self.sb.store.log(entry)
        try:
            response = self.handle(request, environ, entry)
        except _Drop:
            entry["status"] = "dropped"
            raise
        finally:
            entry["duration_ms"] = int((time.time() - started) * 1000)
        entry["status"] = response.status_code
        return response(environ, start_response)

    # -- pipeline ----------------------------------------------------------
    def _drop(self, environ):
        sock = environ.get("werkzeug.socket")
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError as e:
                # The client may have closed the connection already.
                _logger.debug("xero sandbox: dropping a connection: %s", e)
        raise _Drop("sandbox fault: connection dropped")

    def handle(self, request, environ, entry):
        path = request.path
        store = self.sb.store
        if path.startswith("/_sandbox"):
            return self.control(request)
        faults = {r["kind"]: r for r in self.sb.faults.match(
            request.method, path, lambda: request.get_data(cache=True))}
        if faults:
            entry["fault"] = ",".join(sorted(faults))
        is_api = path.lower().startswith(API_PREFIX.lower())
        if not is_api:
            if "slow" in faults:
                store.sleep(float(faults["slow"]["params"].get("seconds", 2)))
            early = self._early_fault(faults, environ)
            if early is not None:
                return early
            response = self.route_other(request)
            return self._late_fault(faults, environ, response)

        segs = path[len(API_PREFIX):].strip("/").split("/")
        resource = segs[0].lower()
        handler = accounting.ROUTES.get(resource)
        ctx, err = accounting.authenticate(self.sb, request, resource)
        if err is not None:
            store.delay()
            return err
        entry["client_id"] = ctx.token["client_id"]
        entry["tenant_id"] = ctx.tenant.tenant_id
        problem, retry, rl_headers = store.rate_acquire(ctx.token["client_id"], ctx.tenant.tenant_id)
        if problem:
            # Refused on arrival (not in flight), answered after the latency.
            store.delay()
            return _rate_limited(retry, problem, rl_headers)
        try:
            # Xero's latency, between rate_acquire and rate_release: the call
            # is in flight meanwhile (a 6th one at once gets 429 concurrent).
            # No store lock is held here, so concurrent calls overlap.
            store.delay()
            if "slow" in faults:
                store.sleep(float(faults["slow"]["params"].get("seconds", 2)))
            if "expire_token" in faults:
                resp = accounting.problem(
                    401, "Unauthorized", "TokenExpired: token expired at %s" % now().strftime("%m/%d/%Y %H:%M:%S"),
                    {"WWW-Authenticate": 'Bearer error="invalid_token"'})
                return resp
            early = self._early_fault(faults, environ)
            if early is not None:
                early.headers.extend(rl_headers)
                return early
            if handler is None:
                response = accounting.not_found()
            else:
                response = self.dispatch_api(ctx, handler, segs[1:], entry)
            response.headers.extend(rl_headers)
            response.headers["Xero-Correlation-Id"] = new_id()
            return self._late_fault(faults, environ, response)
        finally:
            store.rate_release(ctx.token["client_id"], ctx.tenant.tenant_id)

    def _early_fault(self, faults, environ):
        if "drop" in faults:
            self._drop(environ)
        if "rate_limit" in faults:
            p = faults["rate_limit"]["params"]
            return _rate_limited(p.get("retry_after", 1), p.get("problem", "minute"))
        if "status" in faults:
            p = faults["status"]["params"]
            status = int(p.get("status", 500))
            if p.get("body") is not None:
                return Response(p["body"], status=status,
                                content_type=p.get("content_type") or "application/json; charset=utf-8")
            return Response(json.dumps(_xero_error_body(status)), status=status, mimetype="application/json")
        if "html" in faults:
            return _html_error(int(faults["html"]["params"].get("status", 502)))
        return None

    def _late_fault(self, faults, environ, response):
        cut = faults.get("truncate")
        if cut is not None:
            data = response.get_data()
            length = cut["params"].get("length")
            response.set_data(data[:int(length) if length is not None else len(data) // 2])
        rule = faults.get("fail_after_commit")
        if rule is None:
            return response
        p = rule["params"]
        if p.get("then") == "drop":
            self._drop(environ)
        status = int(p.get("status", 500))
        return Response(json.dumps(_xero_error_body(status)), status=status, mimetype="application/json")

    def dispatch_api(self, ctx, handler, rest, entry):
        store = self.sb.store
        request = ctx.request
        key = request.headers.get("Idempotency-Key")
        if key and request.method in ("PUT", "POST"):
            if len(key) > 128:
                # The spec: "128 character max."
                return accounting.bad_request("Idempotency-Key must be 128 characters or fewer",
                                              error_number=16, type_="ValidationException")
            fingerprint = hashlib.sha256(b"\n".join([
                request.method.encode(), request.path.lower().encode(), request.query_string,
                request.get_data(cache=True)])).hexdigest()
            rkey = (ctx.token["client_id"], ctx.tenant.tenant_id, key)
            with store.lock:
                t = store.time()
                for k in [k for k, v in store.idempotency.items() if v["at"] < t - IDEMPOTENCY_TTL]:
                    del store.idempotency[k]
                rec = store.idempotency.get(rkey)
                if rec is not None:
                    entry["replayed"] = True
                    if rec["fingerprint"] != fingerprint:
                        # Same key, different request: refused (a choice:
                        # Xero's docs say nothing of it; see IDEMPOTENCY_TTL
                        # in store.py).
                        return accounting.bad_request(
                            "The Idempotency-Key has already been used for a different request",
                            error_number=16, type_="ValidationException")
                    resp = Response(rec["body"], status=rec["status"], mimetype=rec["mimetype"])
                    resp.headers["Idempotent-Replayed"] = "true"
                    return resp
                response = self._call(ctx, handler, rest)
                if response.status_code < 500:
                    store.idempotency[rkey] = {"fingerprint": fingerprint, "status": response.status_code,
                                               "body": response.get_data(), "mimetype": response.mimetype,
                                               "at": t}
                return response
        return self._call(ctx, handler, rest)

    def _call(self, ctx, handler, rest):
        try:
            result = handler(ctx, rest)
        except accounting.BodyError:
            return accounting.bad_request("The request body is not valid JSON", error_number=14,
                                          type_="PostDataInvalidException")
        if isinstance(result, Response):
            return result
        status, body = result
        return accounting.json_response(body, status)

    def route_other(self, request):
        path = request.path.rstrip("/")
        low = path.lower()
        if low == "/identity/connect/authorize" and request.method in ("GET", "POST"):
            return identity.authorize(self.sb, request)
        if low == "/connect/token" and request.method == "POST":
            return identity.token(self.sb, request)
        if low == "/connect/revocation" and request.method == "POST":
            return identity.revocation(self.sb, request)
        if low == "/connections":
            return identity.connections(self.sb, request)
        if low.startswith("/connections/"):
            return identity.connections(self.sb, request, path.split("/")[-1])
        if pages.handles(low):
            # "Open in Xero" on the sandbox: a read-only page of the document.
            return pages.page(self.sb, request)
        if low in ("", "/"):
            return Response("Xero sandbox (account_xero). See /_sandbox/", mimetype="text/plain")
        return Response("Not Found", status=404, mimetype="text/plain")

    # -- control API -----------------------------------------------------
    def control(self, request):
        sb = self.sb
        store = sb.store
        segs = [s for s in request.path[len("/_sandbox"):].split("/") if s]
        m = request.method
        try:
            data = request.get_json(force=True, silent=True) or {}
        except Exception:   # pragma: no cover
            data = {}

        def ok(body=None, status=200):
            return Response(json.dumps(to_jsonable(body if body is not None else {"ok": True}), default=str),
                            status=status, mimetype="application/json")

        if not segs:
            return ok({"url": sb.url, "apps": list(store.apps), "limits": store.limits,
                       "latency": store.latency,
                       "tenants": [{"tenantId": t.tenant_id, "name": t.name} for t in store.tenants.values()]})
        head = segs[0]
        if head == "reset" and m == "POST":
            sb.reset()
            return ok({"tenants": list(store.tenants)})
        if head == "faults":
            if m == "GET":
                return ok(sb.faults.rules())
            if m == "DELETE":
                if len(segs) > 1:
                    sb.faults.remove(int(segs[1]))
                else:
                    sb.faults.clear()
                return ok()
            if m == "POST" and len(segs) > 1 and segs[1] == "seed":
                sb.faults.seed(data.get("seed"))
                return ok()
            if m == "POST":
                try:
                    return ok(sb.faults.add(**data))
                except (TypeError, ValueError) as e:
                    return ok({"error": str(e)}, 400)
        if head == "stats" and m == "GET":
            return ok(store.stats())
        if head == "requests":
            if m == "DELETE":
                with store.lock:
                    store.requests.clear()
                return ok()
            return ok(store.requests)
        if head == "limits":
            if m == "POST":
                store.limits.update({k: int(v) for k, v in data.items() if k in DEFAULT_LIMITS})
                if data.get("reset_counters"):
                    store.reset_rate_limits()
            return ok(store.limits)
        if head == "latency":
            if m == "POST":
                try:
                    seconds = float(data.get("seconds", 0))
                except (TypeError, ValueError):
                    seconds = -1.0
                if not 0 <= seconds < 3600:
                    return ok({"error": "seconds: a number from 0 to 3600"}, 400)
                sb.latency = seconds
            return ok({"seconds": store.latency})
        if head == "apps" and m == "POST":
            sb.register_app(data["client_id"], data["client_secret"], data.get("redirect_uris"))
            return ok()
        if head == "grant" and m == "POST":
            return ok(sb.grant(data.get("client_id", "demo"), data.get("tenant_ids"),
                               data.get("scopes", DEFAULT_SCOPES)))
        if head == "expire_access_tokens" and m == "POST":
            sb.expire_access_tokens()
            return ok()
        if head == "auto_approve" and m == "POST":
            store.auto_approve = bool(data.get("value", True))
            return ok()
        if head == "tenants":
            if len(segs) == 1 and m == "GET":
                return ok([{"tenantId": t.tenant_id, "name": t.name, "country": t.country,
                            "baseCurrency": t.base_currency,
                            "counts": {k: len(v) for k, v in t.docs.items()}}
                           for t in store.tenants.values()])
            if len(segs) == 1 and m == "POST":
                return ok({"tenantId": sb.add_tenant(**{k: v for k, v in data.items()
                                                        if k in ("name", "country", "base_currency",
                                                                 "chart")})})
            tenant = store.tenant(segs[1])
            if tenant is None:
                return ok({"error": "unknown tenant"}, 404)
            if len(segs) == 3 and segs[2] == "in_xero" and m == "POST":
                status, body = self._in_xero(tenant.tenant_id, data)
                return ok(body, status)
            if len(segs) >= 3 and segs[2] == "webhook" and m == "POST":
                return ok(self._webhook(tenant.tenant_id, segs[3:], data))
            if len(segs) == 3 and segs[2] == "accounts" and m == "POST":
                # The firm adds accounts to its chart in Xero (the demo's trust accounts).
                try:
                    with store.lock:
                        return ok([tenant.add_account(a["code"], a["name"], a["type"],
                                                      a.get("payments", False))
                                   for a in data.get("accounts", [])])
                except (KeyError, ValueError) as e:
                    return ok({"error": str(e)}, 400)
            if len(segs) == 3 and segs[2] == "lock_dates" and m == "POST":
                store.set_lock_dates(tenant.tenant_id, data.get("period"), data.get("end_of_year"))
                return ok(tenant.organisation)
            if len(segs) == 2:
                return ok({"organisation": tenant.organisation,
                           "counts": {k: len(v) for k, v in tenant.docs.items()}})
            kind = next((k for k in DOC_KINDS + ("Accounts", "TaxRates", "Currencies")
                         if k.lower() == segs[2].lower()), None)
            if kind in DOC_KINDS:
                return ok(store.documents(tenant.tenant_id, kind))
            if kind:
                return ok(getattr(tenant, {"Accounts": "accounts", "TaxRates": "tax_rates",
                                           "Currencies": "currencies"}[kind]))
        return ok({"error": "unknown control endpoint"}, 404)


    def _in_xero(self, tenant_id, data):
        """/_sandbox/tenants/<id>/in_xero: {"method", "path", "body"}: what a
        bookkeeper does in Xero's own web app (a payment matched from the bank
        feed, an invoice edited or voided, a contact's email changed), made
        through the accounting API's own rules as Xero's web app, an app of
        its own: not one of the tenant's connected apps' calls, not in their
        rate limits. Xero's webhooks then tell it as any change. Returns the
        API's (status, JSON body)."""
        from werkzeug.test import Client   # noqa: PLC0415 - only the control API needs it
        sb = self.sb
        if WEB_APP not in sb.store.apps:
            sb.register_app(WEB_APP, new_id(), name="Xero (web app)")
        token = sb.grant(WEB_APP, [tenant_id])["access_token"]
        method = str(data.get("method") or "POST").upper()
        path = "/api.xro/2.0/" + str(data.get("path") or "").lstrip("/")
        answer = Client(self).open(path, method=method, json=data.get("body"), headers={
            "Authorization": "Bearer " + token, "xero-tenant-id": tenant_id,
            "Accept": "application/json"})
        try:
            body = json.loads(answer.get_data(as_text=True) or "{}")
        except ValueError:
            body = {"error": answer.get_data(as_text=True)}
        return answer.status_code, body

    def _webhook(self, tenant_id, segs, data):
        """/_sandbox/tenants/<id>/webhook: {"url", "key"} subscribes;
        .../intent runs Intent to Receive; .../deliver sends what changed
        ({"copies", "shuffle", "drop", "seed"})."""
        hooks = self.sb.webhooks
        if not segs:
            hooks.subscribe(tenant_id, data["url"], data["key"])
            return {"ok": True}
        if tenant_id not in hooks.subscriptions:
            return {"error": "no webhook subscribed for this tenant"}
        if segs[0] == "intent":
            return hooks.intent_to_receive(tenant_id)
        if segs[0] == "deliver":
            # {"statuses"}; with {"report": true} also "sent" and "dropped"
            # (the resources of the events posted and of those left out).
            report = hooks.deliver_report(
                tenant_id, copies=data.get("copies", 1), shuffle=bool(data.get("shuffle")),
                drop=float(data.get("drop", 0)), seed=data.get("seed"))
            return report if data.get("report") else {"statuses": report["statuses"]}
        return {"error": "unknown webhook action"}


class _QuietHandler(WSGIRequestHandler):
    def log(self, type, message, *args):   # noqa: A002
        if type == "error":
            _logger.debug("xero sandbox: " + message, *args)

    def log_request(self, *args, **kwargs):
        pass


class SandboxServer:
    """A Xero stand-in served from a daemon thread. See the package docstring."""

    def __init__(self, host="127.0.0.1", port=0, seed=None):
        # Loopback only unless told otherwise (the sandbox trusts whoever calls it).
        self.host = host
        self.port = port
        self.store = Store()
        self.faults = Faults(seed)
        self.webhooks = Webhooks(self.store)
        self._server = None
        self._thread = None
        self.url = None
        self.reset()

    # -- setup helpers -----------------------------------------------------
    def register_app(self, client_id, client_secret, redirect_uris=None, name=None):
        return self.store.register_app(client_id, client_secret, redirect_uris, name)

    def add_tenant(self, name="Demo Company (NZ)", country="NZ", base_currency="NZD", tenant_id=None,
                   chart=None):
        return self.store.add_tenant(name, country, base_currency, tenant_id, chart)

    def grant(self, client_id="demo", tenant_ids=None, scopes=DEFAULT_SCOPES):
        """Skip the consent screen: connect the tenants and return a token set."""
        store = self.store
        if isinstance(scopes, str):
            scopes = scopes.split()
        with store.lock:
            if client_id not in store.apps:
                raise KeyError("unknown client_id %r" % client_id)
            if tenant_ids is None:
                tenant_ids = list(store.tenants)
            elif isinstance(tenant_ids, str):
                tenant_ids = [tenant_ids]
            auth_event_id = new_id()
            body = store.issue_tokens(client_id, list(scopes), auth_event_id)
            user_id = store.access_tokens[body["access_token"]]["user_id"]
            conns = [store.connect(client_id, tid, auth_event_id, user_id) for tid in tenant_ids]
            body["tenant_id"] = tenant_ids[0] if tenant_ids else None
            body["connection_id"] = conns[0]["id"] if conns else None
            return body

    def expire_access_tokens(self):
        self.store.expire_access_tokens()

    @property
    def latency(self):
        """Seconds added to every accounting API answer (``store.latency``)."""
        return self.store.latency

    @latency.setter
    def latency(self, seconds):
        self.store.latency = max(0.0, float(seconds))

    def reset(self):
        with self.store.lock:
            self.store._clear()
            self.store.limits = dict(DEFAULT_LIMITS)
            self.store.auto_approve = False
            self.store.clock_offset = 0.0
            self.store.latency = 0.0
            self.faults.clear()
            self.webhooks.clear()
            self.register_app("demo", "demo", name="Demo App")
            self.add_tenant()

    # -- server ------------------------------------------------------------
    def wsgi_app(self):
        return SandboxApp(self)

    def start(self):
        if self._server is not None:
            return self
        self._server = make_server(self.host, self.port, SandboxApp(self), threaded=True,
                                   request_handler=_QuietHandler)
        self._server.daemon_threads = True
        self.port = self._server.server_port
        host = self.host if self.host not in ("", "0.0.0.0", "::") else (
            "[::1]" if self.host == "::" else "127.0.0.1")  # a wildcard is not an address to call
        if ":" in host and not host.startswith("["):
            host = "[%s]" % host  # IPv6 literal in a URL (RFC 3986 section 3.2.2)
        self.url = "http://%s:%d" % (host, self.port)
        self._thread = threading.Thread(target=self._server.serve_forever, name="xero-sandbox", daemon=True)
        self._thread.start()
        return self

    def serve_forever(self):
        self.start()
        self._thread.join()

    def stop(self):
        if self._server is None:
            return
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        self._server = None
        self._thread = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
