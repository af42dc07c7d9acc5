"""What Xero tells us by webhook: the inbox.

Xero posts its events (INVOICE, CREDITNOTE, CONTACT; CREATE and UPDATE; a
payment shows as an INVOICE UPDATE) to the connection's webhook URL, signed
with the app's webhook key (``x-xero-signature``: base64 of the HMAC-SHA256
of the raw body). ``_xero_receive`` is all the request does: check the
signature on the raw body in constant time, then store one row per event with
``INSERT … ON CONFLICT DO NOTHING`` and answer at once. Reading the resources
the events name is a later, separate step (the rows wait as *Received*).

Xero's events carry no id of their own. A row's key is the connection, the
category, the resource, the event type and Xero's event time as Xero wrote it
(to the millisecond): a redelivery of the same event is a no-op, a later
update of the same invoice is a new row.

Sources: ../shared/xero-openapi/xero-webhooks.yaml (the payload, the
signature header); Xero's developer documentation on webhooks ("Intent to
Receive": 200 to a correctly signed request, 401 to any other, within five
seconds, with an empty body).
"""

import base64
import binascii
import hashlib
import hmac
import json
import logging
import re

from odoo import api, fields, models
from odoo.tools import SQL

_logger = logging.getLogger(__name__)

# Xero sends small batches; anything larger is not Xero.
MAX_BODY = 256 * 1024
# At most this many events are read from one request.
MAX_EVENTS = 500
CATEGORIES = ("INVOICE", "CREDITNOTE", "CONTACT")
EVENT_TYPES = ("CREATE", "UPDATE")
GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# Xero's eventDateUtc, e.g. 2025-12-02T00:44:09.923 (no zone: UTC).
EVENT_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,7})?Z?$")


def xero_signature(key, body):
    """``x-xero-signature`` of ``body`` (bytes) for the webhook ``key``."""
    digest = hmac.new(key.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class XeroWebhookEvent(models.Model):
    _name = "xero.webhook.event"
    _description = "Xero Webhook Event"
    _order = "id desc"
    _rec_name = "resource_id"
    # Rows come from Xero's signed requests only (_xero_receive, in SQL):
    # users read them (ir.model.access gives no create, write or unlink).

    connection_id = fields.Many2one(
        "xero.connection", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True)
    event_category = fields.Selection(
        [("INVOICE", "Invoice"), ("CREDITNOTE", "Credit note"), ("CONTACT", "Contact")],
        "Category", required=True, readonly=True)
    event_type = fields.Selection(
        [("CREATE", "Created"), ("UPDATE", "Updated")], "Event", required=True, readonly=True)
    resource_id = fields.Char("Xero ID", required=True, readonly=True)
    event_time = fields.Char(
        "Xero's event time", required=True, readonly=True,
        help="eventDateUtc as Xero sent it (UTC, to the millisecond): part of the event's key.")
    event_date = fields.Datetime("Event time (UTC)", readonly=True)
    state = fields.Selection(
        [("received", "Received"), ("done", "Done"), ("ignored", "Ignored")],
        default="received", required=True, readonly=True, index=True)
    note = fields.Text(readonly=True)

    _sql_constraints = [
        ("event_uniq",
         "unique(connection_id, event_category, resource_id, event_type, event_time)",
         "Xero sent this event already."),
    ]

    # -- the request ----------------------------------------------------------
    @api.model
    def _xero_receive(self, token, body, signature):
        """One webhook request: ``token`` from the URL, ``body`` the raw
        bytes, ``signature`` the ``x-xero-signature`` header. Returns the
        HTTP status to answer: 401 for any request not signed with the
        connection's key (Xero's Intent to Receive expects exactly that),
        413 for a body no Xero request has, 400 for a signed body that is not
        Xero's JSON, else 200 (events stored, redeliveries ignored)."""
        if len(body) > MAX_BODY:
            return 413
        connection = self._xero_webhook_connection(token)
        key = connection.sudo().webhook_key if connection else None
        if not key or not signature or not isinstance(signature, str):
            return 401
        try:
            given = base64.b64decode(signature.strip(), validate=True)
        except (binascii.Error, ValueError):
            return 401
        expected = hmac.new(key.encode(), body, hashlib.sha256).digest()
        if not hmac.compare_digest(given, expected):
            return 401
        try:
            payload = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, ValueError):
            _logger.warning("Xero webhook for connection %s: a signed body that is not JSON",
                            connection.id)
            return 400
        events = payload.get("events") if isinstance(payload, dict) else None
        if not isinstance(events, list):
            _logger.warning("Xero webhook for connection %s: no events list", connection.id)
            return 400
        rows = [row for row in (self._xero_event_row(connection, e) for e in events[:MAX_EVENTS])
                if row]
        if rows:
            self._xero_insert_events(rows)
            self._trigger_pull()
        return 200

    @api.model
    def _trigger_pull(self, second=False, at=None):
        """Wake the cron that reads the events (models/xero_payment_import.py),
        and with ``second`` its second worker's (a burst: two pulls at once,
        each on its own documents); now, or at ``at``."""
        for xmlid in ("ir_cron_xero_pull", "ir_cron_xero_pull_second")[:2 if second else 1]:
            cron = self.env.ref("account_xero." + xmlid, raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger(at=at)

    @api.model
    def _xero_webhook_connection(self, token):
        if not token or not isinstance(token, str) or len(token) > 128:
            return self.env["xero.connection"]
        Connection = self.env["xero.connection"].sudo().with_context(active_test=False)
        return Connection.search([("webhook_token", "=", token)], limit=1)

    @api.model
    def _xero_event_row(self, connection, event):
        """The row of one event, or None for what is not ours to keep: another
        organisation's event, a category we do not read, a malformed one."""
        if not isinstance(event, dict):
            return None
        category = event.get("eventCategory")
        event_type = event.get("eventType")
        resource = event.get("resourceId")
        when = event.get("eventDateUtc")
        tenant = event.get("tenantId")
        if tenant != connection.tenant_id:
            _logger.info("Xero webhook for connection %s: an event of another organisation "
                         "(%r) left out", connection.id, tenant if isinstance(tenant, str) else "?")
            return None
        if (category not in CATEGORIES or event_type not in EVENT_TYPES
                or not isinstance(resource, str) or not GUID.match(resource)
                or not isinstance(when, str) or not EVENT_TIME.match(when)):
            _logger.info("Xero webhook for connection %s: an event not read (%s %s)",
                         connection.id, category if isinstance(category, str) else "?",
                         event_type if isinstance(event_type, str) else "?")
            return None
        date = fields.Datetime.to_datetime(when[:19].replace("T", " "))
        return (connection.id, connection.company_id.id, category, event_type,
                resource.lower(), when, date)

    @api.model
    def _xero_insert_events(self, rows):
        """Store the rows; one already there (a redelivery) is left as it is.
        SQL, so that two deliveries at once never raise a unique violation."""
        values = SQL(", ").join(
            SQL("(%s, %s, %s, %s, %s, %s, %s, 'received', now() at time zone 'UTC', "
                "now() at time zone 'UTC')", *row)
            for row in rows)
        self.env.cr.execute(SQL("""
            INSERT INTO xero_webhook_event
                (connection_id, company_id, event_category, event_type, resource_id,
                 event_time, event_date, state, create_date, write_date)
            VALUES %s
            ON CONFLICT (connection_id, event_category, resource_id, event_type, event_time)
            DO NOTHING
        """, values))
        self.env.invalidate_all()
