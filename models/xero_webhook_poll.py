"""Polling: what webhooks did not tell (not set up, or an event lost).

Each run of "Xero: pull" asks every connection that imports payments, at
most every ``POLL_EVERY``, for the invoices, credit notes and payments Xero
changed since its high-water mark (``If-Modified-Since``, paged: three calls
when little changed), and puts an event in the same inbox for each invoice
or credit note Odoo sent (a payment's: its invoice's or credit note's), as a
webhook would. The inbox's key makes a change told twice (by a
webhook and by the poll) harmless, and reading an invoice twice registers
nothing twice (models/xero_payment_import.py).
"""

import logging
from datetime import timedelta

from odoo import api, fields, models

from ..xero.errors import XeroError

_logger = logging.getLogger(__name__)

POLL_EVERY = timedelta(minutes=5)
# Xero's clock and ours: ask again for the last minutes before the mark.
OVERLAP = timedelta(minutes=2)
# A connection never polled looks this far back.
FIRST_LOOK = timedelta(days=1)


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    pull_polled_at = fields.Datetime("Last asked Xero for changes", readonly=True, copy=False)
    pull_modified_since = fields.Datetime(readonly=True, copy=False)


class XeroWebhookEvent(models.Model):
    _inherit = "xero.webhook.event"

    @api.model
    def _xero_poll(self):
        """Poll the connections due; returns the number of events stored."""
        now = fields.Datetime.now()
        Connection = self.env["xero.connection"].sudo()
        stored = 0
        for conn in Connection.search([("state", "=", "connected"), ("import_payments", "=", True)]):
            if conn.pull_polled_at and conn.pull_polled_at > now - POLL_EVERY:
                continue
            try:
                stored += self._xero_poll_connection(conn, now)
            except XeroError as exc:
                _logger.info("Xero: %s not polled now: %s", conn.display_name, exc.message)
        return stored

    @api.model
    def _xero_poll_connection(self, conn, now):
        since = (conn.pull_modified_since or now - FIRST_LOOK) - OVERLAP
        client = conn._xero_accounting_client()
        changed = {}  # Xero id -> [category, last change]

        def note(category, xero_id, when):
            key = str(xero_id).lower()
            last = changed.get(key, [category, None])[1]
            changed[key] = [category, max(filter(None, (last, when)), default=None)]

        for invoice in client.get_invoices(if_modified_since=since) or []:
            note("INVOICE", invoice.invoice_id, invoice.updated_date_utc)
        for credit_note in client.get_credit_notes(if_modified_since=since) or []:
            note("CREDITNOTE", credit_note.credit_note_id, credit_note.updated_date_utc)
        for payment in client.get_payments(if_modified_since=since) or []:
            invoice = getattr(payment, "invoice", None)
            credit_note = getattr(payment, "credit_note", None)
            if invoice and invoice.invoice_id:
                note("INVOICE", invoice.invoice_id, payment.updated_date_utc)
            elif credit_note and credit_note.credit_note_id:
                note("CREDITNOTE", credit_note.credit_note_id, payment.updated_date_utc)
        sent = set(self.env["account.move"].sudo().search([
            ("xero_id", "in", list(changed)), ("company_id", "child_of", conn.company_id.id),
        ]).mapped(lambda m: m.xero_id.lower())) if changed else set()
        rows = []
        for xero_id, (category, when) in changed.items():
            if xero_id not in sent:
                continue
            when = _naive(when) or now
            rows.append((conn.id, conn.company_id.id, category, "UPDATE", xero_id,
                         when.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (when.microsecond // 1000),
                         when.replace(microsecond=0)))
        if rows:
            self._xero_insert_events(rows)
        marks = [_naive(w) for _c, w in changed.values() if w]
        conn.write({"pull_polled_at": now,
                    "pull_modified_since": max(marks + [conn.pull_modified_since or since])})
        # The next poll when it is due, not at the cron's next 5-minute run
        # after it (up to twice the interval when a burst's calls polled).
        cron = self.env.ref("account_xero.ir_cron_xero_pull", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=now + POLL_EVERY)
        return len(rows)


def _naive(value):
    """A datetime from Xero's client (timezone-aware, UTC) as Odoo stores one."""
    if value is None or isinstance(value, str):
        return None
    return value.replace(tzinfo=None) if value.tzinfo else value
