"""Shared set-up of the push engine tests: a company connected to its own
sandbox tenant, reference data pulled from it, every account, tax and
currency mapped. No test here (the module only holds the base class)."""

from odoo import Command, fields

from odoo.addons.account.tests.common import AccountTestInvoicingCommon
from odoo.addons.account_xero.models import xero_sync_job
from odoo.addons.account_xero.tests.common import XeroSandboxMixin


class XeroPushCommon(XeroSandboxMixin, AccountTestInvoicingCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.xero_tenant_id = cls.srv.add_tenant(
            "Push Test Ltd", "NZ", cls.company.currency_id.name)
        cls.connection = cls._xero_connect(
            cls.company, sync_sales_invoices=True, sync_supplier_invoices=True)
        cls.connection.action_refresh_from_xero()
        cls.xa = {a.code: a for a in cls.connection.xero_account_ids if a.code}
        cls.xt = {t.tax_type: t for t in cls.connection.xero_tax_rate_ids}
        cls._map_everything()
        cls.Job = cls.env["xero.sync.job"]
        cls.other_currency = cls.setup_other_currency("AUD", rates=[("2016-01-01", 2.0)])
        cls.env["xero.currency.map"].create({
            "connection_id": cls.connection.id,
            "currency_id": cls.other_currency.id,
            "xero_currency_id": cls.connection.xero_currency_ids.filtered(
                lambda c: c.code == "AUD").id,
        })

    @classmethod
    def _map_everything(cls):
        Account = cls.env["account.account"]
        accounts = Account.search(Account._check_company_domain(cls.company))
        by_type = {
            "asset_cash": "090", "asset_receivable": "610", "liability_payable": "800",
            "income": "200", "income_other": "260", "expense": "400",
            "expense_direct_cost": "310", "equity": "960", "equity_unaffected": "960",
        }
        cls.env["xero.account.map"].create([
            {"connection_id": cls.connection.id, "account_id": account.id,
             "xero_account_id": cls.xa[by_type.get(account.account_type, "850")].id}
            for account in accounts
        ])
        Tax = cls.env["account.tax"]
        taxes = Tax.search([*Tax._check_company_domain(cls.company),
                            ("type_tax_use", "in", ("sale", "purchase"))])
        cls.env["xero.tax.map"].create([
            {"connection_id": cls.connection.id, "tax_id": tax.id,
             "xero_output_tax_id": cls.xt["OUTPUT2"].id, "xero_input_tax_id": cls.xt["INPUT2"].id}
            for tax in taxes
        ])
        company_currency = cls.company.currency_id
        cls.env["xero.currency.map"].create({
            "connection_id": cls.connection.id, "currency_id": company_currency.id,
            "xero_currency_id": cls.connection.xero_currency_ids.filtered(
                lambda c: c.code == company_currency.name).id,
        })

    def setUp(self):
        super().setUp()
        # Document numbers restart in every (rolled back) test: a fresh Xero
        # organisation per test, same chart, tax types and currencies.
        self.xero_tenant_id = self.srv.add_tenant(
            "Push Test Ltd", "NZ", self.company.currency_id.name)
        self._xero_connect(self.company, tenant_id=self.xero_tenant_id)

    # -- helpers ------------------------------------------------------------
    def xero_docs(self, kind):
        """The sandbox's stored documents of a kind ("Invoices", "Contacts", ...)."""
        docs = self.srv.store.documents(self.xero_tenant_id, kind)
        return list(docs.values()) if isinstance(docs, dict) else list(docs)

    def xero_doc(self, kind, xero_id):
        key = {"Invoices": "InvoiceID", "CreditNotes": "CreditNoteID", "Payments": "PaymentID",
               "Contacts": "ContactID"}[kind]
        found = [d for d in self.xero_docs(kind) if d.get(key) == xero_id]
        return found[0] if found else None

    def push_wakeups(self):
        """The cron "Xero: push"'s triggers due now once this transaction
        commits, and whether the commit NOTIFYs the cron workers (a commit
        runs the pre-commit hooks first, then the post-commit ones: the
        test flushes, it never commits)."""
        self.env.cr.flush()
        cron = self.env.ref("account_xero.ir_cron_xero_push")
        due = self.env["ir.cron.trigger"].search(
            [("cron_id", "=", cron.id), ("call_at", "<=", fields.Datetime.now())])
        notified = any(getattr(func, "__name__", None) == "notify_cron_workers"
                       for func in self.env.cr.postcommit._funcs)
        return due, notified

    def forget_wakeups(self):
        """A new transaction (what came before was committed and handled)."""
        self.push_wakeups()[0].unlink()
        self.env.cr.postcommit.clear()

    def api_requests(self):
        return [r for r in list(self.srv.store.requests) if "/api.xro/" in r["path"]]

    def push(self):
        """One run of the cron "Xero: push"."""
        self.env.invalidate_all()
        done = self.Job._cron_push()
        self.env.invalidate_all()
        return done

    def make_invoice(self, move_type="out_invoice", amounts=(100.0,), taxes=None, partner=None,
                     post=True, currency=None, date="2025-06-01", **kw):
        taxes = taxes if taxes is not None else (
            self.tax_sale_a if move_type.startswith("out") else self.tax_purchase_a)
        move = self.init_invoice(
            move_type, partner=partner or self.partner_a, invoice_date=date, amounts=list(amounts),
            taxes=taxes, currency=currency, **kw)
        if post:
            move.action_post()
        return move

    def pay(self, moves, amount=None, date="2025-06-10"):
        ctx = {"active_model": "account.move", "active_ids": moves.ids}
        vals = {"payment_date": date}
        if amount is not None:
            vals["amount"] = amount
        wizard = self.env["account.payment.register"].with_context(**ctx).create(vals)
        return wizard._create_payments()

    def tenant(self):
        """The sandbox's organisation of this test."""
        return self.srv.store.tenant(self.xero_tenant_id)

    def assertFailedWith(self, record, operation, words, attempts=None):
        """Failed, with Xero's words (or ours) on the document and on its
        job (the Sync Log); ``attempts``: as many tries as that."""
        job = self.jobs(record, operation)[-1:]
        self.assertEqual(job.state, "failed", job.error)
        self.assertIn(words, job.error)
        self.assertEqual(record.xero_state, "failed")
        self.assertIn(words, record.xero_error)
        if attempts is not None:
            self.assertEqual(job.attempts, attempts)
        return job

    def jobs(self, record, operation=None):
        domain = [("res_model", "=", record._name), ("res_id", "=", record.id)]
        if operation:
            domain.append(("operation", "=", operation))
        return self.Job.search(domain, order="id")


class XeroPushSmallRequests(XeroPushCommon):
    """Requests of 5 documents instead of 50 (so that 15 invoices make three
    requests), the customer's contact already in Xero."""

    def setUp(self):
        super().setUp()
        self.patch(xero_sync_job, "BATCH_SIZE", 5)
        # The contact goes first, so that the pushes below only send invoices.
        first = self.make_invoice()
        self.push()
        self.assertEqual(first.xero_state, "sent", first.xero_error)

    def make_invoices(self, count=15):
        return [self.make_invoice(amounts=(10.0 + i,)) for i in range(count)]


__all__ = ["XeroPushCommon", "XeroPushSmallRequests", "Command"]
