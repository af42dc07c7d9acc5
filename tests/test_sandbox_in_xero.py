"""The sandbox's "in Xero": what a bookkeeper does in Xero's own web app,
through the control API, under Xero's rules and told by Xero's webhooks."""

from odoo.tests import tagged

from .common_sandbox import SandboxCase


@tagged("post_install", "-at_install")
class TestSandboxInXero(SandboxCase):

    def in_xero(self, method, path, body=None):
        return self.http.post("%s/_sandbox/tenants/%s/in_xero" % (self.srv.url, self.tenant),
                              json={"method": method, "path": path, "body": body}, timeout=10)

    def test_void_edit_and_pay_in_xero(self):
        contact = self.contact()
        invoice = self.invoice(contact["ContactID"]).json()["Invoices"][0]
        iid = invoice["InvoiceID"]
        self.srv.webhooks.subscribe(self.tenant, "http://127.0.0.1:9/unused", "key")
        r = self.in_xero("POST", "Invoices/" + iid, {"Invoices": [{
            "InvoiceID": iid, "Date": "2026-11-30"}]})
        self.assertEqual(r.status_code, 200, r.text)
        self.assertEqual(self.get("/Invoices/" + iid).json()["Invoices"][0]["DateString"][:10],
                         "2026-11-30")
        r = self.in_xero("PUT", "Payments", {"Payments": [{
            "Invoice": {"InvoiceID": iid}, "Account": {"Code": "090"}, "Amount": 10,
            "Date": "2026-12-01"}]})
        self.assertEqual(r.status_code, 200, r.text)
        # Xero's rules hold: a document with a payment cannot be voided.
        r = self.in_xero("POST", "Invoices/" + iid, {"Invoices": [{
            "InvoiceID": iid, "Status": "VOIDED"}]})
        self.assertEqual(r.status_code, 400, r.text)
        # Told by webhook as any change.
        events = self.srv.webhooks.changes(self.tenant)
        self.assertIn(("INVOICE", iid), [(e["eventCategory"], e["resourceId"]) for e in events])
        # Not the connected app's calls.
        mine = [q for q in self.srv.store.requests
                if q.get("client_id") == "demo" and "/api.xro/" in q["path"]]
        self.assertEqual(len(mine), 3, "the contact, the invoice, the GET: not the web app's")
