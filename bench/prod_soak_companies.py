"""bench/prod-soak --companies N: several organisations pushing at once.

N companies (the main one and N-1 new ones, each with the main company's
chart of accounts), each connected to its own tenant of the sandbox process
(Xero's real limits per tenant: 60 calls a minute, 5 in flight), the admin a
user of all of them. ``account_xero.push_batch_size`` is 1, so that each
document is one request; ``--per-company`` invoices are posted in each
company in this process (their creation is not measured), then
``odoo-bin --workers=2 --max-cron-threads=2`` starts and its crons push.

Measured from the sandbox's request log (``/_sandbox/requests``: each API
request with its tenant, arrival time and status), per tenant, from the
first API request of the push (any tenant's: a tenant that waits while the
others are served is starved, and that counts against it) to the tenant's
last request: the calls admitted a minute over that busy window (see
``measure``: a tenant served in bursts is counted cycle to cycle), the
stretches of calls and the longest idle gap, and the 429s; the request log
is kept in the log directory (requests.json). Exit status 1 if a tenant
is below 55 calls a minute over its busy window, if its 429s exceed 5 % of
its calls, or if jobs are left pending or sending at the cap (``--minutes``,
at most 8).
"""

import collections
import datetime as dt
import json
import os
import time

import benchlib

MIN_RATE = 55.0      # calls a minute a tenant with work must sustain
MAX_429_SHARE = 0.05
IDLE = 10.0         # seconds without a call that end a stretch


def _chart(env, company):
    env["account.chart.template"].try_loading(env.company.chart_template or "generic_coa", company,
                                              install_demo=False)


def setup(soak, args, registry, srv):
    """Companies, connections, partners and posted invoices; returns
    ``[(company_id, company_name, tenant_id)]``."""
    orgs = []
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        env["ir.config_parameter"].sudo().set_param("account_xero.push_batch_size", "1")
        main = env.company
        companies = [main]
        for k in range(2, args.companies + 1):
            company = env["res.company"].create({"name": "Soak Org %d" % k, "currency_id": main.currency_id.id})
            _chart(env, company)
            env.cr.commit()
            companies.append(company)
            soak.log("company %s: chart of accounts loaded" % company.name)
        admin = env.ref("base.user_admin")
        admin.company_ids = [(4, c.id) for c in companies]
        env.cr.commit()
        for k, company in enumerate(companies, 1):
            cenv = env(context={"allowed_company_ids": [company.id]})
            _conn, tenant_id = benchlib.connect(cenv, srv, company, tenant_name="Soak Org %d Ltd" % k)
            orgs.append((company.id, company.name, tenant_id))
            soak.log("company %s connected to tenant %s" % (company.name, tenant_id))
        for k, company in enumerate(companies, 1):
            cenv = env(context={"allowed_company_ids": [company.id]})
            started = time.monotonic()
            partners = benchlib.make_partners(cenv, max(1, args.per_company // 10), seed=k, tag="O%d" % k)
            benchlib.make_invoices(cenv, partners, args.per_company, seed=k)
            soak.log("company %s: %d invoices posted (%.0fs)" % (company.name, args.per_company,
                                                                 time.monotonic() - started))
    return orgs


def job_states(registry):
    with registry.cursor() as cr:
        cr.execute("""SELECT conn.company_id, job.state, count(*) FROM xero_sync_job job
                        JOIN xero_connection conn ON conn.id = job.connection_id GROUP BY 1, 2""")
        by_company = collections.defaultdict(dict)
        for company_id, state, count in cr.fetchall():
            by_company[company_id][state] = count
        return by_company


def measure(requests, tenant_id, since, first_call):
    """Calls, 429s, busy window and rate of one tenant (see the module's docstring)."""
    mine = [(r["at"], r["status"]) for r in requests if r["tenant_id"] == tenant_id and r["at"] >= since]
    admitted = sorted(at for at, status in mine if status != 429)
    out = {"calls": len(mine), "429": sum(1 for _at, status in mine if status == 429), "busy": 0.0,
           "rate": 0.0, "stretches": 0, "idle": 0.0}
    if not admitted:
        return out
    # Stretches of calls separated by more than IDLE seconds without one: a
    # tenant paced to 60 calls in any rolling minute but served in bursts
    # sends its 60 in a few seconds, then waits. The rate counts from the
    # push's first request to the start of the tenant's last stretch (the
    # calls before it), so that a burst at either end does not flatter it;
    # a steady stream counts to its last call.
    starts = [0] + [i + 1 for i in range(len(admitted) - 1) if admitted[i + 1] - admitted[i] > IDLE]
    gaps = [admitted[0] - first_call] + [admitted[i] - admitted[i - 1] for i in starts[1:]]
    out.update(busy=admitted[-1] - first_call, stretches=len(starts), idle=max(gaps))
    if len(starts) > 1:
        out["rate"] = starts[-1] / max(admitted[starts[-1]] - first_call, 1e-9) * 60
    else:
        out["rate"] = (len(admitted) - 1) / max(admitted[-1] - first_call, 1e-9) * 60
    return out


def run(args, procs, soak):
    log = soak.log
    args.logdir = args.logdir.rstrip("/") + "-companies"
    os.makedirs(args.logdir, exist_ok=True)
    srv = soak.start_sandbox(args, procs)
    registry = benchlib.boot(args.db, log_level="error")
    orgs = setup(soak, args, registry, srv)
    # The push starts now: the set-up's calls (reference data) are left out.
    since = dt.datetime.now(dt.timezone.utc).timestamp()
    server = soak.OdooServer(procs, "odoo-1", args.db, 2, 2, "%s/odoo-1.log" % args.logdir)
    server.wait_ready()
    ready_at = dt.datetime.now(dt.timezone.utc).timestamp()
    log("odoo-1 on %s: --workers=2 --max-cron-threads=2; %d companies, %d invoices each, push_batch_size 1"
        % (server.url, len(orgs), args.per_company))
    t0 = time.monotonic()
    deadline = t0 + args.duration
    last_report = 0
    settled_at = None
    while time.monotonic() < deadline:
        now = time.monotonic() - t0
        states = job_states(registry)
        open_jobs = sum(st.get("pending", 0) + st.get("sending", 0) for st in states.values())
        if now - last_report >= 15:
            last_report = now
            server.scan_log()
            log("jobs done by company: %s; open %d; cron timeouts %d" % (
                ", ".join(str(states.get(cid, {}).get("done", 0)) for cid, _n, _t in orgs),
                open_jobs, server.timeouts))
        if not open_jobs:
            settled_at = now
            break
        time.sleep(1)
    server.scan_log()
    server.stop()
    states = job_states(registry)

    requests = []
    raw = srv.control("requests")
    with open(os.path.join(args.logdir, "requests.json"), "w", encoding="utf-8") as f:
        json.dump(raw, f)
    for r in raw:
        if not r["path"].lower().startswith("/api.xro/"):
            continue
        at = dt.datetime.fromisoformat(r["time"])
        if at.tzinfo is None:
            at = at.replace(tzinfo=dt.timezone.utc)
        requests.append(dict(r, at=at.timestamp()))
    pushed = [r["at"] for r in requests if r["at"] >= since]
    first_call = min(pushed) if pushed else since

    rows = []
    bad = []
    for company_id, name, tenant_id in orgs:
        m = measure(requests, tenant_id, since, first_call)
        st = states.get(company_id, {})
        left = st.get("pending", 0) + st.get("sending", 0)
        verdict = []
        if m["rate"] < MIN_RATE:
            verdict.append("below %d/min" % MIN_RATE)
        if m["429"] > MAX_429_SHARE * max(m["calls"], 1):
            verdict.append("429s")
        if left:
            verdict.append("%d left" % left)
        if st.get("failed", 0) + st.get("blocked", 0):
            verdict.append("%d failed" % (st.get("failed", 0) + st.get("blocked", 0)))
        if verdict:
            bad.append(name)
        rows.append([name, tenant_id[:8], st.get("done", 0), left, m["calls"], m["429"], "%.0f" % m["busy"],
                     "%.1f" % m["rate"], m["stretches"], "%.0f" % m["idle"],
                     ", ".join(verdict) or "ok"])
    total = sum(r[4] for r in rows)
    busy_all = max((r["at"] for r in requests if r["at"] >= since), default=first_call) - first_call
    print()
    print("account_xero production soak, %d organisations at once: odoo-bin --workers=2 --max-cron-threads=2, "
          "Xero sandbox process with Xero's limits per tenant (60 calls a minute, 5 in flight), "
          "push_batch_size 1, %d invoices a company" % (len(orgs), args.per_company))
    print()
    print(benchlib.table(rows, ["company", "tenant", "jobs done", "left", "calls", "429", "busy s",
                                "calls/min", "stretches", "longest idle s", "verdict"]))
    print()
    print("all tenants: %d calls in %.0f s (%.1f a minute); settled %s; 'Xero: push' calls %d, longest %.1f s; "
          "cron timeouts %d; tracebacks %d" % (
              total, busy_all, total / max(busy_all, 1e-9) * 60,
              "after %.0f s" % settled_at if settled_at is not None else "never (cap %.0f s)" % args.duration,
              server.cron_log["push calls done"], server.cron_log["push call max s"], server.timeouts,
              server.tracebacks()[0]))
    print("first API request of the push %.0f s after odoo-bin answered (the cron workers' first poll)"
          % (first_call - ready_at))
    print("busy s: from the push's first API request (any tenant) to the tenant's last; stretches: runs of "
          "calls with no idle gap over %.0f s; calls/min: admitted calls before the tenant's last stretch "
          "over the time to its start (a single stretch: to its last call)" % IDLE)
    print("logs: %s" % args.logdir)
    return 1 if bad else 0
