"""Summary of a tools/odoo-scenarios run: reads results.jsonl (one line per
test, from xero_scenarios.py) and the JUnit files; prints the figures and
exits 1 when a difference is unexplained, a scenario erred, no test ran, or
a test fails only with the addon (without --baseline: fails at all)."""

import json
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path


def outcomes(path):
    if not path.exists():
        return {}
    result = {}
    for case in ET.parse(path).getroot().iter("testcase"):
        name = "%s.%s" % (case.get("classname"), case.get("name"))
        bad = case.find("failure") is not None or case.find("error") is not None
        skipped = case.find("skipped") is not None
        result[name] = "failed" if bad else "skipped" if skipped else "passed"
    return result


def main(folder):
    folder = Path(folder)
    records = [json.loads(line) for line in (folder / "results.jsonl").read_text().splitlines()
               if line.strip()]
    sent, blocked, failed = Counter(), Counter(), Counter()
    unexplained, errors, unsent, behind, compared = [], [], 0, 0, 0
    for rec in records:
        if rec.get("error"):
            errors.append((rec["test"], rec["error"].strip().splitlines()[-1]))
        for entry in rec.get("companies", []):
            for key, n in (entry.get("jobs") or {}).items():
                operation, state = key.rsplit("/", 1)
                if state == "done":
                    sent[operation] += n
            blocked.update(entry.get("blocked") or {})
            failed.update(entry.get("failed") or {})
            unsent += entry.get("unsent", 0)
            behind += entry.get("waiting_on_blocked", 0)
            if "unexplained" in entry:
                compared += 1
            if entry.get("reconcile_error"):
                errors.append((rec["test"], "reconcile: " + entry["reconcile_error"][:200]))
            for line in entry.get("unexplained") or []:
                unexplained.append((rec["test"], line))
    with_addon = outcomes(folder / "with.xml")
    without = outcomes(folder / "without.xml")
    print("tests run with the addon connected: %d (%s)" % (
        len(with_addon), ", ".join("%d %s" % (n, s) for s, n in Counter(with_addon.values()).items())))
    print("scenario records: %d, books compared: %d" % (len(records), compared))
    print("documents sent to Xero: %d (%s)" % (
        sum(sent.values()), ", ".join("%s %d" % kv for kv in sorted(sent.items()))))
    print("documents blocked: %d" % sum(blocked.values()))
    for reason, n in blocked.most_common():
        print("  %4d  %s" % (n, reason))
    print("documents failed in Xero: %d" % sum(failed.values()))
    for reason, n in failed.most_common():
        print("  %4d  %s" % (n, reason))
    print("documents waiting for a blocked one (their invoice, their contact): %d" % behind)
    print("documents left unsent otherwise: %d" % unsent)
    print("unexplained differences: %d" % len(unexplained))
    for test, line in unexplained[:40]:
        print("  %s: %s unexplained %.2f (difference %.2f)" % (
            test, line["account"], line["unexplained"], line["difference"]))
    print("scenario errors: %d" % len(errors))
    for test, err in errors[:20]:
        print("  %s: %s" % (test, err))
    regressions = []
    if without:
        regressions = sorted(t for t, s in with_addon.items()
                             if s == "failed" and without.get(t) == "passed")
        print("tests run without the addon: %d (%s)" % (
            len(without), ", ".join("%d %s" % (n, s) for s, n in Counter(without.values()).items())))
        print("tests that fail only with the addon: %d" % len(regressions))
        for t in regressions:
            print("  " + t)
    # Without a run to compare with, any failing test of Odoo's counts.
    failing = [] if without else sorted(t for t, s in with_addon.items() if s == "failed")
    for t in failing:
        print("  failed with the addon: " + t)
    return 1 if unexplained or errors or regressions or failing or not with_addon else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
