"""The 429s of a sandbox request log, each replayed against the sandbox's
own rolling minute and calls in flight: which limit it met, and which
calls (by endpoint) held the places.

    python3 bench/replay_429.py ~/.cache/account_xero/prod-soak-big/requests.json [SINCE]

SINCE: epoch seconds; earlier requests (the set-up's) are left out. A call
is in Xero's minute from its arrival (``time``) for 60 s and in flight from
its arrival for its ``duration_ms``; a 429 is counted in neither, as the
sandbox does (xero_sandbox/store.py, ``rate_acquire``).
"""

import collections
import datetime as dt
import json
import sys


def _at(request):
    at = dt.datetime.fromisoformat(request["time"])
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.timezone.utc)
    return at.timestamp()


def _name(request):
    return "%s %s" % (request["method"], request["path"].split("?")[0].rsplit("/", 1)[-1])


def main(path, since=0.0):
    with open(path, encoding="utf-8") as f:
        raw = json.load(f)
    tenants = collections.defaultdict(list)
    for r in raw:
        if r["path"].lower().startswith("/api.xro/") and r.get("tenant_id") and _at(r) >= since:
            tenants[r["tenant_id"]].append(r)
    for tenant, calls in tenants.items():
        calls.sort(key=_at)
        answered = [r for r in calls if r["status"] != 429]
        refused = [r for r in calls if r["status"] == 429]
        first = _at(calls[0])
        print("tenant %s: %d calls, %d 429, first at %s" % (tenant, len(calls), len(refused),
                                                          calls[0]["time"]))
        print("  by endpoint: %s" % dict(collections.Counter(_name(r) for r in calls)))
        for r in refused:
            at = _at(r)
            minute = [o for o in answered if at - 60 < _at(o) <= at]
            flying = [o for o in answered if _at(o) <= at < _at(o) + o.get("duration_ms", 0) / 1000.0]
            limit = "minute" if len(minute) >= 60 else "in flight" if len(flying) >= 5 else "?"
            leaves = min(_at(o) for o in minute) + 60 - at if minute else 0.0
            print("  429 at +%.1f s (%s) %s: %s; minute %d (oldest leaves in %.3f s), in flight %d: %s"
                  % (at - first, r["time"], _name(r), limit, len(minute), leaves, len(flying),
                     ", ".join(_name(o) for o in flying)))


if __name__ == "__main__":
    main(sys.argv[1], float(sys.argv[2]) if len(sys.argv) > 2 else 0.0)
