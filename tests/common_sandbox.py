"""The bases of the tests of the sandbox and of the Xero client (no
database): a sandbox of the class's own (``SandboxCase``), a client on a
fresh grant for every test (``XeroClientCase``)."""

import requests

from odoo.tests import BaseCase

from ..xero.client import AccountingClient
from ..xero.identity import Endpoints, IdentityClient
from ..xero.pacer import TenantPacer
from ..xero_sandbox import SandboxServer

API = "/api.xro/2.0"


class SandboxCase(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.srv = SandboxServer(seed=7).start()

    @classmethod
    def tearDownClass(cls):
        cls.srv.stop()
        super().tearDownClass()

    def setUp(self):
        super().setUp()
        self.srv.reset()
        self.http = requests.Session()
        self.tok = self.srv.grant("demo")
        self.tenant = self.tok["tenant_id"]

    def h(self, token=None, tenant=None, **extra):
        headers = {"Authorization": "Bearer " + (token or self.tok["access_token"]),
                   "xero-tenant-id": tenant or self.tenant, "Accept": "application/json"}
        headers.update(extra)
        return headers

    def get(self, path, **kw):
        return self.http.get(self.srv.url + API + path, headers=kw.pop("headers", None) or self.h(), **kw)

    def put(self, path, body, headers=None, **kw):
        return self.http.put(self.srv.url + API + path, json=body, headers=headers or self.h(), **kw)

    def post(self, path, body, headers=None, **kw):
        return self.http.post(self.srv.url + API + path, json=body, headers=headers or self.h(), **kw)

    def contact(self, name="Acme Ltd", **kw):
        r = self.put("/Contacts", {"Contacts": [dict(Name=name, **kw)]})
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()["Contacts"][0]

    def invoice(self, contact_id, status="AUTHORISED", lines=None, **kw):
        body = dict(Type="ACCREC", Contact={"ContactID": contact_id}, Date="2026-11-27",
                    DueDate="2026-12-27", Status=status,
                    LineItems=lines or [{"Description": "Widget", "Quantity": 2, "UnitAmount": 50,
                                         "AccountCode": "200", "TaxType": "OUTPUT2"}], **kw)
        return self.put("/Invoices", {"Invoices": [body]})


class TokenSource:
    """Hands out the sandbox's tokens and counts forced refreshes."""

    def __init__(self, srv, identity, grant):
        self.srv = srv
        self.identity = identity
        self.token = grant["access_token"]
        self.refresh_token = grant["refresh_token"]
        self.refreshes = 0

    def access_token(self):
        return self.token

    def refresh_access_token(self, rejected_token=None):
        self.refreshes += 1
        tokens = self.identity.refresh(self.refresh_token)
        self.token, self.refresh_token = tokens.access_token, tokens.refresh_token
        return self.token


class XeroClientCase(BaseCase):
    """A sandbox of its own and a client on a fresh grant for every test."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.srv = SandboxServer()
        cls.srv.start()
        cls.addClassCleanup(cls.srv.stop)
        cls.endpoints = Endpoints(
            login_url=cls.srv.url + "/identity/connect/authorize",
            identity_url=cls.srv.url,
            api_url=cls.srv.url,
        )

    def setUp(self):
        super().setUp()
        self.srv.reset()
        self.identity = IdentityClient(self.endpoints, "demo", "demo", timeout=5)
        grant = self.srv.grant("demo")
        self.tenant_id = grant["tenant_id"]
        self.tokens = TokenSource(self.srv, self.identity, grant)
        self.api = self._api()

    def _api(self, **kw):
        kw.setdefault("pacer", TenantPacer())  # a pacer of its own per test
        kw.setdefault("backoff", 0.01)
        return AccountingClient(self.endpoints, self.tenant_id, self.tokens, timeout=2, **kw)
