"""One call of the cron "Xero: push": a short unit of work.

Odoo in production (``--workers``) runs crons in cron worker processes and
kills one whose unit of work outlives ``limit_time_real`` (120 s by default;
``limit_time_real_cron`` defaults to it), counted from the worker's last
watchdog ping. A cron worker pings, then sleeps up to about 70 s waiting for
due work before it runs what is due: a call may have well under a minute
(odoo/service/server.py, WorkerCron). And Odoo runs a job that reports
"done > 0, remaining > 0" again at once, up to 10 times, inside that same
unit (ir_cron._run_job, MAX_BATCH_PER_CRON_JOB).

So one call:

- claims due jobs (``FOR UPDATE SKIP LOCKED``, committed at once) under a
  short lease (``LEASE``) and triggers the cron for when that lease runs out:
  the jobs of a killed call are looked up and sent again within minutes;
- starts no new claim, group or request once ``TIME_BUDGET`` is spent (after
  its first request, so that every call moves forward), and no HTTP attempt
  that could end later than ``HARD_MARGIN`` after that (the client's
  deadline); what it did not send goes back to pending, due now, not in
  doubt, no attempt counted;
- reports what it did to ``ir.cron._notify_progress`` and, while work is due,
  triggers the cron at once, so the next unit of work (after a fresh watchdog
  ping) goes on; it reports ``remaining=0`` on purpose, since "remaining > 0"
  would make Odoo run it again inside the unit this call has used up;
- fails alone, with a readable message, a job that makes our own code raise
  (``_send_group``): one bad document never stalls the queue;
- bridges Xero's pace itself. A trigger for later is not announced to the
  cron workers: Odoo NOTIFYs them only for a trigger due now
  (ir_cron._trigger_list), so one set for when Xero's rolling minute frees
  is seen at a worker's next poll, 60 to 69 s on (WorkerCron.sleep): a
  tenant's 60 calls would be spent in a burst, then wait most of a minute
  for nothing. So while the next job is due within ``CHAIN_AHEAD`` (the
  rolling minute), a call ends with a trigger for now, and a call that finds
  nothing due yet waits for it, within its budget (``_wait_for_due``): each
  call of that chain sleeps up to ``TIME_BUDGET`` in one cron worker, which
  keeps Xero's 60 calls a minute, and never loops busy;
- holds no organisation up for another's minute: while several have work,
  one whose minute is spent is left for a later round (``_push_rounds``);
  the pacer counts the calls every process makes (the other cron worker's
  push, pull, poll and daily check: xero_tenant_pace.py). Xero's minute is
  rolling: a minute's stretch of calls that starts late makes every later
  one start late too.
"""

import logging
import random
import time
from collections import defaultdict
from datetime import timedelta

import psycopg2

from odoo import _, api, fields, models, modules
from odoo.exceptions import UserError
from odoo.tools import SQL

from ..xero.errors import (
    XeroAuthError,
    XeroError,
    XeroForbiddenError,
    XeroOutOfTime,
    XeroRateLimited,
    XeroTransientError,
)
from ..senders import GROUP_ORDER, OPERATION_PRIORITY, SENDERS
from ..senders.base import WAIT_DELAY
from .xero_sync_claim import (  # noqa: F401 (CLAIM_LOCK: the tests take it from here)
    CLAIM_LIMIT,
    CLAIM_LOCK,
    PACE_SHARED_WAIT,
    PACE_SKIP,
    _SERVED,
)

_logger = logging.getLogger(__name__)

TIME_BUDGET = 15  # seconds a call starts new work (claims, groups, requests)
HARD_MARGIN = 15  # seconds after TIME_BUDGET by which every HTTP attempt has ended
# A job due within this is waited for by a chain of calls triggered now (see
# the module's docstring); one due later, by a trigger for its time.
CHAIN_AHEAD = timedelta(seconds=60)
# Claims, leases and the pace across organisations: xero_sync_claim.py.
_random = random.SystemRandom()


def _sleep(seconds):
    time.sleep(seconds)


class BudgetSpent(Exception):
    """This call's time is spent: what is not sent goes back to pending."""


class CallBudget:
    """The time of one cron call (monotonic clock), and the token its claims
    carry (see ``_cron_push``)."""

    def __init__(self, seconds, hard_margin=HARD_MARGIN):
        now = time.monotonic()
        self.soft = now + seconds
        self.hard = now + seconds + hard_margin
        self.moved = False  # a request was started, or a claim worked through
        self.paced = False  # it waited for an organisation's minute (see _push_rounds)
        self.token = _random.randint(1, 2 ** 31 - 1)

    def spent(self):
        """True once the budget has run out and the call has moved forward
        (so that every call does something, however small its budget)."""
        return self.moved and time.monotonic() >= self.soft


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

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

    # ------------------------------------------------------------------------
    # The time of one call
    # ------------------------------------------------------------------------
    def _budget(self):
        return self.env.context.get("xero_budget")

    def _budget_spent(self):
        budget = self._budget()
        return bool(budget and budget.spent())

    def _budget_request(self):
        """A request is about to start: raise BudgetSpent if the call's time
        is spent, else count it."""
        budget = self._budget()
        if budget:
            if budget.spent():
                raise BudgetSpent()
            budget.moved = True

    # ------------------------------------------------------------------------
    # The cron
    # ------------------------------------------------------------------------
    @api.model
    def _cron_push(self, time_budget=TIME_BUDGET, limit=CLAIM_LIMIT, wait_due=None):
        """One short unit of work (see the module's docstring): claim, send,
        record, until the queue is empty or the budget is spent.

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
        failed attempt (see ``_send_group``).

        ``wait_due`` (default: outside tests) waits, within the budget, for
        jobs due soon and chains the next call while one is due within
        ``CHAIN_AHEAD`` (see the module's docstring).
        """
        if wait_due is None:
            wait_due = not self._in_test()
        budget = CallBudget(time_budget)
        Job = self.with_context(xero_budget=budget)
        # While this call lives, its session holds a lock on its token, which
        # its claims carry: a call killed with its process loses its session
        # and the lock with it, and the next call takes its jobs up at once
        # (_recover_expired_leases) instead of after the lease.
        self.env.cr.execute(SQL("SELECT pg_advisory_lock(%s, %s)", CLAIM_LOCK, budget.token))
        try:
            done = Job._push_rounds(budget, limit, wait_due)
        finally:
            self._release_token(budget.token)
        remaining = self._count_due()
        # remaining=0 on purpose (see the module's docstring): the trigger
        # below starts the next unit of work.
        self.env["ir.cron"]._notify_progress(done=done, remaining=0)
        if remaining:
            # Again at once while this call moved work forward; otherwise
            # what counts as due waits on something another worker holds
            # (its contact in "sending"): no busy loop, look again shortly.
            self._trigger_cron(at=None if done or budget.spent() or budget.paced
                               else fields.Datetime.now() + WAIT_DELAY)
        later = self._next_due_at()
        if later:
            # Due soon (Xero's minute freeing, a short backoff): the next call
            # now, which waits for it; else at its time (seen at a poll).
            soon = wait_due and later <= fields.Datetime.now() + CHAIN_AHEAD
            self._trigger_cron(at=None if soon else later)
        return done

    @api.model
    def _push_rounds(self, budget, limit, wait_due=False):
        """Claim and send, round after round, until nothing is due or the
        budget is spent; return how many jobs were settled. With
        ``wait_due``, a round that moved nothing waits for the next due job
        when it comes due within the budget (``_wait_for_due``).

        While several organisations have jobs due, one whose rolling minute
        is spent (this process's pacer) is left for a later round: the
        others are served meanwhile, and a round that could serve none
        waits for the first minute to free. Claimed anyway, its requests
        would hold the call (up to the client's ``max_wait``) while the
        others' minutes freed: with five organisations, each minute's
        stretch of calls began seconds late, and every later stretch
        inherited the delay (Xero's minute is rolling)."""
        done = 0
        while not budget.spent():
            settled = 0
            paced = []  # seconds until each skipped organisation's minute frees
            due = self._retrying(self._next_round)
            shared = len(due) > 1 or (bool(due) and self._organisations_pending() > 1)
            Job = self.with_context(xero_pace_shared=shared)
            # Each organisation in turn (the one this process served least
            # recently first): one with much to send never starves the others.
            for connection_id in due:
                pace = self._pace_wait(connection_id) if shared else 0.0
                if pace > PACE_SKIP:
                    paced.append(pace)
                    continue
                jobs = Job._retrying(lambda cid=connection_id: Job._claim(limit, cid))
                _SERVED[self.env.cr.dbname, connection_id] = time.monotonic()
                if jobs:
                    settled += jobs._process()
                    budget.moved = True
                    self._commit()
                if budget.spent():
                    break
            done += settled
            if paced:
                budget.paced = True
            if not settled and not (wait_due and self._wait_for_due(budget, min(paced, default=None))):
                break
        return done

    @api.model
    def _wait_for_due(self, budget, paced=None):
        """Sleep until the next job of a connected organisation comes due
        (or ``paced`` seconds, when an organisation's minute frees sooner),
        or until the budget's end if that is sooner; True when it came due
        (the call goes on), False when there is none or the budget ended
        first.

        The transaction is committed first: the sleep holds no snapshot, no
        lock, and the claim after it sees what others did meanwhile."""
        due_at = self._next_due_at()
        if not due_at and paced is None:
            return False
        pause = (due_at - fields.Datetime.now()).total_seconds() + 0.05 if due_at else paced
        if paced is not None:
            pause = min(pause, paced + 0.01)
        left = budget.soft - time.monotonic()
        if left <= 0:
            return False
        self._commit()
        _sleep(max(0.0, min(pause, left)))
        return pause <= left

    @api.model
    def _retrying(self, step):
        """``step()`` again when another worker's commit made it a
        serialization failure (REPEATABLE READ): the transaction holds
        nothing but that step (a lease recovery or a claim)."""
        for conflicts in range(6):
            try:
                return step()
            except psycopg2.errors.SerializationFailure:
                if self._in_test() or conflicts == 5:
                    raise
                self.env.cr.rollback()
                self.env.invalidate_all()
        return None

    # ------------------------------------------------------------------------
    # Processing a claimed batch
    # ------------------------------------------------------------------------
    def _process(self):
        """Send the claimed jobs ``self``; return how many were settled.
        The push works as the engine (sudo: see xero_sync_job_guard.py),
        whoever the cron's user is."""
        self = self.sudo()  # pylint: disable=self-cls-assignment
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
        except Exception as exc:  # noqa: BLE001 -- this connection's trouble; the others go on
            _logger.exception("Xero push: no client for %s", connection.display_name)
            self._release(error=self._internal_error(exc), delay=timedelta(minutes=5))
            return 0
        budget = self._budget()
        if budget:
            api.deadline = budget.hard
        if self.env.context.get("xero_pace_shared"):
            # Other organisations wait for this call: not long for this one's minute.
            api.max_wait = min(api.max_wait, PACE_SHARED_WAIT)
        return self._send_groups(api)

    def _send_groups(self, api):
        """Send the claimed jobs ``self`` of one connection, group by group,
        through ``api``; return how many were settled."""
        # One group per (document model, operation), in the table's order:
        # each goes to its sender (senders/__init__.py).
        todo = self.sorted(lambda j: (GROUP_ORDER.get((j.res_model, j.operation), len(GROUP_ORDER)),
                                      OPERATION_PRIORITY.get(j.operation, 99), j.id))
        settled = 0
        while todo:
            if self._budget_spent():
                todo.filtered(lambda j: j.state == "sending")._release(count_attempt=False)
                break
            key = (todo[0].res_model, todo[0].operation)
            group = todo.filtered(lambda j, key=key: (j.res_model, j.operation) == key)
            todo -= group
            # A job claimed with its dependency goes only once that is done
            # (it may have failed or backed off earlier in this batch).
            waiting = group.filtered(
                lambda j: j.depends_on_job_id and j.depends_on_job_id.state != "done")
            # One whose dependency is claimed too, in a group still to come
            # (a document updated in place once its payments are deleted in
            # Xero), goes right after that group, in this call.
            later = waiting.filtered(lambda j: j.depends_on_job_id in todo)
            if later:
                todo = todo._after_dependencies(later)
                group -= later
                waiting -= later
            if waiting:
                for job in waiting:
                    job._release(error=job._waiting_reason(), delay=WAIT_DELAY)
                waiting._update_records()
                group -= waiting
            # What Xero would refuse for its lock dates is blocked first, and
            # a statement line of a bank reconciled in Xero (xero_bank_side.py).
            group -= group._xero_block_locked()
            group -= group._xero_block_bank_side()
            if not group:
                continue
            if key not in SENDERS:
                group._set_failed(_("This kind of job is not supported yet."))
                continue
            stop = group._send_group(api, key)
            settled += len(group.filtered(lambda j: j.state in ("done", "failed", "blocked")))
            if stop:
                # Nothing more goes in this call: what is not sent waits.
                delay, error = stop
                rest = (group | todo).filtered(lambda j: j.state == "sending")
                rest._release(error=error, delay=delay, count_attempt=False)
                todo = self.browse()
            # Whatever is still "sending" here was neither sent nor refused.
            group.filtered(lambda j: j.state == "sending")._release(delay=WAIT_DELAY, count_attempt=False)
            self._commit()
        return settled

    def _after_dependencies(self, jobs):
        """``self`` (claimed jobs still to send, in order) with ``jobs`` put
        right after the group of each one's dependency."""
        order = list(self)
        for job in jobs:
            dep = job.depends_on_job_id
            at = 1 + max(i for i, other in enumerate(order)
                         if (other.res_model, other.operation) == (dep.res_model, dep.operation))
            order.insert(at, job)
        return self.browse([job.id for job in order])

    def _waiting_reason(self):
        """Why this job waits for its dependency: what Xero (or the mapping)
        said of that one, when it failed or is blocked."""
        dependency = self.depends_on_job_id
        if dependency.state in ("failed", "blocked") and dependency.error:
            return _("Waiting for %(job)s: %(reason)s", job=dependency.display_name,
                     reason=dependency.error)
        return _("Waiting for %s.", dependency.display_name)

    def _send_group(self, api, key):
        """Send these jobs of one ``key`` (document model, operation) through
        its sender (the table ``SENDERS``). Returns None, or ``(delay,
        error)`` when nothing more may be sent in this call: what is still
        "sending" then waits ``delay``."""
        sending = self.filtered(lambda j: j.state == "sending")
        try:
            SENDERS[key](sending, api).send()
        except (BudgetSpent, XeroOutOfTime):
            # The call's time is spent: the rest goes in the next call, now.
            return timedelta(0), None
        except XeroRateLimited as exc:
            # Xero's pace, not a failure: everything not sent waits Retry-After.
            return timedelta(seconds=max(exc.retry_after, 1)), exc.message
        except XeroAuthError as exc:
            # Xero refused a token we had just refreshed. If the refresh
            # itself was refused, the token refresh already marked the
            # connection "Reconnect needed" (in its own transaction); a
            # 401 right after a good refresh is not proof that the
            # authorization is gone, so the connection row is left alone
            # here: writing it from every worker would also make workers
            # that raced on the same 401 fail on a concurrent update.
            return timedelta(minutes=5), exc.message
        except XeroForbiddenError as exc:
            self.connection_id.sudo().write({"last_error": exc.message})
            return timedelta(minutes=30), exc.message
        except XeroTransientError as exc:
            # A write may have reached Xero: look it up before resending.
            self.filtered(lambda j: j.state == "sending")._backoff(exc.message)
        except XeroError as exc:
            self.filtered(lambda j: j.state == "sending")._set_failed(exc.message)
        except Exception as exc:  # noqa: BLE001 -- our own code raised: isolate it
            return self._isolate(api, key, exc)
        return None

    def _isolate(self, api, key, exc):
        """Our own code (not Xero) raised while sending this group. What was
        recorded stays; the jobs still "sending" are sent again in halves,
        so that only the job that makes the code raise fails (with the
        error's text), and the others go on. A database error (a conflict
        with a user's transaction) is no job's fault: the jobs go back in
        doubt instead."""
        _logger.exception("Xero push: sending %d %s job(s) of %s raised", len(self), key[1], key[0])
        if isinstance(exc, psycopg2.Error):
            if self._in_test():
                raise exc
            # The database's trouble (a conflict with a user's transaction),
            # not a job's: back to the last commit (each answer of Xero is
            # committed as it is recorded); what is still "sending" may have
            # reached Xero, so it is looked up before it is sent again.
            self.env.cr.rollback()
            self.env.invalidate_all()
            self.filtered(lambda j: j.state == "sending")._release_in_doubt()
            self._commit()
            return None
        suspects = self.filtered(lambda j: j.state == "sending")
        if len(suspects) == 1:
            suspects._set_failed(suspects._internal_error(exc))
            self._commit()
            return None
        half = len(suspects) // 2
        for part in (suspects[:half], suspects[half:]):
            stop = part._send_group(api, key)
            self._commit()
            if stop:
                return stop
        return None

    def _internal_error(self, exc):
        return _("Odoo could not prepare or record this for Xero (%(error)s: %(detail)s). "
                 "Nothing was sent. Correct the document, then retry; if it persists, "
                 "tell your Odoo administrator (the server log has the details).",
                 error=type(exc).__name__, detail=str(exc) or "-")
