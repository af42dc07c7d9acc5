"""The push's claims: which jobs a call takes, for which organisation, under
what lease, and the pace across organisations.

- ``_next_round``: the organisations with jobs due, the one this process
  served least recently first; leases of calls that died recovered first
  (``_recover_expired_leases``: past their lease, or claimed by a session
  that no longer holds the advisory lock on its token), their jobs in doubt.
- ``_claim``: due jobs (dependencies settled or claimed with them) taken
  ``FOR UPDATE SKIP LOCKED``, marked "sending" under ``LEASE`` and committed
  at once, so that a killed call leaves a marker to look up in Xero.
- ``_pace_wait``: while several organisations have work, one whose rolling
  minute is spent waits its turn; its pacer counts the calls of every
  process (xero_tenant_pace.py).

The call that uses them: xero_sync_cron.py.
"""

import logging
from datetime import timedelta

import psycopg2

from odoo import api, fields, models
from odoo.tools import SQL

from ..senders import OPERATION_PRIORITY

_logger = logging.getLogger(__name__)

CLAIM_LIMIT = 500  # jobs claimed at a time (10 full requests)
# ... and never more than this many requests' worth: should the call be
# killed, that is all that goes in doubt (each to be looked up in Xero before
# it is sent again). Small requests (two documents each, say) would otherwise
# put 250 requests' worth in doubt with one SIGKILL.
CLAIM_REQUESTS = 10
# A job in "sending" longer than this is in doubt: a call lasts at most
# TIME_BUDGET + HARD_MARGIN plus recording, well inside it.
LEASE = timedelta(minutes=2)
# While several organisations have jobs due, one whose rolling minute is
# spent for longer than PACE_SKIP is not claimed in this round (the others
# are served meanwhile), and a request waits at most PACE_SHARED_WAIT for its
# tenant's minute before its jobs are put back for when it frees.
PACE_SKIP = 0.1
PACE_SHARED_WAIT = 1.0
# (database, connection id) -> when this process last claimed for it, so that
# organisations take turns (see _next_round).
_SERVED = {}
# The first key of the session advisory locks a call holds on its claim
# token (the second key): "XERO" in ASCII.
CLAIM_LOCK = 0x5845524F


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    @api.model
    def _organisations_pending(self):
        """How many connected organisations have jobs pending (due or not)."""
        self.env.cr.execute(SQL("""
            SELECT count(DISTINCT job.connection_id) FROM xero_sync_job job
              JOIN xero_connection conn ON conn.id = job.connection_id
             WHERE job.state = 'pending' AND conn.state = 'connected' AND conn.active
        """))
        return self.env.cr.fetchone()[0]

    @api.model
    def _pace_wait(self, connection_id):
        """Seconds until this process may call the organisation of
        ``connection_id`` (its pacer, shared with the clients and, through
        the database, with the other processes: xero_tenant_pace.py)."""
        conn = self.env["xero.connection"].sudo().browse(connection_id)
        if not conn.tenant_id:
            return 0.0
        return conn._xero_pacer().wait_time()

    @api.model
    def _release_token(self, token):
        try:
            self.env.cr.execute(SQL("SELECT pg_advisory_unlock(%s, %s)", CLAIM_LOCK, token))
        except psycopg2.Error:
            if self._in_test():
                raise
            # The transaction is aborted (the call raised): Odoo rolls it back
            # anyway; the session lock must not stay with the pooled connection.
            self.env.cr.rollback()
            self.env.cr.execute(SQL("SELECT pg_advisory_unlock(%s, %s)", CLAIM_LOCK, token))

    @api.model
    def _next_round(self):
        """Recover expired leases, then the connections with due jobs, the
        one this process served least recently first."""
        self._recover_expired_leases()
        self.env.cr.execute(SQL("""
            SELECT DISTINCT job.connection_id FROM xero_sync_job job
              JOIN xero_connection conn ON conn.id = job.connection_id
         LEFT JOIN xero_sync_job dep ON dep.id = job.depends_on_job_id
             WHERE %s
        """, self._due_domain_sql()))
        dbname = self.env.cr.dbname
        return sorted((row[0] for row in self.env.cr.fetchall()),
                      key=lambda cid: (_SERVED.get((dbname, cid), 0.0), cid))

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
        """When the next pending job of a connected organisation comes due
        (None if none is waiting): a disconnected one's jobs wake nothing."""
        self.env.cr.execute(SQL("""
            SELECT min(job.next_try_at) FROM xero_sync_job job
              JOIN xero_connection conn ON conn.id = job.connection_id
             WHERE job.state = 'pending' AND job.next_try_at > %s
               AND conn.state = 'connected' AND conn.active
        """, fields.Datetime.now()))
        return self.env.cr.fetchone()[0]

    @api.model
    def _recover_expired_leases(self):
        """Jobs left in "sending" by a call that died (or whose commit did)
        after claiming them: past their lease, or claimed by a call whose
        session no longer holds the lock on its token (its process was
        killed). Xero may hold them: look them up before anything is sent
        again."""
        now = fields.Datetime.now()
        self.env.flush_all()
        self.env.cr.execute(SQL("""
            SELECT DISTINCT claim_token FROM xero_sync_job
             WHERE state = 'sending' AND claim_token IS NOT NULL AND sending_until >= %s
        """, now))
        budget = self._budget()
        dead = []
        for (token,) in self.env.cr.fetchall():
            if budget and token == budget.token:
                continue
            # Free: the session that claimed is gone (a live call holds it).
            self.env.cr.execute(SQL("SELECT pg_try_advisory_lock(%s, %s)", CLAIM_LOCK, token))
            if self.env.cr.fetchone()[0]:
                self.env.cr.execute(SQL("SELECT pg_advisory_unlock(%s, %s)", CLAIM_LOCK, token))
                dead.append(token)
        self.env.cr.execute(SQL("""
            UPDATE xero_sync_job SET state = 'pending', in_doubt = TRUE, sending_until = NULL,
                   claim_token = NULL, next_try_at = %s
             WHERE id IN (SELECT id FROM xero_sync_job
                           WHERE state = 'sending'
                             AND (sending_until < %s OR claim_token = ANY(%s))
                             FOR UPDATE SKIP LOCKED)
         RETURNING id
        """, now, now, dead), log_exceptions=False)  # a serialization failure: see _cron_push
        ids = [r[0] for r in self.env.cr.fetchall()]
        if ids:
            _logger.warning("Xero push: %d job(s) of a call that died (past their lease, or "
                            "claimed by a session that is gone), in doubt", len(ids))
            self.browse(ids).invalidate_recordset()
        # End the transaction either way: the claim that follows takes its
        # snapshot when it starts, not before another worker's last commit.
        self._commit()

    @api.model
    def _claim(self, limit=CLAIM_LIMIT, connection_id=None):
        """Take up to ``limit`` due jobs (of ``connection_id``, if given)
        that no other worker holds, mark them
        ``sending`` with a lease and commit that claim at once.

        The claim is committed on its own so that the marker survives a crash
        during the call: a job in doubt is then looked up in Xero before it is
        ever sent again.
        """
        limit = min(limit, self._batch_size() * CLAIM_REQUESTS)
        self.env.flush_all()
        self.env.cr.execute(SQL("""
            SELECT job.id, job.depends_on_job_id, dep.state FROM xero_sync_job job
              JOIN xero_connection conn ON conn.id = job.connection_id
         LEFT JOIN xero_sync_job dep ON dep.id = job.depends_on_job_id
             WHERE %s
          ORDER BY CASE job.operation %s ELSE 99 END, job.id
             LIMIT %s
               FOR UPDATE OF job SKIP LOCKED
        """, SQL("%s AND job.connection_id = %s", self._due_domain_sql(), connection_id)
            if connection_id else self._due_domain_sql(),
            SQL(" ").join(SQL("WHEN %s THEN %s", op, prio) for op, prio in OPERATION_PRIORITY.items()),
            limit), log_exceptions=False)  # a serialization failure is expected: _cron_push claims again
        rows = self.env.cr.fetchall()
        claimed = {job_id for job_id, _dep, _dep_state in rows}
        # A job whose dependency is pending goes only with that dependency.
        ids = [job_id for job_id, dep, dep_state in rows
               if not dep or dep in claimed or dep_state == "done"]
        if not ids:
            return self.browse()
        budget = self._budget()
        self.env.cr.execute(SQL("""
            UPDATE xero_sync_job
               SET state = 'sending', sending_until = %s, claim_token = %s
             WHERE id IN %s
        """, fields.Datetime.now() + LEASE, budget.token if budget else None, tuple(ids)))
        jobs = self.browse(ids)
        jobs.invalidate_recordset(["state", "sending_until", "claim_token"])
        # Should this call be killed, the cron wakes when the lease runs out.
        self._trigger_cron(at=fields.Datetime.now() + LEASE + timedelta(seconds=1))
        self._commit()
        return jobs
