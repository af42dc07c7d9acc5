"""Pacing of the calls to one Xero organisation (tenant) in one process:
Xero's documented limits, the rolling minute, the calls in flight, and
Xero's Retry-After."""

import bisect
import collections
import datetime
import email.utils
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


class TenantPacer:
    """Keeps one process's calls to one tenant within Xero's limits.

    At most ``concurrent`` calls in flight; no more than ``per_minute`` calls
    started in any rolling minute, counting ours and the others that Xero's
    X-MinLimit-Remaining reveals (other processes, other apps' share of the
    tenant); a day budget exhausted (X-DayLimit-Remaining 0) raises
    XeroRateLimited instead of waiting. Shared by every client of the tenant
    in this process (see :func:`pacer_for`).

    Xero's minute is rolling: each of our calls leaving it frees a place, so
    a spent minute means waiting for our oldest call of it, not for the
    whole minute. The others' calls are not known one by one: they are taken
    as still in the window for a minute after Xero reported them.

    A pacer whose last count from Xero is more than ``PROBE_FRESH`` seconds
    old is cold: others may have called since (in production, the other
    cron worker process, which pushes whenever a cron call moves there). It
    sends one call, and the others wait for its answer (``PROBE_WAIT`` at
    most): five calls sent at once into a minute another process has spent
    are five 429s, as seen at a quarter of the hand-overs between two cron
    workers in the production push of bench/prod-soak --big.
    """

    def __init__(self, per_minute=MINUTE_LIMIT, concurrent=CONCURRENT_LIMIT, clock=time.monotonic,
                 sleep=time.sleep):
        self.per_minute = per_minute
        self.slots = threading.BoundedSemaphore(concurrent)
        self.lock = threading.Lock()
        self.started = collections.deque()  # our calls' start times, the last 2 minutes
        self.others = 0  # calls Xero counted in the minute that are not ours
        self.others_until = 0.0
        self.day_remaining = None
        self.blocked_until = 0.0
        self.probe_started = None  # the cold pacer's one call in flight
        self.clock = clock
        self.sleep = sleep
        self.calls = 0
        self.waited = 0.0
        self.learned = set()  # started times that are another process's calls
        self.seen = set()  # their epoch times, learned once

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

    def own_calls(self, epoch_now):
        """This process's calls of the last minute, as epoch times (see
        :meth:`learn`)."""
        with self.lock:
            now = self.clock()
            return [round(epoch_now - (now - t), 3) for t in self.started
                    if t > now - 60 and t not in self.learned]

    def learn(self, calls, epoch_now):
        """Another process of ours called the tenant at ``calls`` (epoch
        times): they count in the rolling minute like ours, each leaving it
        a minute after it started. Without them this process would know of
        those calls only Xero's count, taken as lasting a full minute from
        its answer: a stretch of calls begun by one cron worker and ended by
        the other would start again up to a quarter of a minute late."""
        with self.lock:
            now = self.clock()
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
        aside. The cron asks it before claiming a tenant's jobs, so that it
        serves the other organisations meanwhile instead of sleeping here."""
        with self.lock:
            return max(0.0, self._wait_time(self.clock()))

    def acquire(self, max_wait):
        """Wait for a place (raise XeroRateLimited rather than wait longer
        than ``max_wait``); return the call's start time for :meth:`release`."""
        if self.day_remaining is not None and self.day_remaining <= 0:
            raise XeroRateLimited(3600, "day")
        while True:
            with self.lock:
                now = self.clock()
                wait = self._wait_time(now)
                if wait <= 0:
                    wait = self._probe_wait(now)
                if wait <= 0:
                    self.started.append(now)
                    self.calls += 1
                    if self._cold(now):
                        self.probe_started = now
                    break
            if wait > max_wait:
                raise XeroRateLimited(wait, "minute")
            self.waited += min(wait, 1.0)
            self.sleep(min(wait, 1.0))
        self.slots.acquire()
        with self.lock:
            # The call is in Xero's minute from when it goes, after waiting
            # for one of the calls in flight: counted from before that wait,
            # it would leave our minute before it leaves Xero's (a 429 when
            # the next minute's stretch starts on time).
            sent = self.clock()
            if sent != now:
                self.started.remove(now)
                bisect.insort(self.started, sent)
                if self.probe_started == now:
                    self.probe_started = sent
        return sent

    def release(self, headers, started_at=None):
        """The call started at ``started_at`` is over; ``headers`` are Xero's
        answer. X-MinLimit-Remaining counts the minute as of the call's
        arrival: what of it is not ours is the others'."""
        self.slots.release()
        with self.lock:
            if started_at is None or started_at == self.probe_started:
                self.probe_started = None
        if not headers:
            return
        with self.lock:
            now = self.clock()
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


def pacer_for(api_url, tenant_id):
    with _PACERS_LOCK:
        key = (api_url, tenant_id)
        if key not in _PACERS:
            _PACERS[key] = TenantPacer()
        return _PACERS[key]
