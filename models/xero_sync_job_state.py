"""What becomes of a sync job: the user's actions on it (Retry, Ignore, open
its document or its Xero page), the state changes the engine makes as Xero
answers (done, failed, blocked, cancelled, released, backed off), the
documents' Xero state kept in step with their jobs, and retention (the
autovacuum that keeps the log readable without forgetting what is in Xero).

The job itself (fields, queueing, request keys) is ``xero_sync_job.py``; who
may write jobs, ``xero_sync_job_guard.py``.
"""

from collections import defaultdict
from datetime import timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL

MAX_ATTEMPTS = 8  # transient failures before a job is marked failed


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

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
        # The user's only writes on jobs: checked here, then done by the engine.
        self._xero_check_user_action()
        jobs = self.sudo().filtered(lambda j: j.state in ("failed", "blocked", "cancelled"))
        jobs._reset_to_pending()
        jobs.write({"error": False})  # the old error no longer stands beside "Pending"
        jobs._update_records()
        self._trigger_cron()
        return True

    def action_ignore(self):
        self._xero_check_user_action()
        jobs = self.sudo().filtered(lambda j: j.state in ("pending", "failed", "blocked"))
        jobs._cancel()
        # Say what was done: the documents went back to "Not sent".
        if jobs:
            names = []
            for job in jobs:
                record = job._record()
                names.append(record.display_name if record else job.display_name)
            if len(names) == 1:
                message = _("Ignored: %s. Nothing more is sent to Xero for it; it shows Not "
                            "sent until posted to Xero again.", names[0])
            else:
                message = _("Ignored: %s. Nothing more is sent to Xero for them; they show Not "
                            "sent until posted to Xero again.", ", ".join(names))
        else:
            message = _("Nothing to ignore: only pending, failed or blocked jobs can be ignored.")
        return {"type": "ir.actions.client", "tag": "display_notification", "params": {
            "type": "success" if jobs else "warning", "title": _("Xero Sync Log"),
            "message": message, "next": {"type": "ir.actions.client", "tag": "soft_reload"},
        }}

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

    @api.model
    def _payment_redo_dependency(self, record, target, matched):
        """``record`` (a payment, a bank entry) is matched again with
        ``target`` for ``matched`` (in the target's currency) while the
        deletion in Xero of its earlier payment on it is not done (pending,
        refused by Xero, or on its way).

        Returns None when nothing is to be queued: Xero's payment stands and
        is what Odoo matches (the deletions Xero has not made are withdrawn,
        so that no later retry takes it out of Xero). Otherwise the job the
        new payment waits for: the last deletion still to come (a refused one
        holds it, with Xero's words, until the user has Xero let go of it),
        or an empty record when there is none to wait for."""
        jobs = self._jobs_of(record, ("payment", "delete_payment"), target=target)
        deletes = jobs.filtered(lambda j: j.operation == "delete_payment"
                                and j.state in ("pending", "sending", "failed", "blocked"))
        held = self._payments_sent(record, target)
        if not held or target.currency_id.compare_amounts(matched, held) != 0:
            # Xero holds another amount: what it holds goes first.
            return deletes[-1:]
        if deletes.filtered(lambda j: j.state == "sending" or j.in_doubt):
            return deletes[-1:]  # maybe deleted already: the new payment waits for the answer
        deletes._cancel(_("Matched again with %s before Xero deleted its payment: that "
                          "payment stands in Xero, nothing is deleted.", target.name))
        return None

    @api.model
    def _enqueue_payment_redo(self, connection, record, target, target_job, matched):
        """Queue the payment of ``record`` on ``target`` (matched for
        ``matched``), after its deletions in Xero not done yet; nothing when
        Xero's payment stands as Odoo has it (``_payment_redo_dependency``).
        One waiting for a deletion Xero refused says so at once."""
        dependency = self._payment_redo_dependency(record, target, matched)
        if dependency is None:
            return self.browse()
        job = self._enqueue(connection, record, "payment", target=target,
                            depends_on=dependency or target_job)
        if job.state == "pending" and job.depends_on_job_id.state in ("failed", "blocked"):
            job.error = job._waiting_reason()
        return job

    @api.model
    def _payments_sent(self, record, target):
        """What the payment jobs of ``record`` on ``target`` sent that Xero
        still holds (done, and not deleted since)."""
        jobs = self._jobs_of(record, ("payment", "delete_payment"), target=target)
        deleted = set(jobs.filtered(
            lambda j: j.operation == "delete_payment" and j.state == "done").mapped("xero_id"))
        return sum(jobs.filtered(lambda j: j.operation == "payment" and j.state == "done"
                                 and j.xero_id not in deleted).mapped("amount"))

    def _live_payments_vals(self):
        """``xero_id`` (the live Xero payments of these payment jobs, comma
        separated: one per document paid) and ``xero_sent_at`` of what they
        pay, for the record they belong to; {} when none is live."""
        deleted = set(self.filtered(
            lambda j: j.operation == "delete_payment" and j.state == "done").mapped("xero_id"))
        live = self.filtered(lambda j: j.operation == "payment" and j.state == "done"
                             and j.xero_id and j.xero_id not in deleted)
        if not live:
            return {}
        return {"xero_id": ",".join(live.mapped("xero_id")), "xero_sent_at": live[-1].sent_at}

    # ------------------------------------------------------------------------
    # Autovacuum: keep the log readable
    # ------------------------------------------------------------------------
    @api.autovacuum
    def _gc_done_jobs(self):
        """Jobs older than a year that no longer say anything about Xero go:
        ignored ones, done ones that a later done job of the same document
        and operation replaced, and payments deleted in Xero with their
        deletion. What the engine reads to void, pay or post a document
        again stays, however old: the last done job of each document and
        operation (its Xero id, read by ``_xero_enqueue_void``,
        ``_xero_enqueue_applications`` and ``_xero_enqueue``), every payment
        still live in Xero (the amounts already sent, read by
        ``_xero_payment_values``), and the jobs that kept ones depend on."""
        limit = fields.Datetime.now() - timedelta(days=365)
        old = self.search([("state", "in", ("done", "cancelled")), ("create_date", "<", limit)],
                          limit=models.GC_UNLINK_LIMIT)
        if not old:
            return
        done = old.filtered(lambda j: j.state == "done")
        replaced = set()
        if done:
            self.env.flush_all()
            self.env.cr.execute(SQL("""
                SELECT job.id FROM xero_sync_job job
                 WHERE job.id IN %s
                   AND EXISTS (
                        SELECT 1 FROM xero_sync_job later
                         WHERE later.connection_id = job.connection_id
                           AND later.res_model = job.res_model
                           AND later.res_id = job.res_id
                           AND later.operation = job.operation
                           AND COALESCE(later.target_move_id, 0) = COALESCE(job.target_move_id, 0)
                           AND later.state = 'done'
                           AND (later.version, later.id) > (job.version, job.id))
            """, tuple(done.ids)))
            replaced = {row[0] for row in self.env.cr.fetchall()}
        gone = old.filtered(lambda j: j.state == "cancelled" or (
            j.id in replaced and j.operation not in ("payment", "delete_payment", "deposit_refund")))
        # A payment goes only with its deletion in Xero (and the reverse).
        deletions = {(j.res_model, j.res_id, j.xero_id): j for j in done
                     if j.operation == "delete_payment" and j.xero_id}
        for payment in done.filtered(lambda j: j.operation in ("payment", "deposit_refund")
                                     and j.xero_id):
            deletion = deletions.pop((payment.res_model, payment.res_id, payment.xero_id), None)
            if deletion:
                gone |= payment | deletion
        for (model, res_id, xero_id), deletion in deletions.items():
            if not self.search_count([("res_model", "=", model), ("res_id", "=", res_id),
                                      ("operation", "in", ("payment", "deposit_refund")),
                                      ("xero_id", "=", xero_id)],
                                     limit=1):
                gone |= deletion
        # Keep what a kept job depends on.
        while gone:
            # (A deposit sent reads nothing of what it waited for: the
            # deletions of the payment's former Xero Payments.)
            needed = self.search([("depends_on_job_id", "in", gone.ids),
                                  ("id", "not in", gone.ids),
                                  "|", ("operation", "!=", "deposit"), ("state", "!=", "done"),
                                  ]).depends_on_job_id & gone
            if not needed:
                break
            gone -= needed
        gone.sudo().unlink()  # the engine's own clean-up
