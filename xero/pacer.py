"""Pacing of the calls to one Xero organisation (tenant): Xero's documented
limits, the rolling minute, the calls in flight, and Xero's Retry-After,
kept across the processes that call the organisation through a shared
ledger (in production a table of the database: see TenantPacer)."""

import bisect
import collections
import contextlib
import datetime
import email.utils
import os
import threading
import time

from .errors import XeroRateLimited

# Xero's documented limits per tenant (developer.xero.com, "OAuth 2.0 API limits").
MINUTE_LIMIT = 60
CONCURRENT_LIMIT = 5

RETRY_AFTER_MAX = 86400.0  # Xero's longest wait (the daily limit) is under a day
# A pacer whose last count from Xero is older than this is cold (see
# TenantPacer); other calls wait for a cold pacer's first answer at most
# PROBE_WAIT, past which they go as if it had none.
PROBE_FRESH = 5.0
PROBE_WAIT = 10.0
PROBE_POLL = 0.1
# Xero counts a call in its rolling minute from the call's arrival, a little
# after we send it, and by more or less each time (connection, threads, a
# loaded machine): a call taken to leave Xero's minute exactly 60 s after we
# sent it is sometimes still in it by a few milliseconds, and the call sent
# in its place is a 429 (8 of the 12 in the 10,000-document push at 31e1c6d
# came within 2 ms of a minute's boundary). Ours leave it this much later.
MINUTE_MARGIN = 0.25
# While the other processes' calls fill Xero's five places in flight, a call
# looks again this often. One of theirs still in flight after FLIGHT_MAX is
# taken as over: its process died (a call's attempt times out after 30 s).
FLIGHT_POLL = 0.05
FLIGHT_MAX = 60.0


def _retry_after(headers, default=60.0):
    """Seconds to wait from a Retry-After header: delay-seconds (Xero's) or
    an HTTP-date (RFC 9110 section 10.2.3), at most a day; ``default`` when
    it is absent or unreadable."""
    value = (headers or {}).get("Retry-After") or (headers or {}).get("retry-after")
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError, OverflowError):
            return default
        if when.tzinfo is None:
            when = when.replace(tzinfo=datetime.timezone.utc)
        seconds = when.timestamp() - time.time()
    if seconds != seconds:  # NaN
        return default
    return min(max(0.0, seconds), RETRY_AFTER_MAX)


class LedgerTurn:
    """One turn of a ledger shared by the processes calling a tenant (see
    TenantPacer): the other processes' entries, and ours, to be written
    when the turn ends."""

    def __init__(self, me, entries):
        self.others = {key: entry for key, entry in (entries or {}).items() if key != me}
        self.mine = None

    def publish(self, mine):
        self.mine = mine


class TenantPacer:
    """Keeps the calls to one tenant within Xero's limits.

    At most ``concurrent`` calls in flight; no more than ``per_minute`` calls
    started in any rolling minute, counting ours and the others that Xero's
    X-MinLimit-Remaining reveals (other apps' share of the tenant); a day
    budget exhausted (X-DayLimit-Remaining 0) raises XeroRateLimited instead
    of waiting. Shared by every client of the tenant in this process (see
    :func:`pacer_for`).

    Across processes (the two cron workers of Odoo in production: the push
    in one, the pull, the poll or the daily check of *Reconcile with Xero*
    in the other), ``shared`` is the ledger they keep together: each call is
    decided and recorded in one turn of it, so that it counts the other
    processes' calls of the minute and their calls in flight as they are at
    that moment, and they count it at once. Xero's limits are per tenant,
    whoever calls: a push and a poll that each kept their own count met 429s
    when together they sent a sixth call in flight, or the 61st of a minute.
    The ledger has ``turn(me)``, a context manager atomic across processes
    that yields an object with ``others`` ({key: {"calls": [epoch start
    times of the last minute], "flying": [epoch times until which a call is
    in flight]}}, every process's but ``me``'s) and ``publish(mine)``
    (``me``'s entry, same shape), and ``look(me)``, the others' entries read
    without a turn (models/xero_tenant_pace.py).

    Xero's minute is rolling: each call leaving it frees a place, so a spent
    minute means waiting for its oldest call, not for the whole minute.
    Other apps' calls are not known one by one: they are taken as still in
    the window for a minute after Xero reported them.

    A pacer whose last count from Xero is more than ``PROBE_FRESH`` seconds
    old is cold: others may have called since. It sends one call, and the
    others wait for its answer (``PROBE_WAIT`` at most): five calls sent at
    once into a minute another process has spent are five 429s, as seen at a
    quarter of the hand-overs between two cron workers in the production
    push of bench/prod-soak --big before their calls were shared.
    """

    def __init__(self, per_minute=MINUTE_LIMIT, concurrent=CONCURRENT_LIMIT, clock=time.monotonic,
                 sleep=time.sleep, epoch=time.time, shared=None, name=None):
        self.per_minute = per_minute
        self.concurrent = concurrent
        self.slots = threading.BoundedSemaphore(concurrent)  # this process's threads
        self.lock = threading.Lock()
        self.started = collections.deque()  # calls' start times (ours and learned), 2 minutes
        self.flying = []  # start times of our calls in flight
        self.others = 0  # calls Xero counted in the minute that no process of ours made
        self.others_until = 0.0
        self.day_remaining = None
        self.blocked_until = 0.0
        self.probe_started = None  # the cold pacer's one call in flight
        self.clock = clock
        self.sleep = sleep
        self.epoch = epoch
        self.shared = shared
        self.name = name
        self.calls = 0
        self.waited = 0.0
        self.learned = set()  # started times that are another process's calls
        self.seen = set()  # their epoch times, learned once

    @property
    def key(self):
        """This pacer's name in the ledger: its process's (read now: a forked
        worker is not its parent), there being one pacer a tenant in a
        process (:func:`pacer_for`)."""
        return self.name or str(os.getpid())

    def _ours_between(self, start, end):
        """How many of our calls started in (start, end]."""
        return bisect.bisect_right(self.started, end) - bisect.bisect_right(self.started, start)

    def _wait_time(self, now):
        while self.started and now - self.started[0] >= 120:
            self.started.popleft()
        waits = [self.blocked_until - now]
        others = self.others if now < self.others_until else 0
        window = [t for t in self.started if t > now - 60 - MINUTE_MARGIN]
        excess = len(window) + others - self.per_minute + 1
        if excess > 0:
            # Until enough of our calls have left the minute (or the others
            # have, when ours are not enough).
            waits.append(window[excess - 1] + 60 + MINUTE_MARGIN - now if excess <= len(window)
                         else self.others_until - now)
        return max(waits + [0.0])

    def _cold(self, now):
        # Xero's last count came at others_until - 60 (never: others_until 0).
        return now - (self.others_until - 60) > PROBE_FRESH

    def _probe_wait(self, now):
        """How long to wait for a cold pacer's first call to be answered."""
        if not self._cold(now) or self.probe_started is None:
            return 0.0
        return min(PROBE_POLL, self.probe_started + PROBE_WAIT - now)

    @contextlib.contextmanager
    def _turn(self):
        """A turn of the ledger shared with the other processes (None
        without one)."""
        if self.shared is None:
            yield None
            return
        with self.shared.turn(self.key) as turn:
            yield turn

    def _hear(self, others, now, epoch_now):
        """Learn the other processes' calls of the minute from their ledger
        entries; return how many of theirs are in flight."""
        flying = 0
        for entry in (others or {}).values():
            self._learn(entry.get("calls") or (), epoch_now, now)
            flying += sum(1 for until in entry.get("flying") or () if until > epoch_now)
        return flying

    def _tell(self, turn, now, epoch_now):
        """Publish our calls of the minute and those in flight."""
        if turn is not None:
            turn.publish({
                "calls": self._own_calls(epoch_now, now),
                "flying": [round(epoch_now - (now - t) + FLIGHT_MAX, 3) for t in self.flying],
            })

    def _own_calls(self, epoch_now, now):
        return [round(epoch_now - (now - t), 3) for t in self.started
                if t > now - 60 and t not in self.learned]

    def own_calls(self, epoch_now):
        """This process's calls of the last minute, as epoch times (see
        :meth:`learn`)."""
        with self.lock:
            return self._own_calls(epoch_now, self.clock())

    def learn(self, calls, epoch_now):
        """Another process of ours called the tenant at ``calls`` (epoch
        times): they count in the rolling minute like ours, each leaving it
        a minute after it started. Without them this process would know of
        those calls only Xero's count, taken as lasting a full minute from
        its answer: a stretch of calls begun by one cron worker and ended by
        the other would start again up to a quarter of a minute late."""
        with self.lock:
            self._learn(calls, epoch_now, self.clock())

    def _learn(self, calls, epoch_now, now):
        self.seen = {c for c in self.seen if c > epoch_now - 120}
        for call in calls:
            started = now - (epoch_now - call)
            if call in self.seen or started <= now - 60:
                continue
            self.seen.add(call)
            self.learned.add(started)
            bisect.insort(self.started, started)
        self.learned = {t for t in self.learned if t > now - 120}

    def wait_time(self):
        """Seconds until this process may start a call to the tenant (0 if
        now): what :meth:`acquire` would wait, a cold pacer's first answer
        and the calls in flight aside. The cron asks it before claiming a
        tenant's jobs, so that it serves the other organisations meanwhile
        instead of sleeping here."""
        others = self.shared.look(self.key) if self.shared is not None else None
        with self.lock:
            now = self.clock()
            self._hear(others, now, self.epoch())
            return max(0.0, self._wait_time(now))

    def acquire(self, max_wait):
        """Wait for a place (raise XeroRateLimited rather than wait longer
        than ``max_wait``); return the call's start time for :meth:`release`."""
        if self.day_remaining is not None and self.day_remaining <= 0:
            raise XeroRateLimited(3600, "day")
        self.slots.acquire()
        try:
            return self._take(max_wait)
        except BaseException:
            self.slots.release()
            raise

    def _take(self, max_wait):
        """Holding one of this process's places in flight: wait for the
        minute and for a place in flight among every process's, then record
        the call (in the ledger's turn, so no other process takes the same
        place)."""
        flight_waited = 0.0
        while True:
            with self.lock, self._turn() as turn:
                now, epoch_now = self.clock(), self.epoch()
                others_flying = self._hear(turn and turn.others, now, epoch_now)
                wait = self._wait_time(now) or self._probe_wait(now)
                crowded = wait <= 0 and len(self.flying) + others_flying >= self.concurrent
                if wait <= 0 and not crowded:
                    bisect.insort(self.started, now)
                    self.flying.append(now)
                    self.calls += 1
                    if self._cold(now):
                        self.probe_started = now
                    self._tell(turn, now, epoch_now)
                    return now
            if crowded:
                # The other processes' calls fill Xero's places in flight.
                wait = FLIGHT_POLL
                flight_waited += wait
                if flight_waited > max_wait:
                    raise XeroRateLimited(wait, "concurrent")
            elif wait > max_wait:
                raise XeroRateLimited(wait, "minute")
            self.waited += min(wait, 1.0)
            self.sleep(min(wait, 1.0))

    def release(self, headers, started_at=None):
        """The call started at ``started_at`` is over; ``headers`` are Xero's
        answer. X-MinLimit-Remaining counts the minute as of the call's
        arrival: what of it no process of ours made is the others'."""
        try:
            with self.lock, self._turn() as turn:
                if started_at in self.flying:
                    self.flying.remove(started_at)
                elif self.flying:
                    self.flying.pop(0)
                if started_at is None or started_at == self.probe_started:
                    self.probe_started = None
                now = self.clock()
                self._count(headers, now, started_at)
                self._tell(turn, now, self.epoch())
        finally:
            self.slots.release()

    def _count(self, headers, now, started_at):
        if not headers:
            return
        day = headers.get("X-DayLimit-Remaining") or headers.get("x-daylimit-remaining")
        minute = headers.get("X-MinLimit-Remaining") or headers.get("x-minlimit-remaining")
        try:
            if day is not None:
                self.day_remaining = int(day)
            if minute is not None:
                at = now if started_at is None else started_at
                used = MINUTE_LIMIT - int(minute)
                self.others = max(0, used - self._ours_between(at - 60, at))
                self.others_until = now + 60
        except ValueError:
            return

    def backoff(self, seconds):
        with self.lock:
            self.blocked_until = max(self.blocked_until, self.clock() + seconds)


_PACERS = {}
_PACERS_LOCK = threading.Lock()


def pacer_for(api_url, tenant_id, shared=None):
    """The pacer of a tenant in this process; ``shared``: the ledger it keeps
    with the other processes, for a pacer that has none yet."""
    with _PACERS_LOCK:
        key = (api_url, tenant_id)
        if key not in _PACERS:
            _PACERS[key] = TenantPacer()
        pacer = _PACERS[key]
        if pacer.shared is None:
            pacer.shared = shared
        return pacer
