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
from datetime import datetime, timedelta

from odoo import api, fields, models
from odoo.tools import SQL

from ..xero.errors import XeroError

_logger = logging.getLogger(__name__)

POLL_EVERY = timedelta(minutes=5)
# Xero's clock and ours: ask again for the last minutes before the mark.
OVERLAP = timedelta(minutes=2)
# A connection never polled looks this far back.
FIRST_LOOK = timedelta(days=1)
# Pages of 100 read of each kind in one run. After a large push every
# document it sent is "changed since" the last poll: read in one call at
# Xero's pace beside the push, 10,000 invoices took a cron call past Odoo's
# time limit (killed, all read again). The rest is read in the next runs,
# the oldest change first.
POLL_PAGES = 5


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    pull_polled_at = fields.Datetime("Last asked Xero for changes", readonly=True, copy=False)
    pull_modified_since = fields.Datetime(readonly=True, copy=False)
    # The last poll read only part of what changed (POLL_PAGES): the next
    # run goes on from ``pull_modified_since`` at once, without the overlap.
    pull_poll_partial = fields.Boolean(readonly=True, copy=False)


class XeroWebhookEvent(models.Model):
    _inherit = "xero.webhook.event"

    @api.model
    def _xero_poll(self):
        """Poll the connections due; returns the number of events stored."""
        now = fields.Datetime.now()
        Connection = self.env["xero.connection"].sudo()
        stored = 0
        for conn in Connection.search([("state", "=", "connected"), ("import_payments", "=", True)]):
            if not conn.pull_poll_partial and conn.pull_polled_at \
                    and conn.pull_polled_at > now - POLL_EVERY:
                continue
            try:
                stored += self._xero_poll_connection(conn, now)
            except XeroError as exc:
                _logger.info("Xero: %s not polled now: %s", conn.display_name, exc.message)
        return stored

    @api.model
    def _xero_poll_connection(self, conn, now):
        if conn.pull_poll_partial and conn.pull_modified_since:
            since = conn.pull_modified_since  # going on: the last change read
        else:
            since = (conn.pull_modified_since or now - FIRST_LOOK) - OVERLAP
        client = conn._xero_accounting_client()
        changed = {}  # Xero id -> [category, last change]
        cut = []  # per kind read only in part: the last change read

        def note(category, xero_id, when):
            key = str(xero_id).lower()
            last = changed.get(key, [category, None])[1]
            changed[key] = [category, max(filter(None, (last, when)), default=None)]

        def read(method, attr):
            records, complete = client.get_changed(method, attr, since, POLL_PAGES)
            if not complete:
                cut.append(_naive(records[-1].updated_date_utc) or since)
            return records

        for invoice in read("get_invoices", "invoices"):
            note("INVOICE", invoice.invoice_id, invoice.updated_date_utc)
        for credit_note in read("get_credit_notes", "credit_notes"):
            note("CREDITNOTE", credit_note.credit_note_id, credit_note.updated_date_utc)
        for payment in read("get_payments", "payments"):
            invoice = getattr(payment, "invoice", None)
            credit_note = getattr(payment, "credit_note", None)
            if invoice and invoice.invoice_id:
                note("INVOICE", invoice.invoice_id, payment.updated_date_utc)
            elif credit_note and credit_note.credit_note_id:
                note("CREDITNOTE", credit_note.credit_note_id, payment.updated_date_utc)
        # A set comprehension, not ``mapped(lambda …)``: on an empty result
        # (Xero changed only documents Odoo never sent) ``mapped`` calls the
        # function once with the empty recordset, whose Xero id is False.
        sent = {move.xero_id.lower() for move in self.env["account.move"].sudo().search([
            ("xero_id", "in", list(changed)), ("company_id", "child_of", conn.company_id.id),
        ])} if changed else set()
        told = self._xero_told_since(conn, sent) if sent else {}
        rows = []
        for xero_id, (category, when) in changed.items():
            if xero_id not in sent:
                continue
            when = _naive(when) or now
            if told.get(xero_id) and told[xero_id] >= when:
                continue  # a webhook told of this change (or a later one): read after it
            rows.append((conn.id, conn.company_id.id, category, "UPDATE", xero_id,
                         when.strftime("%Y-%m-%dT%H:%M:%S.") + "%03d" % (when.microsecond // 1000),
                         when.replace(microsecond=0)))
        if rows:
            self._xero_insert_events(rows)
        if cut:
            # Everything up to the earliest cut is read, for every kind: go
            # on from there (what another kind read past it comes again,
            # harmless: the inbox's key and the reading register nothing twice).
            mark = min(cut)
            if mark <= since:
                # 500 changes at one instant (Xero stamps to the millisecond):
                # step past it rather than read the same pages for ever.
                _logger.warning("Xero: %s changed more at %s than a poll reads", conn.display_name, mark)
                mark = since + timedelta(seconds=1)
        else:
            mark = max([_naive(w) for _c, w in changed.values() if w]
                       + [conn.pull_modified_since or since])
        conn.write({"pull_polled_at": now, "pull_modified_since": mark,
                    "pull_poll_partial": bool(cut)})
        # The next poll when it is due (at once when this one read only part),
        # not at the cron's next 5-minute run after it (up to twice the
        # interval when a burst's calls polled).
        cron = self.env.ref("account_xero.ir_cron_xero_pull", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger(at=now if cut else now + POLL_EVERY)
        return len(rows)

    @api.model
    def _xero_told_since(self, conn, xero_ids):
        """{Xero id: the time (Xero's clock, to the microsecond) of the last
        change a webhook told of it}, for the events read or to be read (not
        failed ones, which the poll offers again): a change at or before it
        needs no event of the poll's. Without this, each poll after a burst
        told by webhooks put every document of the burst in the inbox again,
        each read from Xero once more ahead of the new events. Compared to
        the microsecond (the event's own time, not ``event_date``, which
        keeps seconds): a second change within the same second is told."""
        self.env.cr.execute(SQL("""
            SELECT resource_id, event_time FROM xero_webhook_event
             WHERE connection_id = %s AND resource_id IN %s AND state IN ('received', 'done')
        """, conn.id, tuple(xero_ids)))
        told = {}
        for resource_id, event_time in self.env.cr.fetchall():
            when = _parse_event_time(event_time)
            if when and (resource_id not in told or when > told[resource_id]):
                told[resource_id] = when
        return told


def _naive(value):
    """A datetime from Xero's client (timezone-aware, UTC) as Odoo stores one."""
    if value is None or isinstance(value, str):
        return None
    return value.replace(tzinfo=None) if value.tzinfo else value


def _parse_event_time(value):
    """A naive UTC datetime from an event's time as Xero writes it
    ("2026-01-01T10:00:00.1234567", with or without "Z" or an offset of
    zero), or None."""
    if not value:
        return None
    text = value.strip().removesuffix("Z").removesuffix("+00:00")
    head, _dot, fraction = text.partition(".")
    try:
        when = datetime.strptime(head, "%Y-%m-%dT%H:%M:%S")
    except ValueError:
        return None
    digits = "".join(ch for ch in fraction if ch.isdigit())[:6]
    return when.replace(microsecond=int(digits.ljust(6, "0"))) if digits else when
