"""Xero's webhooks reach Odoo: signed requests are stored once per event,
anything else is refused without a 500 and without storing a thing."""

import json

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account_xero.models.xero_webhook_event import MAX_BODY, xero_signature
from odoo.addons.account_xero.tests.common import XeroSandboxMixin

INVOICE_ID = "55d84274-a3da-4829-a7c0-0cab601b95cc"


def _path(url):
    """The path of a URL the configuration page shows (the test server's
    host is not web.base.url's)."""
    return "/" + url.split("://", 1)[1].split("/", 1)[1]


@tagged("post_install", "-at_install")
class TestXeroWebhook(XeroSandboxMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.conn = cls._xero_connect(cls.env.company, webhook_key="whk-0f3c9d1e7a2b4c6d")
        cls.Event = cls.env["xero.webhook.event"].sudo()

    # -- helpers ------------------------------------------------------------
    def _event(self, resource=INVOICE_ID, when="2026-12-01T10:00:00.123", category="INVOICE",
               event_type="UPDATE", tenant=None):
        return {
            "resourceUrl": "https://api.xero.com/api.xro/2.0/Invoices/" + resource,
            "resourceId": resource, "tenantId": tenant or self.conn.tenant_id,
            "tenantType": "ORGANISATION", "eventCategory": category, "eventType": event_type,
            "eventDateUtc": when,
        }

    def _body(self, *events):
        return json.dumps({"events": list(events), "firstEventSequence": 1,
                           "lastEventSequence": len(events), "entropy": "FXNGWLCCGVANWHKILRUB"}
                          ).encode()

    def _post(self, body, signature=None, key=None, url=None):
        if signature is None:
            signature = xero_signature(key or "whk-0f3c9d1e7a2b4c6d", body)
        headers = {"Content-Type": "application/json"}
        if signature is not False:
            headers["x-xero-signature"] = signature
        return self.url_open(url or _path(self.conn.webhook_url), data=body, headers=headers)

    def _events(self):
        return self.Event.search([("connection_id", "=", self.conn.id)])

    # -- Intent to Receive ----------------------------------------------------
    def test_intent_to_receive_good_signature_answers_200_empty(self):
        response = self._post(self._body())
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.content, b"")
        self.assertNotIn("session_id", response.headers.get("Set-Cookie", ""))

    def test_intent_to_receive_bad_signature_answers_401(self):
        body = self._body(self._event())
        self.assertEqual(self._post(body, key="not-the-key").status_code, 401)
        self.assertEqual(self._post(body, signature="bm90IGEgc2lnbmF0dXJl").status_code, 401)
        self.assertEqual(self._post(body, signature="%%% not base64").status_code, 401)
        self.assertEqual(self._post(body, signature=False).status_code, 401)
        self.assertFalse(self._events(), "a forged request stored an event")

    def test_forged_body_with_a_replayed_signature_is_refused(self):
        signed = self._body(self._event())
        forged = self._body(self._event(resource="11111111-2222-3333-4444-555555555555"))
        self.assertEqual(self._post(forged, signature=xero_signature(
            "whk-0f3c9d1e7a2b4c6d", signed)).status_code, 401)
        self.assertFalse(self._events())

    def test_unknown_token_and_other_database_are_refused(self):
        body = self._body(self._event())
        self.assertEqual(self._post(body, url="/xero/webhook/%s/%s" % (
            self.env.cr.dbname, "x" * 32)).status_code, 401)
        self.assertEqual(self._post(body, url="/xero/webhook/%s/%s" % (
            "another_database", self.conn.webhook_token)).status_code, 404)
        self.assertFalse(self._events())

    # -- events stored once -------------------------------------------------------
    def test_an_event_is_stored_once_and_a_later_update_again(self):
        body = self._body(self._event())
        self.assertEqual(self._post(body).status_code, 200)
        self.assertEqual(self._post(body).status_code, 200, "a redelivery must not fail")
        events = self._events()
        self.assertEqual(len(events), 1, "a redelivered event was stored twice")
        self.assertEqual((events.event_category, events.event_type, events.resource_id,
                          events.state),
                         ("INVOICE", "UPDATE", INVOICE_ID, "received"))
        # The same invoice updated again a millisecond later is a new event.
        self.assertEqual(self._post(self._body(
            self._event(when="2026-12-01T10:00:00.124"))).status_code, 200)
        self.assertEqual(len(self._events()), 2)
        # Storing events wakes the cron that reads them.
        cron = self.env.ref("account_xero.ir_cron_xero_pull")
        self.assertTrue(self.env["ir.cron.trigger"].search([("cron_id", "=", cron.id)]))

    def test_out_of_order_batch_with_duplicates(self):
        later = self._event(when="2026-12-01T10:05:00.000")
        earlier = self._event(when="2026-12-01T10:00:00.000")
        contact = self._event(resource="a3675fc4-f8dd-4f03-ba5b-f1870566bcd7",
                              category="CONTACT", event_type="CREATE")
        self.assertEqual(self._post(self._body(later, earlier, later, contact)).status_code, 200)
        self.assertEqual(sorted(self._events().mapped(lambda e: (e.event_category, e.event_time))),
                         [("CONTACT", "2026-12-01T10:00:00.123"),
                          ("INVOICE", "2026-12-01T10:00:00.000"),
                          ("INVOICE", "2026-12-01T10:05:00.000")])

    def test_other_tenant_and_unread_events_are_left_out(self):
        other = self._event(tenant="aef86862-2015-4b6b-88bc-d89032cecc50")
        subscription = dict(self._event(), eventCategory="SUBSCRIPTION")
        malformed = dict(self._event(), resourceId="not-a-guid")
        self.assertEqual(self._post(self._body(other, subscription, malformed, 42)).status_code,
                         200)
        self.assertFalse(self._events())

    # -- bad input: never a 500 ------------------------------------------------------
    def test_bad_json_and_oversized_bodies(self):
        self.assertEqual(self._post(b"{not json").status_code, 400)
        self.assertEqual(self._post(b"\xff\xfe").status_code, 400)
        self.assertEqual(self._post(b'{"events": "none"}').status_code, 400)
        self.assertEqual(self._post(b"[1, 2]").status_code, 400)
        self.assertEqual(self._post(b" " * (MAX_BODY + 1)).status_code, 413)
        self.assertFalse(self._events())

    def test_no_key_refuses_everything(self):
        self.conn.webhook_key = False
        self.assertEqual(self._post(self._body(), key="").status_code, 401)

    # -- who sees and writes --------------------------------------------------------
    def test_key_and_url_are_for_administrators_and_events_read_only(self):
        manager = new_test_user(self.env, login="xero_wh_manager",
                                groups="base.group_user,account_xero.group_xero_manager")
        conn = self.conn.with_user(manager)
        with self.assertRaises(AccessError):
            conn.read(["webhook_key"])
        with self.assertRaises(AccessError):
            conn.read(["webhook_url"])
        self._post(self._body(self._event()))
        event = self._events().with_user(manager)
        self.assertEqual(event.resource_id, INVOICE_ID, "an administrator of Xero reads events")
        with self.assertRaises(AccessError):
            event.write({"state": "done"})
        with self.assertRaises(AccessError):
            self.env["xero.webhook.event"].with_user(manager).create({
                "connection_id": self.conn.id, "event_category": "INVOICE",
                "event_type": "UPDATE", "resource_id": INVOICE_ID, "event_time": "x"})
        with self.assertRaises(AccessError):
            event.unlink()

    def test_new_webhook_url_stops_the_old_one(self):
        old_url = self.conn.webhook_url
        self.conn.action_xero_new_webhook_token()
        self.assertNotEqual(self.conn.webhook_url, old_url)
        self.assertEqual(self._post(self._body(self._event()), url=_path(old_url)).status_code,
                         401)


@tagged("post_install", "-at_install")
class TestXeroWebhookFromSandbox(XeroSandboxMixin, HttpCase):
    """The sandbox sends Xero's webhooks to Odoo over real HTTP: Intent to
    Receive, then what changed, redelivered and out of order."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.conn = cls._xero_connect(cls.env.company, webhook_key="whk-sandbox-5b7e")

    def _touch_contact(self, contact_id, name):
        store = self.srv.store
        with store.lock:
            store.tenant(self.conn.tenant_id).docs["Contacts"][contact_id] = {
                "ContactID": contact_id, "Name": name, "ContactStatus": "ACTIVE",
                "UpdatedDateUTC": store.utcnow()}

    def test_intent_to_receive_and_redelivered_events(self):
        hooks = self.srv.webhooks
        hooks.subscribe(self.conn.tenant_id, self.base_url() + _path(self.conn.webhook_url),
                        "whk-sandbox-5b7e")
        intent = hooks.intent_to_receive(self.conn.tenant_id)
        self.assertTrue(intent["passed"], intent)

        contact_id = "a3675fc4-f8dd-4f03-ba5b-f1870566bcd7"
        self._touch_contact(contact_id, "Made in Xero")
        statuses = hooks.deliver(self.conn.tenant_id, copies=3, shuffle=True, seed=7, batch=1)
        self.assertEqual(statuses, [200, 200, 200])
        Event = self.env["xero.webhook.event"].sudo()
        events = Event.search([("connection_id", "=", self.conn.id)])
        self.assertEqual(events.mapped(lambda e: (e.event_category, e.event_type, e.resource_id)),
                         [("CONTACT", "CREATE", contact_id)])

        self._touch_contact(contact_id, "Renamed in Xero")
        self.assertEqual(hooks.deliver(self.conn.tenant_id), [200])
        self.assertEqual(Event.search_count([("connection_id", "=", self.conn.id)]), 2)
        self.assertFalse(hooks.deliver(self.conn.tenant_id), "nothing changed: nothing sent")
