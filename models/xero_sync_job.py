"""The outbox and the sync log: one row per thing to do in Xero.

Posting a document writes a pending job in the user's transaction (no HTTP
there); the cron "Xero: push" sends it. This file is the job itself: its
fields, how jobs are queued, and the keys of its requests. The rest of the
engine:

- ``xero_sync_job_state.py``: the user's actions (retry, ignore), the state
  changes the engine makes as Xero answers, and retention;
- ``xero_sync_cron.py``: one short cron call (rounds, budget, progress,
  re-trigger) and the hand-over of each group of claimed jobs to its sender;
- ``xero_sync_claim.py``: what a call claims (SKIP LOCKED, leases, the
  leases of calls that died) and the pace across organisations;
- ``xero_sync_send.py``: requests in flight, answers recorded as they come;
- ``xero_sync_job_guard.py``: who may write jobs, and which document has which;
- ``senders/`` (beside ``models/``): one sender per kind of document, and
  the one table of operations (``senders/__init__.py``).

A job found in ``sending`` past its lease is *in doubt*: Xero may have
accepted it before we could record that. Before it is ever sent again it is
looked up in Xero (documents by number, contacts by ContactNumber, payments
by the Reference that carries the job's key, deposits by the key in their
line's Description); together with the
Idempotency-Key decided at creation (job id + version) that keeps a crash
after Xero's accept from making a duplicate.
"""

import hashlib
import logging
import threading
from collections import defaultdict

import psycopg2
import psycopg2.errors

from odoo import _, api, fields, models, sql_db
from odoo.addons.base.models.ir_cron import ODOO_NOTIFY_FUNCTION
from odoo.osv import expression
from odoo.tools import SQL

from ..senders import OPERATION_LABELS
from ..xero import payloads_deposit

# Jobs whose label is the document's own type ("Customer Invoice", "Vendor Bill").
DOCUMENT_OPERATIONS = ("invoice", "credit_note")

_logger = logging.getLogger(__name__)

STATES = [
    ("pending", "Pending"),
    ("sending", "Sending"),
    ("done", "Done"),
    ("failed", "Failed"),
    ("blocked", "Blocked"),
    ("cancelled", "Ignored"),
]

BATCH_SIZE = 50  # Xero's limit per request (tests make it smaller: read it through _batch_size)

# This process's connection to the "postgres" database, where Odoo's cron
# workers LISTEN (see _notify_cron_workers).
_NOTIFY_CONNECTION = {"cnx": None, "lock": threading.Lock()}


def _notify_cron_workers(dbname):
    """NOTIFY cron_trigger, as ``ir.cron._notifydb`` does, on a connection
    this process keeps: Odoo opens a new connection to the "postgres"
    database for each NOTIFY (it never pools those), 25 ms or more a posting
    on the development machine, more than the addon's whole cost in it.
    Should it fail, the cron's schedule (every 5 minutes) is the fallback."""
    with _NOTIFY_CONNECTION["lock"]:
        for attempt in (1, 2):
            cnx = _NOTIFY_CONNECTION["cnx"]
            try:
                if cnx is None or cnx.closed:
                    _dbname, info = sql_db.connection_info_for("postgres")
                    cnx = _NOTIFY_CONNECTION["cnx"] = psycopg2.connect(**info)
                    cnx.autocommit = True
                notify = SQL("SELECT %s('cron_trigger', %s)",
                             SQL.identifier(ODOO_NOTIFY_FUNCTION), dbname)
                with cnx.cursor() as cr:
                    cr.execute(notify.code, notify.params)
                return
            except psycopg2.Error:
                if cnx is not None:
                    cnx.close()
                _NOTIFY_CONNECTION["cnx"] = None
                if attempt == 2:
                    _logger.warning("Xero: the cron workers could not be woken", exc_info=True)


class XeroSyncJob(models.Model):
    _name = "xero.sync.job"
    _description = "Xero Sync Job"
    _order = "id desc"
    # No _rec_name: the name is computed from the document's (see
    # _search_display_name); "display_name" there made every name search
    # recurse into itself forever.
    _check_company_auto = True

    connection_id = fields.Many2one(
        "xero.connection", required=True, ondelete="cascade", readonly=True)
    company_id = fields.Many2one(
        related="connection_id.company_id", store=True, readonly=True)
    res_model = fields.Char("Document model", required=True, readonly=True)
    res_id = fields.Many2oneReference(
        "Document id", model_field="res_model", required=True, index=True, readonly=True)
    res_ref = fields.Reference(
        selection="_selection_res_ref", string="Document", compute="_compute_res_ref")
    target_move_id = fields.Many2one(
        "account.move", "Applied to", index="btree_not_null", readonly=True, ondelete="cascade",
        help="For payments and allocations: the invoice or credit note they apply to.")
    operation = fields.Selection(OPERATION_LABELS, required=True, readonly=True)
    version = fields.Integer(
        default=1, required=True, readonly=True,
        help="Bumped when the document changes in a way that must be sent again.")
    state = fields.Selection(
        STATES, default="pending", required=True, readonly=True, copy=False)
    blocking_level = fields.Selection(
        [("info", "Info"), ("warning", "Warning"), ("error", "Error")], readonly=True, copy=False)
    error = fields.Text(readonly=True, copy=False, help="Xero's own words, or the missing mapping.")
    warning = fields.Text(
        readonly=True, copy=False,
        help="Xero's warnings when it accepted this (Warnings of the element), in its own words.")
    attempts = fields.Integer(readonly=True, copy=False)
    next_try_at = fields.Datetime(
        "Next try", default=fields.Datetime.now, readonly=True, copy=False)
    sending_until = fields.Datetime(readonly=True, copy=False)
    claim_token = fields.Integer(
        readonly=True, copy=False,
        help="The token of the cron call that claimed this job (it holds a lock on it while it lives).")
    in_doubt = fields.Boolean(
        readonly=True, copy=False,
        help="Xero may have accepted this job without us recording it: look it up before sending.")
    idempotency_key = fields.Char(readonly=True, copy=False)
    retries = fields.Integer(
        "Retried", readonly=True, copy=False,
        help="Times this job was sent again by hand after Xero refused it.")
    depends_on_job_id = fields.Many2one(
        "xero.sync.job", "Waits for", readonly=True, ondelete="set null", index="btree_not_null")
    xero_id = fields.Char("Xero ID", readonly=True, copy=False, index="btree_not_null")
    sent_at = fields.Datetime(readonly=True, copy=False)
    amount = fields.Float(
        readonly=True, copy=False, help="For payments: the amount sent, in the document's currency.")
    deposit_kind = fields.Selection(
        [(payloads_deposit.PREPAYMENT, "Prepayment"), (payloads_deposit.OVERPAYMENT, "Overpayment")],
        readonly=True, copy=False,
        help="For deposits: what Xero made of the payment (its Xero ID is that object's).")
    deposit_bank_transaction_id = fields.Char(
        "Xero bank transaction", readonly=True, copy=False,
        help="For deposits: the BankTransactionID of the Xero bank transaction that made the "
             "prepayment or overpayment (its page in Xero).")
    xero_url = fields.Char("Open in Xero", compute="_compute_xero_url")

    @api.model
    def _selection_res_ref(self):
        return [
            ("account.move", _("Journal Entry")),
            ("account.payment", _("Payment")),
            ("res.partner", _("Contact")),
            ("account.trust.transaction", _("Trust transaction")),
        ]

    def init(self):
        # Every job posting queues writes each index of this table, in the
        # user's transaction: only the indexes a query of the engine needs.
        # One document + operation + version (+ the document it applies to)
        # is queued once; it also serves the connection's ondelete cascade.
        self.env.cr.execute(SQL("""
            CREATE UNIQUE INDEX IF NOT EXISTS xero_sync_job_document_uniq
                ON xero_sync_job (connection_id, res_model, res_id, operation, version,
                                  COALESCE(target_move_id, 0))
        """))
        # The cron's due, lease and next-due queries read open jobs only.
        self.env.cr.execute(SQL("""
            CREATE INDEX IF NOT EXISTS xero_sync_job_due_idx
                ON xero_sync_job (next_try_at) WHERE state IN ('pending', 'sending')
        """))
        # What needs attention (the log's and the documents' "failed" filters).
        self.env.cr.execute(SQL("""
            CREATE INDEX IF NOT EXISTS xero_sync_job_attention_idx
                ON xero_sync_job (state) WHERE state IN ('failed', 'blocked')
        """))
        # Indexes of earlier versions that nothing reads are dropped by the
        # migration to 18.0.1.1.0 (migrations/), not at every start.

    @api.depends("res_model", "res_id")
    def _compute_res_ref(self):
        for job in self:
            if job.res_model and job.res_id and job.res_model in self.env:
                job.res_ref = "%s,%s" % (job.res_model, job.res_id)
            else:
                job.res_ref = False

    @api.depends("operation", "res_model", "res_id", "version")
    def _compute_display_name(self):
        labels = dict(OPERATION_LABELS)
        move_types = dict(self.env["account.move"]._fields["move_type"]._description_selection(
            self.env))
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
            label = labels.get(job.operation, job.operation)
            if record is not None and job.operation in DOCUMENT_OPERATIONS \
                    and "move_type" in record._fields:
                # "Customer Invoice", "Vendor Bill"... rather than "Invoice / bill".
                label = move_types.get(record.move_type, label)
            job.display_name = "%s: %s%s" % (label, name, suffix)

    @api.model
    def _search_display_name(self, operator, value):
        """The Sync Log's "Job" search (and name_search): a job's name is its
        operation's label and its document's name (and the document it
        applies to), so search those: the documents' own name searches
        (an invoice by number, reference or customer; a contact by name,
        email or reference), the operation labels, the applied-to entry's
        number. Never the computed name itself: that recursed forever."""
        negative = operator in expression.NEGATIVE_TERM_OPERATORS
        positive_op = expression.TERM_OPERATORS_NEGATION[operator] if negative else operator
        if positive_op.endswith("like") and "=" not in positive_op and not value:
            return expression.FALSE_DOMAIN if negative else expression.TRUE_DOMAIN
        domains = []
        if positive_op in ("ilike", "like") and isinstance(value, str):
            needle = value.lower() if positive_op == "ilike" else value
            ops = [op for op, label in OPERATION_LABELS
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

    @api.depends("xero_id", "operation", "connection_id")
    def _compute_xero_url(self):
        for job in self:
            job.xero_url = job._xero_deep_link(job.operation, job.xero_id, job.connection_id) \
                if job.xero_id else False

    @api.model
    def _xero_deep_link_path(self, operation):
        """The path of Xero's web page of a document of ``operation``, with
        %s for its Xero id (go.xero.com's paths, as Xero's own MCP server
        builds them: XeroAPI/xero-mcp-server, src/consts/deeplinks.ts)."""
        return {
            "contact": "/Contacts/View/%s",
            "contact_update": "/Contacts/View/%s",
            "invoice": "/AccountsReceivable/View.aspx?InvoiceID=%s",
            "invoice_ap": "/AccountsPayable/View.aspx?InvoiceID=%s",
            "credit_note": "/AccountsReceivable/ViewCreditNote.aspx?creditNoteID=%s",
            "credit_note_ap": "/AccountsPayable/ViewCreditNote.aspx?creditNoteID=%s",
            "payment": "/Bank/ViewTransaction.aspx?bankTransactionID=%s",
            "bank_transaction": "/Bank/ViewTransaction.aspx?bankTransactionID=%s",
            "bank_transfer": "/Bank/ViewTransfer.aspx?bankTransferID=%s",
            "manual_journal": "/Journal/View.aspx?invoiceID=%s",
        }.get(operation)

    @api.model
    def _xero_deep_link(self, operation, xero_id, connection=None):
        """The web address of a document in Xero, on the connection's Xero:
        go.xero.com, or the sandbox's page of it when the connection points
        at the sandbox (see xero.connection._xero_web_url)."""
        if not xero_id:
            return False
        path = self._xero_deep_link_path(operation)
        if not path:
            return False
        connection = connection or self.env["xero.connection"]
        return connection._xero_web_url(path % xero_id.split(",")[0])

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
        # The engine's only (xero_sync_job_guard.py).
        self._xero_check_engine()
        jobs = super().create(vals_list)
        if not jobs:
            return jobs
        # Decided once, before any call: a retry can never make a second
        # document. One statement for the batch (posting is the user's time).
        self.env.cr.execute(SQL("""
            UPDATE xero_sync_job SET idempotency_key = %s || '-' || id || '-v' || version
             WHERE id IN %s
        """, self._key_prefix(), tuple(jobs.ids)))
        jobs.invalidate_recordset(["idempotency_key"])
        self._trigger_cron()
        return jobs

    @api.model
    def _create_fresh(self, rows):
        """The jobs of documents posted for the first time, in two statements:
        the posting hook's path (posting is the user's time; the ORM's create,
        its defaults and its constraints cost about a millisecond a job).

        ``rows``: ``(connection, record, operation, depends_on job)`` built by
        the engine itself from records it just read (the document, of the
        connection's company, with an operation of its kind: what
        ``_check_xero_document`` checks), never from a user's values. Raises
        UniqueViolation like ``create`` when another transaction queued one
        of them meanwhile (the caller's savepoint handles it)."""
        if not rows:
            return self.browse()
        self.env.cr.execute(SQL(
            "SELECT nextval('xero_sync_job_id_seq') FROM generate_series(1, %s)", len(rows)))
        ids = [row[0] for row in self.env.cr.fetchall()]
        prefix = self._key_prefix()
        now = fields.Datetime.now()
        uid = self.env.uid
        values = SQL(", ").join(
            SQL("(%s, %s, %s, %s, %s, %s, 1, 'pending', %s, %s, %s, %s, %s, %s, %s)",
                job_id, conn.id, conn.company_id.id, record._name, record.id, operation, now,
                depends_on.id or None, "%s-%s-v1" % (prefix, job_id), uid, now, uid, now)
            for job_id, (conn, record, operation, depends_on) in zip(ids, rows))
        self.env.cr.execute(SQL("""
            INSERT INTO xero_sync_job (id, connection_id, company_id, res_model, res_id, operation,
                                       version, state, next_try_at, depends_on_job_id,
                                       idempotency_key, create_uid, create_date, write_uid, write_date)
            VALUES %s
        """, values))
        self._trigger_cron()
        return self.browse(ids)

    @api.model
    def _key_prefix(self):
        uuid = self.env["ir.config_parameter"].sudo().get_param("database.uuid") or ""
        return "odoo-%s" % uuid.replace("-", "")[:8]

    @api.model
    def _enqueue(self, connection, record, operation, target=None, depends_on=None, version=None,
                 xero_id=None):
        """The pending job doing ``operation`` on ``record`` (created if needed).

        Nothing is queued while a payment made in Xero is registered in Odoo
        (``xero_import`` in the context, models/xero_payment_import.py): what
        came from Xero never goes back to it."""
        if self.env.context.get("xero_import"):
            return self.sudo().browse()
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
                    self._trigger_cron()
                if depends_on and last.depends_on_job_id != depends_on and last != depends_on:
                    # It waits for what it is queued after now (a delete in
                    # Xero queued meanwhile: see _enqueue_redo).
                    last.depends_on_job_id = depends_on
                return last
            version = (last.version + 1) if last else 1
        else:
            existing = Job.search(domain + [("version", "=", version)], limit=1)
            if existing:
                return existing
        vals = {
            "connection_id": connection.id,
            "res_model": record._name,
            "res_id": record.id,
            "operation": operation,
            "target_move_id": target.id if target else False,
            "version": version,
            "depends_on_job_id": depends_on.id if depends_on else False,
            "xero_id": xero_id,
        }
        try:
            with self.env.cr.savepoint(flush=False):
                return Job.create(vals)
        except psycopg2.errors.UniqueViolation:
            # Another transaction queued the same job meanwhile (two users
            # posting the first invoices of a new customer at once): theirs
            # stands, and this transaction cannot see it. What would have
            # waited for it waits in the sender instead (see
            # senders/document.py).
            _logger.info("Xero: %s of %s queued by another transaction", operation, record)
            return Job.browse()

    def _target_xero_id(self):
        """The Xero id of the document this payment/allocation applies to, or None."""
        self.ensure_one()
        target = self.target_move_id.sudo()
        if target.xero_state == "sent" and target.xero_id:
            return target.xero_id
        return None

    def _take_dependency_xero_id(self):
        """A job that undoes what its dependency made acts on that Xero id."""
        for job in self:
            if not job.xero_id and job.depends_on_job_id.xero_id:
                job.xero_id = job.depends_on_job_id.xero_id

    @api.model
    def _enqueue_redo(self, connection, record, target, live, delete_operation, operation):
        """Undo in Xero what the jobs ``live`` (of ``record`` on ``target``)
        made, one ``delete_operation`` job after each, then queue
        ``operation`` again after the last delete: what is still reconciled
        goes again once they are gone. Returns the last delete job."""
        last = self.browse()
        for job in live:
            last = self._enqueue(
                connection, record, delete_operation, target=target, version=job.version,
                depends_on=job, xero_id=job.xero_id if job.state == "done" else False)
        if last:
            self._enqueue(connection, record, operation, target=target, depends_on=last)
        return last

    @api.model
    def _jobs_of(self, record, operations=None, target=None):
        domain = [("res_model", "=", record._name), ("res_id", "in", record.ids)]
        if operations:
            domain.append(("operation", "in", list(operations)))
        if target is not None:
            domain.append(("target_move_id", "=", target.id))
        return self.sudo().search(domain, order="id")

    @api.model
    def _trigger_cron(self, at=None):
        """Wake the cron "Xero: push" at ``at``, or as soon as this
        transaction commits (``at=None``: what queueing a job does).

        Due now, one trigger per transaction however many documents it
        queued (``ir.cron._trigger`` makes a row per call), made by a
        pre-commit hook; the cron workers are NOTIFYed after the commit
        (as ir_cron._trigger_list does), and then see the jobs. A trigger for
        later is not announced (a worker sees it at its next poll, within
        about 70 s): it is made at once."""
        if at is not None:
            cron = self.env.ref("account_xero.ir_cron_xero_push", raise_if_not_found=False)
            if cron:
                cron.sudo()._trigger(at=at)
            return
        precommit = self.env.cr.precommit
        if precommit.data.get("account_xero.push_woken"):
            return
        precommit.data["account_xero.push_woken"] = True

        @precommit.add
        def wake_push():
            # ir.cron._trigger() in one statement (posting is the user's
            # time), less its NOTIFY (see _notify_cron_workers).
            cron_id = self.env["ir.model.data"]._xmlid_to_res_id(
                "account_xero.ir_cron_xero_push", raise_if_not_found=False)
            if not cron_id:
                return
            now, uid = fields.Datetime.now(), self.env.uid
            self.env.cr.execute(SQL("""
                INSERT INTO ir_cron_trigger (cron_id, call_at, create_uid, create_date,
                                             write_uid, write_date)
                SELECT id, %s, %s, %s, %s, %s FROM ir_cron WHERE id = %s AND active
                RETURNING id
            """, now, uid, now, uid, now, cron_id))
            if not self.env.cr.fetchone():
                return  # an inactive cron: Odoo would ignore the trigger
            dbname = self.env.cr.dbname

            @self.env.cr.postcommit.add
            def notify_cron_workers():
                _notify_cron_workers(dbname)

    @api.model
    def _batch_size(self):
        """Elements per request: Xero's 50 (the module's BATCH_SIZE, which
        tests patch), or fewer when the system parameter
        ``account_xero.push_batch_size`` says so (the production-mode
        benchmark sends small requests to measure pacing)."""
        value = self.env["ir.config_parameter"].sudo().get_param("account_xero.push_batch_size")
        try:
            return min(max(1, int(value)), BATCH_SIZE) if value else BATCH_SIZE
        except ValueError:
            return BATCH_SIZE

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
