"""Soak: push the same documents again and again through injected faults,
then compare Xero (the sandbox's store) with Odoo document by document.

Run it with bench/soak (a fresh database from the template); see README.rst.

Each pass pushes every job again into a fresh sandbox organisation (same
tenant id, same chart; see benchlib.replay) with two workers (threads, each
its own cursor) running the cron's logic at once, while the sandbox injects
seeded faults (429 bursts, 500/503, HTML 502, dropped connections, slow
answers past the client's timeout, 401 TokenExpired, writes stored then
answered 500 or dropped) and the soak itself:
  * kills a worker between Xero's accept and our commit: after a write that
    Xero accepted, the worker raises (a BaseException nothing catches), its
    transaction is rolled back, its claim stays committed ("sending");
  * expires every access token now and then while both workers run, so both
    meet 401 and race to refresh the (rotating) refresh token.
Between rounds the clock is fast-forwarded (backoff delays and leases end
now). Passes continue until the faults injected reach --faults. Then each
pass is compared: duplicates, lost, mismatched amounts must all be 0, and
then the balances: Reconcile with Xero (Xero's Trial Balance against Odoo,
per Xero account) must find every account equal to the cent.
"""

import argparse
import os
import random
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402


def log(msg):
    print(msg, file=sys.stderr, flush=True)


class WorkerKilled(BaseException):
    """The worker died (kill -9) after Xero accepted its write."""


WRITES = ("create_", "update_", "delete_")


class Chaos:
    """Kills workers after accepted writes; shortens the client's timeout."""

    def __init__(self, seed, kill_probability, timeout):
        from odoo.addons.account_xero.xero.client import AccountingClient

        self.cls = AccountingClient
        self.orig_call = AccountingClient.call
        self.orig_init = AccountingClient.__init__
        self.random = random.Random(seed)
        self.lock = threading.Lock()
        self.kill_probability = kill_probability
        self.kills = 0
        self.enabled = True
        chaos = self

        def call(client, method, *args, **kwargs):
            data = chaos.orig_call(client, method, *args, **kwargs)
            if chaos.enabled and method.startswith(WRITES):
                with chaos.lock:
                    kill = chaos.random.random() < chaos.kill_probability
                    chaos.kills += kill
                if kill:
                    raise WorkerKilled(method)
            return data

        def init(client, *args, **kwargs):
            chaos.orig_init(client, *args, **kwargs)
            client.timeout = timeout
            client.max_wait = 2.0

        AccountingClient.call = call
        AccountingClient.__init__ = init

    def close(self):
        self.cls.call = self.orig_call
        self.cls.__init__ = self.orig_init


FAULT_MIX = [
    # kind, probability, params (on /api.xro/ requests)
    ("fail_after_commit", 0.06, {"method": "PUT", "status": 500}),
    ("fail_after_commit", 0.04, {"method": "PUT", "then": "drop"}),
    ("rate_limit", 0.06, {"retry_after": 1}),
    ("status", 0.04, {"status": 503}),
    ("status", 0.03, {"status": 500}),
    ("html", 0.02, {"status": 502}),
    ("drop", 0.03, {}),
    ("slow", 0.01, {"seconds": 2.5}),
    ("expire_token", 0.04, {}),
]


def add_faults(srv, mix=FAULT_MIX):
    for kind, probability, params in mix:
        params = dict(params)
        method = params.pop("method", "*")
        srv.faults.add(kind, path="/api.xro/2.0/*", method=method, times=None,
                       probability=probability, **params)


def fast_forward(registry):
    """Backoff delays and leases end now (no worker is running)."""
    with registry.cursor() as cr:
        cr.execute("""UPDATE xero_sync_job SET next_try_at = (now() AT TIME ZONE 'UTC') - interval '1 second'
                       WHERE state = 'pending'""")
        cr.execute("""UPDATE xero_sync_job SET sending_until = (now() AT TIME ZONE 'UTC') - interval '1 second'
                       WHERE state = 'sending'""")
        cr.execute("UPDATE xero_connection SET state = 'connected' WHERE state = 'expired'")


def open_jobs(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT state, count(*) FROM xero_sync_job GROUP BY state")
        return dict(cr.fetchall())


def worker(registry, name, stop_at, stats, claim_limit):
    """One cron worker: rounds of _cron_push until nothing is due or time is up."""
    while time.monotonic() < stop_at:
        try:
            with registry.cursor() as cr:
                env = benchlib.env_of(cr)
                env["xero.sync.job"]._cron_push(time_budget=5, limit=claim_limit)
                cr.commit()
                due = env["xero.sync.job"]._count_due()
        except WorkerKilled:
            stats["killed"] += 1
            continue  # a new worker process takes over
        except Exception as exc:  # noqa: BLE001 - counted, the soak goes on
            stats["errors"].append("%s: %r" % (name, exc))
            time.sleep(0.2)
            continue
        if not due:
            return


def reconcile_balances(env, conn_id, invoices, payments, result):
    """After the document comparison, the balances: Reconcile with Xero
    (Xero's Trial Balance against Odoo, per Xero account) as at the last
    document's date; every account must agree to the cent."""
    from odoo import fields

    dates = invoices.mapped("date") + payments.mapped("date") + [fields.Date.today()]
    rec = env["xero.reconcile"].create({"connection_id": conn_id, "date": max(dates)})
    rec.action_compare()
    differing = rec.line_ids.filtered(lambda l: l.difference)
    result["accounts"] = len(rec.line_ids)
    result["accounts_differing"] = len(differing) + (rec.state != "done")
    if rec.state != "done":
        result["details"].append("balances not compared: %s" % rec.error)
    for line in differing:
        result["details"].append("account %s: Odoo %.2f, Xero %.2f" % (
            line.xero_account_id.display_name, line.odoo_balance, line.xero_balance))


def one_pass(registry, srv, conn_id, args, pass_no, chaos, counters):
    from odoo.addons.account_xero.models import xero_sync_job

    xero_sync_job.BATCH_SIZE = args.batch
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        conn = env["xero.connection"].browse(conn_id)
        tenant_id = conn.tenant_id
        if pass_no > 1:
            with srv.store.lock:
                srv.store.tenants.pop(tenant_id, None)
                for key in [k for k in srv.store.idempotency if k[1] == tenant_id]:
                    del srv.store.idempotency[key]
            benchlib.replay(env, srv, conn)
        benchlib.fast_limits(srv, [tenant_id])
        env["ir.config_parameter"].sudo().set_param("account_xero.push_max_attempts", "1000")
        cr.commit()
    srv.faults.clear()
    srv.faults.seed(args.seed + pass_no)
    add_faults(srv)
    chaos.enabled = True
    started = time.monotonic()
    deadline = started + args.pass_seconds
    expiries = 0
    for round_no in range(1, 400):
        stats = {"killed": 0, "errors": []}
        stop_at = min(time.monotonic() + 20, deadline)
        threads = [threading.Thread(target=worker, args=(registry, "w%d" % i, stop_at, stats, args.claim))
                   for i in range(2)]
        for t in threads:
            t.start()
        # A refresh-token race: every access token expires while both run.
        time.sleep(0.3)
        srv.expire_access_tokens()
        expiries += 1
        for t in threads:
            t.join(60)
        counters["killed"] += stats["killed"]
        counters["errors"].extend(stats["errors"])
        states = open_jobs(registry)
        if not states.get("pending") and not states.get("sending"):
            break
        if time.monotonic() > deadline:
            log("  pass %d: out of time with %s" % (pass_no, states))
            break
        fast_forward(registry)
    fired = len(srv.faults.fired)
    for _rule_id, kind, _method, _path in srv.faults.fired:
        counters["kinds"][kind] = counters["kinds"].get(kind, 0) + 1
    srv.faults.clear()
    chaos.enabled = False
    # What is left (out of time): finish without faults, so the comparison
    # shows what the faults did, not what was still queued.
    for _ in range(20):
        states = open_jobs(registry)
        if not states.get("pending") and not states.get("sending"):
            break
        fast_forward(registry)
        benchlib.drain(registry, max_rounds=5, max_seconds=60, cron_kwargs={"time_budget": 30})
    counters["sandbox_faults"] += fired
    counters["expiries"] += expiries
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        invoices = env["account.move"].search([("move_type", "=", "out_invoice"), ("state", "=", "posted")])
        payments = env["account.payment"].search([("state", "!=", "draft")])
        result = benchlib.compare(env, srv, tenant_id, invoices, payments)
        cr.execute("SELECT state, count(*) FROM xero_sync_job GROUP BY state")
        result["states"] = dict(cr.fetchall())
        reconcile_balances(env, conn_id, invoices, payments, result)
    result["round"] = round_no
    result["seconds"] = time.monotonic() - started
    result["fired"] = fired
    return result


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("-n", "--n", type=int, default=200, help="invoices (and payments)")
    parser.add_argument("--faults", type=int, default=1000, help="faults to inject in all")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--batch", type=int, default=5, help="elements per write (more requests, more faults)")
    parser.add_argument("--claim", type=int, default=20, help="jobs per claim")
    parser.add_argument("--kill", type=float, default=0.08, help="chance a worker dies after an accepted write")
    parser.add_argument("--pass-seconds", type=float, default=600)
    parser.add_argument("--max-passes", type=int, default=20)
    parser.add_argument("--max-seconds", type=float, default=3000)
    parser.add_argument("--replay", action="store_true", help="reuse the documents already in --db")
    args = parser.parse_args()

    registry = benchlib.boot(args.db, log_level="error")
    srv = benchlib.start_sandbox(seed=args.seed)
    log("sandbox on %s; database %s" % (srv.url, args.db))
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        if args.replay:
            conn = env["xero.connection"].search([], limit=1)
            benchlib.replay(env, srv, conn)
        else:
            conn, _tenant = benchlib.connect(env, srv, env.company, tenant_name="Soak Ltd")
            partners = benchlib.make_partners(env, max(1, args.n // 10), tag="S")
            invoices = benchlib.make_invoices(env, partners, args.n, log=log)
            benchlib.pay(env, invoices, log=log)
        conn_id = conn.id
    chaos = Chaos(args.seed, args.kill, timeout=2)
    counters = {"killed": 0, "errors": [], "sandbox_faults": 0, "expiries": 0, "kinds": {}}
    results = []
    started = time.monotonic()
    for pass_no in range(1, args.max_passes + 1):
        result = one_pass(registry, srv, conn_id, args, pass_no, chaos, counters)
        results.append(result)
        total = counters["sandbox_faults"] + counters["killed"] + counters["expiries"]
        log("pass %d: %d sandbox faults, %d kills so far, %d in all; %d dup / %d lost / %d mismatched; "
            "%d of %d account balances differ; jobs %s (%.0fs)"
            % (pass_no, result["fired"], counters["killed"], total, result["duplicates"],
               result["lost"], result["mismatched"], result["accounts_differing"],
               result["accounts"], result["states"], result["seconds"]))
        if total >= args.faults or time.monotonic() - started > args.max_seconds:
            break
    chaos.close()
    fired_kinds = {}
    total = counters["sandbox_faults"] + counters["killed"] + counters["expiries"]
    print()
    print("account_xero soak: %d passes, seed %d, batch %d, 2 workers" % (len(results), args.seed, args.batch))
    print()
    rows = [[i + 1, r["documents"], r["fired"], r["duplicates"], r["lost"], r["mismatched"],
             "%d / %d" % (r["accounts_differing"], r["accounts"]),
             ", ".join("%s %d" % kv for kv in sorted(r["states"].items())), "%.0f" % r["seconds"]]
            for i, r in enumerate(results)]
    print(benchlib.table(rows, ["pass", "documents", "sandbox faults", "duplicates", "lost",
                                "mismatched", "accounts differing", "jobs", "s"]))
    print()
    print(benchlib.table([
        ["faults injected (all)", total],
        ["  sandbox fault rules fired", counters["sandbox_faults"]],
    ] + [["    " + kind, count] for kind, count in sorted(counters["kinds"].items())] + [
        ["  workers killed after Xero's accept", counters["killed"]],
        ["  all access tokens expired mid-run (refresh race)", counters["expiries"]],
        ["documents compared (per pass x passes)", sum(r["documents"] for r in results)],
        ["duplicates", sum(r["duplicates"] for r in results)],
        ["lost", sum(r["lost"] for r in results)],
        ["mismatched", sum(r["mismatched"] for r in results)],
        ["account balances differing (Xero's Trial Balance vs Odoo)",
         sum(r["accounts_differing"] for r in results)],
        ["worker errors (unexpected exceptions)", len(counters["errors"])],
    ], ["", ""]))
    for r in results:
        for line in r["details"][:10]:
            print("  " + line)
    for line in counters["errors"][:10]:
        print("  error: " + line)
    del fired_kinds
    srv.stop()
    bad = sum(r["duplicates"] + r["lost"] + r["mismatched"] + r["accounts_differing"] for r in results)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
