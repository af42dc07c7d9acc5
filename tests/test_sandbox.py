"""Tests of the Xero sandbox (DB-free): identity, auth, limits, faults,
reference data and documents, through raw HTTP and through xero-python."""
import base64
import datetime
import hashlib
import json
import os
import re
import secrets
import threading
from decimal import Decimal
from urllib.parse import parse_qs, urlsplit

import requests

from odoo.tests import tagged

from .common_sandbox import API, SandboxCase


@tagged("post_install", "-at_install")
class TestSandboxIdentity(SandboxCase):
    def _authorize(self, scope="openid offline_access accounting.settings accounting.invoices", **extra):
        verifier = secrets.token_urlsafe(40)
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
        params = dict(response_type="code", client_id="demo", redirect_uri="http://localhost/cb",
                      scope=scope, state="st4te", code_challenge=challenge, code_challenge_method="S256")
        params.update(extra)
        return params, verifier

    def test_auth_code_flow_with_pkce_refresh_and_revocation(self):
        params, verifier = self._authorize()
        page = self.http.get(self.srv.url + "/identity/connect/authorize", params=params)
        self.assertEqual(page.status_code, 200)
        self.assertIn("Allow access", page.text)
        self.assertIn("Demo Company (NZ)", page.text)
        tenant = re.search(r'name="tenant" value="([^"]+)"', page.text).group(1)
        r = self.http.post(self.srv.url + "/identity/connect/authorize", params=params,
                           data=dict(params, tenant=tenant, action="allow"), allow_redirects=False)
        self.assertEqual(r.status_code, 302)
        q = parse_qs(urlsplit(r.headers["Location"]).query)
        self.assertEqual(q["state"], ["st4te"])
        form = dict(grant_type="authorization_code", code=q["code"][0], redirect_uri="http://localhost/cb",
                    code_verifier="wrong")
        bad = self.http.post(self.srv.url + "/connect/token", data=form, auth=("demo", "demo"))
        self.assertEqual((bad.status_code, bad.json()), (400, {"error": "invalid_grant"}))
        form["code_verifier"] = verifier
        tok = self.http.post(self.srv.url + "/connect/token", data=form, auth=("demo", "demo")).json()
        self.assertEqual(tok["expires_in"], 1800)
        self.assertEqual(tok["token_type"], "Bearer")
        header, claims, _sig = tok["access_token"].split(".")
        claims = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
        self.assertEqual(claims["client_id"], "demo")
        self.assertIn("authentication_event_id", claims)
        self.assertGreater(claims["exp"], claims["nbf"])
        # single use code
        again = self.http.post(self.srv.url + "/connect/token", data=form, auth=("demo", "demo"))
        self.assertEqual(again.json()["error"], "invalid_grant")
        conns = self.http.get(self.srv.url + "/connections", headers={"Authorization": "Bearer " + tok["access_token"]}).json()
        self.assertEqual([c["tenantId"] for c in conns], [tenant])
        self.assertEqual(conns[0]["tenantType"], "ORGANISATION")
        self.assertEqual(conns[0]["authEventId"], claims["authentication_event_id"])
        # refresh rotation with client auth in the body
        body = dict(grant_type="refresh_token", refresh_token=tok["refresh_token"], client_id="demo",
                    client_secret="demo")
        new = self.http.post(self.srv.url + "/connect/token", data=body).json()
        self.assertNotEqual(new["refresh_token"], tok["refresh_token"])
        # the previous refresh token works again within the 30-minute grace period ...
        self.assertEqual(self.http.post(self.srv.url + "/connect/token", data=body).status_code, 200)
        # ... and not after it
        self.srv.store.clock_offset = 31 * 60
        late = self.http.post(self.srv.url + "/connect/token", data=body)
        self.assertEqual((late.status_code, late.json()["error"]), (400, "invalid_grant"))
        self.srv.store.clock_offset = 0
        wrong_secret = dict(body, refresh_token=new["refresh_token"], client_secret="nope")
        self.assertEqual(self.http.post(self.srv.url + "/connect/token", data=wrong_secret).json()["error"],
                         "invalid_client")
        # revocation removes the connections
        r = self.http.post(self.srv.url + "/connect/revocation", data={"token": new["refresh_token"]},
                           auth=("demo", "demo"))
        self.assertEqual(r.status_code, 200)
        conns = self.http.get(self.srv.url + "/connections", headers={"Authorization": "Bearer " + new["access_token"]}).json()
        self.assertEqual(conns, [])
        r = self.get("/Organisation", headers=self.h(token=new["access_token"], tenant=tenant))
        self.assertEqual(r.status_code, 403)

    def test_authorize_errors(self):
        params, _v = self._authorize(scope="accounting.settings accounting.bogus")
        r = self.http.get(self.srv.url + "/identity/connect/authorize", params=params, allow_redirects=False)
        q = parse_qs(urlsplit(r.headers["Location"]).query)
        self.assertEqual((q["error"], q["state"]), (["invalid_scope"], ["st4te"]))
        params, _v = self._authorize(code_challenge_method="plain")
        r = self.http.get(self.srv.url + "/identity/connect/authorize", params=params, allow_redirects=False)
        self.assertIn("error=invalid_request", r.headers["Location"])
        params, _v = self._authorize(response_type="token")
        r = self.http.get(self.srv.url + "/identity/connect/authorize", params=params, allow_redirects=False)
        self.assertIn("error=unsupported_response_type", r.headers["Location"])
        params, _v = self._authorize(client_id="unknown")
        r = self.http.get(self.srv.url + "/identity/connect/authorize", params=params, allow_redirects=False)
        self.assertEqual(r.status_code, 400)
        params, _v = self._authorize()
        r = self.http.post(self.srv.url + "/identity/connect/authorize", data=dict(params, action="cancel"),
                           allow_redirects=False)
        q = parse_qs(urlsplit(r.headers["Location"]).query)
        self.assertEqual(q["error"], ["access_denied"])
        # expired code
        self.srv.store.auto_approve = True
        r = self.http.get(self.srv.url + "/identity/connect/authorize", params=params, allow_redirects=False)
        code = parse_qs(urlsplit(r.headers["Location"]).query)["code"][0]
        self.srv.store.clock_offset = 301
        r = self.http.post(self.srv.url + "/connect/token", auth=("demo", "demo"), data=dict(
            grant_type="authorization_code", code=code, redirect_uri="http://localhost/cb", code_verifier=_v))
        self.assertEqual(r.json()["error"], "invalid_grant")

    def test_api_auth_errors(self):
        self.srv.expire_access_tokens()
        r = self.get("/Organisation")
        self.assertEqual(r.status_code, 401)
        self.assertTrue(r.json()["Detail"].startswith("TokenExpired: token expired at"))
        self.assertEqual(r.json()["Title"], "Unauthorized")
        self.assertIn("invalid_token", r.headers["WWW-Authenticate"])
        tok = self.srv.grant("demo")
        other = self.srv.add_tenant("Other Org (AU)", "AU", "AUD")
        r = self.get("/Organisation", headers=self.h(token=tok["access_token"], tenant=other))
        self.assertEqual((r.status_code, r.json()["Detail"]), (403, "AuthenticationUnsuccessful"))
        r = self.get("/Organisation", headers={"Authorization": "Bearer " + tok["access_token"]})
        self.assertEqual(r.status_code, 403)
        r = self.get("/Organisation", headers=self.h(token="garbage"))
        self.assertEqual((r.status_code, r.json()["Detail"]), (401, "AuthenticationUnsuccessful"))
        narrow = self.srv.grant("demo", scopes="offline_access accounting.settings.read")
        r = self.get("/Invoices", headers=self.h(token=narrow["access_token"]))
        self.assertEqual((r.status_code, r.json()["Detail"]), (401, "AuthorizationUnsuccessful"))
        self.assertEqual(self.get("/Accounts", headers=self.h(token=narrow["access_token"])).status_code, 200)
        r = self.put("/Contacts", {"Contacts": [{"Name": "x"}]}, headers=self.h(token=narrow["access_token"]))
        self.assertEqual(r.status_code, 401)
        legacy = self.srv.grant("demo", scopes="accounting.transactions accounting.contacts")
        self.assertEqual(self.get("/Invoices", headers=self.h(token=legacy["access_token"])).status_code, 200)
        conn = self.srv.grant("demo")
        r = self.http.delete(self.srv.url + "/connections/" + conn["connection_id"],
                             headers={"Authorization": "Bearer " + conn["access_token"]})
        self.assertEqual(r.status_code, 204)
        self.assertEqual(self.get("/Organisation", headers=self.h(token=conn["access_token"])).status_code, 403)


@tagged("post_install", "-at_install")
class TestSandboxLimitsFaults(SandboxCase):
    def test_rate_limit_headers_and_429(self):
        r = self.get("/Organisation")
        self.assertEqual(r.headers["X-MinLimit-Remaining"], "59")
        self.assertEqual(r.headers["X-DayLimit-Remaining"], "4999")
        self.assertEqual(r.headers["X-AppMinLimit-Remaining"], "9999")
        self.srv.store.limits["minute"] = 3
        codes = [self.get("/Organisation").status_code for _i in range(3)]
        self.assertEqual(codes, [200, 200, 429])
        r = self.get("/Organisation")
        self.assertEqual(r.headers["X-Rate-Limit-Problem"], "minute")
        self.assertGreaterEqual(int(r.headers["Retry-After"]), 1)
        self.srv.store.limits.update(minute=60, day=5)
        r = [self.get("/Organisation") for _i in range(3)][-1]
        self.assertEqual((r.status_code, r.headers["X-Rate-Limit-Problem"]), (429, "day"))

    def test_concurrent_limit(self):
        self.srv.store.limits["concurrent"] = 1
        self.srv.faults.slow(seconds=1.0, path="*/Organisation")
        results = []
        t = threading.Thread(target=lambda: results.append(requests.get(
            self.srv.url + API + "/Organisation", headers=self.h(), timeout=10).status_code))
        t.start()
        import time
        time.sleep(0.3)
        r = self.get("/Accounts")
        t.join()
        self.assertEqual((r.status_code, r.headers["X-Rate-Limit-Problem"]), (429, "concurrent"))
        self.assertEqual(results, [200])

    def test_latency(self):
        import time
        base = self.srv.url + "/_sandbox/latency"
        self.assertEqual(requests.post(base, json={"seconds": 0.5}, timeout=10).json(), {"seconds": 0.5})
        self.assertEqual(requests.post(base, json={"seconds": -1}, timeout=10).status_code, 400)
        results = []

        def get():
            r = requests.get(self.srv.url + API + "/Organisation", headers=self.h(), timeout=10)
            results.append((r.status_code, r.headers.get("X-Rate-Limit-Problem")))
        # Six at once: five overlap in about one latency (slept outside the
        # lock, in flight), the sixth is over Xero's 5 concurrent calls.
        threads = [threading.Thread(target=get) for _i in range(6)]
        started = time.monotonic()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.monotonic() - started
        self.assertGreaterEqual(elapsed, 0.5)
        self.assertLess(elapsed, 1.5)
        self.assertEqual(sorted(results, key=str), [(200, None)] * 5 + [(429, "concurrent")])
        # Identity and control endpoints answer at once.
        started = time.monotonic()
        requests.get(self.srv.url + "/connections", headers=self.h(), timeout=10)
        self.assertLess(time.monotonic() - started, 0.4)
        self.srv.reset()
        self.assertEqual(self.srv.latency, 0.0)

    def test_faults(self):
        f = self.srv.faults
        f.status(503, path=API + "/Organisation")
        r = self.get("/Organisation")
        self.assertEqual(r.status_code, 503)
        self.assertEqual(r.json()["Status"], 503)
        self.assertEqual(self.get("/Organisation").status_code, 200)   # fired once
        f.html(502, path="*/Accounts")
        r = self.get("/Accounts")
        self.assertEqual(r.status_code, 502)
        self.assertIn("text/html", r.headers["Content-Type"])
        f.drop(path="*/Currencies")
        with self.assertRaises(requests.ConnectionError):
            self.get("/Currencies")
        f.rate_limit(retry_after=9, problem="appminute")
        r = self.get("/TaxRates")
        self.assertEqual((r.status_code, r.headers["Retry-After"], r.headers["X-Rate-Limit-Problem"]),
                         (429, "9", "appminute"))
        f.expire_token()
        r = self.get("/TaxRates")
        self.assertEqual(r.status_code, 401)
        self.assertIn("TokenExpired", r.json()["Detail"])
        self.assertEqual(self.get("/TaxRates").status_code, 200)
        # crash after accept: the write is stored though the client sees a 500 / a drop
        f.fail_after_commit(path="*/Contacts", method="PUT")
        r = self.put("/Contacts", {"Contacts": [{"Name": "Ghost"}]})
        self.assertEqual(r.status_code, 500)
        f.fail_after_commit(path="*/Contacts", method="PUT", then="drop")
        with self.assertRaises(requests.ConnectionError):
            self.put("/Contacts", {"Contacts": [{"Name": "Ghost 2"}]})
        names = [c["Name"] for c in self.srv.store.documents(self.tenant, "Contacts")]
        self.assertEqual(names, ["Ghost", "Ghost 2"])
        # token endpoint faults too
        f.status(500, path="/connect/token")
        r = self.http.post(self.srv.url + "/connect/token", data={"grant_type": "refresh_token",
                                                                 "refresh_token": self.tok["refresh_token"]},
                           auth=("demo", "demo"))
        self.assertEqual(r.status_code, 500)
        stats = self.srv.store.stats()
        self.assertEqual(stats["by_endpoint"]["PUT /api.xro/2.0/Contacts"], 2)
        self.assertEqual(stats["by_status"]["dropped"], 2)

    def test_probabilistic_faults_are_seeded(self):
        def run():
            self.srv.reset()
            tok = self.srv.grant("demo")
            self.srv.faults.seed(42)
            self.srv.faults.add("status", path="*/Organisation", status=500, times=None, probability=0.5)
            return [self.get("/Organisation", headers=self.h(token=tok["access_token"],
                                                             tenant=tok["tenant_id"])).status_code
                    for _i in range(12)]
        first, second = run(), run()
        self.assertEqual(first, second)
        self.assertIn(500, first)
        self.assertIn(200, first)

    def test_control_api(self):
        base = self.srv.url + "/_sandbox"
        self.assertEqual(requests.post(base + "/faults", json={"kind": "status", "path": "*/Accounts",
                                                               "status": 503}, timeout=10).status_code, 200)
        self.assertEqual(len(requests.get(base + "/faults", timeout=10).json()), 1)
        self.assertEqual(self.get("/Accounts").status_code, 503)
        stats = requests.get(base + "/stats", timeout=10).json()
        self.assertEqual(stats["by_endpoint"]["GET /api.xro/2.0/Accounts"], 1)
        grant = requests.post(base + "/grant", json={"client_id": "demo"}, timeout=10).json()
        self.contact("Control Co")
        docs = requests.get(base + "/tenants/%s/Contacts" % grant["tenant_id"], timeout=10).json()
        self.assertEqual([d["Name"] for d in docs], ["Control Co"])
        requests.post(base + "/tenants/%s/lock_dates" % grant["tenant_id"], json={"period": "2026-01-31"}, timeout=10)
        org = self.get("/Organisation", headers=self.h(token=grant["access_token"])).json()["Organisations"][0]
        self.assertEqual(org["PeriodLockDate"], "/Date(1769817600000+0000)/")
        self.assertEqual(requests.post(base + "/reset", timeout=10).status_code, 200)
        self.assertEqual(len(requests.get(base + "/tenants", timeout=10).json()), 1)
        self.assertEqual(requests.get(base + "/faults", timeout=10).json(), [])


@tagged("post_install", "-at_install")
class TestSandboxReference(SandboxCase):
    def test_reference_data(self):
        org = self.get("/Organisation").json()
        self.assertEqual(org["Status"], "OK")
        self.assertRegex(org["DateTimeUTC"], r"^/Date\(\d+\)/$")
        o = org["Organisations"][0]
        self.assertEqual((o["BaseCurrency"], o["CountryCode"], o["OrganisationID"]), ("NZD", "NZ", self.tenant))
        accounts = {a["Code"]: a for a in self.get("/Accounts").json()["Accounts"]}
        self.assertEqual((accounts["090"]["Type"], accounts["090"]["Class"]), ("BANK", "ASSET"))
        self.assertTrue(accounts["090"]["BankAccountNumber"])
        self.assertEqual(accounts["610"]["SystemAccount"], "DEBTORS")
        self.assertEqual(accounts["820"]["SystemAccount"], "GST")
        self.assertEqual(accounts["200"]["TaxType"], "OUTPUT2")
        self.assertTrue(any(a["Status"] == "ARCHIVED" for a in accounts.values()))
        self.assertTrue(any(a["EnablePaymentsToAccount"] for a in accounts.values()))
        self.assertRegex(accounts["200"]["UpdatedDateUTC"], r"^/Date\(\d+\+0000\)/$")
        banks = self.get("/Accounts", params={"where": 'Type=="BANK" AND Status=="ACTIVE"', "order": "Code DESC"})
        self.assertEqual([a["Code"] for a in banks.json()["Accounts"]], ["091", "090"])
        one = self.get("/Accounts/" + accounts["400"]["AccountID"]).json()["Accounts"]
        self.assertEqual(one[0]["Name"], "Advertising")
        rates = {t["TaxType"]: t for t in self.get("/TaxRates").json()["TaxRates"]}
        self.assertEqual(rates["OUTPUT2"]["EffectiveRate"], 15.0)
        self.assertFalse(rates["OUTPUT2"]["CanApplyToExpenses"])
        self.assertEqual(rates["INPUT2"]["TaxComponents"][0]["Rate"], 15.0)
        self.assertEqual([c["Code"] for c in self.get("/Currencies").json()["Currencies"]], ["NZD", "USD", "AUD"])
        future = self.get("/Accounts", headers=self.h(**{"If-Modified-Since": "2099-01-01T00:00:00"}))
        self.assertEqual(future.json()["Accounts"], [])
        bad = self.get("/Accounts", params={"where": 'Type=="BANK" AND ('})
        self.assertEqual(bad.status_code, 400)

    def test_xero_python_client(self):
        from xero_python.accounting import AccountingApi
        from xero_python.api_client import ApiClient, Configuration
        from xero_python.api_client.oauth2 import OAuth2Token
        from xero_python.identity import IdentityApi

        token = {k: v for k, v in self.tok.items() if k not in ("tenant_id", "connection_id")}
        client = ApiClient(Configuration(oauth2_token=OAuth2Token(client_id="demo", client_secret="demo")),
                           pool_threads=1, oauth2_token_getter=lambda: token, oauth2_token_saver=lambda t: None)
        client.set_oauth2_token(token)
        api = AccountingApi(client, base_url=self.srv.url + API)
        self.assertEqual(api.get_organisations(self.tenant).organisations[0].name, "Demo Company (NZ)")
        accounts = api.get_accounts(self.tenant, where='Code=="200"').accounts
        self.assertEqual(accounts[0].name, "Sales")
        self.assertIsInstance(accounts[0].updated_date_utc, datetime.datetime)
        self.assertEqual(len(api.get_tax_rates(self.tenant).tax_rates), 7)
        self.assertEqual(len(api.get_currencies(self.tenant).currencies), 3)
        conns = IdentityApi(client, base_url=self.srv.url).get_connections()
        self.assertEqual(conns[0].tenant_id, self.tenant)
        self._documents_via_client(api)

    def _documents_via_client(self, api):
        from xero_python.accounting import (Account, Allocation, Allocations, Contact, Contacts,
                                            CreditNote, CreditNotes, Invoice, Invoices, LineItem, Payment,
                                            PaymentDelete)
        from xero_python.exceptions import ApiException

        t = self.tenant
        cid = api.create_contacts(t, Contacts(contacts=[Contact(name="Py Co")])).contacts[0].contact_id
        inv = Invoice(type="ACCREC", contact=Contact(contact_id=cid), date=datetime.date(2026, 11, 27),
                      due_date=datetime.date(2026, 12, 27), status="AUTHORISED",
                      line_items=[LineItem(description="A", quantity=3, unit_amount=19.99, account_code="200")])
        i = api.create_invoices(t, Invoices(invoices=[inv]), unitdp=4).invoices[0]
        self.assertEqual((i.sub_total, i.total_tax, i.total), (Decimal("59.97"), Decimal("9.0"), Decimal("68.97")))
        self.assertEqual(i.date, datetime.date(2026, 11, 27))
        p = api.create_payment(t, Payment(invoice=Invoice(invoice_id=i.invoice_id), account=Account(code="090"),
                                          amount=20, date=datetime.date(2026, 11, 28))).payments[0]
        got = api.get_invoice(t, i.invoice_id).invoices[0]
        self.assertEqual((got.amount_due, got.amount_paid), (Decimal("48.97"), Decimal("20.0")))
        with self.assertRaises(ApiException) as cm:
            api.create_payment(t, Payment(invoice=Invoice(invoice_id=i.invoice_id), account=Account(code="090"),
                                          amount=1000, date=datetime.date(2026, 11, 28)))
        self.assertEqual(cm.exception.status, 400)
        cn = api.create_credit_notes(t, CreditNotes(credit_notes=[CreditNote(
            type="ACCRECCREDIT", contact=Contact(contact_id=cid), date=datetime.date(2026, 11, 27), status="AUTHORISED",
            line_items=[LineItem(description="R", quantity=1, unit_amount=10, account_code="200")])])).credit_notes[0]
        api.create_credit_note_allocation(t, cn.credit_note_id, Allocations(allocations=[Allocation(
            amount=11.5, invoice=Invoice(invoice_id=i.invoice_id), date=datetime.date(2026, 11, 28))]))
        api.delete_payment(t, p.payment_id, PaymentDelete(status="DELETED"))
        got = api.get_invoice(t, i.invoice_id).invoices[0]
        self.assertEqual((got.amount_due, got.amount_paid, got.amount_credited),
                         (Decimal("57.47"), Decimal("0.0"), Decimal("11.5")))
        res = api.create_invoices(t, Invoices(invoices=[inv, Invoice(
            type="ACCREC", contact=Contact(contact_id=cid), status="AUTHORISED",
            line_items=[LineItem(description="bad", quantity=1, unit_amount=1, account_code="999")])]),
            summarize_errors=False).invoices
        self.assertEqual([x.status_attribute_string for x in res], ["OK", "ERROR"])
        self.assertEqual(res[1].validation_errors[0].message, "Account code '999' is not a valid code for this document.")


@tagged("post_install", "-at_install")
class TestSandboxChartControl(SandboxCase):
    def test_the_firm_adds_accounts_to_its_chart(self):
        """tools/run's trust accounts: added through the control API, then
        read through Xero's API as Refresh from Xero reads them."""
        url = "%s/_sandbox/tenants/%s/accounts" % (self.srv.url, self.tenant)
        response = self.http.post(url, json={"accounts": [
            {"code": "095", "name": "Trust Account", "type": "BANK"},
            {"code": "2800", "name": "Trust Liability", "type": "CURRLIAB", "payments": True}]})
        self.assertEqual(response.status_code, 200, response.text)
        accounts = {a["Code"]: a for a in self.get("/Accounts").json()["Accounts"]}
        self.assertEqual((accounts["2800"]["Class"], accounts["2800"]["EnablePaymentsToAccount"]),
                         ("LIABILITY", True))
        self.assertEqual((accounts["095"]["Type"], accounts["095"]["CurrencyCode"]), ("BANK", "NZD"))
        # Codes and names are unique in a chart.
        again = self.http.post(url, json={"accounts": [
            {"code": "2800", "name": "Other", "type": "CURRLIAB"}]})
        self.assertEqual(again.status_code, 400)
        self.assertIn("unique", again.json()["error"])


class TestSandboxDocuments(SandboxCase):
    def test_contacts(self):
        c = self.contact("Acme Ltd", ContactNumber="C-1", EmailAddress="a@acme.test")
        self.assertEqual(c["ContactStatus"], "ACTIVE")
        r = self.put("/Contacts", {"Contacts": [{"Name": "acme ltd"}]})
        self.assertEqual(r.status_code, 400)
        body = r.json()
        self.assertEqual((body["ErrorNumber"], body["Type"], body["Message"]),
                         (10, "ValidationException", "A validation exception occurred"))
        self.assertIn("is already assigned to another contact", body["Elements"][0]["ValidationErrors"][0]["Message"])
        r = self.put("/Contacts", {"Contacts": [{"Name": "Other", "ContactNumber": "C-1"}]})
        self.assertIn("contact number C-1 is already assigned", r.text)
        # archive, then the name is free again; archived contacts are hidden by default
        r = self.post("/Contacts/" + c["ContactID"], {"Contacts": [{"ContactStatus": "ARCHIVED"}]})
        self.assertEqual(r.json()["Contacts"][0]["ContactStatus"], "ARCHIVED")
        self.contact("Acme Ltd")
        self.assertEqual(len(self.get("/Contacts").json()["Contacts"]), 1)
        self.assertEqual(len(self.get("/Contacts", params={"includeArchived": "true"}).json()["Contacts"]), 2)
        r = self.invoice(c["ContactID"])
        self.assertEqual(r.status_code, 400)
        self.assertIn("archived", r.text)
        found = self.get("/Contacts", params={"where": 'Name.StartsWith("Acme")'}).json()["Contacts"]
        self.assertEqual(len(found), 1)

    def test_invoice_rules_and_totals(self):
        cid = self.contact()["ContactID"]
        lines = [{"Description": "a", "Quantity": 3, "UnitAmount": 19.99, "AccountCode": "200", "TaxType": "OUTPUT2"},
                 {"Description": "b", "Quantity": 1, "UnitAmount": 0.333, "AccountCode": "200", "TaxType": "OUTPUT2"}]
        r = self.invoice(cid, lines=lines, LineAmountTypes="Inclusive", Reference="R1")
        inv = r.json()["Invoices"][0]
        self.assertEqual(inv["LineItems"][0]["LineAmount"], 59.97)
        self.assertEqual(inv["LineItems"][0]["TaxAmount"], 7.82)   # 59.97 * 15/115 rounded per line
        self.assertEqual(inv["LineItems"][1]["UnitAmount"], 0.33)  # 2 dp without unitdp=4
        self.assertEqual((inv["Total"], inv["TotalTax"], inv["SubTotal"]), (60.3, 7.86, 52.44))
        self.assertEqual((inv["InvoiceNumber"], inv["AmountDue"], inv["Status"]), ("INV-0001", 60.3, "AUTHORISED"))
        self.assertEqual(inv["DateString"], "2026-11-27T00:00:00")
        self.assertEqual(inv["Date"], "/Date(1795737600000+0000)/")
        r = self.put("/Invoices?unitdp=4", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": cid},
                                                           "LineItems": [dict(lines[1])], "Status": "DRAFT"}]})
        self.assertEqual(r.json()["Invoices"][0]["LineItems"][0]["UnitAmount"], 0.333)
        errors = {
            "999": "Account code '999' is not a valid code for this document.",
            "090": "Account code '090' is not a valid code for this document.",
            "424": "The account code '424' has been archived",
        }
        for code, msg in errors.items():
            r = self.invoice(cid, lines=[{"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": code}])
            self.assertEqual(r.status_code, 400)
            self.assertIn(msg, r.json()["Elements"][0]["ValidationErrors"][0]["Message"])
        r = self.invoice(cid, lines=[{"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "400",
                                      "TaxType": "OUTPUT2"}])
        self.assertIn("TaxType code 'OUTPUT2'", r.text)
        self.assertIn("The TaxType code 'OUTPUT2' cannot be used with account code '400'.", r.text)
        r = self.invoice(cid, lines=[{"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "200",
                                      "TaxType": "OUTPUT"}])
        self.assertIn("TaxType code 'OUTPUT'", r.text)   # archived 12.5 % rate
        r = self.invoice(cid, InvoiceNumber="INV-0001")
        self.assertIn("Invoice # must be unique.", r.text)
        r = self.invoice(cid, CurrencyCode="EUR")
        self.assertIn("not subscribed to currency EUR", r.text)
        r = self.invoice(cid, CurrencyCode="USD", CurrencyRate=0.61)
        self.assertEqual(r.json()["Invoices"][0]["CurrencyRate"], 0.61)
        self.assertEqual(self.srv.store.count_invoices(self.tenant, "INV-0001"), 1)
        self.srv.store.set_lock_dates(self.tenant, period="2026-11-27")
        r = self.invoice(cid)
        self.assertEqual(r.json()["Elements"][0]["ValidationErrors"][0]["Message"],
                         "The document date cannot be before the period lock date, currently set at 27-Nov-2026")
        self.assertEqual(self.invoice(cid, status="DRAFT").status_code, 200)   # drafts don't post

    def test_status_transitions(self):
        cid = self.contact()["ContactID"]
        draft = self.invoice(cid, status="DRAFT").json()["Invoices"][0]
        r = self.post("/Invoices/" + draft["InvoiceID"], {"Invoices": [{"Status": "DELETED"}]})
        self.assertEqual(r.json()["Invoices"][0]["Status"], "DELETED")
        auth = self.invoice(cid).json()["Invoices"][0]
        r = self.post("/Invoices/" + auth["InvoiceID"], {"Invoices": [{"Status": "DELETED"}]})
        self.assertEqual(r.status_code, 400)
        self.put("/Payments", {"Payments": [{"Invoice": {"InvoiceNumber": auth["InvoiceNumber"]},
                                             "Account": {"Code": "090"}, "Amount": 10, "Date": "2026-11-28"}]})
        r = self.post("/Invoices/" + auth["InvoiceID"], {"Invoices": [{"Status": "VOIDED"}]})
        self.assertEqual(r.status_code, 400)
        other = self.invoice(cid).json()["Invoices"][0]
        r = self.post("/Invoices", {"Invoices": [{"InvoiceID": other["InvoiceID"], "Status": "VOIDED"}]})
        self.assertEqual((r.json()["Invoices"][0]["Status"], r.json()["Invoices"][0]["AmountDue"]), ("VOIDED", 0.0))
        sub = self.invoice(cid, status="SUBMITTED").json()["Invoices"][0]
        r = self.post("/Invoices/" + sub["InvoiceID"], {"Invoices": [{"Status": "AUTHORISED"}]})
        self.assertEqual(r.json()["Invoices"][0]["Status"], "AUTHORISED")

    def test_payments(self):
        cid = self.contact()["ContactID"]
        inv = self.invoice(cid).json()["Invoices"][0]   # 115.00
        draft = self.invoice(cid, status="DRAFT").json()["Invoices"][0]
        r = self.put("/Payments", {"Payments": [
            {"Invoice": {"InvoiceID": draft["InvoiceID"]}, "Account": {"Code": "090"}, "Amount": 1, "Date": "2026-11-28"}]})
        self.assertIn("Authorised", r.text)
        r = self.put("/Payments", {"Payments": [
            {"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"Code": "200"}, "Amount": 1, "Date": "2026-11-28"}]})
        self.assertEqual(r.status_code, 400)
        drawings = next(a for a in self.srv.store.tenant(self.tenant).accounts if a["EnablePaymentsToAccount"])
        r = self.put("/Payments", {"Payments": [
            {"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"AccountID": drawings["AccountID"]},
             "Amount": 15, "Date": "/Date(1795824000000+0000)/"},
            {"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"Code": "090"}, "Amount": 100,
             "Date": "2026-11-28"}]})
        self.assertEqual(r.status_code, 200, r.text)
        pays = r.json()["Payments"]
        got = self.get("/Invoices/" + inv["InvoiceID"]).json()["Invoices"][0]
        self.assertEqual((got["Status"], got["AmountDue"], got["AmountPaid"]), ("PAID", 0.0, 115.0))
        self.assertEqual(len(got["Payments"]), 2)
        r = self.put("/Payments", {"Payments": [
            {"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"Code": "090"}, "Amount": 1}]})
        self.assertEqual(r.status_code, 400)
        r = self.post("/Payments/" + pays[1]["PaymentID"], {"Status": "DELETED"})
        self.assertEqual(r.json()["Payments"][0]["Status"], "DELETED")
        got = self.get("/Invoices/" + inv["InvoiceID"]).json()["Invoices"][0]
        self.assertEqual((got["Status"], got["AmountDue"], got["AmountPaid"]), ("AUTHORISED", 100.0, 15.0))
        r = self.put("/Payments", {"Payments": [
            {"Invoice": {"InvoiceID": inv["InvoiceID"]}, "Account": {"Code": "090"}, "Amount": 100.01,
             "Date": "2026-11-28"}]})
        self.assertEqual(r.json()["Elements"][0]["ValidationErrors"][0]["Message"],
                         "Payment amount exceeds the amount outstanding on this document")

    def test_credit_note_allocations(self):
        cid = self.contact()["ContactID"]
        other = self.contact("Other")["ContactID"]
        inv = self.invoice(cid).json()["Invoices"][0]
        cn = self.put("/CreditNotes", {"CreditNotes": [{
            "Type": "ACCRECCREDIT", "Contact": {"ContactID": cid}, "Date": "2026-11-27", "Status": "AUTHORISED",
            "LineItems": [{"Description": "r", "Quantity": 1, "UnitAmount": 200, "AccountCode": "200"}]}]}).json()
        cn = cn["CreditNotes"][0]
        self.assertEqual((cn["CreditNoteNumber"], cn["RemainingCredit"]), ("CN-0001", 230.0))
        r = self.put("/CreditNotes/%s/Allocations" % cn["CreditNoteID"],
                     {"Allocations": [{"Amount": 116, "Invoice": {"InvoiceID": inv["InvoiceID"]}, "Date": "2026-11-28"}]})
        self.assertEqual(r.status_code, 400)
        inv2 = self.invoice(other).json()["Invoices"][0]
        r = self.put("/CreditNotes/%s/Allocations" % cn["CreditNoteID"],
                     {"Allocations": [{"Amount": 10, "Invoice": {"InvoiceID": inv2["InvoiceID"]}, "Date": "2026-11-28"}]})
        self.assertIn("same contact", r.text)
        r = self.put("/CreditNotes/%s/Allocations" % cn["CreditNoteID"],
                     {"Allocations": [{"Amount": 115, "Invoice": {"InvoiceID": inv["InvoiceID"]}, "Date": "2026-11-28"}]})
        self.assertEqual(r.status_code, 200, r.text)
        got = self.get("/Invoices/" + inv["InvoiceID"]).json()["Invoices"][0]
        self.assertEqual((got["Status"], got["AmountCredited"], got["AmountDue"]), ("PAID", 115.0, 0.0))
        got = self.get("/CreditNotes/" + cn["CreditNoteID"]).json()["CreditNotes"][0]
        self.assertEqual(got["RemainingCredit"], 115.0)

    def test_summarize_errors_and_idempotency(self):
        cid = self.contact()["ContactID"]
        good = {"Type": "ACCREC", "Contact": {"ContactID": cid}, "Status": "AUTHORISED", "Date": "2026-11-27",
                "LineItems": [{"Description": "a", "Quantity": 1, "UnitAmount": 10, "AccountCode": "200"}]}
        bad = dict(good, LineItems=[{"Description": "a", "Quantity": 1, "UnitAmount": 10, "AccountCode": "1"}])
        r = self.put("/Invoices", {"Invoices": [good, bad]})
        self.assertEqual(r.status_code, 400)
        self.assertEqual(self.srv.store.documents(self.tenant, "Invoices"), [])
        r = self.put("/Invoices?summarizeErrors=false", {"Invoices": [good, bad]})
        self.assertEqual(r.status_code, 200)
        self.assertEqual([(e["StatusAttributeString"], e["HasErrors"]) for e in r.json()["Invoices"]],
                         [("OK", False), ("ERROR", True)])
        self.assertEqual(len(self.srv.store.documents(self.tenant, "Invoices")), 1)
        key = {"Idempotency-Key": "push-42"}
        body = {"Invoices": [dict(good, InvoiceNumber="ODOO-1")]}
        first = self.put("/Invoices", body, headers=self.h(**key))
        second = self.put("/Invoices", body, headers=self.h(**key))
        self.assertEqual(first.json(), second.json())
        self.assertEqual(self.srv.store.count_invoices(self.tenant, "ODOO-1"), 1)
        other = self.put("/Invoices", {"Invoices": [dict(good, InvoiceNumber="ODOO-2")]}, headers=self.h(**key))
        self.assertEqual(other.status_code, 400)
        # crash after accept + retry with the same key: one invoice, the original answer
        self.srv.faults.fail_after_commit(path="*/Invoices", then="drop")
        body = {"Invoices": [dict(good, InvoiceNumber="ODOO-3")]}
        with self.assertRaises(requests.ConnectionError):
            self.put("/Invoices", body, headers=self.h(**{"Idempotency-Key": "k3"}))
        r = self.put("/Invoices", body, headers=self.h(**{"Idempotency-Key": "k3"}))
        self.assertEqual(r.status_code, 200)
        self.assertEqual(self.srv.store.count_invoices(self.tenant, "ODOO-3"), 1)
        log = [e for e in self.srv.store.requests if e["idempotency_key"] == "k3"]
        self.assertEqual([e["status"] for e in log], ["dropped", 200])

    def test_paging_and_filters(self):
        cid = self.contact()["ContactID"]
        line = [{"Description": "a", "Quantity": 1, "UnitAmount": 1, "AccountCode": "200"}]
        for batch in range(5):
            r = self.put("/Invoices", {"Invoices": [
                {"Type": "ACCREC", "Contact": {"ContactID": cid}, "LineItems": line, "Date": "2026-11-27"}
                for _i in range(50)]})
            self.assertEqual(r.status_code, 200)
        too_many = self.put("/Invoices", {"Invoices": [{"Type": "ACCREC", "Contact": {"ContactID": cid}}] * 51})
        self.assertEqual(too_many.status_code, 400)
        p1 = self.get("/Invoices", params={"page": 1}).json()
        p3 = self.get("/Invoices", params={"page": 3}).json()
        self.assertEqual((len(p1["Invoices"]), len(p3["Invoices"])), (100, 50))
        self.assertIn("LineItems", p1["Invoices"][0])
        self.assertEqual(p1["pagination"]["itemCount"], 250)
        unpaged = self.get("/Invoices").json()["Invoices"]
        self.assertEqual(len(unpaged), 250)
        self.assertNotIn("LineItems", unpaged[0])
        nums = self.get("/Invoices", params={"InvoiceNumbers": "INV-0007,INV-0009"}).json()["Invoices"]
        self.assertEqual(sorted(i["InvoiceNumber"] for i in nums), ["INV-0007", "INV-0009"])
        where = self.get("/Invoices", params={"where": 'InvoiceNumber=="INV-0100"'}).json()["Invoices"]
        self.assertEqual(len(where), 1)
        one = self.get("/Invoices/INV-0100").json()["Invoices"][0]
        self.assertEqual(one["InvoiceID"], where[0]["InvoiceID"])
        self.assertEqual(self.get("/Invoices/" + "0" * 8 + "-0000-0000-0000-" + "0" * 12).status_code, 404)

    def test_bank_transactions_transfers_journals(self):
        cid = self.contact()["ContactID"]
        r = self.put("/BankTransactions", {"BankTransactions": [{
            "Type": "SPEND", "Contact": {"ContactID": cid}, "BankAccount": {"Code": "090"}, "Date": "2026-11-27",
            "LineAmountTypes": "Inclusive",
            "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 115, "AccountCode": "400"}]}]})
        bt = r.json()["BankTransactions"][0]
        self.assertEqual((bt["Total"], bt["TotalTax"], bt["SubTotal"]), (115.0, 15.0, 100.0))
        r = self.put("/BankTransactions", {"BankTransactions": [{
            "Type": "RECEIVE", "Contact": {"ContactID": cid}, "BankAccount": {"Code": "200"},
            "LineItems": [{"Description": "x", "Quantity": 1, "UnitAmount": 1, "AccountCode": "091"}]}]})
        self.assertEqual(len(r.json()["Elements"][0]["ValidationErrors"]), 2)
        r = self.put("/BankTransfers", {"BankTransfers": [{"FromBankAccount": {"Code": "090"},
                                                           "ToBankAccount": {"Code": "090"}, "Amount": 5}]})
        self.assertEqual(r.status_code, 400)
        r = self.put("/BankTransfers", {"BankTransfers": [{"FromBankAccount": {"Code": "090"},
                                                           "ToBankAccount": {"Code": "091"}, "Amount": 5,
                                                           "Date": "2026-11-27"}]})
        tr = r.json()["BankTransfers"][0]
        linked = {b["BankTransactionID"]: b for b in self.srv.store.documents(self.tenant, "BankTransactions")}
        self.assertEqual(linked[tr["FromBankTransactionID"]]["Type"], "SPEND-TRANSFER")
        self.assertEqual(linked[tr["ToBankTransactionID"]]["Type"], "RECEIVE-TRANSFER")
        mj = {"Narration": "Accrual", "Date": "2026-11-27", "Status": "POSTED",
              "JournalLines": [{"LineAmount": 100, "AccountCode": "400"}, {"LineAmount": -90, "AccountCode": "800"}]}
        r = self.put("/ManualJournals", {"ManualJournals": [mj]})
        self.assertIn("must equal total credits", r.text)
        r = self.put("/ManualJournals", {"ManualJournals": [dict(mj, JournalLines=mj["JournalLines"][:1])]})
        self.assertIn("at least two", r.text)
        mj["JournalLines"][1]["LineAmount"] = -100
        # Accounts payable is a system account: no manual journal line on it
        # (help.xero.com/nz/Q_Accruals_ARAP).
        r = self.put("/ManualJournals", {"ManualJournals": [mj]})
        self.assertIn("is a system account", r.text)
        mj["JournalLines"][1]["AccountCode"] = "825"
        r = self.put("/ManualJournals", {"ManualJournals": [mj]})
        self.assertEqual(r.json()["ManualJournals"][0]["Status"], "POSTED")
        # A transfer is deleted (deleteBankTransfer), its two bank lines with it.
        r = self.post("/BankTransfers/%s" % tr["BankTransferID"], {"Status": "DELETED"})
        self.assertEqual(r.json()["BankTransfers"][0]["Status"], "DELETED")
        linked = {b["BankTransactionID"]: b for b in self.srv.store.documents(self.tenant, "BankTransactions")}
        self.assertEqual(linked[tr["FromBankTransactionID"]]["Status"], "DELETED")
        self.assertEqual(linked[tr["ToBankTransactionID"]]["Status"], "DELETED")
        r = self.post("/BankTransfers/%s" % tr["BankTransferID"], {"Amount": 7})
        self.assertEqual(r.status_code, 400)


@tagged("post_install", "-at_install")
class TestSandboxOpenAPI(SandboxCase):
    """Answers checked against the schemas of Xero's OpenAPI spec."""

    def _spec(self):
        base = os.environ.get("XERO_OPENAPI_DIR") or os.path.join(
            os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "..", "shared", "xero-openapi")
        path = os.path.join(base, "xero_accounting.yaml")
        if not os.path.exists(path):
            self.skipTest("Xero OpenAPI spec not found at %s" % path)
        try:
            import yaml
        except ImportError:
            self.skipTest("PyYAML is not installed (needed to read the Xero OpenAPI spec)")
        with open(path) as f:
            return yaml.safe_load(f)

    def _check(self, spec, schema_name, obj, where=""):
        schema = spec["components"]["schemas"][schema_name]
        props = schema.get("properties", {})
        for key, value in obj.items():
            if key not in props:
                # Xero answers carry a few fields the spec lacks (e.g. DateString); note them only.
                continue
            prop = props[key]
            ref = prop.get("$ref") or prop.get("items", {}).get("$ref")
            if ref and isinstance(value, dict) and "enum" not in spec["components"]["schemas"][ref.split("/")[-1]]:
                self._check(spec, ref.split("/")[-1], value, where + key + ".")
            elif ref and isinstance(value, list):
                target = spec["components"]["schemas"][ref.split("/")[-1]]
                for v in value:
                    if isinstance(v, dict) and "enum" not in target:
                        self._check(spec, ref.split("/")[-1], v, where + key + "[].")
                    elif "enum" in target:
                        self.assertIn(v, target["enum"], where + key)
            elif ref:
                target = spec["components"]["schemas"][ref.split("/")[-1]]
                if "enum" in target:
                    self.assertIn(value, target["enum"], where + key)
            elif "enum" in prop:
                self.assertIn(value, prop["enum"], where + key)
            elif prop.get("type") == "string":
                self.assertIsInstance(value, str, where + key)
            elif prop.get("type") in ("number", "integer"):
                self.assertIsInstance(value, (int, float), where + key)
            elif prop.get("type") == "boolean":
                self.assertIsInstance(value, bool, where + key)

    def test_answers_match_schemas(self):
        spec = self._spec()
        cid = self.contact()["ContactID"]
        inv = self.invoice(cid).json()["Invoices"][0]
        self._check(spec, "Invoice", inv)
        self._check(spec, "Organisation", self.get("/Organisation").json()["Organisations"][0])
        for a in self.get("/Accounts").json()["Accounts"]:
            self._check(spec, "Account", a)
        for t in self.get("/TaxRates").json()["TaxRates"]:
            self._check(spec, "TaxRate", t)
        for c in self.get("/TrackingCategories?includeArchived=true").json()["TrackingCategories"]:
            self._check(spec, "TrackingCategory", c)
        pay = self.put("/Payments", {"Payments": [{"Invoice": {"InvoiceID": inv["InvoiceID"]},
                                                   "Account": {"Code": "090"}, "Amount": 5}]}).json()
        self._check(spec, "Payment", pay["Payments"][0])
