"""What waking the push costs a transaction: small committed transactions
(one system parameter written), with and without ``_trigger_cron()`` (the
trigger inserted when it commits, the cron workers NOTIFYed after), 3
rounds of N each way; the difference of the fastest rounds, in ms.

    AXERO_BENCH_SCRIPT=bench_wake.py bench/run
"""

import argparse
import time

import benchlib


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("-n", "--n", type=int, default=400)
    args = parser.parse_args()
    registry = benchlib.boot(args.db)
    rounds = {"plain": [], "wake": []}
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        job, icp = env["xero.sync.job"], env["ir.config_parameter"].sudo()
        for _round in range(3):
            for mode, times in rounds.items():
                t0 = time.perf_counter()
                for i in range(args.n):
                    icp.set_param("account_xero.wake_probe", str(i))
                    if mode == "wake":
                        job._trigger_cron()
                    cr.commit()
                times.append((time.perf_counter() - t0) / args.n * 1000)
        env["ir.cron.trigger"].search([("cron_id", "=", env.ref("account_xero.ir_cron_xero_push").id)]).unlink()
        icp.search([("key", "=", "account_xero.wake_probe")]).unlink()
        cr.commit()
    for mode, times in rounds.items():
        print("%-5s %s ms a transaction" % (mode, " ".join("%.2f" % t for t in times)))
    print("waking the push: %.2f ms a transaction" % (min(rounds["wake"]) - min(rounds["plain"])))


if __name__ == "__main__":
    main()
