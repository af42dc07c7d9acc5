"""Two transactions at once spending the same matter's trust money, on a
committed scratch database (bench/run made it; a TransactionCase shares one
cursor, so it cannot show this). Run by::

    AXERO_BENCH_SCRIPT=trust_race.py bench/run [--rounds 10]

Each round gives a new matter 100.00 (a committed receipt), then two
threads, each with its own cursor, post a payment of 80.00 from it: more
than the matter holds for both. Posting locks the balance's row in
``account_trust_lock`` (account_trust_balance.py ``_lock_trust_balances``);
the second transaction waits for the first and then fails with a
serialization error, and, retried as Odoo's RPC layer retries it
(``odoo.service.model.retrying``), reads the new balance and is refused.

Round 1 forces the overlap (both take their snapshot first, the first holds
its lock 0.5 s before committing); the other rounds start both at once.
The script prints each round and exits 1 if any round posted both
payments or left the matter below zero.
"""

import argparse
import logging
import sys
import threading
import time

from psycopg2.errorcodes import SERIALIZATION_FAILURE
from psycopg2.extensions import TransactionRollbackError

from benchlib import boot, env_of

TRIES = 5  # odoo.service.model.MAX_TRIES_ON_CONCURRENCY_FAILURE


def setup(registry):
    """Trust accounts, a trust journal, an office journal and a client."""
    with registry.cursor() as cr:
        env = env_of(cr)
        company = env.ref("base.main_company")
        Account = env["account.account"]

        def account(code, name, kind):
            return Account.search([("code", "=", code)], limit=1) or Account.create(
                {"code": code, "name": name, "account_type": kind})
        company.write({
            "trust_liability_account_id": account("2800", "Trust Liability", "liability_current").id,
            "trust_transfer_account_id": account("2810", "Trust Transfers", "liability_current").id,
            "trust_paid_by_firm_account_id": account("1290", "Paid by Firm", "asset_current").id,
            "statutory_deposit_account_id": account("1295", "Statutory Deposit", "asset_current").id,
        })
        Journal = env["account.journal"]
        trust = Journal.search([("code", "=", "TRST")], limit=1) or Journal.create(
            {"name": "Trust Account", "code": "TRST", "type": "bank", "is_trust_account": True})
        client = env["res.partner"].create({"name": "Race Client"})
        return trust.id, client.id


def new_matter(registry, journal_id, client_id, n):
    with registry.cursor() as cr:
        env = env_of(cr)
        matter = env["account.trust.matter"].create({
            "reference": "RACE-%s-%s" % (int(time.time()), n), "name": "Race %s" % n,
            "partner_id": client_id})
        env["account.trust.transaction"].create({
            "kind": "receipt", "amount": 100.0, "partner_id": client_id,
            "matter_id": matter.id, "journal_id": journal_id}).action_post()
        return matter.id


def pay(registry, journal_id, client_id, matter_id, result, start, posted=None, hold=0.0,
        wait_for=None):
    """Post a payment of 80.00 in a transaction of its own, retried on a
    serialization failure; ``result`` gets what happened."""
    from odoo.exceptions import UserError

    tries = []
    for _try in range(TRIES):
        cr = registry.cursor()
        try:
            env = env_of(cr)
            matter = env["account.trust.matter"].browse(matter_id)
            seen = matter.balance  # the snapshot is taken here
            start.wait()
            if wait_for is not None:
                wait_for.wait()
            tx = env["account.trust.transaction"].create({
                "kind": "payment", "amount": 80.0, "partner_id": client_id,
                "matter_id": matter_id, "journal_id": journal_id})
            t0 = time.monotonic()
            tx.action_post()
            if posted is not None:
                posted.set()
            time.sleep(hold)
            cr.commit()
            tries.append("posted (saw %.2f, %.3f s)" % (seen, time.monotonic() - t0))
            result.append(("posted", tries))
            return
        except TransactionRollbackError as e:
            cr.rollback()
            tries.append("serialization failure (%s): retried" % (
                "could not serialize" if e.pgcode == SERIALIZATION_FAILURE else e.pgcode))
            start = threading.Event()
            start.set()
            wait_for = None
        except UserError as e:
            cr.rollback()
            tries.append("refused: %s" % str(e).split(". ")[0])
            result.append(("refused", tries))
            return
        finally:
            cr.close()
    result.append(("gave up", tries))


def race(registry, journal_id, client_id, n, forced):
    matter_id = new_matter(registry, journal_id, client_id, n)
    start, posted = threading.Barrier(2), threading.Event()
    results = [[], []]
    first = dict(posted=posted, hold=0.5) if forced else {}
    second = dict(wait_for=posted) if forced else {}
    threads = [
        threading.Thread(target=pay, args=(registry, journal_id, client_id, matter_id,
                                           results[0], start), kwargs=first),
        threading.Thread(target=pay, args=(registry, journal_id, client_id, matter_id,
                                           results[1], start), kwargs=second),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with registry.cursor() as cr:
        env = env_of(cr)
        matter = env["account.trust.matter"].browse(matter_id)
        balance = matter.balance
        Tx = env["account.trust.transaction"]
        payments = Tx.search_count([("matter_id", "=", matter_id), ("kind", "=", "payment"),
                                    ("state", "=", "posted")])
        lowest = Tx.new({"company_id": matter.company_id.id})._guarded_balance(
            ("matter", matter.company_id.id, matter_id, journal_id), matter.create_date.date())
    outcomes = sorted(r[0][0] for r in results)
    ok = outcomes == ["posted", "refused"] and payments == 1 and lowest >= 0
    print("round %d%s: %s; matter holds %.2f (lowest as at any date %.2f), %d payment(s) "
          "posted -> %s" % (n, " (forced overlap)" if forced else "", " | ".join(
              "T%d %s" % (i + 1, "; ".join(r[0][1])) for i, r in enumerate(results)),
              balance, lowest, payments, "OK" if ok else "VIOLATION"))
    return ok


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    registry = boot(args.db)
    # The second transaction's serialization failure is expected: printed below.
    logging.getLogger("odoo.sql_db").setLevel(logging.CRITICAL)
    journal_id, client_id = setup(registry)
    ok = [race(registry, journal_id, client_id, n, forced=(n == 1))
          for n in range(1, args.rounds + 1)]
    print("%d rounds, %d with one payment posted and the other refused, %d violations"
          % (len(ok), sum(ok), len(ok) - sum(ok)))
    sys.exit(0 if all(ok) else 1)


if __name__ == "__main__":
    main()
