"""Fault injection: rules matched by method + path pattern that fire a fixed
number of times and/or with a (seeded) probability.

    srv.faults.add("status", path="/api.xro/2.0/Invoices*", method="PUT", status=503)
    srv.faults.add("drop", path="*/Payments", times=2)
    srv.faults.add("slow", seconds=3, probability=0.2)
    srv.faults.add("fail_after_commit", path="*/Invoices", then="drop")
    srv.faults.add("rate_limit", retry_after=2, problem="minute")
    srv.faults.add("expire_token")
    srv.faults.add("status", method="PUT", body_contains="INV/2025/00006", times=None)
    srv.faults.add("status", status=400, body='"Bad request"')     # a body of your own
    srv.faults.add("truncate", path="*/Invoices", length=40)     # handled, answer cut short
    srv.faults.seed(42); srv.faults.clear()

Kinds:
  status             answer `status` (default 500) with Xero's JSON body, or with
                     `body` (text, sent as is) and `content_type` (default JSON)
  html               answer `status` (default 502) with an HTML page, like a proxy
  slow               sleep `seconds` then handle the request normally
  drop               close the connection without any response
  fail_after_commit  handle the request (writes stored), then answer `status`
                     (default 500) or, with then="drop", drop the connection
  truncate           handle the request (writes stored), then send only the first
                     `length` bytes of the answer (default: half of it)
  rate_limit         429 with Retry-After `retry_after` (seconds, or a text sent
                     as is, e.g. an HTTP-date) and X-Rate-Limit-Problem
  expire_token       401 TokenExpired (as if the access token just expired)
"""
import fnmatch
import itertools
import random
import threading

KINDS = ("status", "html", "slow", "drop", "fail_after_commit", "truncate", "rate_limit",
         "expire_token")


class Faults:
    def __init__(self, seed=None):
        self._lock = threading.Lock()
        self._rules = []
        self._ids = itertools.count(1)
        self._random = random.Random(seed)
        self.fired = []   # (rule id, kind, method, path)

    def seed(self, value):
        with self._lock:
            self._random = random.Random(value)

    def add(self, kind, path="*", method="*", times=1, probability=None, skip=0, **params):
        """Add a rule. `times`: how many times it fires (None = unlimited);
        `skip`: let the first N matching requests through; `probability`:
        fire on a matching request with this chance (seeded, see seed());
        `body_contains`: only requests whose body holds this text (say, the
        one request of a batch that carries a given invoice number)."""
        if kind not in KINDS:
            raise ValueError("unknown fault kind %r (one of %s)" % (kind, ", ".join(KINDS)))
        rule = {"id": next(self._ids), "kind": kind, "path": path, "method": method.upper(),
                "times": times, "probability": probability, "skip": skip,
                "body_contains": params.pop("body_contains", None), "params": params,
                "fired": 0, "seen": 0}
        with self._lock:
            self._rules.append(rule)
        return rule

    # Convenience spellings.
    def status(self, status=500, **kw):
        return self.add("status", status=status, **kw)

    def html(self, status=502, **kw):
        return self.add("html", status=status, **kw)

    def slow(self, seconds=2.0, **kw):
        return self.add("slow", seconds=seconds, **kw)

    def drop(self, **kw):
        return self.add("drop", **kw)

    def fail_after_commit(self, then="status", status=500, **kw):
        return self.add("fail_after_commit", then=then, status=status, **kw)

    def truncate(self, length=None, **kw):
        return self.add("truncate", length=length, **kw)

    def rate_limit(self, retry_after=1, problem="minute", **kw):
        return self.add("rate_limit", retry_after=retry_after, problem=problem, **kw)

    def expire_token(self, **kw):
        return self.add("expire_token", **kw)

    def remove(self, rule_id):
        with self._lock:
            self._rules = [r for r in self._rules if r["id"] != rule_id]

    def clear(self):
        with self._lock:
            self._rules = []
            self.fired = []

    def rules(self):
        with self._lock:
            return [dict(r) for r in self._rules]

    def match(self, method, path, body=None):
        """The rules firing for this request (at most one of each kind);
        ``body``: a callable giving the request body, read only when a rule
        asks for it."""
        out = []
        with self._lock:
            kinds = set()
            for r in self._rules:
                if r["kind"] in kinds:
                    continue
                if r["method"] not in ("*", method.upper()):
                    continue
                if not fnmatch.fnmatchcase(path, r["path"]) and not fnmatch.fnmatchcase(path.lower(), r["path"].lower()):
                    continue
                if r["times"] is not None and r["fired"] >= r["times"]:
                    continue
                if r["body_contains"] is not None and (
                        body is None or r["body_contains"].encode() not in (body() or b"")):
                    continue
                r["seen"] += 1
                if r["seen"] <= r["skip"]:
                    continue
                if r["probability"] is not None and self._random.random() >= r["probability"]:
                    continue
                r["fired"] += 1
                kinds.add(r["kind"])
                out.append(r)
                self.fired.append((r["id"], r["kind"], method, path))
            self._rules = [r for r in self._rules if r["times"] is None or r["fired"] < r["times"]]
        return out
