"""Benchmark: "Reconcile with Xero" on a firm-sized ledger.

Run with ``AXERO_BENCH_SCRIPT=reconcile_scale.py bench/run [-n INVOICES]``
(a fresh database, account_xero installed). It posts N customer invoices
(1 to 3 lines and their tax) and pays one in four, pushes them all to the
sandbox (its rate limits lifted), then times one comparison as at the year's
end. Printed: journal items and documents in the ledger, the comparison's
wall time, the part of it spent inside Xero calls (Trial Balance, the read
back of documents), Odoo's side (the rest: SQL aggregates, the mapping of
lines to Xero accounts, the drill-down) and the accounts that differ.
Target (issue 23): Odoo's side under 5 s for 100,000 items / 20,000 documents.
"""

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from bench_push import HttpMeter  # noqa: E402


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("-n", type=int, default=16000, help="invoices (default 16,000)")
    args = parser.parse_args()
    registry = benchlib.boot(args.db)
    srv = benchlib.start_sandbox()
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        _conn, tenant_id = benchlib.connect(env, srv, env.company)
        cr.commit()
        benchlib.fast_limits(srv, [tenant_id])
        started = time.monotonic()
        partners = benchlib.make_partners(env, max(50, args.n // 40))
        invoices = benchlib.make_invoices(env, partners, args.n, chunk=500, log=log)
        payments = benchlib.pay(env, invoices[::4], chunk=500, log=log)
        log("ledger built in %.0f s" % (time.monotonic() - started))
    benchlib.drain(registry, max_rounds=2000, log=None, until_settled=True)
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        cr.execute("SELECT count(*) FROM account_move_line WHERE parent_state = 'posted'")
        items = cr.fetchone()[0]
        cr.execute("SELECT count(*) FROM account_move WHERE state = 'posted'")
        moves = cr.fetchone()[0]
        conn = env["xero.connection"].search([("tenant_id", "=", tenant_id)])
        rec = env["xero.reconcile"].create({"connection_id": conn.id, "date": "2025-12-31"})
        meter = HttpMeter()
        try:
            t0 = time.monotonic()
            rec._compare(raise_errors=False)
            wall = time.monotonic() - t0
        finally:
            meter.close()
        differing = rec.line_ids.filtered(lambda line: abs(line.difference) >= 0.005)
        print("ledger: %d posted journal items, %d posted entries (%d invoices, %d payments)"
              % (items, moves, len(invoices), len(payments)))
        print("comparison: %.2f s wall, %.2f s inside %d Xero calls, Odoo's side %.2f s"
              % (wall, meter.seconds, sum(meter.calls.values()), wall - meter.seconds))
        print("state %s; %d accounts compared, %d differ" % (
            rec.state, len(rec.line_ids), len(differing)))
        for line in differing:
            print("  %s: Odoo %.2f, Xero %.2f" % (line.xero_account_id.display_name,
                                                 line.odoo_balance, line.xero_balance))
        cr.rollback()
    srv.stop()


if __name__ == "__main__":
    main()
