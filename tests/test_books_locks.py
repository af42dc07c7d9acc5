"""Xero's lock dates: a document dated on or before the organisation's
period or end of year lock date is blocked before it is sent, with a
message naming the lock date and what to do (Xero would refuse it)."""

from datetime import date

from odoo import Command
from odoo.tests import tagged

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestBooksLockDates(XeroPushCommon):

    def lock(self, period=None, end_of_year=None):
        """Lock dates set in Xero, and on the connection as "Refresh from
        Xero" reads them from the Organisation (test_mapping checks that
        read; a refresh here would read this test's fresh organisation's
        accounts, other ids than the class's maps)."""
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=period, end_of_year=end_of_year)
        self.connection.write({"xero_period_lock_date": period,
                               "xero_end_of_year_lock_date": end_of_year})

    def test_document_before_the_lock_date_is_blocked_not_sent(self):
        self.lock(period=date(2025, 6, 30))
        self.assertEqual(self.connection.xero_period_lock_date, date(2025, 6, 30))
        open_invoice = self.make_invoice(date="2025-07-01")
        locked = self.make_invoice(date="2025-06-30")
        self.push()
        self.assertEqual(open_invoice.xero_state, "sent", open_invoice.xero_error)
        job = self.jobs(locked, "invoice")
        self.assertEqual((job.state, locked.xero_state), ("blocked", "blocked"), job.error)
        self.assertIn("period lock date", locked.xero_error)
        self.assertIn("2025-06-30", locked.xero_error)
        self.assertIn("Refresh from Xero", locked.xero_error)
        self.assertEqual([d["InvoiceNumber"] for d in self.xero_docs("Invoices")],
                         [open_invoice.name], "nothing refused by Xero was sent")

        # A payment dated in the locked period, on an invoice of an open one.
        payment = self.pay(open_invoice, amount=10.0, date="2025-06-15")
        self.push()
        self.assertEqual(payment.xero_state, "blocked")
        self.assertIn("2025-06-30", payment.xero_error)
        self.assertFalse(self.xero_docs("Payments"))

        # The adviser moves the lock date; refreshed and retried, both go.
        self.lock(period=date(2025, 5, 31))
        (self.jobs(locked, "invoice") | self.jobs(payment, "payment")).action_retry()
        self.push()
        self.assertEqual((locked.xero_state, payment.xero_state), ("sent", "sent"),
                         locked.xero_error or payment.xero_error)

    def test_end_of_year_lock_blocks_entries_and_voids(self):
        self.connection.sync_entries = True
        self.lock(end_of_year=date(2025, 3, 31))
        misc = self.company_data["default_journal_misc"]
        expense = self.company_data["default_account_expense"]
        revenue = self.company_data["default_account_revenue"]
        entry = self.env["account.move"].create({
            "move_type": "entry", "journal_id": misc.id, "date": "2025-03-31",
            "line_ids": [Command.create({"name": "x", "account_id": expense.id, "debit": 10.0}),
                         Command.create({"name": "x", "account_id": revenue.id, "credit": 10.0})],
        })
        entry.action_post()
        self.push()
        self.assertEqual(entry.xero_state, "blocked")
        self.assertIn("end of year lock date", entry.xero_error)
        self.assertIn("2025-03-31", entry.xero_error)
        self.assertFalse(self.xero_docs("ManualJournals"))

        # Sent in an open period, then the period locked: its void is
        # blocked too (Xero refuses voiding a document in a locked period).
        invoice = self.make_invoice(date="2025-06-01")
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.lock(end_of_year=date(2025, 6, 30))
        invoice.button_draft()
        self.push()
        void = self.jobs(invoice, "void")
        self.assertEqual(void.state, "blocked", void.error)
        self.assertIn("end of year lock date", void.error)
        self.assertEqual(self.xero_docs("Invoices")[0]["Status"], "AUTHORISED")
