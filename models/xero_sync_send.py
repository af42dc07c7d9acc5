"""Requests in flight, and Xero's answers recorded as they come.

The senders of each kind of document (``senders/``) build requests as
``(jobs, send, on_done)`` and hand them to ``_send_requests``, which keeps up
to ``account_xero.push_concurrency`` of them in flight (worker threads doing
only the HTTP call) and records each answer on the cron's thread, committing
after each. Building one job (``_prepare``) and recording one element
(``_apply_results``) are guarded: a job that makes our code raise fails
alone, and an element Xero accepted is never put back to be sent again.
"""

import logging
import time
from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

import psycopg2

from odoo import _, api, fields, models

from ..xero.pacer import CONCURRENT_LIMIT
from ..xero.errors import (
    XeroAuthError,
    XeroError,
    XeroForbiddenError,
    XeroRateLimited,
    XeroTransientError,
)

_logger = logging.getLogger(__name__)

WHERE_BUDGET = 2500  # characters of one look-up's where clause (before URL encoding)
RECORD_TRIES = 4  # tries to record an answer of Xero when the transaction conflicts


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

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
        backs off the jobs of that one request only. Once the call's time
        is spent (``_budget_request``), no other request starts.
        """
        width = self._push_concurrency()
        if width == 1:
            for jobs, send, on_done in requests:
                self._budget_request()
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
                    self._budget_request()  # BudgetSpent: what is in flight is recorded first
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
            self._record_answer(on_done, value)
            return None
        self._commit()
        return None

    def _record_answer(self, on_done, value):
        """Record what Xero accepted (``on_done(value)``) and commit. Xero has
        it: whatever happens here, it is never sent again blindly.

        A transaction conflict (a user registering a payment on the same
        invoice at that moment: "could not serialize access") is met by
        recording the answer again, in a new transaction; past a few tries the
        jobs go back to pending *in doubt*, so they are looked up in Xero
        before anything is sent. Any other error of our code fails them, in
        doubt likewise (Retry looks them up)."""
        for attempt in range(RECORD_TRIES):
            try:
                on_done(value)
                self._commit()
                return
            except psycopg2.errors.TransactionRollbackError:
                if self._in_test():
                    raise
                _logger.info("Xero push: recording an answer met a concurrent update; again")
                self.env.cr.rollback()
                self.env.invalidate_all()
                time.sleep(0.2 * (attempt + 1))
            except Exception as exc:  # noqa: BLE001 -- Xero has it: never send it again blindly
                _logger.exception("Xero push: recording an answer of Xero raised")
                if isinstance(exc, psycopg2.Error) and not self._in_test():
                    # The transaction is aborted: back to the last commit,
                    # where these jobs are still "sending".
                    self.env.cr.rollback()
                    self.env.invalidate_all()
                self.filtered(lambda j: j.state == "sending")._set_unrecorded(exc)
                self._commit()
                return
        self.filtered(lambda j: j.state == "sending")._release_in_doubt(
            _("Xero accepted this, but Odoo could not record it (the document was being changed "
              "at that moment); it is looked up in Xero before anything is sent again."))
        self._commit()

    def _release_in_doubt(self, error=None):
        """Back to pending, due now, in doubt: looked up in Xero first."""
        self.write({"state": "pending", "in_doubt": True, "sending_until": False,
                    "next_try_at": fields.Datetime.now(), "error": error,
                    "blocking_level": "info" if error else False})

    def _set_unrecorded(self, exc, xero_id=None):
        """Xero accepted these jobs but our code could not record it: failed
        and in doubt, so that Retry looks them up (under the same key)
        instead of making a second document."""
        vals = {"in_doubt": True}
        if xero_id:
            vals["xero_id"] = xero_id
        self.write(vals)
        self._set_failed(_("Xero accepted this, but Odoo could not record it (%(error)s: "
                           "%(detail)s). Retry looks it up in Xero before anything is sent.",
                           error=type(exc).__name__, detail=str(exc) or "-"))

    def _prepare_values(self, build):
        """The values this one job sends: ``build()`` gives ``(values,
        issues)``; None when the job could not be prepared (failed, see
        ``_prepare``) or has issues (blocked: a missing mapping...)."""
        prepared = self._prepare(build)
        if prepared is None:
            return None
        values, issues = prepared
        if issues:
            self._set_blocked("\n".join(issues))
            return None
        return values

    def _prepare(self, build, passthrough=()):
        """``build()`` for this one job, inside a savepoint: a job whose
        preparation makes our code raise is failed alone (``None`` is then
        returned) and the others go on. Exceptions of ``passthrough`` (the
        sender's own signals) are raised as they are."""
        self.ensure_one()
        try:
            with self.env.cr.savepoint(flush=False):
                return build()
        except passthrough:
            raise
        except Exception as exc:  # noqa: BLE001 -- one bad document never stalls the queue
            _logger.exception("Xero push: preparing job %s raised", self.id)
            self._set_failed(self._internal_error(exc))
            return None

    def _apply_results(self, results, on_ok):
        """Map per-element results back onto ``self`` (same order), then
        reflect the whole request on its documents at once (one read of
        their jobs, one batch of chatter notes) rather than job by job."""
        deferred = self.with_context(xero_defer_refresh=True)
        for job, result in zip(deferred, results):
            if not result.ok:
                job._set_failed(result.message or _("Xero refused this element."))
                continue
            if result.warnings:
                job.warning = "\n".join(result.warnings)
            try:
                on_ok(job, result)
            except psycopg2.Error:
                raise  # the transaction's, not this element's: see _record_answer
            except Exception as exc:  # noqa: BLE001 -- the others are recorded all the same
                _logger.exception("Xero push: recording job %s raised", job.id)
                job._set_unrecorded(exc, xero_id=result.xero_id and str(result.xero_id))
        self._update_records(note=True)

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

