"""Payments made in Xero, registered in Odoo: the other direction.

The inbox (xero.webhook.event) names invoices Xero changed. The cron
"Xero: pull" reads them through the same client and pacer as the push, and
for an invoice Odoo sent, registers in Odoo each payment Xero holds on it
that Odoo neither sent nor registered already (xero_payment_register.py:
the payments of all the invoices a call read, together), and cancels an
imported one Xero no longer holds (deleted there). Only on a journal whose bank is
reconciled in Xero (xero_bank_side.py); a credit note's allocations made in
Xero are reconciled as well (xero_allocation_import.py).

Exactly once: an imported payment carries its Xero PaymentID, unique per
company (a second worker registering the same payment fails on the
constraint and its transaction rolls back). Never echoed: everything queued
while a payment is imported is left out (``xero_import`` in the context,
read by the one place jobs are queued, ``xero.sync.job._enqueue``), so
neither the payment nor the exchange difference Odoo books for it goes back.
A payment found while Odoo's own push of a payment on that invoice is still
queued or in flight waits until that one is settled: it may be Odoo's.
"""

import logging
import re
import time
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.tools import SQL

from ..xero.client import WHERE_IDS
from ..xero.errors import XeroError, XeroRateLimited
from .xero_import_blocked import ImportBlocked

_logger = logging.getLogger(__name__)

# Documents (or contacts) a call takes, with every event received for each:
# as many as one of Xero's calls reads (``WHERE_IDS``): a call costs two
# calls to Xero (the documents, then their new payments' bank accounts),
# which the push shares at 60 a minute, and registers the new payments
# together (xero_payment_register.py), well inside Odoo's limit_time_real;
# the call triggers the next while more wait.
CLAIM = WHERE_IDS
# A document passed over while Odoo's own payment on it is on its way is
# read again after this (or at any call before, once that payment is sent).
WAIT_RETRY = timedelta(seconds=30)
# Xero's rate limit met: a wait this short is slept in the call (then the
# pulls go on at once); a longer one, by a trigger for when it ends.
LIMIT_WAIT = 10
# The advisory lock class of "a pull is reading this document" (with the
# hash of its connection, category and Xero id).
PULL_LOCK = 0x58504C  # "XPL"
# Xero's category: (Odoo's move types, client method, id attribute, where key)
DOCUMENT_KINDS = {
    "INVOICE": (("out_invoice", "in_invoice"), "get_invoices", "invoice_id", "InvoiceID"),
    "CREDITNOTE": (("out_refund", "in_refund"), "get_credit_notes", "credit_note_id",
                   "CreditNoteID"),
}


# Invoices and bills: their payments are registered together, after the
# call has read all its documents (xero_payment_register.py); a credit
# note's at once, since its allocations made in Xero are matched after them,
# on what they leave open.
BATCHED_TYPES = ("out_invoice", "in_invoice")


class AccountPayment(models.Model):
    _inherit = "account.payment"

    xero_import_id = fields.Char(
        "Paid in Xero", copy=False, readonly=True, index="btree_not_null",
        help="The Xero payment this payment was registered from (made in Xero, not in Odoo).")
    xero_import_move_id = fields.Many2one(
        "account.move", "Paid in Xero on", copy=False, readonly=True, index="btree_not_null")

    _sql_constraints = [
        ("xero_import_uniq", "unique(company_id, xero_import_id)",
         "This Xero payment is registered in Odoo already."),
    ]


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    import_payments = fields.Boolean(
        "Payments made in Xero", default=True,
        help="A payment recorded in Xero on an invoice Odoo sent is registered in Odoo, on the "
             "bank journal mapped to its Xero bank account, when that journal's bank is "
             "reconciled in Xero (\"Bank reconciled in\" on the journal).")


class XeroWebhookEvent(models.Model):
    _inherit = "xero.webhook.event"

    state = fields.Selection(selection_add=[("failed", "Failed")],
                             ondelete={"failed": "set default"})

    @api.model
    def _cron_pull(self, poll=True):
        """One short call: claim received events (skipping those another
        worker holds), read what they name, and trigger again while more
        wait. Connections due for it are polled first (xero_webhook_poll.py),
        by the first pull only (``poll``: the second worker's cron does not
        poll, so that two workers never poll one connection at once)."""
        # Odoo runs up to ten batches of a scheduled action in one cursor and
        # commits between them without clearing the ORM's cache: what the
        # push (another worker) wrote since, a document's Xero id, say, would
        # read as it was in the previous batch.
        self.env.invalidate_all()
        if poll:
            self._xero_poll()
        events, more, waiting = self._xero_claim_events()
        limited = None  # seconds until Xero's rate limit lets the pulls call again
        for conn in events.connection_id:
            mine = events.filtered(lambda e, c=conn: e.connection_id == c)
            try:
                mine._xero_pull(conn)
            except XeroError as exc:  # Xero unreachable, refused, limited: try again later
                _logger.info("Xero: events of %s not read now: %s", conn.display_name, exc.message)
                if isinstance(exc, XeroRateLimited):
                    limited = max(limited or 0.0, exc.retry_after)
        self.env["ir.cron"]._notify_progress(done=len(events), remaining=0)
        now = fields.Datetime.now()
        if limited is not None and limited > LIMIT_WAIT:
            # Calls before Xero's minute frees would meet its limit again (a
            # loop of calls reading nothing): the pulls go on when it frees.
            self._trigger_pull(second=more, at=now + timedelta(seconds=limited))
        elif limited is not None:
            _sleep(limited)  # soon free: waited for here, then on at once
            self._trigger_pull(second=more)
        elif more:
            self._trigger_pull(second=True)
        if waiting:
            # Read again once Odoo's own payments on them are likely sent.
            self._trigger_pull(at=now + WAIT_RETRY)
        return len(events)

    @api.model
    def _xero_claim_events(self):
        """``(events, more, waiting)``: the received events of up to CLAIM
        documents (or contacts), oldest first, every copy of each (Xero
        redelivers: a document told three times is read and registered once,
        not in three calls), whether more wait, and whether documents were
        passed over because Odoo's own payment or allocation on them is
        queued or being sent (their payments in Xero wait for it: they would
        take the first places of every call, and be read from Xero each
        time, for nothing). A document another pull is reading is left to it
        (a lock per document, held to the end of the transaction, and the
        events' rows locked, skipping those another worker holds): two
        workers never register the same Xero payment at once."""
        cr = self.env.cr
        waiting = SQL("""
            SELECT lower(m.xero_id) FROM xero_sync_job j
              JOIN account_move m ON m.id = CASE WHEN j.operation IN ('payment', 'delete_payment')
                                                 THEN j.target_move_id ELSE j.res_id END
             WHERE j.state IN ('pending', 'sending') AND m.xero_id IS NOT NULL
               AND (j.operation IN ('payment', 'delete_payment')
                    OR (j.operation IN ('allocation', 'delete_allocation')
                        AND j.res_model = 'account.move'))""")
        cr.execute(SQL("""
            SELECT connection_id, event_category, resource_id
              FROM xero_webhook_event
             WHERE state = 'received' AND resource_id NOT IN (%s)
             GROUP BY connection_id, event_category, resource_id
             ORDER BY min(id) LIMIT %s""", waiting, CLAIM * 3))
        candidates = cr.fetchall()
        cr.execute(SQL("""
            SELECT EXISTS(SELECT 1 FROM xero_webhook_event
                           WHERE state = 'received' AND resource_id IN (%s))""", waiting))
        waits = cr.fetchone()[0]
        keys = []
        examined = 0
        for key in candidates:
            if len(keys) == CLAIM:
                break
            examined += 1
            cr.execute(SQL("SELECT pg_try_advisory_xact_lock(%s, hashtext(%s))",
                           PULL_LOCK, "%s/%s/%s" % key))
            if cr.fetchone()[0]:
                keys.append(key)
        # More wait past those looked at (those another pull holds are its
        # to finish, and it wakes the pulls again if more wait then).
        more = examined < len(candidates)
        if not keys:
            return self.browse(), more, waits
        cr.execute(SQL("""
            SELECT id FROM xero_webhook_event
             WHERE state = 'received' AND (connection_id, event_category, resource_id) IN %s
             ORDER BY id FOR UPDATE SKIP LOCKED""", tuple(keys)))
        return self.browse([row[0] for row in cr.fetchall()]), more, waits

    def _xero_pull(self, conn):
        contacts = self.filtered(lambda e: e.event_category == "CONTACT")
        contacts._xero_pull_contacts(conn)
        documents = self - contacts
        if not documents:
            return
        if not conn.active or conn.state != "connected":
            documents._xero_close("ignored", _("The connection is not connected: what changed in "
                                               "Xero is not read."))
            return
        for category, kind in DOCUMENT_KINDS.items():
            events = documents.filtered(lambda e, c=category: e.event_category == c)
            if events:
                events._xero_pull_documents(conn, kind)

    def _xero_pull_documents(self, conn, kind):
        """Events of one kind of document (invoices or credit notes): read
        the documents they name from Xero, flag what was changed there
        (account_move_xero_changes.py), register the payments Xero holds."""
        move_types, method, id_attr, id_key = kind
        Move = self.env["account.move"].sudo()
        moves = Move.search([("xero_id", "in", list(set(self.mapped("resource_id")))),
                             ("company_id", "child_of", conn.company_id.id),
                             ("move_type", "in", move_types)])
        by_id = {move.xero_id.lower(): move for move in moves}
        strangers = self.filtered(lambda e: e.resource_id not in by_id)
        strangers._xero_close("ignored", _("Not a document Odoo sent to Xero."))
        events = self - strangers
        if not events:
            return
        client = conn._xero_accounting_client()
        docs = client.get_by_ids(method, id_key, events.mapped("resource_id"))
        details = self._xero_payment_details(client, docs, moves) if conn.import_payments else {}
        touched = Move
        batch = []  # [(move, events, notes, planned)]: registered together below
        for doc in docs:
            xero_id = str(getattr(doc, id_attr)).lower()
            move = by_id.get(xero_id)
            if not move:
                continue
            mine = events.filtered(lambda e, x=xero_id: e.resource_id == x)
            notes = []
            planned = [] if move.move_type in BATCHED_TYPES else None
            try:
                with self.env.cr.savepoint():
                    # Odoo's own change of it on its way is not a change made in Xero.
                    change = None if self._xero_own_change_pending(move) else \
                        move._xero_compare_with_xero(conn, doc)
                    if change:
                        notes.append(change)
                    if conn.import_payments:
                        note = self._xero_import_payments(conn, client, move, doc, details,
                                                          planned=planned)
                        if note is not None and move.move_type in ("out_refund", "in_refund"):
                            # Applied to invoices in Xero: xero_allocation_import.py.
                            allocated = self._xero_import_allocations(conn, move, doc)
                            note = None if allocated is None else \
                                "\n".join(n for n in (note, allocated) if n)
                    else:
                        note = _("Payments made in Xero are not registered in Odoo for this "
                                 "connection.")
            except ImportBlocked as exc:
                mine._xero_close("failed", "\n".join(notes + [exc.args[0]]))
                continue
            if note is None:
                continue
            if planned:
                batch.append((move, mine, notes + [note], planned))
                continue
            mine._xero_close("done", "\n".join(filter(None, notes + [note])))
            touched |= move
        touched |= self._xero_register_batch(conn, batch)
        # The forms showing them reload (static/src/views/xero_state_form_patch.js).
        Job = self.env["xero.sync.job"].sudo()
        touched._xero_notify_users({move.id: Job._jobs_of(move) for move in touched})

    @api.model
    def _xero_payment_details(self, client, docs, moves):
        """{PaymentID: Xero's payment} for the payments on ``docs`` that Odoo
        neither imported nor sent, read a few calls for all of them: a
        document's summary of its payments lacks their bank account, and a
        call per document would spend Xero's 60 calls a minute, which the
        push shares, on a burst of payments made in Xero."""
        wanted = {str(p.payment_id).lower() for doc in docs for p in (doc.payments or [])}
        if not wanted:
            return {}
        Payment = self.env["account.payment"].sudo().with_context(active_test=False)
        wanted -= set(Payment.search([("xero_import_id", "in", list(wanted))]).mapped("xero_import_id"))
        jobs = self.env["xero.sync.job"].sudo().search([
            ("target_move_id", "in", moves.ids), ("operation", "=", "payment"), ("xero_id", "!=", False)])
        for job in jobs:
            wanted -= {x.strip().lower() for x in re.split(r"[,\s]+", job.xero_id) if x.strip()}
        return {str(payment.payment_id).lower(): payment
                for payment in client.get_by_ids("get_payments", "PaymentID", wanted)}

    @api.model
    def _xero_own_change_pending(self, move):
        """Odoo changed ``move`` itself (cancelled, reset, posted again) and
        has not told Xero yet, or is telling it: what Xero shows now is not
        a change made in Xero."""
        if move.state != "posted":
            return True
        jobs = self.env["xero.sync.job"].sudo()._jobs_of(move)
        return bool(jobs.filtered(lambda j: j.state in ("pending", "sending")))

    def _xero_close(self, state, note):
        if self:
            self.sudo().write({"state": state, "note": note})

    # -- one invoice ------------------------------------------------------------
    @api.model
    def _xero_import_payments(self, conn, client, move, doc, details=None, planned=None):
        """Register what Xero holds on ``move`` and Odoo does not; cancel what
        was imported and Xero no longer holds. Returns a note, or None to
        wait (Odoo's own payment on it is still queued or in flight).
        ``details``: Xero's payments already read (``_xero_payment_details``);
        any other is read here. With a list ``planned``, the new payments
        are added to it ((move, Xero's payment, journal), checked), to be
        registered with other documents' (xero_payment_register.py)."""
        Job = self.env["xero.sync.job"].sudo()
        jobs = Job.search([("target_move_id", "=", move.id),
                           ("operation", "in", ("payment", "delete_payment"))])
        if jobs.filtered(lambda j: j.state in ("pending", "sending")):
            return None
        in_xero = {str(p.payment_id).lower(): p for p in (doc.payments or [])}
        sent = set()
        for job in jobs.filtered(lambda j: j.operation == "payment" and j.xero_id):
            sent.update(x.strip().lower() for x in re.split(r"[,\s]+", job.xero_id) if x.strip())
        Payment = self.env["account.payment"].sudo().with_context(active_test=False)
        imported = Payment.search([("xero_import_move_id", "=", move.id)])
        known = sent | set(imported.mapped("xero_import_id"))
        notes = []
        new_ids = [pid for pid in in_xero if pid not in known]
        if new_ids:
            details = details or {}
            rows = [details[pid] for pid in new_ids if pid in details]
            unread = [pid for pid in new_ids if pid not in details]
            if unread:
                rows += client.get_payments(where=" OR ".join(
                    'PaymentID==Guid("%s")' % pid for pid in unread)) or []
            mine = [(move, payment, self._xero_payment_journal(conn, move, payment))
                    for payment in rows if _value(payment.status) != "DELETED"]
            if planned is None:
                notes.extend(self._xero_register_many(conn, mine).get(move.id, []) if mine else [])
            else:
                planned.extend(mine)
        for payment in imported.filtered(
                lambda p: p.xero_import_id not in in_xero and p.state != "canceled"):
            payment.with_context(xero_import=True).action_draft()
            payment.with_context(xero_import=True).action_cancel()
            notes.append(_("Payment %s deleted in Xero: cancelled in Odoo.", payment.name))
        if planned:
            return "\n".join(notes)
        return "\n".join(notes) or _("Nothing to register: Odoo has every payment Xero holds.")


def _sleep(seconds):
    time.sleep(seconds)


def _value(enum):
    return getattr(enum, "value", enum)
