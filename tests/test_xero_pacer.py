"""The client's pacing, with a fake clock: no real waiting."""

from odoo.tests import BaseCase, tagged

from ..xero.pacer import FLIGHT_POLL, MINUTE_MARGIN, PROBE_WAIT, TenantPacer
from ..xero.errors import XeroRateLimited
from .common import FakeClock, MemoryLedger


@tagged("post_install", "-at_install")
class TestTenantPacer(BaseCase):
    def _pacer(self, **kw):
        clock = FakeClock()
        return TenantPacer(clock=clock, sleep=clock.sleep, **kw), clock

    def test_sixty_calls_a_minute_then_waits_for_the_window(self):
        pacer, clock = self._pacer()
        for _ in range(60):
            pacer.acquire(max_wait=120)
            pacer.release({})
        self.assertEqual(clock.slept, [], "60 calls in a minute are within Xero's limit")
        pacer.acquire(max_wait=120)
        pacer.release({})
        self.assertAlmostEqual(sum(clock.slept), 60.0 + MINUTE_MARGIN, places=3)

    def test_too_long_a_wait_raises_rate_limited_instead_of_blocking(self):
        pacer, clock = self._pacer(per_minute=2)
        pacer.acquire(max_wait=5)
        pacer.release({})
        pacer.acquire(max_wait=5)
        pacer.release({})
        with self.assertRaises(XeroRateLimited) as cm:
            pacer.acquire(max_wait=5)
        self.assertGreater(cm.exception.retry_after, 5)
        self.assertEqual(clock.slept, [])

    def test_the_pacer_tells_when_the_tenants_minute_frees_without_waiting(self):
        pacer, clock = self._pacer(per_minute=2)
        self.assertEqual(pacer.wait_time(), 0.0)
        for _ in range(2):
            pacer.acquire(max_wait=5)
            pacer.release({})
        clock.now += 10
        self.assertAlmostEqual(pacer.wait_time(), 50.0 + MINUTE_MARGIN, places=3)
        self.assertEqual(clock.slept, [], "asking does not wait")
        clock.now += 50 + MINUTE_MARGIN
        self.assertEqual(pacer.wait_time(), 0.0)

    def test_a_call_leaves_xeros_minute_a_margin_after_ours(self):
        """Xero counts a call from its arrival, a little after we send it:
        the place of a call sent 60 s ago is not free yet (a 429 when the
        next minute's stretch went exactly then)."""
        pacer, clock = self._pacer(per_minute=2)
        for _ in range(2):
            pacer.acquire(max_wait=5)
            pacer.release({})
        clock.now += 60
        self.assertAlmostEqual(pacer.wait_time(), MINUTE_MARGIN, places=3)
        pacer.acquire(max_wait=5)
        self.assertAlmostEqual(sum(clock.slept), MINUTE_MARGIN, places=3)

    def test_calls_of_another_process_leave_the_minute_when_theirs_do(self):
        # The other cron worker made 60 calls, from 30 s to 20 s ago; Xero's
        # count alone would hold this process a full minute from its answer.
        pacer, clock = self._pacer()
        epoch = 5000.0
        pacer.learn([epoch - 30 + k / 6 for k in range(60)], epoch)
        self.assertAlmostEqual(pacer.wait_time(), 30.0 + MINUTE_MARGIN, places=3)
        pacer.learn([epoch - 30 + k / 6 for k in range(60)], epoch)  # told again: counted once
        self.assertAlmostEqual(pacer.wait_time(), 30.0 + MINUTE_MARGIN, places=3)
        self.assertEqual(pacer.own_calls(epoch), [], "what it learned is not its own to tell")
        pacer.acquire(max_wait=60)
        self.assertAlmostEqual(clock.slept and sum(clock.slept), 30.0 + MINUTE_MARGIN, places=3)
        self.assertEqual(len(pacer.own_calls(epoch + 30)), 1)

    def test_xero_headers_lower_the_budget(self):
        pacer, clock = self._pacer()
        pacer.acquire(max_wait=120)
        # Another process of ours spent the minute: Xero says none is left.
        pacer.release({"X-MinLimit-Remaining": "0", "X-DayLimit-Remaining": "4000"})
        pacer.acquire(max_wait=120)
        pacer.release({})
        self.assertAlmostEqual(sum(clock.slept), 60.0, places=3)

    def test_day_limit_spent_raises_without_calling(self):
        pacer, _clock = self._pacer()
        pacer.acquire(max_wait=120)
        pacer.release({"X-DayLimit-Remaining": "0"})
        with self.assertRaises(XeroRateLimited) as cm:
            pacer.acquire(max_wait=120)
        self.assertEqual(cm.exception.problem, "day")

    def test_retry_after_blocks_every_caller_of_the_tenant(self):
        pacer, clock = self._pacer()
        pacer.backoff(7)
        pacer.acquire(max_wait=120)
        pacer.release({})
        self.assertAlmostEqual(sum(clock.slept), 7.0, places=3)

    def _call(self, pacer, clock, remaining_after=None, seconds=1.0, max_wait=120):
        """One call of ``seconds``; Xero answers with X-MinLimit-Remaining
        ``remaining_after`` (its count of the minute, this call included)."""
        started = pacer.acquire(max_wait=max_wait)
        clock.now += seconds
        headers = {} if remaining_after is None else {"X-MinLimit-Remaining": str(remaining_after)}
        pacer.release(headers, started)

    def test_a_spent_minute_waits_for_our_oldest_call_only(self):
        """Xero's minute is rolling: once it is spent, each of our calls
        leaving it lets one more go, so the pace stays at 60 a minute
        instead of waiting for the whole minute to clear."""
        pacer, clock = self._pacer()
        for i in range(60):
            self._call(pacer, clock, remaining_after=59 - i)
        self.assertEqual(clock.slept, [], "60 one-second calls fill the minute")
        start = clock.now
        xero = [1000.0 + i for i in range(60)]  # Xero's rolling minute: the calls' arrivals
        for _ in range(60):
            started = pacer.acquire(max_wait=120)
            xero = [t for t in xero if t > started - 60] + [started]
            self.assertLessEqual(len(xero), 60, "never more than 60 in Xero's minute")
            clock.now += 1.0
            pacer.release({"X-MinLimit-Remaining": str(60 - len(xero))}, started)
        self.assertLess(clock.now - start, 65, "60 more calls in about a minute")

    def test_others_calls_reported_by_xero_are_left_their_share(self):
        """Another process used 40 of the minute: we get the other 20, then
        wait until the others' calls have left the minute."""
        pacer, clock = self._pacer()
        self._call(pacer, clock, remaining_after=19)  # 40 others + this one
        for i in range(19):
            self._call(pacer, clock, remaining_after=18 - i)
        self.assertEqual(clock.slept, [])
        self._call(pacer, clock, remaining_after=59)
        self.assertGreater(sum(clock.slept), 30, "waited for the others' calls to leave")

    # ------------------------------------------------------------------
    # A cold pacer (no recent count of Xero's): one call first
    # ------------------------------------------------------------------
    def _two_calls_the_first_answered_while_the_second_waits(self, pacer, clock):
        """Start a call; start a second one, during whose wait the first is
        answered: Xero counts the minute spent (by another process). Return
        both calls' start times."""
        answers = []

        def sleep(seconds):
            clock.sleep(seconds)
            if answers:
                answers.pop()()  # the first call's answer arrives meanwhile

        pacer.sleep = sleep
        first = pacer.acquire(max_wait=120)
        answers.append(lambda: pacer.release({"X-MinLimit-Remaining": "0"}, first))
        second = pacer.acquire(max_wait=120)
        self.assertFalse(answers, "the second call went out before the first call was answered")
        return first, second

    def test_a_cold_pacer_waits_for_its_first_answer_before_sending_more(self):
        """Another cron worker process spent the minute just before this
        one took over: this process's first call learns it from Xero's
        count, and its second call waits for the minute instead of going
        out at once into a spent minute (a 429 each, in production)."""
        pacer, clock = self._pacer()
        first, second = self._two_calls_the_first_answered_while_the_second_waits(pacer, clock)
        self.assertGreater(second - first, 59,
                           "the second call waited for the minute the other process spent")

    def test_a_pacer_that_has_not_heard_from_xero_for_a_while_asks_first(self):
        """This process pushed, then the other cron worker process had its
        turn for 20 s: what this process knew of the minute is stale, so
        its next call goes alone and the rest wait for Xero's count."""
        pacer, clock = self._pacer()
        self._call(pacer, clock, remaining_after=50)
        clock.now += 20  # the other process's cron call
        first, second = self._two_calls_the_first_answered_while_the_second_waits(pacer, clock)
        self.assertGreater(second - first, 30,
                           "the second call waited for the minute the other process spent")

    def test_a_cold_pacer_does_not_wait_long_for_an_answer_that_does_not_come(self):
        pacer, clock = self._pacer()
        first = pacer.acquire(max_wait=120)
        second = pacer.acquire(max_wait=120)
        self.assertAlmostEqual(second - first, PROBE_WAIT, places=3)
        pacer.release({}, first)
        pacer.release({}, second)

    def test_a_warm_pacer_sends_its_calls_together(self):
        """Once Xero has counted the minute for it, calls go out together
        (up to five in flight) without waiting for each other's answers."""
        pacer, clock = self._pacer()
        self._call(pacer, clock, remaining_after=50)
        for _ in range(5):
            pacer.acquire(max_wait=120)
        self.assertEqual(clock.slept, [])

    # ------------------------------------------------------------------
    # Several processes (the two cron workers), one ledger
    # ------------------------------------------------------------------
    def _processes(self, *names):
        """A pacer per process, all on one clock and one ledger, each warm
        (Xero has answered it just now)."""
        clock, ledger = FakeClock(), MemoryLedger()
        pacers = [TenantPacer(clock=clock, sleep=clock.sleep, epoch=clock, shared=ledger, name=name)
                  for name in names]
        used = 0
        for pacer in pacers:
            used += 1
            self._call(pacer, clock, remaining_after=60 - used)
        return pacers, clock

    def test_calls_in_flight_in_another_process_take_xeros_places(self):
        """The push has four calls in flight in one cron worker and the
        daily check one in the other: the push's next call waits for one of
        the five to end (a sixth in flight is a 429 "concurrent"; each
        process counted only its own)."""
        (push, check), clock = self._processes("push", "check")
        for _ in range(4):
            push.acquire(max_wait=120)
        checking = check.acquire(max_wait=120)
        answers = [lambda: check.release({}, checking)]

        def sleep(seconds):
            clock.sleep(seconds)
            if answers:
                answers.pop()()  # the daily check's call is answered meanwhile

        push.sleep = sleep
        slept = len(clock.slept)
        push.acquire(max_wait=120)
        self.assertFalse(answers, "the push's fifth call went while five were in flight")
        self.assertEqual(clock.slept[slept:], [FLIGHT_POLL])

    def test_a_process_does_not_wait_forever_for_anothers_calls_in_flight(self):
        (push, check), _clock = self._processes("push", "check")
        for _ in range(5):
            push.acquire(max_wait=120)
        with self.assertRaises(XeroRateLimited) as cm:
            check.acquire(max_wait=1)
        self.assertEqual(cm.exception.problem, "concurrent")
        self.assertEqual(check.flying, [], "nothing sent")

    def test_a_process_counts_the_calls_another_made_since_its_own_last(self):
        """The poll asks Xero once, then the push spends the rest of the
        minute: the poll's next read waits for the minute (it used to learn
        the push's calls only when its cron call started, and Xero's count
        only from its last answer)."""
        (push, poll), clock = self._processes("push", "poll")
        for _ in range(58):
            self._call(push, clock, seconds=0.1)
        started = clock.now
        poll.acquire(max_wait=120)
        self.assertGreater(clock.now - started, 40, "the poll waited for the minute the push spent")

    def test_the_calls_of_a_process_are_told_when_they_go(self):
        """What one process sends counts for the other at once, before its
        answer (and before the cron call that sent it ends)."""
        (push, check), _clock = self._processes("push", "check")
        push.per_minute = 3
        check.acquire(max_wait=120)
        self.assertGreater(push.wait_time(), 50, "the daily check's call is told to the push")
