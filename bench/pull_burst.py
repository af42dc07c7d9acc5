"""A burst of payments made in Xero, registered by one call of "Xero: pull".

``AXERO_BENCH_SCRIPT=pull_burst.py bench/run [-n 40] [--profile FILE]``:
N invoices are pushed to the in-process sandbox (its limits lifted), each is
paid "in Xero" (the sandbox's control API, as a bookkeeper), an event per
invoice goes in the inbox, and the pull registers them, one call of
``_cron_pull`` after another (the claim's size, as the cron does), timed:
wall seconds and CPU seconds (this process's and its PostgreSQL backend's,
which the machine's other load inflates less than wall time). Xero's calls
are in the wall time (the sandbox answers at once here). ``--profile``
writes cProfile's statistics of the calls and prints the top of them.
"""

import argparse
import cProfile
import pstats
import time

import requests

import benchlib


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("-n", type=int, default=40, help="invoices paid in Xero (default 40)")
    parser.add_argument("--profile", help="cProfile statistics of the pull calls to this file")
    args = parser.parse_args()

    registry = benchlib.boot(args.db)
    srv = benchlib.start_sandbox(seed=1)
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        conn, tenant_id = benchlib.connect(env, srv, env.company)
        benchlib.fast_limits(srv, [tenant_id])
        # One journal per Xero bank account (the cash journal to Savings),
        # their banks reconciled in Xero (as bench/prod_soak_inbound.py).
        journals = env["account.journal"].search([("type", "in", ("bank", "cash")),
                                                  ("company_id", "=", env.company.id)])
        env["xero.account.map"].search([
            ("connection_id", "=", conn.id),
            ("account_id", "in", journals.filtered(lambda j: j.type == "cash").default_account_id.ids),
        ]).xero_account_id = conn.xero_account_ids.filtered(lambda a: a.code == "091")[:1]
        journals.xero_bank_reconciled_in = "xero"
        # Told by webhook: no poll in the timed calls.
        conn.sudo().write({"import_payments": True, "pull_polled_at": "2999-01-01 00:00:00"})
        partners = benchlib.make_partners(env, max(1, args.n // 5), tag="P")
        invoices = benchlib.make_invoices(env, partners, args.n)
        cr.commit()
    benchlib.drain(registry, until_settled=True, max_seconds=600)
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        moves = env["account.move"].browse(invoices.ids)
        rows = []
        for i, move in enumerate(moves):
            assert move.xero_id, "invoice %s not pushed: %s" % (move.name, move.xero_error)
            response = requests.post(
                "%s/_sandbox/tenants/%s/in_xero" % (srv.url, tenant_id), timeout=30,
                json={"method": "PUT", "path": "Payments", "body": {"Payments": [{
                    "Invoice": {"InvoiceID": move.xero_id}, "Account": {"Code": "090"},
                    "Amount": round(move.amount_total * (0.4 if i % 4 == 0 else 1), 2),
                    "Date": str(move.invoice_date), "Reference": "Bank feed (bench)"}]}})
            response.raise_for_status()
            when = "2026-12-01T10:%02d:%02d.000" % (i // 60, i % 60)
            rows.append((conn.id, env.company.id, "INVOICE", "UPDATE", move.xero_id.lower(), when,
                         when[:19].replace("T", " ")))
        env["xero.webhook.event"].sudo()._xero_insert_events(rows)
        cr.commit()
    from odoo import sql_db

    cpu = None
    calls, wall, cpu_used = 0, 0.0, 0.0
    queries = sql_db.sql_counter
    xero_calls = len(srv.store.requests)
    profiler = cProfile.Profile() if args.profile else None
    while True:
        with registry.cursor() as cr:
            env = benchlib.env_of(cr)
            cpu = benchlib._cpu_meter(env)
            Event = env["xero.webhook.event"]
            started, cpu_started = time.perf_counter(), cpu()
            if profiler:
                profiler.enable()
            done = Event._cron_pull(poll=False)
            env.flush_all()
            cr.commit()
            if profiler:
                profiler.disable()
            wall += time.perf_counter() - started
            cpu_used += cpu() - cpu_started
            calls += 1
            if not done:
                break
    queries = sql_db.sql_counter - queries
    xero_calls = len([r for r in list(srv.store.requests)[xero_calls:] if "/api.xro/" in r["path"]])
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        Payment = env["account.payment"]
        imported = Payment.search_count([("xero_import_id", "!=", False)])
        cr.execute("SELECT state, count(*) FROM xero_webhook_event GROUP BY state")
        states = dict(cr.fetchall())
        cr.execute("SELECT note FROM xero_webhook_event WHERE state != 'done' LIMIT 1")
        left = cr.fetchall()
        paid = env["account.move"].browse(invoices.ids).mapped("payment_state")
    print()
    print("A burst of %d payments made in Xero, registered by the pull" % args.n)
    print(benchlib.table([
        ("pull calls (the last found nothing)", "%d" % calls),
        ("payments registered", "%d" % imported),
        ("events by state", ", ".join("%s %d" % kv for kv in sorted(states.items()))),
        ("invoices paid / partial", "%d / %d" % (paid.count("paid") + paid.count("in_payment"),
                                                 paid.count("partial"))),
        ("SQL queries a payment (counted, not timed)", "%.1f" % (queries / max(1, imported))),
        ("calls to Xero", "%d" % xero_calls),
        ("wall seconds a payment", "%.3f" % (wall / max(1, imported))),
        ("CPU seconds a payment (Odoo + PostgreSQL)", "%.3f" % (cpu_used / max(1, imported))),
    ], headers=("", "")))
    if left:
        print("e.g. an event not done:", left[0][0])
    if profiler:
        profiler.dump_stats(args.profile)
        stats = pstats.Stats(args.profile)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(25)
    srv.stop()
    return 0 if imported == args.n else 1


if __name__ == "__main__":
    raise SystemExit(main())
