"""The outbox and the sync log: one row per thing to do in Xero.

Posting a document writes a pending job in the user's transaction (no HTTP
there). The cron "Xero: push" (``_cron_push``) claims due jobs with
``FOR UPDATE SKIP LOCKED``, marks them ``sending`` with a lease and commits
that claim on its own, then calls Xero through the connection's one client,
maps each element's result back onto its job and document, and commits.

A job found in ``sending`` past its lease is *in doubt*: Xero may have
accepted it before we could record that. Before it is ever sent again it is
looked up in Xero (documents by number, contacts by ContactNumber, payments
by the Reference that carries the job's key); together with the
Idempotency-Key decided at creation (job id + version) that keeps a crash
after Xero's accept from making a duplicate.
"""

import hashlib
import logging
import time
from collections import defaultdict
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait
from datetime import timedelta

import psycopg2.errors

from odoo import _, api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..xero import payloads
from ..xero.client import CONCURRENT_LIMIT
from ..xero.errors import (
    XeroAuthError,
    XeroError,
    XeroForbiddenError,
    XeroNotFound,
    XeroRateLimited,
    XeroTransientError,
    XeroValidationError,
)

_logger = logging.getLogger(__name__)

# Order of the work inside a batch: contacts, then documents, then what hangs
# on documents (payments, allocations), then what undoes them.
OPERATIONS = [
    ("contact", "Contact"),
    ("invoice", "Invoice / bill"),
    ("credit_note", "Credit note"),
    ("payment", "Payment"),
    ("allocation", "Credit note allocation"),
    ("delete_payment", "Delete payment"),
    ("void", "Void / delete document"),
    # Room for the trust transactions (a later issue).
    ("bank_transaction", "Bank transaction"),
    ("bank_transfer", "Bank transfer"),
    ("manual_journal", "Manual journal"),
]
OPERATION_PRIORITY = {op: i for i, (op, _label) in enumerate(OPERATIONS)}
DOCUMENT_OPERATIONS = ("invoice", "credit_note")

STATES = [
    ("pending", "Pending"),
    ("sending", "Sending"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("blocked", "Blocked"),
    ("cancelled", "Ignored"),
]

BATCH_SIZE = 50  # Xero's limit per request
CLAIM_LIMIT = 500  # jobs claimed per cron round (10 full requests: 2 rounds of 5 in flight)
CONTACT_LOOKUP = 25  # partners matched per GET Contacts (an OR of their clauses)
CONTACT_PAGE = 1000  # contacts per page when the whole directory is read (Xero's largest pageSize)
WHERE_BUDGET = 2500  # characters of one look-up's where clause (before URL encoding)
LEASE = timedelta(minutes=10)  # a job in "sending" longer than this is in doubt
MAX_ATTEMPTS = 8  # transient failures before a job is marked failed
TIME_BUDGET = 240  # seconds one cron run keeps claiming new work
WAIT_DELAY = timedelta(seconds=30)  # a job whose dependency is not done yet


class XeroSyncJob(models.Model):
    _name = "xero.sync.job"
    _description = "Xero Sync Job"
    _order = "id desc"
    # No _rec_name: the name is computed from the document's (see
    # _search_display_name); "display_name" there made every name search
    # recurse into itself forever.
    _check_company_auto = True

    connection_id = fields.Many2one(
        "xero.connection", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(
        related="connection_id.company_id", store=True, index=True, readonly=True)
    res_model = fields.Char("Document model", required=True, index=True, readonly=True)
    res_id = fields.Many2oneReference(
        "Document id", model_field="res_model", required=True, index=True, readonly=True)
    res_ref = fields.Reference(
        selection="_selection_res_ref", string="Document", compute="_compute_res_ref")
    target_move_id = fields.Many2one(
        "account.move", "Applied to", index="btree_not_null", readonly=True, ondelete="cascade",
        help="For payments and allocations: the invoice or credit note they apply to.")
    operation = fields.Selection(OPERATIONS, required=True, readonly=True, index=True)
    version = fields.Integer(
        default=1, required=True, readonly=True,
        help="Bumped when the document changes in a way that must be sent again.")
    state = fields.Selection(
        STATES, default="pending", required=True, index=True, readonly=True, copy=False)
    blocking_level = fields.Selection(
        [("info", "Info"), ("warning", "Warning"), ("error", "Error")], readonly=True, copy=False)
    error = fields.Text(readonly=True, copy=False, help="Xero's own words, or the missing mapping.")
    attempts = fields.Integer(readonly=True, copy=False)
    next_try_at = fields.Datetime(
        "Next try", default=fields.Datetime.now, index=True, readonly=True, copy=False)
    sending_until = fields.Datetime(readonly=True, copy=False)
    in_doubt = fields.Boolean(
        readonly=True, copy=False,
        help="Xero may have accepted this job without us recording it: look it up before sending.")
    idempotency_key = fields.Char(readonly=True, copy=False, index=True)
    retries = fields.Integer(
        "Retried", readonly=True, copy=False,
        help="Times this job was sent again by hand after Xero refused it.")
    depends_on_job_id = fields.Many2one(
        "xero.sync.job", "Waits for", readonly=True, ondelete="set null", index="btree_not_null")
    xero_id = fields.Char("Xero ID", readonly=True, copy=False, index="btree_not_null")
    sent_at = fields.Datetime(readonly=True, copy=False)
    amount = fields.Float(
        readonly=True, copy=False, help="For payments: the amount sent, in the document's currency.")
    date = fields.Date(
        "Day", compute="_compute_date", store=True,
        help="The day the job was queued (for the graph and pivot).")
    xero_url = fields.Char("Open in Xero", compute="_compute_xero_url")

    @api.model
    def _selection_res_ref(self):
        return [
            ("account.move", _("Journal Entry")),
            ("account.payment", _("Payment")),
            ("res.partner", _("Contact")),
        ]

    def init(self):
        # One document + operation + version (+ the document it applies to) is queued once.
        self.env.cr.execute(SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS xero_sync_job_document_uniq
                ON xero_sync_job (connection_id, res_model, res_id, operation, version,
                                  COALESCE(target_move_id, 0))
        """))
        self.env.cr.execute(SQL("""
            CREATE INDEX IF NOT EXISTS xero_sync_job_due_idx
                ON xero_sync_job (next_try_at) WHERE state IN ('pending', 'sending')
        """))

    @api.depends("res_model", "res_id")
    def _compute_res_ref(self):
        for job in self:
            if job.res_model and job.res_id and job.res_model in self.env:
                job.res_ref = "%s,%s" % (job.res_model, job.res_id)
            else:
                job.res_ref = False

    @api.depends("create_date")
    def _compute_date(self):
        for job in self:
            job.date = (job.create_date or fields.Datetime.now()).date()

    @api.depends("operation", "res_model", "res_id", "version")
    def _compute_display_name(self):
        labels = dict(OPERATIONS)
        # One existence check per model for the whole list, not one per job.
        records = {}
        for model in set(self.mapped("res_model")):
            if model and model in self.env:
                ids = [job.res_id for job in self if job.res_model == model and job.res_id]
                records[model] = self.env[model].browse(ids).exists()
        for job in self:
            existing = records.get(job.res_model)
            record = existing.browse(job.res_id).with_prefetch(existing._prefetch_ids) \
                if existing is not None and job.res_id in existing._ids else None
            name = record.display_name if record else "%s,%s" % (job.res_model, job.res_id)
            if job.target_move_id:
                name = "%s → %s" % (name, job.target_move_id.name)
            suffix = " (v%d)" % job.version if job.version > 1 else ""
            job.display_name = "%s: %s%s" % (labels.get(job.operation, job.operation), name, suffix)

    @api.model
    def _search_display_name(self, operator, value):
        """The Sync Log's "Job" search (and name_search): a job's name is its
        operation's label and its document's name (and the document it
        applies to), so search those: the documents' own name searches
        (an invoice by number, reference or customer; a contact by name,
        email or reference), the operation labels, the applied-to entry's
        number. Never the computed name itself: that recursed forever."""
        from odoo.osv import expression  # noqa: PLC0415 - kept inside (the imports are being split)
        negative = operator in expression.NEGATIVE_TERM_OPERATORS
        positive_op = expression.TERM_OPERATORS_NEGATION[operator] if negative else operator
        if positive_op.endswith("like") and "=" not in positive_op and not value:
            return expression.FALSE_DOMAIN if negative else expression.TRUE_DOMAIN
        domains = []
        if positive_op in ("ilike", "like") and isinstance(value, str):
            needle = value.lower() if positive_op == "ilike" else value
            ops = [op for op, label in OPERATIONS
                   if needle in (label.lower() if positive_op == "ilike" else label)]
            if ops:
                domains.append([("operation", "in", ops)])
        self.flush_model(["res_model"])
        self.env.cr.execute(SQL("SELECT DISTINCT res_model FROM xero_sync_job"))
        for (model,) in self.env.cr.fetchall():
            if model not in self.env:
                continue
            records = self.env[model].with_context(active_test=False)._search(
                [("display_name", positive_op, value)])
            domains.append([("res_model", "=", model), ("res_id", "in", records)])
        domains.append([("target_move_id.name", positive_op, value)])
        domain = expression.OR(domains)
        return ["!", *expression.normalize_domain(domain)] if negative else domain

    @api.depends("xero_id", "operation")
    def _compute_xero_url(self):
        for job in self:
            job.xero_url = job._xero_deep_link(job.operation, job.xero_id) if job.xero_id else False

    @api.model
    def _xero_deep_link(self, operation, xero_id):
        """Xero's web address of a document (production Xero's deep links)."""
        if not xero_id:
            return False
        base = "https://go.xero.com"
        path = {
            "contact": "/Contacts/View/%s",
            "invoice": "/AccountsReceivable/View.aspx?InvoiceID=%s",
            "invoice_ap": "/AccountsPayable/View.aspx?InvoiceID=%s",
            "credit_note": "/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=%s",
            "credit_note_ap": "/AccountsPayable/ViewCreditNote.aspx?creditNoteID=%s",
            "payment": "/Bank/ViewTransaction.aspx?bankTransactionID=%s",
        }.get(operation)
        return base + path % xero_id.split(",")[0] if path else False

    def _record(self):
        self.ensure_one()
        if not self.res_model or self.res_model not in self.env:
            return None
        # Prefetch with the documents of the jobs fetched together with this
        # one, so a batch reads its documents (and their lines) in one go.
        # Worked out once per batch, not once per job (reset for every
        # claim by _process).
        batch = tuple(self._prefetch_ids)
        memo = self.env.cr.cache.setdefault("account_xero.job_siblings", {})
        if (self.res_model, batch) not in memo:
            by_model = defaultdict(list)
            for job in self.browse(batch):
                by_model[job.res_model].append(job.res_id)
            memo.clear()  # only the batch at hand is worth keeping
            for model, ids in by_model.items():
                if model in self.env:
                    # Which still exist: one query for the batch.
                    memo[model, batch] = (ids, set(self.env[model].browse(ids).exists().ids))
        siblings, existing = memo.get((self.res_model, batch), ([self.res_id], None))
        record = self.env[self.res_model].browse(self.res_id).with_prefetch(siblings)
        if existing is None:
            return record if record.exists() else None
        return record if self.res_id in existing else None

    # ------------------------------------------------------------------------
    # Creation
    # ------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        jobs = super().create(vals_list)
        prefix = self._key_prefix()
        for job in jobs:
            # Decided once, before any call: a retry can never make a second document.
            job.idempotency_key = "%s-%d-v%d" % (prefix, job.id, job.version)
        return jobs

    @api.model
    def _key_prefix(self):
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid") or ""
        return "odoo-%s" % uuid.replace("-", "")[:8]

    @api.model
    def _enqueue(self, connection, record, operation, target=None, depends_on=None, version=None,
                 xero_id=None):
        """The pending job doing ``operation`` on ``record`` (created if needed)."""
        Job = self.sudo()
        domain = [
            ("connection_id", "=", connection.id),
            ("res_model", "=", record._name),
            ("res_id", "=", record.id),
            ("operation", "=", operation),
            ("target_move_id", "=", target.id if target else False),
        ]
        if version is None:
            last = Job.search(domain, order="version desc", limit=1)
            if last and last.state in ("pending", "sending", "failed", "blocked"):
                if last.state in ("failed", "blocked"):
                    last._reset_to_pending()
                return last
            version = (last.version + 1) if last else 1
        else:
            existing = Job.search(domain + [("version", "=", version)], limit=1)
            if existing:
                return existing
        return Job.create({
            "connection_id": connection.id,
            "res_model": record._name,
            "res_id": record.id,
            "operation": operation,
            "target_move_id": target.id if target else False,
            "version": version,
            "depends_on_job_id": depends_on.id if depends_on else False,
            "xero_id": xero_id,
        })

    @api.model
    def _jobs_of(self, record, operations=None, target=None):
        domain = [("res_model", "=", record._name), ("res_id", "in", record.ids)]
        if operations:
            domain.append(("operation", "in", list(operations)))
        if target is not None:
            domain.append(("target_move_id", "=", target.id))
        return self.sudo().search(domain, order="id")

    @api.model
    def _trigger_cron(self):
        cron = self.env.ref("account_xero.ir_cron_xero_push", raise_if_not_found=False)
        if cron:
            cron.sudo()._trigger()

    # ------------------------------------------------------------------------
    # User actions
    # ------------------------------------------------------------------------
    def _reset_to_pending(self):
        for job in self.filtered(
                lambda j: j.state in ("failed", "blocked", "cancelled") and not j.in_doubt):
            # Xero keeps its answer to an Idempotency-Key, refusals included:
            # the same key would replay the refusal after the cause is fixed.
            # Xero created nothing for it, so the new request gets a new key.
            # A job in doubt keeps its key: a replay is then what we want.
            job.write({"retries": job.retries + 1, "idempotency_key": "%s-%d-v%d-r%d" % (
                self._key_prefix(), job.id, job.version, job.retries + 1)})
        self.write({
            "state": "pending",
            "next_try_at": fields.Datetime.now(),
            "attempts": 0,
            "blocking_level": False,
            "sending_until": False,
        })

    def action_retry(self):
        jobs = self.filtered(lambda j: j.state in ("failed", "blocked", "cancelled"))
        jobs._reset_to_pending()
        jobs._update_records()
        self._trigger_cron()
        return True

    def action_ignore(self):
        jobs = self.filtered(lambda j: j.state in ("pending", "failed", "blocked"))
        jobs._cancel()
        return True

    def action_open_document(self):
        self.ensure_one()
        record = self._record()
        if not record:
            raise UserError(_("The document of this job no longer exists."))
        return {
            "type": "ir.actions.act_window",
            "res_model": record._name,
            "res_id": record.id,
            "view_mode": "form",
        }

    def action_open_in_xero(self):
        self.ensure_one()
        if not self.xero_url:
            raise UserError(_("This job has no Xero document."))
        return {"type": "ir.actions.act_url", "url": self.xero_url, "target": "new"}

    # ------------------------------------------------------------------------
    # The cron
    # ------------------------------------------------------------------------
    @api.model
    def _commit(self):
        """Commit the cron's work (skipped under tests, like Odoo's own crons;
        pytest-odoo sets ``current_test`` from Odoo 19 only, hence the test mode).

        Only reached from ``_cron_push`` (the claim, the lease recovery and
        each request's results), never from a user's transaction: the
        buttons only enqueue and trigger the cron. Committing after every
        request keeps what Xero accepted recorded as soon as possible, so a
        crash leaves at most one request in doubt.
        """
        if not self._in_test():
            self.env.cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _in_test(self):
        return bool(modules.module.current_test or self.env.registry.in_test_mode())

    @api.model
    def _cron_push(self, time_budget=TIME_BUDGET, limit=CLAIM_LIMIT):
        """Drain the outbox: claim, send, record; until done or out of time.

        Progress goes to ``ir.cron._notify_progress`` (Odoo 18): done > 0 and
        remaining > 0 makes Odoo run the job again at once; besides, while work
        is due the cron triggers itself (Odoo reads done == 0 as "fully done"),
        and a trigger at the next due time wakes it for jobs waiting on a
        backoff or Retry-After.

        Within one operation group (contacts, then invoices, then payments...)
        up to ``account_xero.push_concurrency`` requests (default 5, Xero's
        limit of calls in flight per tenant) are in flight at once, each from
        a worker thread with its own client; this thread builds the next
        request meanwhile and records every answer as it arrives, committing
        after each (see ``_send_requests``). Groups follow one another, so a
        document never reaches Xero before its contact, nor a payment before
        its document. The client's ``TenantPacer`` (per process, shared by
        those threads) keeps the 5 in flight and 60 a minute; several cron
        workers (processes) each pace themselves from Xero's
        X-MinLimit-Remaining / X-DayLimit-Remaining, which count every caller
        of the tenant; what still slips through is answered 429, and a 429
        only reschedules the jobs after Retry-After, without counting a
        failed attempt (see ``_process_connection``).
        """
        started = time.monotonic()
        done = 0
        remaining = 0
        conflicts = 0
        while True:
            try:
                self._recover_expired_leases()
                jobs = self._claim(limit)
            except psycopg2.errors.SerializationFailure:
                # Another worker committed a change to a job we meant to lock
                # (REPEATABLE READ): the transaction holds nothing but this
                # recovery or claim, so start it again.
                conflicts += 1
                if self._in_test() or conflicts > 5:
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
                continue
            if not jobs:
                remaining = self._count_due()
                break
            settled = jobs._process()
            done += settled
            remaining = self._count_due()
            self.env["ir.cron"]._notify_progress(done=done, remaining=remaining)
            self._commit()
            if not settled or time.monotonic() - started > time_budget:
                break
        if remaining:
            # More is due now: run again as soon as a worker is free.
            self._trigger_cron()
        later = self._next_due_at()
        if later:
            cron = self.env.ref("account_xero.ir_cron_xero_push", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger(at=later)
        return done

    @api.model
    def _due_domain_sql(self):
        # The clock is Python's, not the transaction's start (now() in SQL).
        now = fields.Datetime.now()
        return SQL("""
            job.state = 'pending'
            AND job.next_try_at <= %s
            AND conn.state = 'connected' AND conn.active
            AND (dep.id IS NULL OR dep.state = 'done' OR (dep.state = 'pending'
                 AND dep.next_try_at <= %s))
        """, now, now)

    @api.model
    def _count_due(self):
        self.env.flush_all()
        self.env.cr.execute(SQL("""
            SELECT count(*) FROM xero_sync_job job
              JOIN xero_connection conn ON conn.id = job.connection_id
         LEFT JOIN xero_sync_job dep ON dep.id = job.depends_on_job_id
             WHERE %s
        """, self._due_domain_sql()))
        return self.env.cr.fetchone()[0]

    @api.model
    def _next_due_at(self):
        self.env.cr.execute(SQL("""
            SELECT min(next_try_at) FROM xero_sync_job
             WHERE state = 'pending' AND next_try_at > %s
        """, fields.Datetime.now()))
        return self.env.cr.fetchone()[0]

    @api.model
    def _recover_expired_leases(self):
        """Jobs left in "sending" past their lease: a worker died (or its
        commit did) after claiming them. Xero may hold them: look them up
        before anything is sent again."""
        now = fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(SQL("""
            UPDATE xero_sync_job SET state = 'pending', in_doubt = TRUE, sending_until = NULL,
                   next_try_at = %s
             WHERE id IN (SELECT id FROM xero_sync_job
                           WHERE state = 'sending' AND sending_until < %s
                             FOR UPDATE SKIP LOCKED)
         RETURNING id
        """, now, now), log_exceptions=False)  # a serialization failure: see _cron_push
        ids = [r[0] for r in self.env.cr.fetchall()]
        if ids:
            _logger.warning("Xero push: %d job(s) found past their lease, in doubt", len(ids))
            self.browse(ids).invalidate_recordset()
        # End the transaction either way: the claim that follows takes its
        # snapshot when it starts, not before another worker's last commit.
        self._commit()

    @api.model
    def _claim(self, limit=CLAIM_LIMIT):
        """Take up to ``limit`` due jobs no other worker holds, mark them
        ``sending`` with a lease and commit that claim at once.

        The claim is committed on its own so that the marker survives a crash
        during the call: a job in doubt is then looked up in Xero before it is
        ever sent again.
        """
        self.env.flush_all()
        self.env.cr.execute(SQL("""
            SELECT job.id, job.depends_on_job_id, dep.state FROM xero_sync_job job
              JOIN xero_connection conn ON conn.id = job.connection_id
         LEFT JOIN xero_sync_job dep ON dep.id = job.depends_on_job_id
             WHERE %s
          ORDER BY CASE job.operation %s ELSE 99 END, job.id
             LIMIT %s
               FOR UPDATE OF job SKIP LOCKED
        """, self._due_domain_sql(),
            SQL(" ").join(SQL("WHEN %s THEN %s", op, prio) for op, prio in OPERATION_PRIORITY.items()),
            limit), log_exceptions=False)  # a serialization failure is expected: _cron_push claims again
        rows = self.env.cr.fetchall()
        claimed = {job_id for job_id, _dep, _dep_state in rows}
        # A job whose dependency is pending goes only with that dependency.
        ids = [job_id for job_id, dep, dep_state in rows
               if not dep or dep in claimed or dep_state == "done"]
        if not ids:
            return self.browse()
        self.env.cr.execute(SQL("""
            UPDATE xero_sync_job
               SET state = 'sending', sending_until = %s
             WHERE id IN %s
        """, fields.Datetime.now() + LEASE, tuple(ids)))
        jobs = self.browse(ids)
        jobs.invalidate_recordset(["state", "sending_until"])
        self._commit()
        return jobs

    # ------------------------------------------------------------------------
    # Processing a claimed batch
    # ------------------------------------------------------------------------
    def _process(self):
        """Send the claimed jobs ``self``; return how many were settled."""
        # What _record() worked out for an earlier claim is not this one's.
        self.env.cr.cache.pop("account_xero.job_siblings", None)
        settled = 0
        by_connection = defaultdict(lambda: self.browse())
        for job in self:
            by_connection[job.connection_id] |= job
        for connection, jobs in by_connection.items():
            settled += jobs._process_connection(connection)
        return settled

    def _process_connection(self, connection):
        try:
            api = connection._xero_accounting_client()
        except (XeroError, UserError) as exc:
            self._release(error=str(exc), delay=timedelta(minutes=5))
            return 0
        todo = self.sorted(lambda j: (OPERATION_PRIORITY.get(j.operation, 99), j.id))
        settled = 0
        while todo:
            operation = todo[0].operation
            group = todo.filtered(lambda j, op=operation: j.operation == op)
            todo -= group
            # A job claimed with its dependency goes only once that is done
            # (it may have failed or backed off earlier in this batch).
            waiting = group.filtered(
                lambda j: j.depends_on_job_id and j.depends_on_job_id.state != "done")
            if waiting:
                waiting._release(error=_("Waiting for %s.", waiting[0].depends_on_job_id.display_name),
                                 delay=WAIT_DELAY)
                group -= waiting
            if not group:
                continue
            handler = getattr(group, "_send_%s" % operation, None)
            if handler is None:
                group._set_failed(_("This kind of job is not supported yet."))
                continue
            try:
                handler(api)
            except XeroRateLimited as exc:
                # Xero's pace, not a failure: everything not sent waits Retry-After.
                rest = (group | todo).filtered(lambda j: j.state == "sending")
                rest._release(error=exc.message, delay=timedelta(seconds=max(exc.retry_after, 1)),
                              count_attempt=False)
                todo = self.browse()
            except XeroAuthError as exc:
                # Xero refused a token we had just refreshed. If the refresh
                # itself was refused, the token refresh already marked the
                # connection "Reconnect needed" (in its own transaction); a
                # 401 right after a good refresh is not proof that the
                # authorization is gone, so the connection row is left alone
                # here: writing it from every worker would also make workers
                # that raced on the same 401 fail on a concurrent update.
                rest = (group | todo).filtered(lambda j: j.state == "sending")
                rest._release(error=exc.message, delay=timedelta(minutes=5), count_attempt=False)
                todo = self.browse()
            except XeroTransientError as exc:
                # A write may have reached Xero: look it up before resending.
                group.filtered(lambda j: j.state == "sending")._backoff(exc.message)
            except XeroForbiddenError as exc:
                rest = (group | todo).filtered(lambda j: j.state == "sending")
                rest._release(error=exc.message, delay=timedelta(minutes=30), count_attempt=False)
                connection.sudo().write({"last_error": exc.message})
                todo = self.browse()
            except XeroError as exc:
                group.filtered(lambda j: j.state == "sending")._set_failed(exc.message)
            settled += len(group.filtered(lambda j: j.state in ("done", "failed", "blocked")))
            # Whatever is still "sending" here was neither sent nor refused.
            group.filtered(lambda j: j.state == "sending")._release(delay=WAIT_DELAY, count_attempt=False)
            self._commit()
        return settled

    # -- state changes ----------------------------------------------------
    def _set_done(self, xero_id=None, note=True):
        now = fields.Datetime.now()
        for job in self:
            vals = {
                "state": "done", "error": False, "blocking_level": False, "sent_at": now,
                "sending_until": False, "in_doubt": False, "attempts": job.attempts + 1,
            }
            if xero_id:
                vals["xero_id"] = xero_id
            job.write(vals)
        if not self.env.context.get("xero_defer_refresh"):
            self._update_records(note=note)

    def _set_failed(self, message, level="error", state="failed"):
        for job in self:
            job.write({
                "state": state, "error": message, "blocking_level": level,
                "sending_until": False, "attempts": job.attempts + (state == "failed"),
            })
        if not self.env.context.get("xero_defer_refresh"):
            self._update_records()
        # Jobs waiting for these carry the reason too.
        waiting = self.search([("depends_on_job_id", "in", self.ids), ("state", "=", "pending")])
        for job in waiting:
            job.error = _("Waiting for %(job)s: %(reason)s",
                          job=job.depends_on_job_id.display_name, reason=message)

    def _set_blocked(self, message):
        self._set_failed(message, level="warning", state="blocked")

    def _cancel(self, reason=None):
        """Nothing to send any more (``reason`` says why; without one, the
        job keeps its last error): the job is set aside, its document shows it."""
        vals = {"state": "cancelled", "sending_until": False}
        if reason:
            vals["error"] = reason
        self.write(vals)
        if not self.env.context.get("xero_defer_refresh"):
            self._update_records()

    def _release(self, error=None, delay=timedelta(0), count_attempt=False):
        """Back to pending, due after ``delay``."""
        vals = {
            "state": "pending", "sending_until": False,
            "next_try_at": fields.Datetime.now() + delay,
        }
        if error is not None:
            vals["error"] = error
            vals["blocking_level"] = "info"
        for job in self:
            job.write(dict(vals, attempts=job.attempts + (1 if count_attempt else 0)))

    @api.model
    def _max_attempts(self):
        """Transient failures before a job is marked failed: the system
        parameter ``account_xero.push_max_attempts`` (default MAX_ATTEMPTS)."""
        value = self.env["ir.config_parameter"].sudo().get_param(
            "account_xero.push_max_attempts", MAX_ATTEMPTS)
        try:
            return max(1, int(value))
        except (TypeError, ValueError):
            return MAX_ATTEMPTS

    def _backoff(self, message):
        """A transient failure: exponential backoff, failed after
        ``_max_attempts()``. The write may have reached Xero, so the job is in doubt."""
        max_attempts = self._max_attempts()
        for job in self:
            attempts = job.attempts + 1
            if attempts >= max_attempts:
                job.write({"attempts": attempts - 1, "in_doubt": True})
                job._set_failed(_("Xero could not be reached after %(n)d attempts: %(msg)s",
                                  n=attempts, msg=message))
                continue
            delay = timedelta(seconds=min(30 * 2 ** (attempts - 1), 3600))
            job.write({
                "state": "pending", "attempts": attempts, "in_doubt": True,
                "sending_until": False, "error": message, "blocking_level": "info",
                "next_try_at": fields.Datetime.now() + delay,
            })

    def _update_records(self, note=False):
        """Reflect the jobs' state on their documents (Xero state, id, error)."""
        by_model = defaultdict(dict)
        for job in self:
            by_model[job.res_model][job.res_id] = job
        for model, jobs in by_model.items():
            if model not in self.env:
                continue
            records = self.env[model].sudo().browse(list(jobs)).exists()
            if records and hasattr(records, "_xero_refresh_state"):
                records._xero_refresh_state(jobs if note else None)

    # -- request keys ------------------------------------------------------
    def _request_key(self):
        """The Idempotency-Key of one request: the job's own key for a single
        job, else a digest of the keys of the jobs it carries (a resend of the
        same batch replays in Xero)."""
        keys = sorted(self.mapped("idempotency_key"))
        if len(keys) == 1:
            return keys[0]
        return "%s-batch-%s" % (self._key_prefix(),
                                hashlib.sha256("|".join(keys).encode()).hexdigest()[:40])

    def _chunks(self, size=BATCH_SIZE):
        for start in range(0, len(self), size):
            yield self[start:start + size]

    def _apply_results(self, results, on_ok):
        """Map per-element results back onto ``self`` (same order), then
        reflect the whole request on its documents at once (one read of
        their jobs, one batch of chatter notes) rather than job by job."""
        deferred = self.with_context(xero_defer_refresh=True)
        for job, result in zip(deferred, results):
            if result.ok:
                on_ok(job, result)
            else:
                job._set_failed(result.message or _("Xero refused this element."))
        self._update_records(note=True)

    # -- concurrent requests -------------------------------------------------
    @api.model
    def _push_concurrency(self):
        """Requests in flight per connection in one cron worker: the system
        parameter ``account_xero.push_concurrency``, 1 to 5 (Xero's limit of
        concurrent calls per tenant), 5 by default."""
        value = self.env["ir.config_parameter"].sudo().get_param(
            "account_xero.push_concurrency", CONCURRENT_LIMIT)
        try:
            return min(max(1, int(value)), CONCURRENT_LIMIT)
        except (TypeError, ValueError):
            return CONCURRENT_LIMIT

    def _batch_request(self, method, elements, on_ok):
        """One request of a batch write: the ``(jobs, send, on_done)`` that
        ``_send_requests`` takes. ``elements`` (xero-python models, built
        here) go in one ``AccountingClient.<method>`` call keyed by these jobs."""
        key = self._request_key()

        def send(client):
            return getattr(client, method)(elements, key)

        def on_done(results):
            self._apply_results(results, on_ok)

        return self, send, on_done

    def _send_requests(self, api, requests):
        """Send the requests of one operation group, up to
        ``_push_concurrency()`` in flight, and record each answer here, on
        the cron's thread, as it comes back (committed at once).

        ``requests`` yields ``(jobs, send, on_done)``. It is a generator run
        on this thread, so the next request is built (ORM work) while earlier
        ones are in flight. ``send(client)`` runs in a worker thread with a
        client of its own and only makes the HTTP call: no ORM, no cursor.
        ``on_done(value)`` records what Xero answered.

        Every request that was sent is recorded before anything is raised, so
        a request Xero accepted is never put back and sent again under
        another key. A rate limit, a refused token or a refused organisation
        stops the group: nothing more is sent, the requests in flight are
        recorded, then the error is raised and ``_process_connection`` puts
        back what is still "sending". A transient failure (5xx, timeout)
        backs off the jobs of that one request only.
        """
        width = self._push_concurrency()
        if width == 1:
            for jobs, send, on_done in requests:
                stop = jobs._settle_request(lambda send=send: send(api), on_done)
                if stop:
                    raise stop
            return

        def run(send):
            with api.thread_client() as client:
                return send(client)

        in_flight = {}
        stop = None
        with ThreadPoolExecutor(max_workers=width, thread_name_prefix="xero-push") as pool:
            try:
                for jobs, send, on_done in requests:
                    # Record what has come back meanwhile; wait while 5 are out.
                    stop = self._settle_answers(in_flight, block=len(in_flight) >= width)
                    while not stop and len(in_flight) >= width:
                        stop = self._settle_answers(in_flight, block=True)
                    if stop:
                        break
                    in_flight[pool.submit(run, send)] = (jobs, on_done)
            finally:
                # Whatever happened here, every request sent gets recorded.
                while in_flight:
                    stop = self._settle_answers(in_flight, block=True) or stop
        if stop:
            raise stop

    @api.model
    def _settle_answers(self, in_flight, block):
        """Record the requests of ``in_flight`` {future: (jobs, on_done)}
        that have come back (waiting for one if ``block``); return the first
        error that stops the group, if any."""
        if not in_flight:
            return None
        done, _pending = wait(list(in_flight), timeout=None if block else 0,
                              return_when=FIRST_COMPLETED)
        stop = None
        for future in sorted(done, key=lambda f: in_flight[f][0][:1].id):
            jobs, on_done = in_flight.pop(future)
            stop = jobs._settle_request(future.result, on_done) or stop
        return stop

    def _settle_request(self, outcome, on_done):
        """Record one request of ``self``: ``outcome()`` gives Xero's answer
        or raises. Returns (does not raise) the errors that stop the whole
        group; ``self`` then stays "sending" for the caller to put back."""
        try:
            value = outcome()
        except (XeroRateLimited, XeroAuthError, XeroForbiddenError) as exc:
            return exc
        except XeroTransientError as exc:
            # This request may have reached Xero: look it up before resending.
            self.filtered(lambda j: j.state == "sending")._backoff(exc.message)
        except XeroError as exc:
            self.filtered(lambda j: j.state == "sending")._set_failed(exc.message)
        else:
            on_done(value)
        self._commit()
        return None

    # ------------------------------------------------------------------------
    # Contacts
    # ------------------------------------------------------------------------
    def _send_contact(self, api):
        connection = self.connection_id
        to_create = []
        for job in self:
            partner = job._record()
            if partner is None:
                job._cancel(_("The contact no longer exists."))
                continue
            binding = partner._xero_binding(connection)
            if binding.xero_id:
                job._set_done(binding.xero_id, note=False)
                continue
            to_create.append((job, partner))
        # Matched before creation: Xero may know them already.
        found = self._find_contacts(api, [partner for _job, partner in to_create])
        for job, partner in list(to_create):
            if found.get(partner.id):
                partner._xero_bind(connection, found[partner.id])
                job._set_done(found[partner.id], note=False)
                to_create.remove((job, partner))
        self._commit()
        self._send_requests(api, self._contact_requests(connection, to_create))

    def _contact_requests(self, connection, to_create):
        for start in range(0, len(to_create), BATCH_SIZE):
            chunk = to_create[start:start + BATCH_SIZE]
            jobs = self.browse([job.id for job, _p in chunk])
            partners = {job.id: partner for job, partner in chunk}

            def on_ok(job, result, partners=partners):
                partners[job.id]._xero_bind(connection, result.xero_id)
                job._set_done(result.xero_id, note=False)

            yield jobs._batch_request(
                "create_contacts",
                [partner._xero_contact_payload(connection) for _job, partner in chunk], on_ok)

    @staticmethod
    def _contact_clauses(partner):
        clauses = [payloads.where_equals("ContactNumber", partner._xero_contact_number())]
        name = (partner.name or "").strip()
        if name:
            clauses.append(payloads.where_equals("Name", name))
        if partner.email:
            clauses.append(payloads.where_equals("EmailAddress", partner.email.strip()))
        return clauses

    def _find_contacts(self, api, partners):
        """{partner id: ContactID} of the partners already in Xero, in as
        few calls as it takes: look-ups (an OR of the partners' clauses, at
        most CONTACT_LOOKUP partners and WHERE_BUDGET characters each) for a
        few partners; for more, Xero's active contacts read CONTACT_PAGE at
        a time, as long as that costs fewer calls than the look-ups would."""
        if not partners:
            return {}
        lookups = self._where_chunks(partners, self._contact_clauses, CONTACT_LOOKUP)
        directory = None
        if len(lookups) > 1:
            directory = api.get_contacts(page_size=CONTACT_PAGE, max_pages=len(lookups) - 1)
        if directory is not None:
            lookups = [(partners, None)]
        found = {}
        for chunk, clauses in lookups:
            contacts = directory if clauses is None else api.get_contacts(where=" OR ".join(clauses))
            for partner in chunk:
                match = self._match_contact(partner, contacts)
                if match:
                    found[partner.id] = match
        return found

    @staticmethod
    def _where_chunks(items, clauses_of, max_items=None):
        """[(items, where clauses)]: ``items`` in groups whose clauses, OR-ed
        in one look-up, stay within WHERE_BUDGET characters (and
        ``max_items`` items)."""
        chunks = []
        chunk, clauses, size = [], [], 0
        for item in items:
            own = clauses_of(item)
            own_size = sum(len(c) + 4 for c in own)
            if chunk and ((max_items and len(chunk) >= max_items)
                          or size + own_size > WHERE_BUDGET):
                chunks.append((chunk, clauses))
                chunk, clauses, size = [], [], 0
            chunk.append(item)
            clauses.extend(own)
            size += own_size
        if chunk:
            chunks.append((chunk, clauses))
        return chunks

    @staticmethod
    def _match_contact(partner, contacts):
        number = partner._xero_contact_number()
        name = (partner.name or "").strip()
        active = [c for c in contacts if (c.contact_status or "ACTIVE") == "ACTIVE"]
        for test in (
            lambda c: c.contact_number == number,
            lambda c: name and (c.name or "").strip() == name,
            lambda c: partner.email and (c.email_address or "").strip().lower()
            == partner.email.strip().lower(),
        ):
            for contact in active:
                if test(contact):
                    return contact.contact_id
        return None

    # ------------------------------------------------------------------------
    # Invoices, bills and credit notes
    # ------------------------------------------------------------------------
    def _send_invoice(self, api):
        self._send_documents(api, credit_notes=False)

    def _send_credit_note(self, api):
        self._send_documents(api, credit_notes=True)

    def _send_documents(self, api, credit_notes):
        self._send_requests(api, self._document_requests(api, credit_notes))

    def _document_requests(self, api, credit_notes):
        """The create requests of these jobs, BATCH_SIZE documents each,
        yielded as soon as each is full (see ``_send_requests``); the jobs
        that need no create (gone, found in Xero, blocked, updated in place)
        are settled on the way."""
        connection = self.connection_id
        # Those in doubt are looked up first, 50 numbers a look-up.
        doubtful = [job._record() for job in self if job.in_doubt]
        found = self._find_documents(
            api, [move for move in doubtful if move is not None and move.state == "posted"],
            credit_notes)
        ready = []
        for job in self:
            move = job._record()
            if move is None or move.state != "posted":
                job._cancel(_("The document is no longer posted."))
                continue
            if job.in_doubt and found.get(move.id):
                job._set_done(found[move.id])
                continue
            values, issues = move._xero_document_values(connection)
            if issues:
                job._set_blocked("\n".join(issues))
                continue
            if job.xero_id:
                # Posted again after a reset, before the void went: update in place.
                model = payloads.build_invoice(values)
                if credit_notes:
                    model.credit_note_id = job.xero_id
                    result = api.update_credit_note(job.xero_id, model, job._request_key())
                else:
                    model.invoice_id = job.xero_id
                    result = api.update_invoice(job.xero_id, model, job._request_key())
                if result.ok:
                    job._set_done(job.xero_id)
                else:
                    job._set_failed(result.message)
                continue
            ready.append((job, payloads.build_invoice(values)))
            if len(ready) == BATCH_SIZE:
                yield self._document_request(ready, credit_notes)
                ready = []
        if ready:
            yield self._document_request(ready, credit_notes)

    def _document_request(self, ready, credit_notes):
        jobs = self.browse([job.id for job, _model in ready])
        return jobs._batch_request(
            "create_credit_notes" if credit_notes else "create_invoices",
            [model for _job, model in ready], lambda job, result: job._set_done(result.xero_id))

    def _find_documents(self, api, moves, credit_notes):
        """{move id: Xero id} of the live Xero documents already made from
        ``moves``, found by number, BATCH_SIZE numbers per look-up."""
        live = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID")
        found = {}
        for start in range(0, len(moves), BATCH_SIZE):
            by_number = {move.name: move for move in moves[start:start + BATCH_SIZE]}
            if credit_notes:
                docs = api.get_credit_notes(where=" OR ".join(
                    payloads.where_equals("CreditNoteNumber", number) for number in by_number))
                for doc in docs:
                    move = by_number.get(doc.credit_note_number)
                    if move and doc.status in live:
                        found.setdefault(move.id, doc.credit_note_id)
                continue
            docs = api.get_invoices(invoice_numbers=list(by_number), statuses=list(live))
            for doc in docs:
                move = by_number.get(doc.invoice_number)
                if move and doc.status in live and (doc.type or move._xero_type()) == move._xero_type():
                    found.setdefault(move.id, doc.invoice_id)
        return found

    # ------------------------------------------------------------------------
    # Payments and allocations
    # ------------------------------------------------------------------------
    def _target_xero_id(self):
        """The Xero id of the document this payment/allocation applies to, or None."""
        self.ensure_one()
        target = self.target_move_id.sudo()
        if target.xero_state == "sent" and target.xero_id:
            return target.xero_id
        return None

    def _send_payment(self, api):
        self._send_requests(api, self._payment_requests(api))

    def _payment_requests(self, api):
        """The create requests of these payments, BATCH_SIZE each (see
        ``_document_requests``)."""
        connection = self.connection_id
        # Those in doubt are looked up first by the Reference carrying their key.
        found = self._find_payments(api, [
            job._record()._xero_payment_reference(job)
            for job in self if job.in_doubt and job._record() is not None])
        ready = []
        for job in self:
            payment = job._record()
            target = job.target_move_id
            if payment is None or not target:
                job._cancel(_("The payment or its document no longer exists."))
                continue
            target_id = job._target_xero_id()
            if not target_id:
                job._release(error=_("Waiting for %s to reach Xero.", target.display_name),
                             delay=WAIT_DELAY)
                continue
            reference = payment._xero_payment_reference(job)
            if job.in_doubt and found.get(reference):
                job._set_done(found[reference])
                continue
            values, issues = payment._xero_payment_values(connection, target)
            if issues:
                job._set_blocked("\n".join(issues))
                continue
            if not values["amount"]:
                job._cancel(_("The payment is no longer reconciled with %s.", target.name))
                continue
            job.amount = values["amount"]
            ready.append((job, payloads.build_payment(
                "credit_note" if target.move_type in ("out_refund", "in_refund") else "invoice",
                target_id, reference=reference, **values)))
            if len(ready) == BATCH_SIZE:
                yield self._payment_request(ready)
                ready = []
        if ready:
            yield self._payment_request(ready)

    @api.model
    def _find_payments(self, api, references):
        """{Reference: PaymentID} of the payments Xero holds (not deleted)
        with these references: an OR of their clauses per look-up, at most
        WHERE_BUDGET characters each."""
        found = {}
        chunks = self._where_chunks(
            references, lambda reference: [payloads.where_equals("Reference", reference)])
        for _chunk, clauses in chunks:
            for payment in api.get_payments(where=" OR ".join(clauses)):
                if payment.status != "DELETED":
                    found.setdefault(payment.reference, payment.payment_id)
        return found

    def _payment_request(self, ready):
        jobs = self.browse([job.id for job, _p in ready])
        return jobs._batch_request("create_payments", [p for _job, p in ready],
                                   lambda job, result: job._set_done(result.xero_id))

    def _send_allocation(self, api):
        for job in self:
            credit_note = job._record()
            invoice = job.target_move_id
            if credit_note is None or not invoice:
                job._cancel()
                continue
            invoice_id = job._target_xero_id()
            note_job = self.search([
                ("res_model", "=", "account.move"), ("res_id", "=", credit_note.id),
                ("operation", "=", "credit_note"), ("connection_id", "=", job.connection_id.id),
            ], order="version desc", limit=1)
            if not invoice_id or note_job.state != "done":
                job._release(error=_("Waiting for the credit note and the invoice to reach Xero."),
                             delay=WAIT_DELAY)
                continue
            amount = credit_note._xero_reconciled_amount(invoice)
            if not amount:
                job._cancel(_("The credit note is no longer applied to %s.", invoice.name))
                continue
            if job.in_doubt:
                notes = api.get_credit_notes(where='CreditNoteID==Guid("%s")' % note_job.xero_id)
                for note in notes:
                    for alloc in note.allocations or []:
                        if alloc.invoice and alloc.invoice.invoice_id == invoice_id and \
                                abs((alloc.amount or 0) - float(amount)) < 0.005:
                            job._set_done(alloc.allocation_id or note_job.xero_id)
                            break
                if job.state == "done":
                    continue
            allocation = payloads.build_allocation(
                invoice_id, amount, max(credit_note.invoice_date or credit_note.date,
                                        invoice.invoice_date or invoice.date))
            result = api.create_allocation(note_job.xero_id, allocation, job._request_key())
            if result.ok:
                job._set_done(result.xero_id or note_job.xero_id)
            else:
                job._set_failed(result.message)
            self._commit()

    # ------------------------------------------------------------------------
    # Undoing: void a document, delete a payment
    # ------------------------------------------------------------------------
    def _send_void(self, api):
        # Payments still to delete in Xero, read once for the whole group.
        waiting_for_deletes = set(self.search([
            ("operation", "=", "delete_payment"), ("target_move_id", "in", self.mapped("res_id")),
            ("state", "in", ("pending", "sending")), ("id", "not in", self.ids),
        ]).target_move_id.ids)
        for job in self:
            move = job._record()
            if not job.xero_id and job.depends_on_job_id.xero_id:
                job.xero_id = job.depends_on_job_id.xero_id
            if move is None or not job.xero_id:
                job._cancel()
                continue
            credit_note = move.move_type in ("out_refund", "in_refund")
            if move.id in waiting_for_deletes:
                job._release(error=_("Waiting for its payments to be deleted in Xero."),
                             delay=WAIT_DELAY)
                continue
            if credit_note:
                docs = api.get_credit_notes(where='CreditNoteID==Guid("%s")' % job.xero_id)
            else:
                docs = api.get_invoices(where='InvoiceID==Guid("%s")' % job.xero_id)
            if not docs or docs[0].status in ("VOIDED", "DELETED"):
                job._set_done()
                continue
            doc = docs[0]
            held = (doc.payments or []) + (getattr(doc, "allocations", None) or [])
            paid = (getattr(doc, "amount_paid", 0) or 0) + (getattr(doc, "amount_credited", 0) or 0) \
                + (getattr(doc, "applied_amount", 0) or 0)
            if held or paid:
                job._set_blocked(_(
                    "Xero holds payments or allocations on %(doc)s, so it cannot be voided there. "
                    "Remove them (reverse the payments in Odoo, or delete them in Xero), then retry.",
                    doc=move.name))
                continue
            delete = doc.status in ("DRAFT", "SUBMITTED")
            update = payloads.build_void(move._xero_type(), job.xero_id, delete=delete)
            if credit_note:
                result = api.update_credit_note(job.xero_id, update, job._request_key())
            else:
                result = api.update_invoice(job.xero_id, update, job._request_key())
            if result.ok:
                job._set_done()
            else:
                job._set_failed(result.message)
            self._commit()

    def _send_delete_payment(self, api):
        for job in self:
            if not job.xero_id and job.depends_on_job_id.xero_id:
                job.xero_id = job.depends_on_job_id.xero_id
            if not job.xero_id:
                job._set_done(note=False)
                continue
            try:
                result = api.delete_payment(job.xero_id, job._request_key())
            except XeroNotFound:
                job._set_done()
                continue
            if result.ok:
                job._set_done()
                continue
            # Already deleted (a replay after a crash)?
            found = api.get_payments(where='PaymentID==Guid("%s")' % job.xero_id)
            if not found or found[0].status == "DELETED":
                job._set_done()
            else:
                job._set_failed(result.message)
            self._commit()

    # ------------------------------------------------------------------------
    # Autovacuum: keep the log readable
    # ------------------------------------------------------------------------
    @api.autovacuum
    def _gc_done_jobs(self):
        """Done and ignored jobs older than a year go (the documents keep their Xero id)."""
        limit = fields.Datetime.now() - timedelta(days=365)
        old = self.search([("state", "in", ("done", "cancelled")), ("create_date", "<", limit)],
                          limit=models.GC_UNLINK_LIMIT)
        # Keep the jobs others depend on.
        old -= self.search([("depends_on_job_id", "in", old.ids)]).depends_on_job_id
        old.unlink()
