"""What a user does and sees: settings that decide what goes, the "Post to
Xero" list action, the "Xero: failed" filter, retry and ignore on the sync
log, voids Xero refuses, and the cron's progress and re-trigger."""

from datetime import date

from lxml import etree

from odoo import fields
from odoo.exceptions import UserError
from odoo.tests import tagged
from odoo.tools.safe_eval import safe_eval

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestPushActions(XeroPushCommon):

    def cron(self):
        return self.env.ref("account_xero.ir_cron_xero_push")

    def triggers(self):
        self.env.cr.flush()  # what a commit does first: the trigger for now is made then
        return self.env["ir.cron.trigger"].search([("cron_id", "=", self.cron().id)])

    def filter_domain(self, view_xmlid, name):
        arch = etree.fromstring(self.env.ref(view_xmlid).arch)
        node = arch.find(".//filter[@name='%s']" % name)
        self.assertIsNotNone(node, name)
        return safe_eval(node.get("domain"))

    # -- what goes ------------------------------------------------------------
    def test_sync_from_date(self):
        self.connection.sync_from_date = date(2025, 6, 1)
        old = self.make_invoice(date="2025-05-31")
        new = self.make_invoice(date="2025-06-01")
        self.assertFalse(self.jobs(old))
        self.assertEqual(old.xero_state, "not_sent")
        self.assertEqual(new.xero_state, "queued")
        with self.assertRaisesRegex(UserError, "Sync documents from"):
            old.action_xero_post()
        self.push()
        self.assertEqual(new.xero_state, "sent", new.xero_error)
        self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, old.name), 0)

    def test_sales_invoices_off(self):
        self.connection.sync_sales_invoices = False
        invoice = self.make_invoice()
        note = self.make_invoice("out_refund")
        bill = self.make_invoice("in_invoice")
        self.assertFalse(self.jobs(invoice) | self.jobs(note))
        self.assertEqual(set((invoice | note).mapped("xero_state")), {"not_sent"})
        self.assertEqual(bill.xero_state, "queued")
        # Its payment does not go either.
        payment = self.pay(invoice)
        self.assertFalse(self.jobs(payment))
        self.push()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertFalse(self.xero_docs("CreditNotes"))
        self.assertEqual([d["Type"] for d in self.xero_docs("Invoices")], ["ACCPAY"])

    def test_supplier_invoices_off(self):
        self.connection.sync_supplier_invoices = False
        bill = self.make_invoice("in_invoice")
        refund = self.make_invoice("in_refund")
        invoice = self.make_invoice()
        self.assertFalse(self.jobs(bill) | self.jobs(refund))
        self.assertEqual(set((bill | refund).mapped("xero_state")), {"not_sent"})
        self.assertEqual(invoice.xero_state, "queued")
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual([d["Type"] for d in self.xero_docs("Invoices")], ["ACCREC"])

    # -- actions --------------------------------------------------------------
    def test_post_to_xero_list_action_queues_and_triggers(self):
        self.connection.sync_sales_invoices = False
        never_queued = self.make_invoice(amounts=(11.0,))
        self.connection.sync_sales_invoices = True
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=date(2025, 6, 30))
        refused = self.make_invoice(amounts=(22.0,))
        self.push()
        self.assertEqual(never_queued.xero_state, "not_sent")
        self.assertEqual(refused.xero_state, "failed")
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=None)
        before_requests = len(self.api_requests())
        self.triggers().unlink()

        action = self.env.ref("account_xero.account_move_action_xero_post")
        action.with_context(active_model="account.move",
                            active_ids=(never_queued | refused).ids).run()
        # Queued, the cron woken; no HTTP in the user's transaction.
        self.assertEqual(set((never_queued | refused).mapped("xero_state")), {"queued"})
        self.assertEqual(len(self.api_requests()), before_requests)
        self.assertTrue(self.triggers().filtered(lambda t: t.call_at <= fields.Datetime.now()))
        self.push()
        self.assertEqual(set((never_queued | refused).mapped("xero_state")), {"sent"})

    def test_xero_failed_filter(self):
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=date(2025, 5, 31))
        ok = self.make_invoice(date="2025-06-01")
        failed = self.make_invoice(date="2025-05-15")
        paid_ok = self.pay(ok, amount=10.0, date="2025-06-10")
        paid_failed = self.pay(ok, amount=10.0, date="2025-05-20")
        self.push()
        self.assertEqual(failed.xero_state, "failed")
        self.assertEqual(paid_failed.xero_state, "failed")
        self.assertIn("lock date", paid_failed.xero_error)
        moves = self.env["account.move"].search(
            self.filter_domain("account_xero.view_account_invoice_filter_inherit_account_xero",
                               "xero_failed") + [("id", "in", (ok | failed).ids)])
        self.assertEqual(moves, failed)
        payments = self.env["account.payment"].search(
            self.filter_domain("account_xero.view_account_payment_search_inherit_account_xero",
                               "xero_failed") + [("id", "in", (paid_ok | paid_failed).ids)])
        self.assertEqual(payments, paid_failed)

    def test_log_retry_and_ignore(self):
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=date(2025, 6, 30))
        refused = self.make_invoice(amounts=(33.0,))
        unmapped_account = self.company_data["default_account_revenue"].copy({"code": "499998"})
        blocked = self.make_invoice(post=False)
        blocked.invoice_line_ids.account_id = unmapped_account
        blocked.action_post()
        self.push()
        refused_job = self.jobs(refused, "invoice")
        blocked_job = self.jobs(blocked, "invoice")
        self.assertEqual((refused_job.state, blocked_job.state), ("failed", "blocked"))
        self.assertIn(unmapped_account.display_name, blocked_job.error)

        # Ignore: out of the queue and off the failed list; never sent.
        blocked_job.action_ignore()
        self.assertEqual(blocked_job.state, "cancelled")
        self.assertEqual(blocked.xero_state, "not_sent")
        self.assertNotIn(blocked, self.env["account.move"].search(
            [("xero_state", "in", ("failed", "blocked"))]))

        # Retry: pending again, the cron woken, sent once Xero accepts it.
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=None)
        self.triggers().unlink()
        refused_job.action_retry()
        self.assertEqual(refused_job.state, "pending")
        self.assertEqual(refused.xero_state, "queued")
        self.assertTrue(self.triggers())
        self.push()
        self.assertEqual(refused_job.state, "done", refused_job.error)
        self.assertEqual(refused.xero_state, "sent")
        self.assertEqual(blocked_job.state, "cancelled")
        self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, blocked.name), 0)
        # Done jobs are not retried, nor ignored.
        refused_job.action_retry()
        refused_job.action_ignore()
        self.assertEqual(refused_job.state, "done")

    # -- undoing ------------------------------------------------------------
    def test_void_blocked_when_xero_holds_payments(self):
        invoice = self.make_invoice(amounts=(100.0,))
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        # Paid in Xero, not in Odoo.
        from xero_python.accounting import Account, Invoice, Payment
        api = self.connection._xero_accounting_client()
        self.assertTrue(api.create_payments(
            [Payment(invoice=Invoice(invoice_id=invoice.xero_id), account=Account(code="090"),
                     amount=25.0, date=date(2025, 6, 5))], "paid-in-xero-2")[0].ok)
        invoice.button_draft()
        void = self.jobs(invoice, "void")
        self.assertEqual(void.state, "pending")
        self.push()
        self.assertEqual(void.state, "blocked")
        self.assertIn("Xero holds payments or allocations on %s" % invoice.name, void.error)
        self.assertEqual(invoice.xero_state, "blocked")
        self.assertIn("reverse the payments in Odoo, or delete them in Xero", invoice.xero_error)
        # Nothing voided.
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "AUTHORISED")
        self.assertFalse([r for r in self.api_requests() if r["method"] == "POST"
                          and invoice.xero_id.lower() in r["path"].lower()])

    def test_void_deletes_a_document_still_draft_in_xero(self):
        """The engine sends documents AUTHORISED (payloads.DocumentValues.status),
        so a Xero draft comes from elsewhere (e.g. set back to draft in Xero);
        then a reset in Odoo deletes it instead of voiding it."""
        invoice = self.make_invoice()
        self.push()
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "AUTHORISED")
        with self.srv.store.lock:
            docs = self.srv.store.tenant(self.xero_tenant_id).docs["Invoices"]
            docs[invoice.xero_id.lower()] = dict(docs[invoice.xero_id.lower()], Status="DRAFT")
        invoice.button_draft()
        self.push()
        self.assertEqual(self.jobs(invoice, "void").state, "done", self.jobs(invoice, "void").error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "DELETED")
        self.assertEqual(invoice.xero_state, "voided")

    # -- the cron -------------------------------------------------------------
    def test_cron_progress_and_retrigger(self):
        invoices = self.env["account.move"]
        for i in range(3):
            invoices |= self.make_invoice(amounts=(10.0 + i,))
        self.assertEqual(self.Job._count_due(), 4)  # the contact, three invoices
        self.triggers().unlink()
        progress = self.env["ir.cron.progress"].create({"cron_id": self.cron().id})
        # One job per round and no time left: work remains after this run.
        self.env.invalidate_all()
        done = self.Job.with_context(ir_cron_progress_id=progress.id)._cron_push(
            time_budget=0, limit=1)
        self.assertEqual(done, 1)
        # remaining=0 whatever is left: "remaining > 0" would make Odoo run
        # the call again inside the same unit of work (and its watchdog);
        # the trigger starts the next unit instead.
        self.assertEqual((progress.done, progress.remaining), (1, 0))
        self.assertEqual(self.Job._count_due(), 3)
        self.assertTrue(self.triggers().filtered(lambda t: t.call_at <= fields.Datetime.now()),
                        "the cron triggers itself while work remains")
        # A full run drains the queue and says so.
        self.triggers().unlink()
        progress2 = self.env["ir.cron.progress"].create({"cron_id": self.cron().id})
        self.env.invalidate_all()
        self.Job.with_context(ir_cron_progress_id=progress2.id)._cron_push()
        self.env.invalidate_all()
        self.assertEqual((progress2.done, progress2.remaining), (3, 0))
        self.assertFalse(self.triggers().filtered(lambda t: t.call_at <= fields.Datetime.now()))
        self.assertEqual(set(invoices.mapped("xero_state")), {"sent"})
