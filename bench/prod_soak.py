"""Production soak: real ``odoo-bin --workers`` processes push to the Xero
sandbox while users post over HTTP, cron workers are SIGKILLed and a second
Odoo serves the same database; then Xero is compared with Odoo document by
document.

Run it with bench/prod-soak (a fresh database from the template, account_xero
installed); see README.rst, "Deployment". What happens:

* the Xero sandbox runs as its own process (``python -m xero_sandbox``) with
  Xero's real limits (60 calls a minute, 5 in flight per tenant) and seeded
  faults added through its control API (429 with Retry-After, 503, writes
  stored then answered 500, dropped connections, expired tokens), at
  ``--faults-rate`` per API request;
* the company is connected to a sandbox tenant and its accounts and taxes
  mapped (benchlib.connect), customers and draft invoices are made
  in-process; then Odoo is started as in production:
  ``odoo-bin --workers=2 --max-cron-threads=2`` with Odoo's default
  limit_time_real (120 s), limit_time_cpu (60 s) and limit_time_real_cron
  (-1: limit_time_real);
* users (threads, JSON-RPC to /jsonrpc as admin) post the invoices a few at a
  time, click "Post to Xero" on them, register their payments and click
  "Post to Xero" on those, spread over ``--post-seconds``;
* a chaos loop SIGKILLs ``--kills`` cron worker processes at random moments
  of the posting, each while a "Xero: push" call is running (read from the
  log: Odoo's log lines carry the process id) and jobs are in "sending";
* a second ``odoo-bin`` (its own HTTP and cron workers) runs on the same
  database for the middle part of the posting, and takes users too;
* then the run waits (``--duration`` caps posting + waiting) until no job is
  pending or sending, and compares: duplicates, lost, mismatched documents,
  stuck jobs (pending or sending left), failed jobs (no fault here is one a
  user must act on: a failed job is a defect), with the cron worker kills
  Odoo did itself (limit_time_real_cron) and the tracebacks in the servers'
  logs. Exit status 1 if duplicates, lost, mismatched, stuck or failed is
  not 0.
"""

import argparse
import collections
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import benchlib  # noqa: E402

ODOO_SRC = os.environ.get("ODOO_SRC", "/opt/odoo/18.0")
AXERO_HOME = os.environ.get("AXERO_HOME", os.path.expanduser("~/.cache/account_xero"))
STARTED = time.monotonic()


def log(msg):
    print("[%5.0fs] %s" % (time.monotonic() - STARTED, msg), file=sys.stderr, flush=True)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_json(url, body=None, method=None, timeout=60):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(url, data=data, method=method or ("POST" if data is not None else "GET"),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return json.loads(resp.read() or b"null")


# ---------------------------------------------------------------------------
# Processes (each in its own session: killed as a group, whatever happens)
# ---------------------------------------------------------------------------
class Processes:
    """Every process group the soak starts; the wrapper's trap kills the
    groups listed in ``pidfile`` if this process itself dies."""

    def __init__(self, pidfile):
        self.pidfile = pidfile
        self.procs = []

    def start(self, name, cmd, logfile, cwd=None):
        out = open(logfile, "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=cwd,
                                start_new_session=True, env=dict(os.environ, PYTHONPATH=ODOO_SRC))
        proc.name, proc.out = name, out
        self.procs.append(proc)
        if self.pidfile:
            with open(self.pidfile, "a") as f:
                f.write("%d\n" % proc.pid)
        return proc

    def stop(self, proc, grace=15):
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            try:
                proc.wait(grace)
            except subprocess.TimeoutExpired:
                pass
        try:  # the group: workers left behind by a master that died
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        if proc.poll() is None:
            proc.wait(5)
        proc.out.close()

    def stop_all(self):
        for proc in reversed(self.procs):
            self.stop(proc, grace=5)


class RemoteSandbox:
    """The sandbox process, through its control API (/_sandbox/...), with
    the few methods benchlib.connect and benchlib.compare use."""

    def __init__(self, url):
        self.url = url
        self.store = self  # compare() reads srv.store.documents()

    def control(self, path, body=None, method=None):
        return http_json(self.url + "/_sandbox/" + path, body, method)

    def register_app(self, client_id, client_secret, redirect_uris=None, name=None):
        return self.control("apps", {"client_id": client_id, "client_secret": client_secret,
                                     "redirect_uris": redirect_uris})

    def add_tenant(self, name, country="NZ", base_currency="NZD"):
        return self.control("tenants", {"name": name, "country": country,
                                        "base_currency": base_currency})["tenantId"]

    def grant(self, client_id, tenant_ids=None):
        return self.control("grant", {"client_id": client_id, "tenant_ids": tenant_ids})

    def documents(self, tenant_id, kind):
        return self.control("tenants/%s/%s" % (tenant_id, kind))


# Share of each fault in --faults-rate (on /api.xro/ requests).
FAULT_MIX = [
    ("rate_limit", 0.30, {"retry_after": 1}),
    ("status", 0.20, {"status": 503}),
    ("fail_after_commit", 0.20, {"method": "PUT", "status": 500}),
    ("drop", 0.15, {}),
    ("expire_token", 0.15, {}),
]


def add_faults(srv, rate, seed):
    srv.control("faults", method="DELETE")
    srv.control("faults/seed", {"seed": seed})
    for kind, share, params in FAULT_MIX:
        params = dict(params, kind=kind, path="/api.xro/2.0/*", times=None, probability=rate * share)
        srv.control("faults", params)


# ---------------------------------------------------------------------------
# Odoo as in production
# ---------------------------------------------------------------------------
class OdooServer:
    LINE = re.compile(r"^\S+ \S+ (\d+) \w+ \S+ ([\w.]+): (.*)$")

    def __init__(self, procs, name, db, workers, cron_threads, logfile):
        self.name = name
        self.http_port = free_port()
        self.logfile = logfile
        open(logfile, "w").close()
        addons = "%s/addons,%s" % (ODOO_SRC, os.environ["AXERO_ADDONS"])
        cmd = [sys.executable, os.path.join(ODOO_SRC, "odoo-bin"), "--addons-path=" + addons,
               "--db_host=" + os.environ.get("PGHOST", "127.0.0.1"),
               "--db_port=" + os.environ.get("PGPORT", "5432"),
               "--data-dir=%s/data" % AXERO_HOME,
               "-d", db, "--db-filter=^%s$" % db, "--http-interface=127.0.0.1",
               "--http-port=%d" % self.http_port, "--gevent-port=%d" % free_port(),
               "--workers=%d" % workers, "--max-cron-threads=%d" % cron_threads,
               "--log-level=info"]
        if os.environ.get("PGUSER"):
            cmd.append("--db_user=" + os.environ["PGUSER"])
        self.procs = procs
        self.proc = procs.start(name, cmd, logfile)
        self.url = "http://127.0.0.1:%d" % self.http_port
        self.pos = 0
        self.cron_pids = set()
        self.in_push = {}      # pid -> monotonic start of the running "Xero: push"
        self.in_pull = {}      # pid -> monotonic start of the running "Xero: pull"
        self.timeouts = 0      # WorkerCron (pid) timeout after Ns: Odoo's own kills
        self.cron_log = collections.Counter()
        self.lock = threading.Lock()
        self.ready = False
        self.inflight = 0      # users' requests under way (see user())

    def wait_ready(self, timeout=90):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited; see %s" % (self.name, self.logfile))
            try:
                urllib.request.urlopen(self.url + "/web/health", timeout=5).read()
                return
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        raise RuntimeError("%s not up after %ds; see %s" % (self.name, timeout, self.logfile))

    def scan_log(self):
        """Follow the log: cron workers alive, pushes running, Odoo's kills."""
        with self.lock, open(self.logfile, errors="replace") as f:
            f.seek(self.pos)
            chunk = f.read()
            end = chunk.rfind("\n") + 1
            self.pos += len(chunk[:end].encode("utf-8", "replace"))
            for line in chunk[:end].splitlines():
                m = self.LINE.match(line)
                if not m:
                    continue
                pid, logger, msg = int(m.group(1)), m.group(2), m.group(3).strip()
                if msg.startswith("Worker WorkerCron (") and msg.endswith(" alive"):
                    self.cron_pids.add(int(msg.split("(")[1].split(")")[0]))
                elif "WorkerCron (" in msg and "timeout after" in msg:
                    self.timeouts += 1
                    self.in_push.pop(int(msg.split("(")[1].split(")")[0]), None)
                elif "of a call that died" in msg or "found past their lease" in msg:
                    self.cron_log["jobs recovered after their lease"] += int(msg.split(": ")[1].split()[0])
                elif logger.endswith("ir_cron") and "'Xero: pull" in msg:  # and its second worker
                    if msg.endswith("starting"):
                        self.in_pull[pid] = time.monotonic()
                        self.cron_log["pull calls started"] += 1
                        if "second worker" in msg:
                            self.cron_log["pull calls started (second worker)"] += 1
                    else:
                        self.in_pull.pop(pid, None)
                        if " done in " in msg:
                            self.cron_log["pull seconds"] += float(msg.split(" done in ")[1].rstrip("s "))
                        elif " processed " in msg:
                            self.cron_log["pull events"] += int(msg.split(" processed ")[1].split()[0])
                        elif "failed" in msg:
                            self.cron_log["pull calls failed"] += 1
                elif logger.endswith("ir_cron") and "'Xero: push'" in msg:
                    if msg.endswith("starting"):
                        self.in_push[pid] = time.monotonic()
                        self.cron_log["push calls started"] += 1
                    elif " done in " in msg:
                        self.in_push.pop(pid, None)
                        secs = float(msg.split(" done in ")[1].rstrip("s "))
                        self.cron_log["push calls done"] += 1
                        self.cron_log["push call max s"] = max(self.cron_log["push call max s"], secs)
                    elif "failed" in msg or "Exception" in msg:
                        self.in_push.pop(pid, None)

    def live_cron_pids(self):
        self.scan_log()
        import psutil

        try:
            children = {p.pid for p in psutil.Process(self.proc.pid).children()}
        except psutil.NoSuchProcess:
            return set()
        with self.lock:
            self.cron_pids &= children | {pid for pid in self.cron_pids if pid in children}
            return self.cron_pids & children

    def pushing_pids(self):
        live = self.live_cron_pids()
        with self.lock:
            return [pid for pid in self.in_push if pid in live]

    def tracebacks(self):
        with open(self.logfile, errors="replace") as f:
            text = f.read()
        return text.count("Traceback (most recent call last)"), text

    def stop(self):
        self.procs.stop(self.proc)


# ---------------------------------------------------------------------------
# Users over JSON-RPC
# ---------------------------------------------------------------------------
class Rpc:
    def __init__(self, db, login="admin", password="admin"):
        self.db, self.login, self.password = db, login, password
        self.uid = {}
        self.calls = 0
        self.errors = []
        self.lock = threading.Lock()

    def call(self, url, service, method, *args):
        body = {"jsonrpc": "2.0", "method": "call", "id": random.randint(1, 10 ** 9),
                "params": {"service": service, "method": method, "args": list(args)}}
        answer = http_json(url + "/jsonrpc", body, timeout=300)
        with self.lock:
            self.calls += 1
        if answer.get("error"):
            data = answer["error"].get("data") or {}
            raise RuntimeError("%s: %s" % (data.get("name"), data.get("message") or answer["error"]))
        return answer["result"]

    def execute(self, url, model, method, *args, **kwargs):
        uid = self.uid.get(url)
        if uid is None:
            uid = self.uid[url] = self.call(url, "common", "login", self.db, self.login, self.password)
        return self.call(url, "object", "execute_kw", self.db, uid, self.password, model, method,
                         list(args), kwargs)


def user(rpc, servers, queue, lock, stats, pace):
    """One user: takes a few draft invoices, posts them, clicks "Post to
    Xero", registers their payments, clicks "Post to Xero" on those."""
    rng = random.Random(threading.get_ident())
    while True:
        with lock:
            if not queue:
                return
            take = rng.randint(3, 8)
            batch, queue[:] = queue[:take], queue[take:]
        with lock:
            server = rng.choice([s for s in servers if s.proc.poll() is None and s.ready])
            server.inflight += 1
        url = server.url
        try:
            rpc.execute(url, "account.move", "action_post", batch)
            rpc.execute(url, "account.move", "action_xero_post", batch)
            with lock:
                stats["invoices posted"] += len(batch)
            ctx = {"active_model": "account.move", "active_ids": batch}
            wizard = rpc.execute(url, "account.payment.register", "create", {"group_payment": False},
                                 context=ctx)
            action = rpc.execute(url, "account.payment.register", "action_create_payments", [wizard],
                                 context=ctx)
            payment_ids = [action["res_id"]] if action.get("res_id") else action["domain"][0][2]
            rpc.execute(url, "account.payment", "action_xero_post", payment_ids)
            with lock:
                stats["payments registered"] += len(payment_ids)
                stats.setdefault("payment ids", []).extend(payment_ids)
        except Exception as exc:  # noqa: BLE001 - counted and shown, the soak goes on
            with lock:
                stats["user errors"] += 1
                rpc.errors.append("%s: %s" % (url, exc))
        finally:
            with lock:
                server.inflight -= 1
        time.sleep(pace * rng.uniform(0.5, 1.5))


# ---------------------------------------------------------------------------
def job_states(registry):
    with registry.cursor() as cr:
        cr.execute("SELECT state, count(*) FROM xero_sync_job GROUP BY state")
        return dict(cr.fetchall())


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", required=True)
    parser.add_argument("-n", "--n", type=int, default=400, help="invoices (each paid: 2N documents)")
    parser.add_argument("--faults-rate", type=float,
                        help="share of Xero API requests that meet a fault (default 0.15; --short: 0.05)")
    parser.add_argument("--kills", type=int, default=3, help="cron worker SIGKILLs (default 3)")
    parser.add_argument("--users", type=int, default=3)
    parser.add_argument("--post-seconds", type=float, default=90,
                        help="the users' posting is spread over this long (default 90)")
    parser.add_argument("--duration", type=float,
                        help="cap on posting + waiting for the push to settle, seconds (default 600; "
                             "--short: 300)")
    parser.add_argument("--latency", type=float, default=0.0,
                        help="the sandbox holds every API answer back this long, as Xero's latency (default 0)")
    parser.add_argument("--no-second-server", action="store_true")
    parser.add_argument("--batch-size", type=int, default=0,
                        help="documents per request (account_xero.push_batch_size; default Xero's 50): "
                             "smaller requests meet more faults for as many documents")
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--short", action="store_true",
                        help="CI: 100 invoices + 100 payments, one SIGKILL, 3 to 6 minutes in all")
    parser.add_argument("--companies", type=int, default=0,
                        help="multi-organisation mode: this many companies, each connected to its own "
                             "tenant, push at once (see bench/prod_soak_companies.py)")
    parser.add_argument("--per-company", type=int, default=200,
                        help="--companies: posted invoices per company (default 200)")
    parser.add_argument("--minutes", type=float, default=6,
                        help="--companies: cap on the push, minutes (default 6, at most 8)")
    parser.add_argument("--big", type=int, default=0,
                        help="large push mode: this many invoices + as many payments posted in-process, "
                             "then pushed by odoo-bin under Xero's limits (see bench/prod_soak_big.py)")
    parser.add_argument("--post-latency", type=int, default=0, metavar="K",
                        help="latency mode: K + 1 invoices posted one at a time on an idle queue, each "
                             "timed from its commit to Xero's answer (see bench/prod_soak_latency.py)")
    parser.add_argument("--inbound", type=int, default=0, metavar="N",
                        help="inbound mode: N invoices pushed while half are paid in Xero and told by "
                             "webhooks (see bench/prod_soak_inbound.py)")
    parser.add_argument("--drop", type=float, default=0.1,
                        help="--inbound: share of webhook events never delivered (default 0.1)")
    parser.add_argument("--go-file", help="--big: wait for this file after the set-up to start odoo-bin")
    parser.add_argument("--setup-only", action="store_true",
                        help="--big: time the set-up (posting, registering payments) and stop there")
    parser.add_argument("--pay-chunk", type=int, default=50,
                        help="--big: invoices a register-payment wizard pays (default 50)")
    parser.add_argument("--setup-workers", type=int, default=2,
                        help="--big: processes posting and paying the invoices at once, as that many "
                             "users (each its own customers, sales and bank or cash journal; default 2)")
    parser.add_argument("--one-transaction", action="store_true",
                        help="--big: make the data in one cursor as before (each chunk committed, its "
                             "environments kept), for comparison")
    parser.add_argument("--pidfile", help="process groups started, one a line (for the wrapper's trap)")
    parser.add_argument("--logdir", default=os.path.join(AXERO_HOME, "prod-soak"))
    args = parser.parse_args()
    if args.short:
        # A killed call's jobs wait for their 2-minute lease, then for a cron
        # worker to wake (a trigger set for later is seen at the worker's next
        # poll, up to about 70 s: odoo/service/server.py, WorkerCron.sleep),
        # then for the look-up and the backoffs of the faults: the kill comes
        # early, the cap leaves room for all of it.
        # Fewer faults too: a look-up failed three times backs off 2 minutes.
        args.n, args.kills, args.post_seconds = 100, 1, 35
        args.duration = args.duration or 300
        args.faults_rate = 0.05 if args.faults_rate is None else args.faults_rate
    args.duration = args.duration or 600
    args.faults_rate = 0.15 if args.faults_rate is None else args.faults_rate
    if args.companies:
        args.duration = min(args.minutes * 60, 480)
    if args.inbound:
        args.latency = args.latency or 0.3
        args.kills = min(args.kills, 2)
    if args.big:
        args.duration = max(args.duration, 1800)
        args.latency = args.latency or 1.0
    random.seed(args.seed)
    os.makedirs(args.logdir, exist_ok=True)
    # A SIGTERM (the wrapper's trap, a CI timeout) stops what was started.
    signal.signal(signal.SIGTERM, lambda *_args: sys.exit(143))
    procs = Processes(args.pidfile)
    try:
        if args.post_latency:
            import prod_soak_latency

            return prod_soak_latency.run(args, procs, sys.modules[__name__])
        if args.inbound:
            import prod_soak_inbound

            return prod_soak_inbound.run(args, procs, sys.modules[__name__])
        if args.big:
            import prod_soak_big

            return prod_soak_big.run(args, procs, sys.modules[__name__])
        if args.companies:
            import prod_soak_companies

            return prod_soak_companies.run(args, procs, sys.modules[__name__])
        return run(args, procs)
    finally:
        procs.stop_all()


def start_sandbox(args, procs):
    """The sandbox, as its own process, Xero's real limits."""
    port = free_port()
    sandbox_log = os.path.join(args.logdir, "sandbox.log")
    open(sandbox_log, "w").close()
    sandbox = procs.start("sandbox", [sys.executable, "-m", "xero_sandbox", "--host", "127.0.0.1",
                                      "--port", str(port), "--seed", str(args.seed),
                                      "--latency", str(args.latency)],
                          sandbox_log, cwd=benchlib.REPO)
    srv = RemoteSandbox("http://127.0.0.1:%d" % port)
    for _ in range(100):
        try:
            srv.control("stats")
            break
        except (urllib.error.URLError, OSError):
            if sandbox.poll() is not None:
                raise RuntimeError("the sandbox exited; see %s" % sandbox_log) from None
            time.sleep(0.2)
    return srv


def run(args, procs):
    srv = start_sandbox(args, procs)
    registry = benchlib.boot(args.db, log_level="error")
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        _conn, tenant_id = benchlib.connect(env, srv, env.company, tenant_name="Prod Soak Ltd")
        if args.batch_size:
            # Smaller requests: more of them, so more faults for as many documents.
            env["ir.config_parameter"].sudo().set_param("account_xero.push_batch_size", str(args.batch_size))
        partners = benchlib.make_partners(env, max(1, args.n // 10), tag="P")
        drafts = benchlib.make_invoices(env, partners, args.n, post=False)
        draft_ids = drafts.ids
    log("sandbox %s, tenant %s; %d draft invoices for %d customers" % (srv.url, tenant_id, len(draft_ids),
                                                                       len(partners)))
    add_faults(srv, args.faults_rate, args.seed)

    main_srv = OdooServer(procs, "odoo-1", args.db, 2, 2, os.path.join(args.logdir, "odoo-1.log"))
    main_srv.wait_ready()
    main_srv.ready = True
    servers = [main_srv]
    log("odoo-1 on %s: --workers=2 --max-cron-threads=2, Odoo's default time limits" % main_srv.url)

    rpc = Rpc(args.db)
    queue = list(draft_ids)
    lock = threading.Lock()
    stats = {"invoices posted": 0, "payments registered": 0, "user errors": 0}
    pace = max(0.0, args.post_seconds / max(1, len(queue) / 5.5) * args.users)
    t0 = time.monotonic()
    users = [threading.Thread(target=user, args=(rpc, servers, queue, lock, stats, pace), daemon=True)
             for _ in range(args.users)]
    for t in users:
        t.start()

    # Kill moments (seconds into the posting) and the second server's window.
    rng = random.Random(args.seed)
    lo, hi = (0.05, 0.15) if args.short else (0.1, 0.8)
    kill_at = sorted(rng.uniform(lo, hi) * args.post_seconds for _ in range(args.kills))
    second_window = (0.15 * args.post_seconds, 0.75 * args.post_seconds)
    second = None
    kills = []  # (seconds, pid, was pushing, jobs sending)
    deadline = t0 + args.duration
    last_report = 0
    settled_at = None
    while time.monotonic() < deadline:
        now = time.monotonic() - t0
        posting = any(t.is_alive() for t in users)
        if not args.no_second_server and second is None and now >= second_window[0] and posting:
            second = OdooServer(procs, "odoo-2", args.db, 2, 2, os.path.join(args.logdir, "odoo-2.log"))
            servers.append(second)

            def ready(s=second):
                s.wait_ready()
                s.ready = True
                log("odoo-2 on %s joined (same database)" % s.url)
            threading.Thread(target=ready, daemon=True).start()
        if second is not None and second.proc.poll() is None and now >= second_window[1]:
            # Taken out of the users' rotation, stopped once their requests are answered.
            second.ready = False
            for _ in range(60):
                if not second.inflight:
                    break
                time.sleep(0.5)
            log("odoo-2: stopped (SIGTERM)")
            second.scan_log()
            second.stop()
        if kill_at and now >= kill_at[0]:
            pushing = main_srv.pushing_pids()
            sending = job_states(registry).get("sending", 0)
            # Wait (up to 20 s past the moment) for a push holding claimed jobs.
            if (pushing and sending) or now >= kill_at[0] + 20:
                pids = pushing or sorted(main_srv.live_cron_pids())
                if pids:
                    pid = rng.choice(pids)
                    try:
                        os.kill(pid, signal.SIGKILL)
                        kills.append((now, pid, bool(pushing), sending))
                        log("SIGKILL cron worker %d (%s, %d job(s) sending)"
                            % (pid, "in a push" if pushing else "idle", sending))
                    except ProcessLookupError:
                        pass
                kill_at.pop(0)
        states = job_states(registry)
        if now - last_report >= 10:
            last_report = now
            log("%s; jobs %s; Odoo cron timeouts %d" % (
                "%d invoices posted, %d payments" % (stats["invoices posted"], stats["payments registered"]),
                ", ".join("%s %d" % kv for kv in sorted(states.items())),
                sum(s.timeouts for s in servers)))
        if not posting and not kill_at and not states.get("pending") and not states.get("sending"):
            settled_at = now
            break
        time.sleep(0.5)
    posting_left = len(queue)
    with lock:
        queue.clear()  # the users stop after their current batch
    for t in users:
        t.join(60)
    for s in servers:
        s.scan_log()
    wall = time.monotonic() - t0
    states = job_states(registry)
    if settled_at is None and not states.get("pending") and not states.get("sending"):
        settled_at = wall  # in the last moments (after the last poll)

    # Xero (the sandbox process) against Odoo, document by document.
    with registry.cursor() as cr:
        env = benchlib.env_of(cr)
        invoices = env["account.move"].search([("id", "in", draft_ids), ("state", "=", "posted")], order="id")
        payments = env["account.payment"].browse(sorted(stats.pop("payment ids", [])))
        check = benchlib.compare(env, srv, tenant_id, invoices, payments)
        cr.execute("SELECT state, count(*) FROM xero_sync_job GROUP BY state")
        states = dict(cr.fetchall())
        cr.execute("SELECT count(*) FROM xero_sync_job WHERE in_doubt")
        in_doubt = cr.fetchone()[0]
        cr.execute("""SELECT operation, left(error, 120), count(*) FROM xero_sync_job
                       WHERE state IN ('failed', 'blocked') GROUP BY 1, 2 ORDER BY 3 DESC""")
        failed_reasons = cr.fetchall()
    faults = srv.control("faults")
    fired = collections.Counter()
    for rule in faults:
        fired[rule["kind"]] += rule["fired"]
    stuck = states.get("pending", 0) + states.get("sending", 0)
    failed = states.get("failed", 0) + states.get("blocked", 0)
    tracebacks = {}
    for s in servers:
        n, _text = s.tracebacks()
        tracebacks[s.name] = n
    cron_log = collections.Counter()
    for s in servers:
        cron_log.update({k: v for k, v in s.cron_log.items() if k != "push call max s"})
    max_call = max((s.cron_log["push call max s"] for s in servers), default=0)

    print()
    print("account_xero production soak: odoo-bin --workers=2 --max-cron-threads=2 (limit_time_real 120 s, "
          "limit_time_cpu 60 s, limit_time_real_cron = limit_time_real), Xero sandbox process with Xero's "
          "limits, latency %.2g s, faults rate %.2f, seed %d, %s documents a request" % (
              args.latency, args.faults_rate, args.seed, args.batch_size or 50))
    print()
    rows = [
        ["invoices posted over HTTP", stats["invoices posted"]],
        ["payments registered over HTTP", stats["payments registered"]],
        ["documents compared", check["documents"]],
        ["JSON-RPC calls (users)", rpc.calls],
        ["user errors", stats["user errors"]],
        ["drafts never posted (out of time)", posting_left],
        ["cron workers SIGKILLed by the soak", len(kills)],
        ["  of which in a 'Xero: push' call", sum(1 for k in kills if k[2])],
        ["cron workers killed by Odoo (limit_time_real_cron)", sum(s.timeouts for s in servers)],
        ["'Xero: push' calls started / done", "%d / %d" % (cron_log["push calls started"],
                                                          cron_log["push calls done"])],
        ["longest 'Xero: push' call (s)", "%.1f" % max_call],
        ["second odoo-bin on the database", "yes" if second is not None else "no"],
        ["sandbox faults fired", sum(fired.values())],
    ] + [["  " + kind, n] for kind, n in sorted(fired.items())] + [
        ["posting + settling wall time (s)", "%.0f" % wall],
        ["settled (no job pending or sending) after (s)", "%.0f" % settled_at if settled_at else "never"],
        ["jobs by state", ", ".join("%s %d" % kv for kv in sorted(states.items()))],
        ["jobs of a killed call taken up (looked up in Xero)", cron_log["jobs recovered after their lease"]],
        ["jobs still marked in doubt", in_doubt],
        ["tracebacks in the servers' logs", ", ".join("%s %d" % kv for kv in tracebacks.items())],
        ["duplicates", check["duplicates"]],
        ["lost", check["lost"]],
        ["mismatched", check["mismatched"]],
        ["stuck jobs (pending or sending left)", stuck],
        ["failed or blocked jobs (the user sees an error)", failed],
    ]
    print(benchlib.table(rows, ["", ""]))
    for line in check["details"][:15]:
        print("  " + line)
    for operation, error, count in failed_reasons[:5]:
        print("  %d %s job(s) failed: %s" % (count, operation, error))
    for line in rpc.errors[:5]:
        print("  user error: " + line[:300])
    print("logs: %s" % args.logdir)
    bad = check["duplicates"] + check["lost"] + check["mismatched"] + stuck + failed
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
