"""The trust receipt: what the firm gives a client for money received into
trust, one per posted receipt (a reversed receipt prints marked as reversed,
so a copy cannot pass for money still held)."""

from odoo import _, api, models
from odoo.exceptions import UserError

from .account_trust_report_access import check_trust_report_access


class ReportTrustReceipt(models.AbstractModel):
    _name = "report.account_xero.report_trust_receipt"
    _description = "Trust Receipt"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        receipts = self.env["account.trust.transaction"].browse(
            docids or data.get("transaction_ids") or [])
        if not receipts:
            raise UserError(_("Choose the receipt into trust to print."))
        check_trust_report_access(self.env, receipts)
        for tx in receipts:
            if tx.kind != "receipt" or tx.state != "posted" or tx.reversed_tx_id:
                raise UserError(_(
                    "%s is not a posted receipt into trust: only money received into trust has "
                    "a trust receipt.", tx.display_name))
        return {
            "doc_ids": receipts.ids,
            "doc_model": "account.trust.transaction",
            "docs": receipts,
        }
