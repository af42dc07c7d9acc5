"""Shared pieces of the benchmark and the soak (run by bench/run, bench/soak).

Odoo is imported in-process (no HTTP server): ``boot()`` parses Odoo's
configuration from the environment tools/env.sh exports and returns the
registry of the database the wrapper made from the template. The Xero
sandbox runs in the same process, in a thread, on a free loopback port.
"""

import collections
import os
import random
import sys
import time
from datetime import date, timedelta

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def boot(db, log_level="warn"):
    """Odoo's configuration and the registry of ``db`` (account_xero installed)."""
    odoo_src = os.environ.get("ODOO_SRC", "/opt/odoo/18.0")
    if odoo_src not in sys.path:
        sys.path.insert(0, odoo_src)
    import odoo
    from odoo.tools import config

    addons = os.environ.get("AXERO_ADDONS") or os.path.dirname(REPO)
    args = [
        "-d", db,
        "--addons-path=%s/addons,%s" % (odoo_src, addons),
        "--db_host=%s" % os.environ.get("PGHOST", "127.0.0.1"),
        "--db_port=%s" % os.environ.get("PGPORT", "5432"),
        "--log-level=%s" % log_level,
    ]
    if os.environ.get("PGUSER"):
        args.append("--db_user=%s" % os.environ["PGUSER"])
    if os.environ.get("AXERO_HOME"):
        args.append("--data-dir=%s/data" % os.environ["AXERO_HOME"])
    config.parse_config(args)
    odoo.netsvc.init_logger()
    from odoo.modules.registry import Registry

    return Registry(db)


def env_of(cr):
    from odoo import SUPERUSER_ID, api

    return api.Environment(cr, SUPERUSER_ID, {})


def start_sandbox(seed=None):
    from odoo.addons.account_xero.xero_sandbox import SandboxServer

    return SandboxServer(port=0, seed=seed).start()


CLIENT_ID = "bench-app"
CLIENT_SECRET = "bench-secret-0b1e7c"


def fast_limits(srv, tenant_ids=()):
    """Lift the sandbox's and the client's per-minute limits for a run
    (the projection under Xero's real limits is computed from call counts)."""
    srv.store.limits.update(minute=10 ** 7, day=10 ** 8, app_minute=10 ** 8)
    srv.store.reset_rate_limits()
    from odoo.addons.account_xero.xero.pacer import pacer_for

    for tenant_id in tenant_ids:
        pacer_for(srv.url, tenant_id).per_minute = 10 ** 7


def real_limits(srv, tenant_ids=()):
    """Keep Xero's real limits for a run (60 calls a minute, 5 in flight,
    5,000 a day per tenant): the sandbox's limits and each tenant's pacer
    back to their defaults. The counters are kept (the set-up calls count,
    as they would at Xero)."""
    from odoo.addons.account_xero.xero.pacer import MINUTE_LIMIT, pacer_for
    from odoo.addons.account_xero.xero_sandbox import DEFAULT_LIMITS

    srv.store.limits.update(DEFAULT_LIMITS)
    for tenant_id in tenant_ids:
        pacer = pacer_for(srv.url, tenant_id)
        pacer.per_minute = MINUTE_LIMIT
        pacer.blocked_until = 0.0


def set_push_concurrency(registry, value):
    """``account_xero.push_concurrency``: requests the push cron keeps in
    flight per connection (1 = one at a time)."""
    with registry.cursor() as cr:
        env_of(cr)["ir.config_parameter"].sudo().set_param("account_xero.push_concurrency", str(value))
        cr.commit()


def connect(env, srv, company, tenant_name="Bench Ltd"):
    """A connected xero.connection on a fresh sandbox tenant, its reference
    data pulled, every account / tax / currency the documents use mapped."""
    from odoo import fields

    icp = env["ir.config_parameter"].sudo()
    icp.set_param("account_xero.login_url", srv.url + "/identity/connect/authorize")
    icp.set_param("account_xero.identity_url", srv.url)
    icp.set_param("account_xero.api_url", srv.url)
    srv.register_app(CLIENT_ID, CLIENT_SECRET, name="Bench")
    tenant_id = srv.add_tenant(tenant_name, "NZ", company.currency_id.name)
    grant = srv.grant(CLIENT_ID, tenant_ids=[tenant_id])
    Connection = env["xero.connection"].sudo()
    conn = Connection.with_context(active_test=False).search(
        [("company_id", "=", company.id)], limit=1) or Connection.create({"company_id": company.id})
    now = fields.Datetime.now()
    conn.write({
        "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET,
        "access_token": grant["access_token"], "refresh_token": grant["refresh_token"],
        "token_expires_at": now + timedelta(seconds=int(grant["expires_in"])),
        "tenant_id": tenant_id, "tenant_name": tenant_name,
        "xero_connection_id": grant["connection_id"], "state": "connected",
        "connected_at": now, "connected_by_id": env.uid,
        "sync_sales_invoices": True, "sync_supplier_invoices": True,
    })
    env.cr.commit()
    conn.action_refresh_from_xero()
    xa = {a.code: a for a in conn.xero_account_ids if a.code}
    xt = {t.tax_type: t for t in conn.xero_tax_rate_ids}
    Account = env["account.account"]
    by_type = {
        "asset_cash": "090", "asset_receivable": "610", "liability_payable": "800",
        "income": "200", "income_other": "260", "expense": "400",
        "expense_direct_cost": "310", "equity": "960", "equity_unaffected": "960",
    }
    mapped = env["xero.account.map"].search([("connection_id", "=", conn.id)]).account_id
    env["xero.account.map"].create([
        {"connection_id": conn.id, "account_id": account.id,
         "xero_account_id": xa[by_type.get(account.account_type, "850")].id}
        for account in Account.search(Account._check_company_domain(company)) - mapped
    ])
    Tax = env["account.tax"]
    taxes = Tax.search([*Tax._check_company_domain(company), ("type_tax_use", "in", ("sale", "purchase"))])
    taxes -= env["xero.tax.map"].search([("connection_id", "=", conn.id)]).tax_id
    env["xero.tax.map"].create([
        {"connection_id": conn.id, "tax_id": tax.id,
         "xero_output_tax_id": xt["OUTPUT2"].id, "xero_input_tax_id": xt["INPUT2"].id}
        for tax in taxes
    ])
    if not env["xero.currency.map"].search([("connection_id", "=", conn.id),
                                            ("currency_id", "=", company.currency_id.id)]):
        env["xero.currency.map"].create({
            "connection_id": conn.id, "currency_id": company.currency_id.id,
            "xero_currency_id": conn.xero_currency_ids.filtered(
                lambda c: c.code == company.currency_id.name).id,
        })
    env.cr.commit()
    return conn, tenant_id


def replay(env, srv, conn):
    """Undo a drain so that the same documents can be pushed again: a fresh
    sandbox tenant under the connection's tenant id and account ids, fresh
    tokens, every job pending again (for profiling runs on kept data)."""
    from odoo import fields

    tenant_id = conn.tenant_id
    icp = env["ir.config_parameter"].sudo()
    for name, path in (("login_url", "/identity/connect/authorize"), ("identity_url", ""),
                       ("api_url", "")):
        icp.set_param("account_xero." + name, srv.url + path)
    srv.register_app(CLIENT_ID, CLIENT_SECRET, name="Bench")
    if srv.store.tenant(tenant_id) is None:
        srv.add_tenant(conn.tenant_name or "Bench Ltd", "NZ", env.company.currency_id.name,
                       tenant_id=tenant_id)
        ids = {a.code: a.xero_id for a in conn.xero_account_ids if a.code}
        for account in srv.store.tenant(tenant_id).accounts:
            account["AccountID"] = ids.get(account.get("Code"), account["AccountID"])
    grant = srv.grant(CLIENT_ID, tenant_ids=[tenant_id])
    conn.write({"access_token": grant["access_token"], "refresh_token": grant["refresh_token"],
                "token_expires_at": fields.Datetime.now() + timedelta(seconds=int(grant["expires_in"])),
                "xero_connection_id": grant["connection_id"], "state": "connected"})
    cr = env.cr
    cr.execute("""UPDATE xero_sync_job SET state = 'pending', xero_id = NULL, in_doubt = FALSE,
                         attempts = 0, sent_at = NULL, error = NULL, blocking_level = NULL,
                         sending_until = NULL, amount = 0,
                         next_try_at = (now() AT TIME ZONE 'UTC') - interval '1 hour'""")
    cr.execute("DELETE FROM xero_contact_binding")
    for table in ("account_move", "account_payment"):
        cr.execute("""UPDATE %s SET xero_state = 'queued', xero_id = NULL, xero_error = NULL,
                             xero_sent_at = NULL WHERE xero_state != 'not_sent'""" % table)
    cr.execute("DELETE FROM mail_message WHERE body::text LIKE '%%Sent to Xero%%'")
    env.invalidate_all()
    cr.commit()
    return tenant_id


def make_partners(env, count, seed=1, tag="B"):
    rng = random.Random(seed)
    vals = []
    for i in range(count):
        company = rng.random() < 0.7
        name = ("%s Customer %05d %s" % (tag, i, rng.choice(["Ltd", "Trust", "& Sons", "Partners"]))
                if company else "%s Person %05d" % (tag, i))
        vals.append({"name": name, "is_company": company,
                     "email": "c%05d.%s@example.com" % (i, tag.lower()) if rng.random() < 0.8 else False})
    partners = env["res.partner"].create(vals)
    env.cr.commit()
    return partners


def make_invoices(env, partners, count, seed=2, chunk=100, log=None, post=True, registry=None,
                  journal_id=None):
    """``count`` posted customer invoices (1 to 3 lines, 15% tax) spread
    over ``partners``; committed in chunks. With ``registry``, each chunk
    in a cursor (a transaction) of its own: Odoo finds an environment by
    scanning all those alive in the transaction (``api.Environment.__new__``),
    so one long transaction grows slower with its length. The moves are
    returned in ``env``."""
    from odoo import Command

    rng = random.Random(seed)
    tax = env["account.tax"].search([("type_tax_use", "=", "sale"), ("company_id", "=", env.company.id)],
                                    limit=1)
    partner_ids = partners.ids
    move_ids = []
    day0 = date(2025, 1, 1)
    started = time.monotonic()
    for start in range(0, count, chunk):
        vals = []
        for i in range(start, min(start + chunk, count)):
            lines = [Command.create({
                "name": "Service %d.%d" % (i, k),
                "quantity": rng.choice([1, 1, 2, 3, 0.5, 1.25]),
                "price_unit": round(rng.uniform(5, 900), 2),
                "tax_ids": [Command.set(tax.ids)],
            }) for k in range(rng.randint(1, 3))]
            vals.append({
                "move_type": "out_invoice",
                "partner_id": partner_ids[i % len(partner_ids)],
                "invoice_date": day0 + timedelta(days=i % 300),
                "invoice_line_ids": lines,
                **({"journal_id": journal_id} if journal_id else {}),
            })
        with _chunk_env(env, registry) as cenv:
            batch = cenv["account.move"].create(vals)
            if post:
                batch.action_post()
            cenv.cr.commit()
            move_ids += batch.ids
        if log:
            log("  invoices: %d/%d (%.0fs)" % (len(move_ids), count, time.monotonic() - started))
    return env["account.move"].browse(move_ids)


class _chunk_env:
    """``env`` itself, or with ``registry`` a superuser environment on a
    new cursor, closed (and its transaction dropped) at the end."""

    def __init__(self, env, registry):
        self.env, self.registry, self.cr = env, registry, None

    def __enter__(self):
        if self.registry is None:
            return self.env
        self.cr = self.registry.cursor()
        from odoo import api

        return api.Environment(self.cr, self.env.uid, dict(self.env.context))

    def __exit__(self, *exc):
        if self.cr is not None:
            self.cr.close()
        return False


def pay(env, invoices, chunk=100, log=None, day=date(2025, 12, 1), registry=None, journal_id=None):
    """One payment per invoice, in full (the register-payment wizard, in
    chunks; with ``registry``, each chunk in a transaction of its own, see
    ``make_invoices``)."""
    payment_ids = []
    invoice_ids = invoices.ids
    started = time.monotonic()
    from psycopg2.errors import LockNotAvailable
    from psycopg2.extensions import TransactionRollbackError

    retries = 0
    for start in range(0, len(invoice_ids), chunk):
        batch = invoice_ids[start:start + chunk]
        for attempt in range(6 if registry is not None else 1):
            try:
                with _chunk_env(env, registry) as cenv:
                    wizard = cenv["account.payment.register"].with_context(
                        active_model="account.move", active_ids=batch).create(
                        dict({"payment_date": day, "group_payment": False},
                             # Users at once in their own journals: a memo
                             # typed, so that the wizard does not take the
                             # company's batch payment number (a sequence
                             # without gaps, locked to each transaction's
                             # end: the users would take turns).
                             **({"journal_id": journal_id, "communication": "Bench payments"}
                                if journal_id else {})))
                    new_ids = wizard._create_payments().ids
                    cenv.cr.commit()
                    envs = len(cenv.transaction.envs)
                break
            except (TransactionRollbackError, LockNotAvailable):
                # Another user's transaction at once (the company's batch
                # payment sequence): tried again, as Odoo's RPC layer does.
                if registry is None or attempt == 5:
                    raise
                retries += 1
                time.sleep(random.uniform(0.1, 0.5) * (attempt + 1))
        payment_ids += new_ids
        if log:
            log("  payments: %d/%d (%.0fs; %d environments in the transaction; %d tried again)"
                % (len(payment_ids), len(invoice_ids), time.monotonic() - started, envs, retries))
    return env["account.payment"].browse(payment_ids)


def drain(registry, max_rounds=200, max_seconds=3600, log=None, cron_kwargs=None, until_settled=False):
    """Run the cron's logic until nothing is due (bounded). Returns
    ``(rounds, slept)``: rounds of ``_cron_push`` and seconds spent waiting
    between them.

    With ``until_settled``, a round that leaves nothing due while jobs are
    still pending (released with a Retry-After or a backoff: next_try_at in
    the future) is followed by a sleep until the next job is due
    (``_next_due_at``), and the drain goes on until no job is pending or
    sending at all, or ``max_seconds`` have passed, or the pending jobs left
    can never come due (a failed dependency, a disconnected connection).
    """
    from odoo import fields

    started = time.monotonic()
    rounds = 0
    slept = 0.0
    while rounds < max_rounds:
        rounds += 1
        with registry.cursor() as cr:
            env = env_of(cr)
            Job = env["xero.sync.job"]
            Job._cron_push(**(cron_kwargs or {"time_budget": max_seconds}))
            cr.commit()
            due = Job._count_due()
            open_jobs = dict(Job._read_group([("state", "in", ("pending", "sending"))],
                                             ["state"], ["__count"])) if until_settled else {}
            next_at = Job._next_due_at() if open_jobs and not due else None
            now = fields.Datetime.now()
        elapsed = time.monotonic() - started
        if log:
            log("  drain round %d: %d due%s" % (
                rounds, due, "".join(", %d %s" % (n, st) for st, n in sorted(open_jobs.items()))))
        if elapsed > max_seconds or (not due and not open_jobs):
            break
        if due:
            continue
        if next_at is not None:
            pause = (next_at - now).total_seconds() + 0.05
        elif open_jobs.get("sending"):
            pause = 1.0   # a lease to run out (a round that died mid-request)
        else:
            if log:
                log("  drain: %d pending job(s) never due (dependency or connection), stopping"
                    % open_jobs.get("pending", 0))
            break
        pause = max(0.05, min(pause, max_seconds - elapsed))
        if log:
            log("  drain: nothing due, waiting %.1fs for the next job" % pause)
        time.sleep(pause)
        slept += pause
    return rounds, slept


# ---------------------------------------------------------------------------
# Xero (the sandbox's store) against Odoo, document by document
# ---------------------------------------------------------------------------
def compare(env, srv, tenant_id, invoices, payments):
    """{'documents', 'duplicates', 'lost', 'mismatched', 'details'}: every
    posted invoice once (non-voided) in Xero with Odoo's total; every
    payment's Xero payments (those carrying its job keys) summing to the
    amount it settles, and no job's key twice."""
    store = srv.store
    xinv = collections.defaultdict(list)
    for doc in store.documents(tenant_id, "Invoices"):
        if doc.get("Status") not in ("VOIDED", "DELETED"):
            xinv[doc.get("InvoiceNumber")].append(doc)
    xpay_by_key = collections.defaultdict(list)
    for p in store.documents(tenant_id, "Payments"):
        if p.get("Status") == "DELETED":
            continue
        ref = p.get("Reference") or ""
        key = ref.rsplit("[", 1)[-1].rstrip("]") if "[" in ref else ref
        xpay_by_key[key].append(p)
    contacts = collections.Counter(
        c.get("ContactNumber") for c in store.documents(tenant_id, "Contacts")
        if c.get("ContactStatus", "ACTIVE") == "ACTIVE")
    details = []
    duplicates = lost = mismatched = 0
    for move in invoices:
        docs = xinv.get(move.name, [])
        if not docs:
            lost += 1
            details.append("lost invoice %s (%s)" % (move.name, move.xero_state))
            continue
        if len(docs) > 1:
            duplicates += len(docs) - 1
            details.append("duplicate invoice %s x%d" % (move.name, len(docs)))
        if abs(float(docs[0].get("Total") or 0) - move.amount_total) > 0.005:
            mismatched += 1
            details.append("invoice %s: Xero %s, Odoo %.2f" % (move.name, docs[0].get("Total"),
                                                               move.amount_total))
    Job = env["xero.sync.job"].sudo()
    jobs = Job.search([("res_model", "=", "account.payment"), ("res_id", "in", payments.ids),
                       ("operation", "=", "payment"), ("state", "!=", "cancelled")])
    jobs_by_payment = collections.defaultdict(list)
    for job in jobs:
        jobs_by_payment[job.res_id].append(job)
    for payment in payments:
        found = []
        for job in jobs_by_payment.get(payment.id, []):
            hits = xpay_by_key.get(job.idempotency_key, [])
            if len(hits) > 1:
                duplicates += len(hits) - 1
                details.append("duplicate payment %s (job %d) x%d" % (payment.name, job.id, len(hits)))
            found.extend(hits[:1])
        if not found:
            lost += 1
            details.append("lost payment %s (%s)" % (payment.name, payment.xero_state))
            continue
        amount = sum(float(p.get("Amount") or 0) for p in found)
        if abs(amount - payment.amount) > 0.005:
            mismatched += 1
            details.append("payment %s: Xero %.2f, Odoo %.2f" % (payment.name, amount, payment.amount))
    partners = invoices.commercial_partner_id
    for partner in partners:
        n = contacts.get("ODOO-%d" % partner.id, 0)
        if n > 1:
            duplicates += n - 1
            details.append("duplicate contact ODOO-%d x%d" % (partner.id, n))
    return {"documents": len(invoices) + len(payments), "contacts": len(partners),
            "duplicates": duplicates, "lost": lost, "mismatched": mismatched, "details": details}


def table(rows, headers=None):
    """A plain text table."""
    rows = [[str(c) for c in r] for r in rows]
    if headers:
        rows = [list(headers)] + rows
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for n, r in enumerate(rows):
        out.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))))
        if n == 0 and headers:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def _cpu_meter(env):
    """A function giving this process's CPU seconds plus its PostgreSQL
    backend's (read from /proc), which the machine's other load does not
    inflate as it does wall time."""
    env.cr.execute("SELECT pg_backend_pid()")
    backend = env.cr.fetchone()[0]

    def cpu():
        try:
            with open("/proc/%d/stat" % backend) as f:
                fields_ = f.read().rsplit(")", 1)[1].split()
            pg = (int(fields_[11]) + int(fields_[12])) / os.sysconf("SC_CLK_TCK")
        except OSError:  # PostgreSQL on another machine: this process only
            pg = 0.0
        return time.process_time() + pg
    return cpu


def db_cpu_meter(registry):
    """A function giving this process's CPU seconds plus those of every
    PostgreSQL backend connected to ``registry``'s database (read from
    /proc; a backend that ended is no longer counted): unlike wall time,
    little inflated by the machine's other load."""
    tick = os.sysconf("SC_CLK_TCK")

    def cpu():
        with registry.cursor() as cr:
            cr.execute("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
            pids = [row[0] for row in cr.fetchall()]
        pg = 0.0
        for pid in pids:
            try:
                with open("/proc/%d/stat" % pid) as f:
                    fields_ = f.read().rsplit(")", 1)[1].split()
                pg += (int(fields_[11]) + int(fields_[12])) / tick
            except OSError:
                pass
        return time.process_time() + pg
    return cpu


def pool_backends_cpu():
    """CPU seconds of the PostgreSQL backends of this process's connection
    pool (this process's connections only), read from /proc."""
    from odoo import sql_db

    tick = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for cnx, _used, _last in list(sql_db._Pool._connections if sql_db._Pool else []):
        try:
            with open("/proc/%d/stat" % cnx.get_backend_pid()) as f:
                fields_ = f.read().rsplit(")", 1)[1].split()
            total += (int(fields_[11]) + int(fields_[12])) / tick
        except Exception:  # noqa: BLE001 - a closed connection, another machine
            pass
    return total


def _alternate(env, conn, idle_moves, sync_moves, chunk, action, what, log=None):
    """Run ``action(moves)`` on chunks of ``idle_moves`` with the sales sync
    off and of ``sync_moves`` with it on, alternating (in alternating order,
    so that caches and the machine's load weigh on both alike), each chunk
    committed. Returns the seconds and CPU seconds of each side, their ratios
    and what ``action`` returned for ``sync_moves``."""
    cpu = _cpu_meter(env)
    seconds = {"on": 0.0, "off": 0.0, "cpu_on": 0.0, "cpu_off": 0.0}
    results = []
    for i, start in enumerate(range(0, len(sync_moves), chunk)):
        order = [("off", idle_moves), ("on", sync_moves)]
        for mode, moves in (order if i % 2 == 0 else order[::-1]):
            conn.sync_sales_invoices = mode == "on"
            env.cr.commit()
            started, cpu_started = time.perf_counter(), cpu()
            result = action(moves[start:start + chunk])
            env.flush_all()
            env.cr.commit()
            seconds[mode] += time.perf_counter() - started
            seconds["cpu_" + mode] += cpu() - cpu_started
            if mode == "on":
                results.append(result)
        if log:
            log("  %s overhead: %d/%d invoices each way"
                % (what, min(start + chunk, len(sync_moves)), len(sync_moves)))
    conn.sync_sales_invoices = True
    env.cr.commit()
    seconds["ratio"] = seconds["on"] / seconds["off"] - 1 if seconds["off"] else 0.0
    seconds["cpu_ratio"] = seconds["cpu_on"] / seconds["cpu_off"] - 1 if seconds["cpu_off"] else 0.0
    return seconds, results


def post_overhead(env, conn, idle_moves, sync_moves, chunk=100, log=None):
    """The addon's cost in the user's transaction: ``action_post`` (and its
    commit) of ``sync_moves`` with the sales sync on, against ``idle_moves``
    (the same invoices, made from the same seed) with the addon's hook idle
    (sync off: no job is queued). Returns ``{"on": seconds, "off": seconds,
    "ratio": on / off - 1}``, and the same in CPU seconds (``cpu_on``,
    ``cpu_off``, ``cpu_ratio``): this process's and its PostgreSQL backend's.
    ``idle_moves`` are never queued for Xero (posted with the sync off)."""
    seconds, _results = _alternate(env, conn, idle_moves, sync_moves, chunk,
                                   lambda moves: moves.action_post(), "posting", log=log)
    return seconds


def pay_overhead(env, conn, idle_moves, sync_moves, chunk=50, log=None):
    """The same for registering their payments (the register-payment
    wizard, one payment an invoice): ``sync_moves``' payments with the sync
    on against ``idle_moves``' with it off (whose invoices never went to
    Xero: nothing of theirs is queued). Returns ``(seconds, payments of
    sync_moves)``."""
    seconds, results = _alternate(env, conn, idle_moves, sync_moves, chunk,
                                  lambda moves: pay(env, moves, chunk=chunk), "payment", log=log)
    payments = env["account.payment"]
    for batch in results:
        payments |= batch
    return seconds, payments
