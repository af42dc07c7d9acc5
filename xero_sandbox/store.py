"""In-memory state of the sandbox: apps, tenants, tokens, connections,
documents, the request log, rate-limit counters and idempotency records.

Everything is guarded by one re-entrant lock (`store.lock`); request
handlers hold it while they validate and write, so a batch is atomic.
"""
import collections
import datetime as dt
import threading
import time

from . import seed, tracking
from .util import b64url_json, new_id, now, random_token

# Token lifetimes as Xero documents them: access tokens 30 minutes; refresh
# tokens expire after 60 days (unused); a refresh token that has been used
# stays usable for a 30-minute grace period in case the response was lost.
# https://developer.xero.com/documentation/guides/oauth2/auth-flow/
# https://community.xero.com/developer/discussion/127920775 (staff reply)
ACCESS_TOKEN_TTL = 1800
REFRESH_TOKEN_TTL = 60 * 24 * 3600
REFRESH_GRACE = 30 * 60
AUTH_CODE_TTL = 5 * 60

# Xero's limits: https://developer.xero.com/documentation/guides/oauth2/limits/
DEFAULT_LIMITS = {"minute": 60, "day": 5000, "concurrent": 5, "app_minute": 10000}

# Idempotency: Xero keeps keys for a limited window; we keep them 24 hours
# (a choice: Xero documents a max key length of 128 characters, not the
# window in the spec).
IDEMPOTENCY_TTL = 24 * 3600

DEFAULT_SCOPES = (
    "offline_access openid profile email "
    "accounting.invoices accounting.payments accounting.banktransactions "
    "accounting.manualjournals accounting.contacts accounting.settings "
    "accounting.reports.trialbalance.read"
)

GRANULAR = ["accounting.invoices", "accounting.payments", "accounting.banktransactions",
            "accounting.manualjournals", "accounting.contacts", "accounting.settings",
            "accounting.attachments", "accounting.budgets"]
KNOWN_SCOPES = set(
    ["offline_access", "openid", "profile", "email",
     "accounting.transactions", "accounting.transactions.read",
     "accounting.reports.read", "accounting.journals.read",
     "accounting.reports.aged.read", "accounting.reports.balancesheet.read",
     "accounting.reports.profitandloss.read", "accounting.reports.trialbalance.read",
     "accounting.reports.banksummary.read", "accounting.reports.budgetsummary.read",
     "accounting.reports.executivesummary.read", "accounting.reports.tenninetynine.read",
     "files", "files.read", "assets", "assets.read", "projects", "projects.read",
     "payroll.employees", "payroll.employees.read", "payroll.payruns", "payroll.payruns.read",
     "payroll.payslip", "payroll.payslip.read", "payroll.settings", "payroll.settings.read",
     "payroll.timesheets", "payroll.timesheets.read"]
    + GRANULAR + [s + ".read" for s in GRANULAR]
)

DOC_KINDS = ("Contacts", "Invoices", "CreditNotes", "Payments", "BankTransactions",
             "BankTransfers", "ManualJournals", "Prepayments", "Overpayments")


class Tenant:
    def __init__(self, name, country, base_currency, tenant_id=None, chart=None):
        self.tenant_id = tenant_id or new_id()
        self.name = name
        self.country = country
        self.base_currency = base_currency
        self.organisation = seed.organisation(self.tenant_id, name, country, base_currency)
        self.accounts = seed.chart(country, base_currency, chart)
        self.tax_rates = seed.tax_rates(country)
        self.currencies = seed.currencies(base_currency)
        self.tracking_categories = tracking.seed()
        self.docs = {k: collections.OrderedDict() for k in DOC_KINDS}
        self.sequences = collections.Counter()
        self.created = now()

    def add_account(self, code, name, typ, payments=False):
        """An account added to the chart, as a firm adds one in Xero
        (Accounting > Chart of accounts > Add Account; the API's PUT Accounts:
        Code and Name unique in the chart, a Type of AccountType)."""
        if typ not in seed.ACCOUNT_CLASS:
            raise ValueError("Type %r is not an account type" % typ)
        if any(a.get("Code") == code or a["Name"] == name for a in self.accounts):
            raise ValueError("Please enter a unique Code and Name (%s %s)" % (code, name))
        acc = {
            "AccountID": new_id(), "Code": code, "Name": name, "Status": "ACTIVE", "Type": typ,
            "TaxType": "NONE", "Description": "", "Class": seed.ACCOUNT_CLASS[typ],
            "EnablePaymentsToAccount": bool(payments) and typ != "BANK",
            "ShowInExpenseClaims": False,
            "ReportingCode": seed.REPORTING_CODE.get(typ, seed.ACCOUNT_CLASS[typ][:3]),
            "ReportingCodeName": seed.ACCOUNT_CLASS[typ].title(), "HasAttachments": False,
            "AddToWatchlist": False, "UpdatedDateUTC": now(),
        }
        if typ == "BANK":
            acc.update({"CurrencyCode": self.base_currency, "BankAccountType": "BANK"})
        self.accounts.append(acc)
        return acc

    # -- lookups -----------------------------------------------------------
    def account_by_code(self, code):
        for a in self.accounts:
            if a.get("Code") == code:
                return a
        return None

    def account_by_id(self, account_id):
        for a in self.accounts:
            if a["AccountID"].lower() == str(account_id).lower():
                return a
        return None

    def tax_rate(self, tax_type):
        for t in self.tax_rates:
            if t["TaxType"] == tax_type:
                return t
        return None

    def currency(self, code):
        for c in self.currencies:
            if c["Code"] == code:
                return c
        return None

    def next_number(self, prefix):
        self.sequences[prefix] += 1
        return "%s%04d" % (prefix, self.sequences[prefix])


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.limits = dict(DEFAULT_LIMITS)
        # Sandbox-only conveniences (not Xero behaviour).
        self.auto_approve = False   # /identity/connect/authorize skips the consent page
        self.sleep = time.sleep     # patched by tests if needed
        self.clock_offset = 0.0     # seconds added to "now" for token expiry tests
        # Seconds every accounting API answer is held back, as Xero's own
        # latency would (the sandbox answers in milliseconds). Slept outside
        # the lock; for an admitted call it is time in flight ("concurrent").
        self.latency = 0.0
        self._clear()

    def _clear(self):
        self.apps = {}
        self.tenants = collections.OrderedDict()
        self.auth_codes = {}
        self.access_tokens = {}
        self.refresh_tokens = {}
        self.connections = collections.OrderedDict()
        self.requests = []
        self.idempotency = {}
        self._minute = collections.defaultdict(collections.deque)   # (client, tenant) -> times
        self._day = collections.defaultdict(collections.deque)
        self._app_minute = collections.defaultdict(collections.deque)  # client -> times
        self._inflight = collections.Counter()

    # -- time --------------------------------------------------------------
    def time(self):
        return time.time() + self.clock_offset

    def utcnow(self):
        return dt.datetime.fromtimestamp(self.time(), dt.timezone.utc)

    # -- apps & tenants ----------------------------------------------------
    def register_app(self, client_id, client_secret, redirect_uris=None, name=None):
        with self.lock:
            self.apps[client_id] = {
                "client_id": client_id, "client_secret": client_secret,
                # None: any redirect_uri is accepted (a sandbox choice, test
                # servers use random ports). Xero requires an exact match.
                "redirect_uris": list(redirect_uris) if redirect_uris else None,
                "name": name or client_id,
            }
            return self.apps[client_id]

    def add_tenant(self, name="Demo Company (NZ)", country="NZ", base_currency="NZD", tenant_id=None,
                   chart=None):
        """A new organisation; ``chart`` ("AU", "NZ", "GB", "US") seeds it
        with Xero's default chart of that country instead of the demo's."""
        with self.lock:
            t = Tenant(name, country, base_currency, tenant_id, chart)
            self.tenants[t.tenant_id] = t
            return t.tenant_id

    def tenant(self, tenant_id):
        return self.tenants.get(str(tenant_id or "").lower()) or self.tenants.get(tenant_id)

    @property
    def default_tenant_id(self):
        return next(iter(self.tenants), None)

    def set_lock_dates(self, tenant_id, period=None, end_of_year=None):
        """Set Organisation.PeriodLockDate / EndOfYearLockDate (date or ISO str)."""
        from .util import parse_date

        with self.lock:
            org = self.tenant(tenant_id).organisation
            org["PeriodLockDate"] = parse_date(period)
            org["EndOfYearLockDate"] = parse_date(end_of_year)

    # -- documents -------------------------------------------------------
    def documents(self, tenant_id, kind):
        """All stored documents of a kind ("Invoices", "Contacts", ...) for a tenant."""
        with self.lock:
            return list(self.tenant(tenant_id).docs[kind].values())

    def count_invoices(self, tenant_id, invoice_number, include_deleted=True):
        with self.lock:
            return sum(
                1 for d in self.tenant(tenant_id).docs["Invoices"].values()
                if d.get("InvoiceNumber") == invoice_number
                and (include_deleted or d.get("Status") not in ("DELETED", "VOIDED"))
            )

    # -- tokens ------------------------------------------------------------
    def make_access_token(self, client_id, scopes, auth_event_id, user_id, session_id):
        t = self.time()
        header = {"alg": "RS256", "kid": "1CAF8A24ECF9E2F8E0A4D4C8F1D1BA3B", "typ": "JWT",
                  "x5t": "HK-KJOz54viQpNTIyPHRujsXJQ0"}
        claims = {
            "nbf": int(t), "exp": int(t) + ACCESS_TOKEN_TTL,
            "iss": "https://identity.xero.com", "aud": "https://identity.xero.com/resources",
            "client_id": client_id, "sub": user_id, "auth_time": int(t),
            "xero_userid": user_id, "global_session_id": session_id,
            "sid": session_id, "jti": new_id().replace("-", "").upper(),
            "authentication_event_id": auth_event_id,
            "scope": scopes,
        }
        token = "%s.%s.%s" % (b64url_json(header), b64url_json(claims), random_token(128)[:342])
        self.access_tokens[token] = {
            "client_id": client_id, "scopes": list(scopes), "exp": claims["exp"],
            "auth_event_id": auth_event_id, "user_id": user_id,
        }
        return token, claims

    def issue_tokens(self, client_id, scopes, auth_event_id, user_id=None, session_id=None):
        """Token endpoint response body (dict); stores the tokens."""
        user_id = user_id or "7f0e4b1a-5c39-4a7b-9d2b-000000000001"
        session_id = session_id or new_id().replace("-", "")
        access, claims = self.make_access_token(client_id, scopes, auth_event_id, user_id, session_id)
        body = {"access_token": access, "expires_in": ACCESS_TOKEN_TTL, "token_type": "Bearer",
                "scope": " ".join(scopes)}
        if "openid" in scopes:
            id_claims = {"nbf": claims["nbf"], "exp": claims["nbf"] + 300, "iss": claims["iss"],
                         "aud": client_id, "iat": claims["nbf"], "sub": user_id,
                         "auth_time": claims["auth_time"], "xero_userid": user_id,
                         "global_session_id": session_id, "sid": session_id,
                         "preferred_username": "sandbox@example.com", "email": "sandbox@example.com",
                         "given_name": "Sandbox", "family_name": "User"}
            body["id_token"] = "%s.%s.%s" % (b64url_json({"alg": "RS256", "typ": "JWT"}),
                                             b64url_json(id_claims), random_token(96))
        if "offline_access" in scopes:
            refresh = random_token(32)
            self.refresh_tokens[refresh] = {
                "client_id": client_id, "scopes": list(scopes), "auth_event_id": auth_event_id,
                "user_id": user_id, "session_id": session_id,
                "issued": self.time(), "expires": self.time() + REFRESH_TOKEN_TTL,
                "used_at": None, "revoked": False,
            }
            body["refresh_token"] = refresh
        return body

    def expire_access_tokens(self):
        with self.lock:
            t = int(self.time()) - 1
            for info in self.access_tokens.values():
                info["exp"] = min(info["exp"], t)

    # -- connections -----------------------------------------------------
    def connect(self, client_id, tenant_id, auth_event_id, user_id):
        """Create or refresh the (user, app, tenant) connection, as Xero does
        when the user re-authorises an already connected organisation."""
        stamp = self.utcnow()
        for c in self.connections.values():
            if c["client_id"] == client_id and c["tenantId"] == tenant_id and c["user_id"] == user_id:
                c["authEventId"] = auth_event_id
                c["updatedDateUtc"] = stamp
                return c
        c = {"id": new_id(), "authEventId": auth_event_id, "tenantId": tenant_id,
             "tenantType": "ORGANISATION", "client_id": client_id, "user_id": user_id,
             "createdDateUtc": stamp, "updatedDateUtc": stamp}
        self.connections[c["id"]] = c
        return c

    def connections_for(self, client_id, user_id):
        return [c for c in self.connections.values()
                if c["client_id"] == client_id and c["user_id"] == user_id]

    # -- request log -------------------------------------------------------
    def log(self, entry):
        with self.lock:
            self.requests.append(entry)

    def stats(self):
        with self.lock:
            by_endpoint = collections.Counter()
            by_status = collections.Counter()
            for r in self.requests:
                by_endpoint["%s %s" % (r["method"], r["endpoint"])] += 1
                by_status[str(r["status"])] += 1
            return {"total": len(self.requests), "by_endpoint": dict(by_endpoint),
                    "by_status": dict(by_status)}

    # -- rate limits -----------------------------------------------------
    def rate_acquire(self, client_id, tenant_id):
        """Count a call against the limits. Returns (problem, retry_after, headers)."""
        with self.lock:
            t = self.time()
            key = (client_id, tenant_id)
            minute, day, app = self._minute[key], self._day[key], self._app_minute[client_id]
            for q, span in ((minute, 60), (day, 86400), (app, 60)):
                while q and q[0] <= t - span:
                    q.popleft()
            lim = self.limits
            problem, retry = None, 0
            if len(day) >= lim["day"]:
                problem, retry = "day", int(day[0] + 86400 - t) + 1
            elif len(app) >= lim["app_minute"]:
                problem, retry = "appminute", int(app[0] + 60 - t) + 1
            elif len(minute) >= lim["minute"]:
                problem, retry = "minute", int(minute[0] + 60 - t) + 1
            elif self._inflight[key] >= lim["concurrent"]:
                # Xero documents no Retry-After value for the concurrent
                # limit; 1 second is our choice.
                problem, retry = "concurrent", 1
            if problem is None:
                minute.append(t)
                day.append(t)
                app.append(t)
                self._inflight[key] += 1
            headers = {
                "X-DayLimit-Remaining": str(max(lim["day"] - len(day), 0)),
                "X-MinLimit-Remaining": str(max(lim["minute"] - len(minute), 0)),
                "X-AppMinLimit-Remaining": str(max(lim["app_minute"] - len(app), 0)),
            }
            return problem, max(retry, 1), headers

    def rate_release(self, client_id, tenant_id):
        with self.lock:
            key = (client_id, tenant_id)
            if self._inflight[key] > 0:
                self._inflight[key] -= 1

    def delay(self):
        """Sleep ``latency`` seconds; never call it holding ``lock``."""
        latency = self.latency
        if latency > 0:
            self.sleep(latency)

    def reset_rate_limits(self):
        with self.lock:
            self._minute.clear()
            self._day.clear()
            self._app_minute.clear()
            self._inflight.clear()
