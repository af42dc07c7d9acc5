from datetime import date

from odoo.tests import HttpCase, tagged

from .common import BrowserTestMixin
from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestSyncLogTour(BrowserTestMixin, XeroPushCommon, HttpCase):
    """Retry and Ignore on a Sync Log row, in the browser: Retry drops the old
    error and the invoice shows "Xero: Queued" beside its status; Ignore asks
    first and says which document now shows Not sent."""

    def test_retry_and_ignore_tour(self):
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=date(2025, 6, 30))
        invoice = self.make_invoice(amounts=(77.0,))
        self.push()
        job = self.jobs(invoice, "invoice")
        self.assertEqual(job.state, "failed")
        self.start_tour(f"/odoo/action-account_xero.xero_sync_job_action/{job.id}",
                        "account_xero_sync_log_tour", login="accountman")
        self.assertEqual((job.state, invoice.xero_state), ("cancelled", "not_sent"))
