"""Xero's webhooks, as the sandbox sends them.

A tenant's subscription is a delivery URL and a webhook key. What changed
since the last delivery (invoices and credit notes, a payment being an
invoice's update, and contacts) becomes events, posted signed as Xero signs
them: ``x-xero-signature`` = base64(HMAC-SHA256(key, raw body)). Delivery is
explicit (``deliver``), so a test decides when, how many copies, in which
order and what is dropped, as Xero's at-least-once, unordered delivery
allows.

Sources: ../shared/xero-openapi/xero-webhooks.yaml (the payload: events with
resourceUrl, resourceId, tenantId, tenantType, eventCategory, eventType,
eventDateUtc; firstEventSequence, lastEventSequence, entropy; the signature
header); Xero's developer documentation on webhooks ("Intent to Receive":
the receiver must answer 200 to correctly signed requests and 401 to
incorrectly signed ones, with an empty body, within five seconds; events may
arrive more than once and out of order).
"""
import base64
import hashlib
import hmac
import json
import random
import string
import threading
import time
import urllib.error
import urllib.request

CATEGORIES = {"Invoices": ("INVOICE", "InvoiceID", "Invoices"),
              "CreditNotes": ("CREDITNOTE", "CreditNoteID", "CreditNotes"),
              "Contacts": ("CONTACT", "ContactID", "Contacts")}
TIMEOUT = 5  # seconds: Xero's limit for an answer


def sign(key, body):
    return base64.b64encode(hmac.new(key.encode(), body, hashlib.sha256).digest()).decode()


def _event_time(stamp):
    # eventDateUtc as Xero writes it: 2025-12-02T00:44:09.923 (UTC, no zone).
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (stamp.microsecond // 1000)


class Webhooks:
    """Subscriptions and deliveries of one sandbox."""

    def __init__(self, store):
        self.store = store
        self.lock = threading.Lock()
        self.subscriptions = {}   # tenant_id -> {"url", "key", "seen": {id: stamp}}
        self.sequence = 0
        self.deliveries = []      # (status or error, number of events)

    def clear(self):
        with self.lock:
            self.subscriptions.clear()
            self.deliveries.clear()

    def subscribe(self, tenant_id, url, key):
        """Subscribe ``url``; what the tenant holds now counts as already told."""
        with self.lock:
            self.subscriptions[tenant_id] = {"url": url, "key": key, "seen": self._stamps(tenant_id)}

    def _stamps(self, tenant_id):
        tenant = self.store.tenant(tenant_id)
        return {(kind, key): doc.get("UpdatedDateUTC")
                for kind in CATEGORIES for key, doc in tenant.docs[kind].items()}

    # -- events -------------------------------------------------------------
    def changes(self, tenant_id):
        """The events of what changed since the last call: CREATE for a
        document not told before, UPDATE for one told whose UpdatedDateUTC
        moved."""
        with self.lock:
            sub = self.subscriptions[tenant_id]
            tenant = self.store.tenant(tenant_id)
            events = []
            for kind, (category, _id_key, path) in CATEGORIES.items():
                for key, doc in list(tenant.docs[kind].items()):
                    stamp = doc.get("UpdatedDateUTC")
                    told = sub["seen"].get((kind, key), False)
                    if told == stamp:
                        continue
                    sub["seen"][(kind, key)] = stamp
                    events.append(self.event(tenant_id, category, key, path,
                                             "CREATE" if told is False else "UPDATE", stamp))
            return events

    def event(self, tenant_id, category, resource_id, path, event_type, stamp=None):
        stamp = stamp or self.store.utcnow()
        return {"resourceUrl": "https://api.xero.com/api.xro/2.0/%s/%s" % (path, resource_id),
                "resourceId": resource_id, "tenantId": tenant_id, "tenantType": "ORGANISATION",
                "eventCategory": category, "eventType": event_type,
                "eventDateUtc": _event_time(stamp)}

    # -- delivery -----------------------------------------------------------
    def deliver(self, tenant_id, events=None, copies=1, shuffle=False, drop=0.0, batch=10,
                seed=None):
        """Post ``events`` (default: ``changes``) to the tenant's URL, in
        requests of ``batch`` events; each event ``copies`` times, the order
        shuffled, a share ``drop`` never sent. Returns the HTTP statuses."""
        return self.deliver_report(tenant_id, events, copies, shuffle, drop, batch, seed)["statuses"]

    def deliver_report(self, tenant_id, events=None, copies=1, shuffle=False, drop=0.0, batch=10,
                       seed=None):
        """``deliver``, saying also which resources were sent and which
        dropped (for a soak that times each event)."""
        rng = random.Random(seed)
        events = self.changes(tenant_id) if events is None else list(events)
        kept, dropped = [], []
        for e in events:
            (kept if rng.random() >= drop else dropped).append(e)
        events = kept * max(1, int(copies))
        if shuffle:
            rng.shuffle(events)
        statuses = []
        for start in range(0, len(events), batch):
            statuses.append(self.post(tenant_id, events[start:start + batch]))
        return {"statuses": statuses,
                "sent": sorted({e["resourceId"] for e in kept}),
                "dropped": sorted({e["resourceId"] for e in dropped} - {e["resourceId"] for e in kept})}

    def intent_to_receive(self, tenant_id):
        """Xero's check of a new subscription: requests with no events, some
        signed with the key, some not; passed when the receiver answers 200
        with an empty body to the first and 401 to the others."""
        good = [self.post(tenant_id, [], signed=True) for _ in range(2)]
        bad = [self.post(tenant_id, [], signed=False) for _ in range(2)]
        return {"passed": all(s == 200 for s in good) and all(s == 401 for s in bad),
                "signed": good, "unsigned": bad}

    def post(self, tenant_id, events, signed=True):
        sub = self.subscriptions[tenant_id]
        with self.lock:
            first = self.sequence + 1
            self.sequence += max(1, len(events))
        body = json.dumps({
            "events": events, "firstEventSequence": first, "lastEventSequence": self.sequence,
            "entropy": "".join(random.choices(string.ascii_uppercase, k=20)),
        }).encode()
        key = sub["key"] if signed else sub["key"] + "-not"
        request = urllib.request.Request(sub["url"], data=body, method="POST", headers={
            "Content-Type": "application/json", "x-xero-signature": sign(key, body),
            "User-Agent": "Xero-Webhooks (sandbox)"})
        started = time.monotonic()
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:  # noqa: S310 - loopback
                status = answer.status if not answer.read() else "body"
        except urllib.error.HTTPError as e:
            status = e.code
        except (urllib.error.URLError, OSError) as e:
            status = "error: %s" % (getattr(e, "reason", None) or e)
        if isinstance(status, int) and time.monotonic() - started > TIMEOUT:
            status = "slow"
        with self.lock:
            self.deliveries.append((status, len(events)))
        return status
