"""The reversal wizard: undo posted trust transactions on a date, for a
reason, both recorded on the reversing transaction (and in its journal
entry's reference). Trust records are never deleted: a reversal is a
mirror transaction, checked against the balances like any other."""

from odoo import _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.misc import clean_context, format_date

# Who may reverse trust transactions (the group that posts them).
TRUST_REVERSE_GROUP = "account_xero.group_trust_user"


class AccountTrustReversalWizard(models.TransientModel):
    _name = "account.trust.reversal.wizard"
    _description = "Reverse Trust Transaction"
    _check_company_auto = True

    transaction_ids = fields.Many2many(
        "account.trust.transaction", string="Trust transactions", required=True)
    company_id = fields.Many2one(
        "res.company", compute="_compute_company_id", store=True)
    date = fields.Date(
        "Reversal date", required=True, default=fields.Date.context_today,
        help="The date of the reversing transaction and its journal entry: not before the "
        "transaction it reverses, nor in a locked period.")
    reason = fields.Char(
        required=True, help="Why the transaction is reversed: kept on the reversing "
        "transaction and in its journal entry's reference.")

    @api.model
    def default_get(self, fields_list):
        res = super().default_get(fields_list)
        if "transaction_ids" in fields_list and not res.get("transaction_ids") \
                and self.env.context.get("active_model") == "account.trust.transaction":
            res["transaction_ids"] = [fields.Command.set(self.env.context.get("active_ids", []))]
        return res

    @api.depends("transaction_ids")
    def _compute_company_id(self):
        for wizard in self:
            wizard.company_id = wizard.transaction_ids.company_id[:1]

    def _check_reversal(self):
        """Refuse what the reversal may not do, in the user's words."""
        self.ensure_one()
        if not self.env.user.has_group(TRUST_REVERSE_GROUP):
            raise AccessError(_("Only accountants may reverse trust transactions."))
        if not self.reason or not self.reason.strip():
            raise UserError(_("Give the reason for the reversal: it stays in the trust records."))
        for tx in self.transaction_ids:
            if tx.state != "posted":
                raise UserError(_("%s is not posted: only a posted trust transaction is "
                                  "reversed.", tx.display_name))
            if self.date < tx.date:
                raise UserError(_(
                    "The reversal of %(tx)s cannot be dated %(date)s, before the transaction "
                    "itself (%(tx_date)s): choose %(tx_date)s or later.", tx=tx.display_name,
                    date=format_date(self.env, self.date), tx_date=format_date(self.env, tx.date)))
            for journal in (tx.move_id | tx.dest_move_id).journal_id:
                lock = tx.company_id._get_user_fiscal_lock_date(journal)
                if lock and self.date <= lock:
                    raise UserError(_(
                        "%(date)s is in a locked period of %(company)s (journal %(journal)s is "
                        "locked up to %(lock)s): date the reversal of %(tx)s after %(lock)s.",
                        date=format_date(self.env, self.date), company=tx.company_id.name,
                        journal=journal.name, lock=format_date(self.env, lock),
                        tx=tx.display_name))

    def action_reverse(self):
        self.ensure_one()
        self._check_reversal()
        # Not the wizard's context (its defaults, active ids) into the entries.
        transactions = self.transaction_ids.with_context(
            clean_context(self.env.context), active_model=None, active_id=None, active_ids=None)
        return transactions._reverse(date=self.date, reason=self.reason.strip())
