"""bench/prod-soak --post-latency K: how long a posted invoice takes to
reach Xero when the queue is idle, in production mode.

The company is connected to a sandbox tenant (its own process, Xero's real
limits, no faults), one customer and K + 1 draft invoices are made in this
process; then ``odoo-bin --workers=2 --max-cron-threads=2`` starts. A user
posts the invoices one at a time over JSON-RPC (``action_post``, committed
when the call returns), each after a pause of 3 to 8 s with nothing queued
(the cron workers asleep, waiting for a NOTIFY or their next poll, 60 to
69 s on). Measured for each: from the return of ``action_post`` (its commit
is before it) to the moment the sandbox holds the invoice (polled every
50 ms). The first invoice also creates its customer in Xero and is shown
apart; the K others give the median and the maximum. Exit status 1 if the
maximum is 10 s or more (the target), or if an invoice is not in Xero
within ``CAP`` seconds. Also shown: when Odoo has recorded the answer
(the invoice's Xero state "Sent", read over JSON-RPC every 50 ms).
"""

import random
import statistics
import time

import benchlib

CAP = 120.0      # seconds: past this, the push was not woken by the posting
TARGET = 10.0    # seconds from the commit to Xero's answer, idle queue


def _in_xero(srv, tenant_id):
    docs = srv.documents(tenant_id, "Invoices")
    return len(docs)


def run(args, procs, soak):
    log = soak.log
    srv = soak.start_sandbox(args, procs)
    registry = benchlib.boot(args.db, log_level="error")
    samples = args.post_latency
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        _conn, tenant_id = benchlib.connect(env, srv, env.company, tenant_name="Latency Ltd")
        partners = benchlib.make_partners(env, 1, tag="L")
        draft_ids = benchlib.make_invoices(env, partners, samples + 1, post=False).ids
        cr.commit()
    server = soak.OdooServer(procs, "odoo-1", args.db, 2, 2, "%s/odoo-latency.log" % args.logdir)
    server.wait_ready()
    log("odoo-1 on %s: --workers=2 --max-cron-threads=2; %d invoices posted one at a time"
        % (server.url, len(draft_ids)))
    rpc = soak.Rpc(args.db)
    rng = random.Random(args.seed)
    rows, late = [], 0
    for k, move_id in enumerate(draft_ids):
        time.sleep(rng.uniform(3, 8))  # idle: nothing queued, the cron workers asleep
        before = _in_xero(srv, tenant_id)
        started = time.monotonic()
        rpc.execute(server.url, "account.move", "action_post", [move_id])
        committed = time.monotonic()
        seen = None
        while time.monotonic() - committed < CAP:
            if _in_xero(srv, tenant_id) > before:
                seen = time.monotonic()
                break
            time.sleep(0.05)
        if seen is None:
            late += 1
            log("invoice %d: not in Xero %.0f s after its commit" % (k + 1, CAP))
            continue
        shown = None  # Odoo recorded Xero's answer: the form says "Sent"
        while time.monotonic() - committed < CAP:
            state = rpc.execute(server.url, "account.move", "read", [move_id], ["xero_state"])
            if state[0]["xero_state"] == "sent":
                shown = time.monotonic()
                break
            time.sleep(0.05)
        rows.append((k, committed - started, seen - committed,
                     shown - committed if shown else float("nan")))
        log("invoice %d: action_post %.2f s, then in Xero %.2f s after its commit, Sent in Odoo %.2f s"
            % (k + 1, *rows[-1][1:]))
    server.scan_log()
    server.stop()
    states = {}
    with registry.cursor() as cr:
        cr.execute("SELECT state, count(*) FROM xero_sync_job GROUP BY state")
        states = dict(cr.fetchall())
    others = [latency for k, _post, latency, _shown in rows if k > 0]
    print()
    print("Posted invoice to Xero, idle queue, odoo-bin --workers=2 --max-cron-threads=2, "
          "sandbox latency %.1f s a call" % args.latency)
    print(benchlib.table(
        [("%d%s" % (k + 1, " (new customer)" if k == 0 else ""), "%.2f" % post, "%.2f" % latency,
          "%.2f" % shown) for k, post, latency, shown in rows],
        headers=("invoice", "action_post s", "commit to Xero s", "commit to Sent in Odoo s")))
    if others:
        print("existing customer, %d invoices: median %.2f s, max %.2f s (target under %.0f s)"
              % (len(others), statistics.median(others), max(others), TARGET))
    print("push calls started %d; jobs %s; not in Xero within %.0f s: %d"
          % (server.cron_log["push calls started"], dict(sorted(states.items())), CAP, late))
    worst = max((latency for _k, _post, latency, _shown in rows), default=CAP)
    return 1 if late or worst >= TARGET else 0
