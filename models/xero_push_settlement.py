"""The jobs of bank and cash entries that settle invoices and bills
(account_move_settlement.py): their "payment" jobs go through the payments'
sender (xero_push_payment.py: the Reference carrying the job key, the
look-up of one in doubt, the wait for the invoice), not the deposits' (an
entry is no deposit); their entry job makes nothing in Xero."""

from odoo import _, api, models
from odoo.exceptions import ValidationError


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    @api.constrains("res_model", "res_id", "operation")
    def _check_xero_entry_payment(self):
        """Payments of a journal entry only (a bank entry settling an
        invoice), never of an invoice: a delete-payment job on any move
        would delete any payment of the Xero organisation."""
        for job in self.filtered(lambda j: j.res_model == "account.move"
                                 and j.operation in ("payment", "delete_payment")):
            move = self.env["account.move"].sudo().browse(job.res_id).exists()
            if move and move.move_type != "entry":
                raise ValidationError(_(
                    "A %(model)s document is not sent to Xero as \"%(operation)s\".",
                    model=job.res_model, operation=job.operation))

    def _send_payment(self, api):
        entries, others = self._split_entries()
        res = super(XeroSyncJob, others)._send_payment(api) if others else None
        if entries:
            entries._send_requests(api, entries._payment_requests(api))
        return res

    def _entry_prepare(self, api, operation):
        settlements = self.browse()
        for job in self:
            move = job._record()
            if move is not None and move.state == "posted" \
                    and move._xero_settlement_lines() is not None:
                settlements |= job
        for job in settlements:
            move = job._record()
            unmatched = move._xero_settlement_unmatched()
            if unmatched:
                job._set_blocked(_(
                    "%(amount)s of %(move)s on receivable / payable is matched with no invoice or "
                    "bill. Xero keeps Accounts Receivable / Payable as the sum of its invoices and "
                    "bills: money in or out goes there only as a payment on one. Match it with "
                    "them (each match goes to Xero as a payment), or record it on another "
                    "account.",
                    amount=move.company_currency_id.format(unmatched), move=move.name))
            else:
                job._cancel(_("Goes to Xero as a payment on each invoice or bill it settles."))
            move._xero_refresh_state()
            self._commit()
        return super(XeroSyncJob, self - settlements)._entry_prepare(api, operation)
