"""Reversing a posted trust transaction: the user asks through the reversal
wizard (wizard/account_trust_reversal_wizard.py) for a date and a reason;
the reversing (mirror) transaction records both, links back to the one it
reverses (``reversed_tx_id``) and carries the reason in its journal entry's
reference. ``_reverse`` creates and posts the reversing transactions;
``_check_reversible`` is checked when each is posted."""

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date

from .account_trust_transaction import trust_internal


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    reversal_reason = fields.Char(
        "Reason for reversal", readonly=True, copy=False, tracking=True,
        help="Why the transaction this one reverses was undone.")

    def action_reverse(self):
        """Open the reversal wizard (date and reason) for these transactions."""
        return {
            "type": "ir.actions.act_window",
            "name": _("Reverse Trust Transaction"),
            "res_model": "account.trust.reversal.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {
                "active_model": self._name,
                "active_ids": self.ids,
            },
        }

    def _check_reversible(self):
        """Whether this reversing transaction may be posted (with or without
        the wizard): the original posted, not itself a reversal, not reversed
        yet, and never reversed before its own date."""
        self.ensure_one()
        original = self.reversed_tx_id
        if original.state != "posted":
            raise UserError(_("Only a posted trust transaction can be reversed."))
        if original.reversed_tx_id:
            raise UserError(_(
                "%s is itself a reversal: record the transaction again instead of reversing "
                "the reversal.", original.display_name))
        if original.reversal_ids.filtered(lambda r: r.state == "posted" and r != self):
            raise UserError(_("%s is already reversed.", original.display_name))
        if self.date < original.date:
            raise UserError(_(
                "The reversal of %(tx)s cannot be dated %(date)s, before the transaction "
                "itself (%(tx_date)s): choose %(tx_date)s or later.",
                tx=original.display_name, date=format_date(self.env, self.date),
                tx_date=format_date(self.env, original.date)))

    def _reverse(self, date=None, reason=None):
        """Undo posted trust transactions: a reversing trust transaction each,
        linked to it and posted on ``date`` (today by default) with ``reason``
        (trust records are never deleted). Users reverse through the
        reversal wizard (``action_reverse`` above)."""
        reversals = self.browse()
        for tx in self:
            reversal = trust_internal(self).create({
                "kind": tx.kind,
                "company_id": tx.company_id.id,
                "date": date or max(fields.Date.context_today(self), tx.date),
                "reversal_reason": reason,
                "partner_id": tx.partner_id.id,
                "matter_id": tx.matter_id.id,
                "payee_id": tx.payee_id.id,
                "amount": tx.amount,
                "journal_id": tx.journal_id.id,
                "dest_journal_id": tx.dest_journal_id.id,
                "dest_partner_id": tx.dest_partner_id.id,
                "dest_matter_id": tx.dest_matter_id.id,
                "invoice_id": tx.invoice_id.id,
                "fee_account_id": tx.fee_account_id.id,
                "reversed_tx_id": tx.id,
            }).with_env(self.env)
            reversal._check_reversible()
            reversals |= reversal
        reversals.action_post()
        for tx in self:
            name = tx.reversal_ids.filtered(lambda r: r.state == "posted")[-1:].name
            tx.message_post(body=_("Reversed by %(name)s: %(reason)s", name=name, reason=reason)
                            if reason else _("Reversed by %s.", name))
        if len(reversals) == 1:
            return {
                "type": "ir.actions.act_window",
                "res_model": self._name,
                "res_id": reversals.id,
                "view_mode": "form",
            }
        return True

    # A reversal's label and entry reference (its reason): account_trust_entry.py.
