"""Benchmark: "Reconcile with Xero" on a firm-sized ledger.

Run with ``AXERO_BENCH_SCRIPT=reconcile_scale.py bench/run [--items N]
[--documents N]`` (a fresh database, account_xero installed).

It measures the comparison, not posting: a small template (16 customer
invoices of four lines and their tax, four of them paid) is posted and
pushed to the sandbox the ordinary way; then its journal entries and items
are copied with SQL (INSERT ... SELECT), and its Xero documents in the
sandbox's store, until the ledger holds at least ``--items`` posted journal
items (default 100,000) and ``--documents`` documents (default 20,000),
each copied invoice carrying the Xero id of its copy in the sandbox. Then,
as at the year's end:

1. one comparison where Odoo and Xero agree (the SQL aggregates and the
   mapping of lines to Xero accounts);
2. one where 1,000 of the copied invoices are missing from Xero (the
   drill-down: the documents that explain the difference, and the read
   back of the sent ones' totals).

Printed for each: the comparison's wall time, the part spent inside Xero
calls (Trial Balance, the organisation, the documents read back; timed at
the client, the choke point) and Odoo's side (the rest). Target (issue 23):
Odoo's side under 5 s for 100,000 items / 20,000 documents.
"""

import argparse
import math
import os
import sys
import time
import uuid
from datetime import date

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402
from bench_push import HttpMeter  # noqa: E402

MISSING = 1000  # copied invoices taken out of Xero for the second comparison


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def template(env):
    """16 posted invoices of four lines (6 journal items each) over 8
    customers, four of them paid: 20 documents, 104 items."""
    from odoo import Command

    partners = benchlib.make_partners(env, 8)
    tax = env["account.tax"].search([("type_tax_use", "=", "sale"),
                                     ("company_id", "=", env.company.id)], limit=1)
    invoices = env["account.move"].create([{
        "move_type": "out_invoice", "partner_id": partners[i % 8].id,
        "invoice_date": date(2025, 1 + i % 12, 1 + i),
        "invoice_line_ids": [Command.create({
            "name": "Service %d.%d" % (i, k), "quantity": 1 + k,
            "price_unit": 10.0 * (i + 1) + k * 3.33, "tax_ids": [Command.set(tax.ids)],
        }) for k in range(4)],
    } for i in range(16)])
    invoices.action_post()
    env.cr.commit()
    payments = benchlib.pay(env, invoices[::4])
    return invoices, payments


def copy_ledger(env, srv, tenant_id, moves, copies):
    """``copies`` copies of ``moves`` and their items, by SQL; each copy of
    a sent invoice gets a new Xero id, and its Xero document (and the Xero
    payments of the template) are copied in the sandbox's store."""
    cr = env.cr
    env.flush_all()
    cr.execute("""
        CREATE TEMP TABLE bench_map AS
        SELECT m.id AS src, k, nextval('account_move_id_seq') AS new_id,
               CASE WHEN m.xero_id IS NOT NULL AND m.move_type = 'out_invoice'
                    THEN gen_random_uuid()::text END AS xero_id
          FROM account_move m, generate_series(1, %s) k
         WHERE m.id IN %s
    """, (copies, tuple(moves.ids)))

    def columns(table, skip):
        cr.execute("""SELECT column_name FROM information_schema.columns
                       WHERE table_name = %s ORDER BY ordinal_position""", (table,))
        return [c for (c,) in cr.fetchall() if c not in skip]

    # (A copied payment entry stays the entry of its payment, which Xero holds.)
    special = {"id", "name", "xero_id", "statement_line_id"}
    cols = columns("account_move", special)
    cr.execute("""
        INSERT INTO account_move (id, name, xero_id, %s)
        SELECT bm.new_id, m.name || '/C' || bm.k, bm.xero_id, %s
          FROM account_move m JOIN bench_map bm ON bm.src = m.id
    """ % (", ".join(cols), ", ".join("m.%s" % c for c in cols)))
    special = {"id", "move_id", "full_reconcile_id", "matching_number", "statement_line_id",
               "payment_id", "statement_id"}
    cols = columns("account_move_line", special)
    cr.execute("""
        INSERT INTO account_move_line (move_id, %s)
        SELECT bm.new_id, %s
          FROM account_move_line l JOIN bench_map bm ON bm.src = l.move_id
    """ % (", ".join(cols), ", ".join("l.%s" % c for c in cols)))
    cr.execute("""SELECT m.xero_id, bm.xero_id FROM bench_map bm
                    JOIN account_move m ON m.id = bm.src WHERE bm.xero_id IS NOT NULL""")
    invoice_copies = cr.fetchall()
    cr.execute("SELECT new_id FROM bench_map WHERE xero_id IS NOT NULL")
    copied_invoices = [row[0] for row in cr.fetchall()]
    cr.execute("DROP TABLE bench_map")
    env.invalidate_all()
    store = srv.store
    with store.lock:
        docs = store.tenant(tenant_id).docs
        for src, new in invoice_copies:
            doc = docs["Invoices"][src.lower()]
            docs["Invoices"][new.lower()] = dict(doc, InvoiceID=new)
        template_payments = [p for p in docs["Payments"].values() if p["Status"] != "DELETED"]
        for k in range(copies):
            for pay in template_payments:
                new = str(uuid.uuid4())
                docs["Payments"][new] = dict(pay, PaymentID=new)
    return copied_invoices


def measure(env, conn, label):
    rec = env["xero.reconcile"].create({"connection_id": conn.id, "date": "2025-12-31"})
    env.flush_all()
    env.invalidate_all()
    meter = HttpMeter()
    try:
        t0 = time.monotonic()
        rec._compare(raise_errors=False)
        rec.flush_recordset()
        env.flush_all()
        wall = time.monotonic() - t0
    finally:
        meter.close()
    differing = rec.line_ids.filtered(lambda line: abs(line.difference) >= 0.005)
    print("%s: %.2f s wall, %.2f s inside %d Xero calls, Odoo's side %.2f s; state %s, "
          "%d accounts compared, %d differ, %d documents found, unexplained %.2f"
          % (label, wall, meter.seconds, sum(meter.calls.values()), wall - meter.seconds,
             rec.state, len(rec.line_ids), len(differing),
             sum(differing.mapped("item_total_count")), rec.unexplained_total))
    return rec


def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", required=True)
    parser.add_argument("--items", type=int, default=100000)
    parser.add_argument("--documents", type=int, default=20000)
    args = parser.parse_args()
    registry = benchlib.boot(args.db)
    srv = benchlib.start_sandbox()
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        _conn, tenant_id = benchlib.connect(env, srv, env.company)
        benchlib.fast_limits(srv, [tenant_id])
        invoices, payments = template(env)
    benchlib.drain(registry, max_rounds=200, log=None, until_settled=True)
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        moves = invoices.with_env(env) | payments.with_env(env).move_id
        assert set(invoices.with_env(env).mapped("xero_state")) == {"sent"}
        env.cr.execute("SELECT count(*) FROM account_move_line WHERE move_id IN %s",
                       (tuple(moves.ids),))
        template_items = env.cr.fetchone()[0]
        copies = max(math.ceil(args.items / template_items),
                     math.ceil(args.documents / len(moves))) - 1
        started = time.monotonic()
        copied = copy_ledger(env, srv, tenant_id, moves, copies)
        cr.commit()
        log("ledger copied in %.1f s" % (time.monotonic() - started))
        env.cr.execute("SELECT count(*) FROM account_move_line WHERE parent_state = 'posted'")
        items = env.cr.fetchone()[0]
        env.cr.execute("SELECT count(*) FROM account_move WHERE state = 'posted'")
        documents = env.cr.fetchone()[0]
        print("ledger: %d posted journal items, %d posted entries (%d copies of %d documents)"
              % (items, documents, copies + 1, len(moves)))
        conn = env["xero.connection"].search([("tenant_id", "=", tenant_id)])
        measure(env, conn, "agree")
        env.cr.execute("SELECT xero_id FROM account_move WHERE id IN %s",
                       (tuple(copied[:MISSING]),))
        with srv.store.lock:
            docs = srv.store.tenant(tenant_id).docs["Invoices"]
            for (xero_id,) in env.cr.fetchall():
                docs.pop(xero_id.lower())
        measure(env, conn, "%d invoices missing from Xero" % MISSING)
        cr.rollback()
    srv.stop()


if __name__ == "__main__":
    main()
