"""Two cron workers at once, on committed data, each in its own transaction.

The push engine's claim (``xero.sync.job._claim``) takes due jobs with
``SELECT ... FOR UPDATE OF job SKIP LOCKED``, marks them ``sending`` and
commits that claim on its own. This test runs the cron logic in two threads,
each with its own cursor, and forces the dangerous overlap: worker A holds
the row locks of its first claim (not yet committed) while worker B claims.

Why it fails without SKIP LOCKED (reasoned, then checked by editing the
query in a scratch copy of the addon; both variants fail this test):
- with ``FOR UPDATE`` but no ``SKIP LOCKED``, B's SELECT blocks on A's locked
  rows until A commits, and then (Odoo's cursors are REPEATABLE READ) fails
  with "could not serialize access due to concurrent update";
- with no row lock at all, B's snapshot (taken before A's commit) still shows
  A's jobs as pending, so B picks the same jobs; its UPDATE then blocks on
  A's rows and fails the same way once A commits. Under READ COMMITTED it
  would instead succeed and both workers would send the same documents.
In both cases B's claim does not return while A holds its rows: A, which
waits (10 s at most) for B's claim before committing its own, records that,
and B's worker records the serialization failure. With SKIP LOCKED, B skips
A's rows and takes the next ones at once: the claimed sets are disjoint.

Data is committed here (documents, jobs, connection) and removed afterwards,
since real concurrency needs transactions that see each other's commits.
"""

import threading
from datetime import timedelta
from unittest.mock import patch

from odoo import SUPERUSER_ID, Command, api, fields
from odoo.tests import TransactionCase, tagged

from .common import XeroSandboxMixin

N_INVOICES = 8
N_BILLS = 8
CLAIM = 4  # jobs per claim: several rounds per worker


@tagged("post_install", "-at_install")
class TestPushConcurrentWorkers(XeroSandboxMixin, TransactionCase):

    xero_registry_test_mode = False
    xero_set_params = False

    def _env(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def _setup_committed(self):
        srv = self.srv
        tenant_id = srv.add_tenant("Concurrency Ltd", "NZ", "USD")
        grant = self._xero_grant([tenant_id])
        with self.registry.cursor() as cr:
            env = self._env(cr)
            company = env.ref("base.main_company")
            self.assertEqual(company.currency_id.name, "USD")
            Connection = env["xero.connection"].with_context(active_test=False)
            Connection.search([("company_id", "=", company.id)]).unlink()
            conn = Connection.create({
                "company_id": company.id,
                "client_id": self.xero_client_id, "client_secret": self.xero_client_secret,
                "access_token": grant["access_token"], "refresh_token": grant["refresh_token"],
                "token_expires_at": fields.Datetime.now() + timedelta(minutes=30),
                "tenant_id": grant["tenant_id"], "xero_connection_id": grant["connection_id"],
                "state": "connected",
                "sync_sales_invoices": True, "sync_supplier_invoices": True,
            })
            ids = {"conn": conn.id, "company": company.id, "tenant": tenant_id,
                   "cron_trigger_max": env["ir.cron.trigger"].search([], order="id desc", limit=1).id}
        self.addCleanup(self._cleanup, ids)
        with self.registry.cursor() as cr:
            env = self._env(cr)
            conn = env["xero.connection"].browse(ids["conn"])
            company = conn.company_id
            conn.action_refresh_from_xero()
            xa = {a.code: a for a in conn.xero_account_ids if a.code}
            xt = {t.tax_type: t for t in conn.xero_tax_rate_ids}
            Account = env["account.account"]
            by_type = {"asset_cash": "090", "asset_receivable": "610", "liability_payable": "800",
                       "income": "200", "income_other": "260", "expense": "400",
                       "expense_direct_cost": "310"}
            env["xero.account.map"].create([
                {"connection_id": conn.id, "account_id": account.id,
                 "xero_account_id": xa[by_type.get(account.account_type, "850")].id}
                for account in Account.search(Account._check_company_domain(company))
            ])
            Tax = env["account.tax"]
            env["xero.tax.map"].create([
                {"connection_id": conn.id, "tax_id": tax.id,
                 "xero_output_tax_id": xt["OUTPUT2"].id, "xero_input_tax_id": xt["INPUT2"].id}
                for tax in Tax.search([*Tax._check_company_domain(company),
                                       ("type_tax_use", "in", ("sale", "purchase"))])
            ])
            env["xero.currency.map"].create({
                "connection_id": conn.id, "currency_id": company.currency_id.id,
                "xero_currency_id": conn.xero_currency_ids.filtered(lambda c: c.code == "USD").id,
            })
            partners = env["res.partner"].create([
                {"name": "Concurrent Customer %s" % tenant_id[:6]},
                {"name": "Concurrent Vendor %s" % tenant_id[:6]},
            ])
            ids["partners"] = partners.ids
            # The contacts exist in Xero already: every document job is
            # claimable on its own (no dependency to wait for).
            client = conn._xero_accounting_client()
            from xero_python.accounting import Contact
            for partner in partners:
                result = client.create_contacts(
                    [Contact(name=partner.name, contact_number=partner._xero_contact_number())],
                    "conc-contact-%d" % partner.id)[0]
                partner._xero_bind(conn, result.xero_id)
            moves = env["account.move"].create([
                {"move_type": move_type, "partner_id": partner.id, "invoice_date": "2025-06-01",
                 "invoice_line_ids": [Command.create({
                     "name": "Line %d" % i, "quantity": 1, "price_unit": 10.0 + i,
                     "tax_ids": [Command.clear()]})]}
                for move_type, partner, count in (("out_invoice", partners[0], N_INVOICES),
                                                  ("in_invoice", partners[1], N_BILLS))
                for i in range(count)
            ])
            moves.action_post()
            ids["moves"] = moves.ids
            jobs = env["xero.sync.job"].search([("connection_id", "=", conn.id)])
            self.assertEqual(len(jobs), N_INVOICES + N_BILLS)
            self.assertEqual(set(jobs.mapped("state")), {"pending"})
            self.assertFalse(jobs.depends_on_job_id)
            ids["jobs"] = jobs.ids
        return ids

    def _cleanup(self, ids):
        with self.registry.cursor() as cr:
            env = self._env(cr)
            # A connection with contact bindings is archived, not deleted, in use.
            env["xero.contact.binding"].sudo().search([("connection_id", "=", ids["conn"])]).unlink()
            env["xero.connection"].with_context(active_test=False).browse(ids["conn"]).exists().unlink()
            moves = env["account.move"].browse(ids.get("moves", [])).exists()
            moves.filtered(lambda m: m.state == "posted").button_draft()
            moves.with_context(force_delete=True).unlink()
            env["res.partner"].browse(ids.get("partners", [])).exists().unlink()
            cron = env.ref("account_xero.ir_cron_xero_push")
            env["ir.cron.trigger"].search([
                ("cron_id", "=", cron.id), ("id", ">", ids["cron_trigger_max"])]).unlink()

    def test_two_workers_each_document_once(self):
        srv = self.srv
        endpoints = {"login_url": srv.url + "/identity/connect/authorize",
                     "identity_url": srv.url, "api_url": srv.url}
        Connection = self.registry["xero.connection"]
        Job = self.registry["xero.sync.job"]
        with patch.object(Connection, "_xero_endpoints", lambda self: endpoints):
            ids = self._setup_committed()
        tenant_id = ids["tenant"]
        # Every write takes a while: the two workers overlap all along.
        srv.faults.slow(seconds=0.2, path="*/Invoices", method="PUT", times=None)

        orig_claim, orig_commit = Job._claim, Job._commit
        claimed = {"A": [], "B": []}
        errors = []
        local = threading.local()
        a_holds, b_claimed = threading.Event(), threading.Event()
        barrier = threading.Barrier(2, timeout=10)

        def claim(self, limit=CLAIM):
            name = threading.current_thread().name
            first = not claimed[name]
            if name == "B" and first:
                a_holds.wait(10)  # A holds its first claim's rows, uncommitted
            local.first_claim = first
            try:
                jobs = orig_claim(self, limit)
            finally:
                local.first_claim = False
            claimed[name].extend(jobs.ids)
            if name == "B" and first:
                b_claimed.set()
            return jobs

        def commit(self):
            if threading.current_thread().name == "A" and getattr(local, "first_claim", False):
                # A's claim is selected and marked, not committed: B claims now.
                local.first_claim = False
                a_holds.set()
                if not b_claimed.wait(10):
                    errors.append("worker B's claim did not return while worker A held its rows "
                                  "(it waited on A's row locks: no SKIP LOCKED?)")
            return orig_commit(self)

        def worker():
            try:
                with self.registry.cursor() as cr:
                    env = self._env(cr)
                    barrier.wait()
                    env["xero.sync.job"]._cron_push(limit=CLAIM)
            except Exception as exc:  # noqa: BLE001
                errors.append(repr(exc))

        with patch.object(Connection, "_xero_endpoints", lambda self: endpoints), \
                patch.object(Job, "_claim", claim), patch.object(Job, "_commit", commit):
            threads = [threading.Thread(target=worker, name=name) for name in ("A", "B")]
            for t in threads:
                t.start()
            for t in threads:
                t.join(120)
        srv.faults.clear()
        self.assertFalse(any(t.is_alive() for t in threads), "a worker did not finish")
        self.assertFalse(errors, errors)

        # Each job was claimed by exactly one worker, and both took part.
        self.assertTrue(claimed["A"] and claimed["B"], claimed)
        self.assertFalse(set(claimed["A"]) & set(claimed["B"]), claimed)
        self.assertEqual(sorted(claimed["A"] + claimed["B"]), sorted(ids["jobs"]))

        with self.registry.cursor() as cr:
            env = self._env(cr)
            jobs = env["xero.sync.job"].browse(ids["jobs"])
            self.assertEqual(set(jobs.mapped("state")), {"done"},
                             [(j.display_name, j.state, j.error) for j in jobs])
            moves = env["account.move"].browse(ids["moves"])
            self.assertEqual(set(moves.mapped("xero_state")), {"sent"})
            names = moves.mapped("name")
        # Each document reached Xero exactly once, and no request was sent twice.
        for name in names:
            self.assertEqual(srv.store.count_invoices(tenant_id, name), 1, name)
        writes = [r for r in list(srv.store.requests)
                  if r["tenant_id"] == tenant_id and r["method"] in ("PUT", "POST")
                  and r["path"].rstrip("/").endswith("/Invoices")]
        self.assertFalse([r for r in writes if r["replayed"]], "a batch was sent twice")
        self.assertEqual(len(self.srv.store.documents(tenant_id, "Invoices")),
                         N_INVOICES + N_BILLS)
