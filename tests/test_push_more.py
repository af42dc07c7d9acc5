import time
from datetime import date, timedelta

from odoo import fields
from odoo.tests import tagged

from .test_push_common import XeroPushCommon


class Crash(Exception):
    pass


@tagged("post_install", "-at_install")
class TestPushMore(XeroPushCommon):

    def _puts(self, path_end):
        return [r for r in self.api_requests()
                if r["method"] in ("PUT", "POST") and r["path"].rstrip("/").endswith(path_end)]

    def test_credit_note_allocation_and_refund(self):
        invoice = self.make_invoice(amounts=(100.0,))
        note = self.make_invoice("out_refund", amounts=(40.0,))
        (invoice + note).line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable").reconcile()
        self.push()
        self.assertEqual(note.xero_state, "sent", note.xero_error)
        self.assertEqual(self.xero_doc("CreditNotes", note.xero_id)["Type"], "ACCRECCREDIT")
        alloc = self.jobs(note, "allocation")
        self.assertEqual(alloc.state, "done", alloc.error)
        self.assertAlmostEqual(float(self.xero_doc("Invoices", invoice.xero_id)["AmountDue"]),
                               invoice.amount_total - note.amount_total, places=2)
        # A refund: a payment against a credit note.
        note2 = self.make_invoice("out_refund", amounts=(20.0,))
        refund = self.pay(note2)
        self.push()
        self.assertEqual(refund.xero_state, "sent", refund.xero_error)
        self.assertEqual(self.xero_doc("Payments", refund.xero_id)["CreditNote"]
                         if isinstance(self.xero_doc("Payments", refund.xero_id).get("CreditNote"), str)
                         else self.xero_doc("Payments", refund.xero_id).get("CreditNoteID", note2.xero_id),
                         note2.xero_id)

    def test_multi_currency(self):
        invoice = self.make_invoice(amounts=(100.0,), currency=self.other_currency)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertEqual(doc["CurrencyCode"], "AUD")
        self.assertAlmostEqual(float(doc["CurrencyRate"]), 2.0)
        payment = self.pay(invoice, amount=50.0)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        self.assertAlmostEqual(float(self.xero_doc("Payments", payment.xero_id)["Amount"]), 50.0)

    def test_rounding_line(self):
        self.company.tax_calculation_rounding_method = "round_globally"
        invoice = self.make_invoice(amounts=(1.03, 1.03, 1.03))
        self.assertAlmostEqual(invoice.amount_total, 3.55)  # Xero per line: 3.54
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertAlmostEqual(float(doc["Total"]), 3.55)
        self.assertEqual(doc["LineItems"][-1]["Description"], "Rounding")

    def test_missing_mapping_blocks(self):
        account = self.company_data["default_account_revenue"].copy({"code": "499999"})
        before = len(self._puts("/Invoices"))
        invoice = self.make_invoice(post=False)
        invoice.invoice_line_ids.account_id = account
        invoice.action_post()
        self.push()
        self.assertEqual(invoice.xero_state, "blocked")
        self.assertIn(account.display_name, invoice.xero_error)
        self.assertEqual(len(self._puts("/Invoices")), before)
        self.assertEqual(self.jobs(invoice, "invoice").state, "blocked")

    def test_batch_with_one_invalid_element(self):
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=date(2025, 1, 31))
        good = self.make_invoice(date="2025-06-01")
        bad = self.make_invoice(date="2025-01-15")
        self.push()
        self.assertEqual(good.xero_state, "sent")
        self.assertEqual(bad.xero_state, "failed")
        self.assertTrue(bad.xero_error)
        self.assertEqual(len(self._puts("/Invoices")), 1)
        self.assertIn(bad, self.env["account.move"].search([("xero_state", "in", ("failed", "blocked"))]))

    def test_void_and_delete_payment(self):
        invoice = self.make_invoice()
        payment = self.pay(invoice, amount=10.0)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        xero_payment_id = payment.xero_id
        payment.action_draft()
        self.assertEqual(self.jobs(payment, "delete_payment").state, "pending")
        invoice.button_draft()
        self.push()
        self.assertEqual(self.xero_doc("Payments", xero_payment_id)["Status"], "DELETED")
        self.assertEqual(self.jobs(invoice, "void").state, "done", self.jobs(invoice, "void").error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "VOIDED")
        self.assertEqual(invoice.xero_state, "voided")

    def test_crash_after_accept_no_duplicate(self):
        invoice = self.make_invoice()
        self.push()  # the contact
        invoice2 = self.make_invoice(amounts=(70.0,))
        jobs = self.Job._claim()
        self.assertIn(self.jobs(invoice2, "invoice"), jobs)
        with self.assertRaises(Crash), self.env.cr.savepoint():
            jobs._process()
            self.env.flush_all()
            raise Crash()  # Xero accepted; our commit never happened
        self.env.invalidate_all()
        job = self.jobs(invoice2, "invoice")
        self.assertEqual(job.state, "sending")
        job.sudo().sending_until = fields.Datetime.now() - timedelta(minutes=1)
        self.push()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, invoice2.name), 1)
        self.assertEqual(invoice.xero_state, "sent")

    def test_idempotent_replay_after_dropped_answer(self):
        self.srv.faults.fail_after_commit(path="*/Invoices", method="PUT", then="drop")
        invoice = self.make_invoice()
        self.push()
        for _i in range(3):
            if invoice.xero_state == "sent":
                break
            self.Job.search([("state", "=", "pending")]).next_try_at = fields.Datetime.now()
            self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.srv.store.count_invoices(self.xero_tenant_id, invoice.name), 1)

    def test_rate_limit_storm(self):
        invoices = self.env["account.move"]
        for i in range(5):
            invoices |= self.make_invoice(amounts=(10.0 + i,))
        self.srv.faults.rate_limit(retry_after=1, times=8)
        for _i in range(15):
            self.push()
            if not self.Job.search_count([("state", "in", ("pending", "sending"))]):
                break
            time.sleep(1.1)
        self.assertEqual(set(invoices.mapped("xero_state")), {"sent"})
        self.assertFalse(self.Job.search([("state", "=", "failed")]))

    def test_claims_are_exclusive(self):
        self.make_invoice()
        first = self.Job._claim()
        self.assertTrue(first)
        self.assertFalse(self.Job._claim() & first)
