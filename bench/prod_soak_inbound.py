"""bench/prod-soak --inbound N: payments made in Xero come back to Odoo
exactly once, in production mode, while Odoo pushes.

The company is connected to a tenant of the sandbox process (Xero's limits,
``--latency`` a call) with its webhook subscribed to Odoo's endpoint; N
invoices are posted in this process (queued as posting does), then
``odoo-bin --workers=2 --max-cron-threads=2`` starts and pushes them at
Xero's pace. Meanwhile a bookkeeper (a second Xero app: Xero counts its
calls apart, as it does a person in Xero's own screens) pays half of the
invoices "in Xero" as they arrive there, in batches: most in full, some in
two parts, some in full and then deleted. Every few seconds the sandbox
delivers what changed as signed webhooks, each event two or three times,
shuffled, a share ``--drop`` never sent (polling, every 5 minutes, must
find those). ``--kills`` cron workers are SIGKILLed while "Xero: pull"
runs.

At the end, Xero against Odoo: every Xero payment that stands is exactly
one posted Odoo payment (``xero_import_id``) of the same amount, every one
deleted in Xero is cancelled in Odoo (or was never imported), no Odoo
payment was pushed back (no payment job, no payment in Xero that Odoo's app
made), each paid invoice's amount due is Xero's; and "Reconcile with Xero"
compares the balances. Timed for each invoice: from the first webhook
delivery after its last payment change (or, for an event dropped, from the
change in Xero) to Odoo showing Xero's amount due, polled every 0.5 s.
Exit status 1 on any missing, duplicated, echoed or mismatched payment, or
an account that differs.
"""

import collections
import json
import os
import random
import signal
import statistics
import threading
import time
import urllib.error
import urllib.request

import benchlib

WEBHOOK_KEY = "soak-webhook-key-5e2a"
BOOKKEEPER = ("soak-bookkeeper", "soak-bookkeeper-secret")


def _pct(values, q):
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(round(q * (len(values) - 1))))]


def _date(doc):
    """A stored document's date as YYYY-MM-DD (ISO, or Xero's /Date(ms+0000)/)."""
    value = doc.get("DateString") or doc.get("Date") or ""
    if value.startswith("/Date("):
        ms = int(value[6:].split("+")[0].split(")")[0])
        return time.strftime("%Y-%m-%d", time.gmtime(ms / 1000))
    return value[:10]


class Bookkeeper:
    """Pays invoices in Xero through the API with an app of its own."""

    def __init__(self, srv, tenant_id, rng):
        srv.register_app(*BOOKKEEPER)
        self.token = srv.grant(BOOKKEEPER[0], [tenant_id])["access_token"]
        self.srv, self.tenant_id, self.rng = srv, tenant_id, rng
        self.changed_at = {}          # InvoiceID -> monotonic time of its last payment change
        self.expected_due = {}        # InvoiceID -> amount due in Xero after our changes
        self.payments = {}            # PaymentID -> (InvoiceID, amount, deleted?)
        self.plan = {}                # InvoiceID -> "full" | "parts" | "deleted"
        self.calls = collections.Counter()
        self.dates = {}               # InvoiceID -> its date (the second payment's)
        self.errors = []

    def api(self, method, path, body=None):
        for attempt in range(20):
            request = urllib.request.Request(
                self.srv.url + "/api.xro/2.0/" + path, method=method,
                data=json.dumps(body).encode() if body is not None else None,
                headers={"Authorization": "Bearer " + self.token, "xero-tenant-id": self.tenant_id,
                         "Content-Type": "application/json", "Accept": "application/json"})
            try:
                with urllib.request.urlopen(request, timeout=60) as response:
                    self.calls[method] += 1
                    return json.loads(response.read())
            except urllib.error.HTTPError as e:
                if e.code in (429, 503) and attempt < 19:
                    time.sleep(float(e.headers.get("Retry-After") or 1))
                    continue
                raise

    def pay(self, docs):
        """One PUT Payments for these invoices (AUTHORISED, in Xero)."""
        body, plans = [], []
        for doc in docs:
            kind = self.rng.choices(["full", "parts", "deleted"], [0.6, 0.25, 0.15])[0]
            due = float(doc["AmountDue"])
            amount = round(due * 0.4, 2) if kind == "parts" else due
            body.append({"Invoice": {"InvoiceID": doc["InvoiceID"]}, "Account": {"Code": "090"},
                         "Amount": amount, "Date": _date(doc), "Reference": "Bank feed (soak)"})
            plans.append((doc, kind, amount, due))
            self.dates[doc["InvoiceID"]] = _date(doc)
        answer = self.api("PUT", "Payments?summarizeErrors=false", {"Payments": body})
        now = time.monotonic()
        for (doc, kind, amount, due), paid in zip(plans, answer["Payments"]):
            if paid.get("HasValidationErrors") or paid.get("ValidationErrors"):
                self.errors.append("%s: %s" % (doc["InvoiceNumber"], paid.get("ValidationErrors")))
                continue
            iid = doc["InvoiceID"]
            self.plan[iid] = kind
            self.payments[paid["PaymentID"]] = [iid, amount, False]
            self.changed_at[iid] = now
            self.expected_due[iid] = round(due - amount, 2)

    def second_steps(self):
        """The rest of each invoice paid in parts; the deletions."""
        for pid, (iid, amount, deleted) in list(self.payments.items()):
            kind = self.plan[iid]
            if kind == "deleted" and not deleted:
                self.api("POST", "Payments/" + pid, {"Status": "DELETED"})
                self.payments[pid][2] = True
                self.expected_due[iid] = round(self.expected_due[iid] + amount, 2)
                self.changed_at[iid] = time.monotonic()
            elif kind == "parts" and self.expected_due[iid] > 0 and \
                    sum(1 for p in self.payments.values() if p[0] == iid) == 1:
                rest = self.expected_due[iid]
                answer = self.api("PUT", "Payments", {"Payments": [{
                    "Invoice": {"InvoiceID": iid}, "Account": {"Code": "090"}, "Amount": rest,
                    "Date": self.dates[iid], "Reference": "Bank feed (soak), rest"}]})
                self.payments[answer["Payments"][0]["PaymentID"]] = [iid, rest, False]
                self.expected_due[iid] = 0.0
                self.changed_at[iid] = time.monotonic()


def run(args, procs, soak):
    log = soak.log
    rng = random.Random(args.seed)
    srv = soak.start_sandbox(args, procs)
    registry = benchlib.boot(args.db, log_level="error")
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        conn, tenant_id = benchlib.connect(env, srv, env.company, tenant_name="Inbound Ltd")
        # One journal per Xero bank account (a Xero account mapped to two
        # journals is blocked, not guessed): the cash journal to Savings.
        cash = env["account.journal"].search([("type", "=", "cash"), ("company_id", "=", env.company.id)])
        env["xero.account.map"].search([("connection_id", "=", conn.id),
                                        ("account_id", "in", cash.default_account_id.ids)]).xero_account_id = \
            conn.xero_account_ids.filtered(lambda a: a.code == "091")[:1]
        # The firm's banks are reconciled in Xero: the payments made there come back.
        env["account.journal"].search([("type", "in", ("bank", "cash")), ("is_trust_account", "=", False),
                                       ("company_id", "=", env.company.id)]).xero_bank_reconciled_in = "xero"
        conn.sudo().webhook_key = WEBHOOK_KEY
        token, conn_id = conn.sudo().webhook_token, conn.id
        partners = benchlib.make_partners(env, max(1, args.inbound // 10), tag="W")
        started = time.monotonic()
        invoices = benchlib.make_invoices(env, partners, args.inbound, chunk=200, log=log)
        log("%d invoices posted (%.0fs)" % (len(invoices), time.monotonic() - started))
        invoice_ids = invoices.ids
        cr.commit()
    server = soak.OdooServer(procs, "odoo-1", args.db, 2, 2, "%s/odoo-inbound.log" % args.logdir)
    srv.control("tenants/%s/webhook" % tenant_id,
                {"url": "%s/xero/webhook/%s/%s" % (server.url, args.db, token), "key": WEBHOOK_KEY})
    server.wait_ready()
    intent = srv.control("tenants/%s/webhook/intent" % tenant_id, {})
    log("odoo-1 on %s; Intent to Receive %s" % (server.url, "passed" if intent.get("passed") else intent))
    keeper = Bookkeeper(srv, tenant_id, rng)
    to_pay = max(1, args.inbound // 2)
    delivered = {}                    # InvoiceID -> [(monotonic, sent?)] deliveries after changes
    stop = threading.Event()
    kills = []

    loads = []                        # the machine's 1-minute load average, every 5 s

    def deliveries():
        n = 0
        while not stop.is_set():
            loads.append(os.getloadavg()[0])
            n += 1
            report = srv.control("tenants/%s/webhook/deliver" % tenant_id, {
                "copies": rng.choice([2, 3]), "shuffle": True, "drop": args.drop, "seed": n,
                "report": True})
            now = time.monotonic()
            for rid in report.get("sent", []):
                delivered.setdefault(rid.lower(), []).append((now, True))
            for rid in report.get("dropped", []):
                delivered.setdefault(rid.lower(), []).append((now, False))
            stop.wait(5)

    def chaos():
        while not stop.is_set() and len(kills) < args.kills:
            server.scan_log()
            pids = [pid for pid in server.live_cron_pids() if server.in_pull.get(pid)]
            if pids and rng.random() < 0.3:
                pid = rng.choice(pids)
                try:
                    os.kill(pid, signal.SIGKILL)
                    kills.append(pid)
                    log("SIGKILL cron worker %d during 'Xero: pull'" % pid)
                except ProcessLookupError:
                    pass
            stop.wait(1)

    threads = [threading.Thread(target=deliveries, daemon=True), threading.Thread(target=chaos, daemon=True)]
    for t in threads:
        t.start()
    # The bookkeeper pays what reached Xero, 10 invoices a call.
    t0 = time.monotonic()
    seen = set()
    while len(keeper.plan) < to_pay and time.monotonic() - t0 < args.duration:
        docs = [d for d in srv.documents(tenant_id, "Invoices")
                if d.get("Status") == "AUTHORISED" and d["InvoiceID"] not in seen]
        rng.shuffle(docs)
        for start in range(0, min(len(docs), to_pay - len(keeper.plan)), 10):
            batch = docs[start:start + 10]
            seen.update(d["InvoiceID"] for d in batch)
            keeper.pay(batch)
        time.sleep(2)
    log("bookkeeper: %d invoices paid in Xero (%.0fs)" % (len(keeper.plan), time.monotonic() - t0))
    time.sleep(10)
    keeper.second_steps()
    log("bookkeeper: second payments and deletions done; %d payments in all, %d deleted"
        % (len(keeper.payments), sum(1 for p in keeper.payments.values() if p[2])))
    # Odoo catches up: each invoice shows Xero's amount due.
    settled = {}
    deadline = time.monotonic() + args.duration
    while time.monotonic() < deadline:
        with registry.cursor() as cr:
            cr.execute("SELECT lower(xero_id), amount_residual FROM account_move WHERE id = ANY(%s)",
                       [invoice_ids])
            residual = dict(cr.fetchall())
        now = time.monotonic()
        for iid, due in keeper.expected_due.items():
            key = iid.lower()
            ok = key in residual and abs(float(residual[key]) - due) < 0.005
            if ok and key not in settled:
                settled[key] = now
            elif not ok:
                settled.pop(key, None)
        if len(settled) == len(keeper.expected_due):
            break
        time.sleep(0.5)
    stop.set()
    for t in threads:
        t.join(10)
    server.scan_log()
    # Timing: from the first delivery after the invoice's last change.
    by_webhook, by_polling = [], []
    for iid, changed in keeper.changed_at.items():
        key = iid.lower()
        if key not in settled:
            continue
        after = [(t, sent) for t, sent in delivered.get(key, []) if t >= changed]
        sent = [t for t, was_sent in after if was_sent]
        if sent:
            by_webhook.append(max(0.0, settled[key] - sent[0]))
        else:
            by_polling.append(settled[key] - changed)
    server.stop()  # its crons spend Xero's calls too: the comparison reads after them
    log("settled: %d of %d invoices show Xero's amount due; comparing" % (len(settled), len(keeper.expected_due)))
    result = compare(registry, srv, tenant_id, conn_id, keeper, invoice_ids)
    print()
    print("Payments made in Xero while Odoo pushes: %d invoices, %d paid in Xero, odoo-bin --workers=2 "
          "--max-cron-threads=2, sandbox latency %.1f s a call" % (len(invoice_ids), len(keeper.plan),
                                                                    args.latency))
    print(benchlib.table([
        ("Xero payments made (of which deleted)", "%d (%d)" % (
            len(keeper.payments), sum(1 for p in keeper.payments.values() if p[2]))),
        ("bookkeeper's calls", "%d" % sum(keeper.calls.values())),
        ("cron workers SIGKILLed during 'Xero: pull'", "%d" % len(kills)),
        ("Odoo payments imported (posted / cancelled)", "%d / %d" % (result["posted"], result["cancelled"])),
        ("missing / duplicated / echoed / wrong amount", "%d / %d / %d / %d" % (
            result["missing"], result["duplicated"], result["echoed"], result["wrong"])),
        ("invoices showing Xero's amount due", "%d of %d" % (len(settled), len(keeper.expected_due))),
        ("webhook delivered: event to Odoo paid, median / p95 s", "%.1f / %.1f (%d)" % (
            statistics.median(by_webhook) if by_webhook else float("nan"), _pct(by_webhook, 0.95),
            len(by_webhook))),
        ("event dropped, polling: change to Odoo paid, median / max s", "%.1f / %.1f (%d)" % (
            statistics.median(by_polling) if by_polling else float("nan"),
            max(by_polling) if by_polling else float("nan"), len(by_polling))),
        ("Reconcile with Xero: accounts differing", "%s" % result["accounts_differing"]),
        ("'Xero: pull' calls started (second worker's); failed", "%d (%d); %d" % (
            server.cron_log["pull calls started"], server.cron_log["pull calls started (second worker)"],
            server.cron_log["pull calls failed"])),
        ("seconds inside pull calls; events claimed", "%.1f; %d" % (
            server.cron_log["pull seconds"], server.cron_log["pull events"])),
        ("inbox events by state", result["events"]),
        ("machine load (1-min average) during the run: mean / max", "%.1f / %.1f" % (
            statistics.mean(loads) if loads else float("nan"), max(loads) if loads else float("nan"))),
    ], headers=("", "")))
    for line in result["details"][:20]:
        print("  " + line)
    if keeper.errors:
        print("bookkeeper's payments Xero refused: %d, e.g. %s" % (len(keeper.errors), keeper.errors[0]))
    bad = (result["missing"] or result["duplicated"] or result["echoed"] or result["wrong"]
           or result["accounts_differing"] or len(settled) < len(keeper.expected_due)
           or not keeper.payments or keeper.errors)
    return 1 if bad else 0


def compare(registry, srv, tenant_id, conn_id, keeper, invoice_ids):
    """Xero's payments against Odoo's imported payments, then the balances."""
    result = {"posted": 0, "cancelled": 0, "missing": 0, "duplicated": 0, "echoed": 0, "wrong": 0,
              "details": []}
    with registry.cursor() as cr:
        cr.execute("""SELECT lower(p.xero_import_id), count(*), array_agg(m.state),
                             array_agg(p.amount)
                        FROM account_payment p JOIN account_move m ON m.id = p.move_id
                       WHERE p.xero_import_id IS NOT NULL GROUP BY 1""")
        odoo = {row[0]: row[1:] for row in cr.fetchall()}
        cr.execute("SELECT state, count(*) FROM xero_webhook_event GROUP BY state ORDER BY state")
        result["events"] = ", ".join("%s %d" % row for row in cr.fetchall())
        cr.execute("""SELECT count(*) FROM xero_sync_job j JOIN account_payment p
                                 ON j.res_model = 'account.payment' AND p.id = j.res_id
                       WHERE p.xero_import_id IS NOT NULL""")
        result["echoed"] += cr.fetchone()[0]
    for pid, (iid, amount, deleted) in keeper.payments.items():
        count, states, amounts = odoo.get(pid.lower(), (0, [], []))
        live = [s for s in states if s != "cancel"]
        if count > 1:
            result["duplicated"] += 1
            result["details"].append("Xero payment %s: %d Odoo payments" % (pid, count))
        if deleted:
            result["cancelled"] += count - len(live)
            if live:
                result["wrong"] += 1
                result["details"].append("Xero payment %s deleted in Xero, still %s in Odoo" % (pid, live))
        elif not live:
            result["missing"] += 1
            result["details"].append("Xero payment %s (%.2f on %s) not in Odoo" % (pid, amount, iid))
        else:
            result["posted"] += 1
            if abs(float(amounts[0]) - amount) >= 0.005:
                result["wrong"] += 1
                result["details"].append("Xero payment %s: %.2f in Xero, %.2f in Odoo"
                                         % (pid, amount, amounts[0]))
    ours = set(keeper.payments)
    for doc in srv.documents(tenant_id, "Payments"):
        if doc["PaymentID"] not in ours:
            result["echoed"] += 1
            result["details"].append("a payment in Xero the bookkeeper did not make: %s %s"
                                     % (doc["PaymentID"], doc.get("Amount")))
    from odoo.exceptions import UserError

    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        rec = env["xero.reconcile"].create({"connection_id": conn_id})
        for attempt in range(4):  # as a user clicks Compare again after Xero's minute
            try:
                rec.action_compare()
                break
            except UserError as exc:
                if attempt == 3 or "rate limit" not in str(exc):
                    raise
                time.sleep(65)
        differing = rec.line_ids.filtered(lambda line: line.difference)
        result["accounts_differing"] = len(differing) + (rec.state != "done")
        if rec.state != "done":
            result["details"].append("balances not compared: %s" % rec.error)
        for line in differing:
            result["details"].append("account %s: Odoo %.2f, Xero %.2f" % (
                line.xero_account_id.display_name, line.odoo_balance, line.xero_balance))
        cr.commit()
    return result
