"""Reversing a posted trust transaction: the user asks through the reversal
wizard (wizard/account_trust_reversal_wizard.py) for a date and a reason;
the reversing (mirror) transaction records both, links back to the one it
reverses (``reversed_tx_id``) and carries the reason in its journal entry's
reference. The reversal itself is ``_reverse`` (account_trust_transaction.py)."""

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date


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
        """Also without the wizard: never dated before what it reverses."""
        res = super()._check_reversible()  # pylint: disable=assignment-from-none
        if self.date < self.reversed_tx_id.date:
            raise UserError(_(
                "The reversal of %(tx)s cannot be dated %(date)s, before the transaction "
                "itself (%(tx_date)s): choose %(tx_date)s or later.",
                tx=self.reversed_tx_id.display_name, date=format_date(self.env, self.date),
                tx_date=format_date(self.env, self.reversed_tx_id.date)))
        return res

    def _get_label(self):
        label = super()._get_label()
        if self.reversed_tx_id and self.reversal_reason:
            label = "%s – %s" % (label, self.reversal_reason)
        return label

    def _prepare_move_vals(self, leg=None):
        vals = super()._prepare_move_vals(leg)
        if self.reversed_tx_id:
            vals["ref"] = " – ".join(filter(None, [
                vals.get("ref"), _("Reversal of %s", self.reversed_tx_id.name),
                self.reversal_reason]))
        return vals
