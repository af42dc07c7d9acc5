"""Bank fees and interest on a trust account: what the bank itself takes
from, or credits to, the trust bank account, each as a trust transaction (a
journal entry written by hand in a trust journal is refused:
models/account_move_trust.py). T = the trust journal's bank account.

=============  ==============================================  =======================
kind           journal entry (in the trust journal)            refused when
=============  ==============================================  =======================
bank_fee       Dr fee account / Cr T: the firm's cost, paid    it exceeds the firm's
               with the firm's own money in the trust account  own money in trust, as
                                                               at every date
bank_interest  Dr T / Cr interest account: income where the    never (its reversal:
               company's trust interest is the firm's          when the interest was
               (withdrawn by a firm withdrawal of interest),   withdrawn)
               else a liability (owed to the statutory fund)
=============  ==============================================  =======================

Neither moves a client's money: no client, no matter.
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

INCOME_TYPES = ("income", "income_other")
FUND_TYPES = ("liability_current", "liability_payable")


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    fee_account_id = fields.Many2one(
        "account.account", "Fee account", tracking=True, check_company=True,
        domain="[('account_type', 'in', ('expense', 'expense_direct_cost'))]",
        help="Bank fee: the firm's expense account the trust account's bank fee is booked to.")

    @api.constrains("kind", "fee_account_id", "interest_account_id")
    def _check_bank_fee_interest(self):
        for tx in self.filtered(lambda t: t.kind in ("bank_fee", "bank_interest")):
            if tx.kind == "bank_fee":
                if not tx.fee_account_id:
                    raise ValidationError(_("Bank fee: choose the fee (expense) account."))
                continue
            to_firm = tx.company_id.sudo().trust_interest_to_firm
            types = INCOME_TYPES if to_firm else FUND_TYPES
            if not tx.interest_account_id:
                raise ValidationError(_("Bank interest: choose the interest account."))
            if tx.interest_account_id.account_type not in types:
                raise ValidationError(_(
                    "Bank interest: %(account)s is not %(what)s.",
                    account=tx.interest_account_id.display_name,
                    what=_("an income account: the company's trust interest is the firm's")
                    if to_firm else _("a liability account: the company's trust interest is "
                                      "owed to the statutory fund")))

    def _get_bank_legs(self):
        """``_get_move_legs`` of a bank fee or interest (account_trust_entry.py)."""
        self.ensure_one()
        trust_bank = self.journal_id.default_account_id
        label = self._get_label()
        amount = self.amount
        partner = self.env["res.partner"]
        if self.kind == "bank_fee":
            lines = [(self.fee_account_id, partner, amount, label),
                     (trust_bank, partner, -amount, label)]
        else:
            lines = [(trust_bank, partner, amount, label),
                     (self.interest_account_id, partner, -amount, label)]
        return [(self.journal_id, self.matter_id, lines)]
