"""Firm withdrawal: the firm's own money leaves a trust account for one of
its office (business) bank accounts O, in one journal entry in the trust
journal (T = the trust bank, L = Trust liability, F = Trust paid by firm):

=====================  ==========================================  ========================
withdrawal type        journal entry                               refused when it exceeds
=====================  ==========================================  ========================
paid_by_firm           Dr L (client) / Cr F (client): the client's  what the client owes the
(recover paid by       trust money repays what the firm paid for    firm (paid by firm), the
firm)                  the client; Dr O / Cr T: it leaves trust     client's trust balance
interest               Dr O / Cr T: interest the bank credited to  the interest received in
                       the trust account (a Bank interest           the trust account (Bank
                       transaction, models/account_trust_bank.py)   interest) and not yet
                       leaves trust; only where the company says    withdrawn, as at every
                       trust interest is the firm's (Settings >     date; the firm's own
                       Trust accounting)                            money in trust
firm_funds             Dr O / Cr T: the firm's own money in trust   the firm's own money in
(firm's own funds)     (put in to fund paid by firm, or repaid by   the trust account
                       a firm reimbursement) goes back to office
=====================  ==========================================  ========================

Reversal, tamper-proofing and Xero are those of every trust transaction
(the entry's lines swapped; models/account_move_trust.py;
models/xero_push_trust_withdrawal.py).
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import float_compare
from odoo.tools.misc import format_date

WITHDRAWAL_TYPES = [
    ("paid_by_firm", "Recover paid by firm"),
    ("interest", "Interest earned"),
    ("firm_funds", "Firm's own funds"),
]


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    withdrawal_type = fields.Selection(
        WITHDRAWAL_TYPES, "Withdrawal of", tracking=True,
        compute="_compute_withdrawal_type", store=True, readonly=False, precompute=True,
        help="Firm withdrawal: recover what the firm paid for the client (from the client's "
        "trust money), the interest the bank paid on the trust account (Bank interest) that "
        "the firm is entitled to, or the firm's own money held in trust.")
    interest_account_id = fields.Many2one(
        "account.account", "Interest account", tracking=True, check_company=True,
        compute="_compute_withdrawal_type", store=True, readonly=False, precompute=True,
        domain="[('account_type', 'in', ('income', 'income_other', 'liability_current', "
        "'liability_payable'))]",
        help="Bank interest: the income account the interest is the firm's on or, where "
        "trust interest goes to a statutory fund, the liability account of what is owed "
        "to the fund.")

    @api.depends("kind", "reversed_tx_id")
    def _compute_withdrawal_type(self):
        for tx in self:
            if tx.reversed_tx_id:
                tx.withdrawal_type = tx.reversed_tx_id.withdrawal_type
                tx.interest_account_id = tx.reversed_tx_id.interest_account_id
                continue
            if tx.kind != "bank_interest":
                tx.interest_account_id = False
            if tx.kind != "firm_withdrawal":
                tx.withdrawal_type = False
            elif not tx.withdrawal_type:
                tx.withdrawal_type = "paid_by_firm"

    @api.constrains("kind", "withdrawal_type", "partner_id", "dest_journal_id",
                    "interest_account_id")
    def _check_firm_withdrawal(self):
        for tx in self.filtered(lambda t: t.kind == "firm_withdrawal"):
            if not tx.withdrawal_type:
                raise ValidationError(_(
                    "Firm withdrawal: choose what the firm withdraws (paid by firm, interest or "
                    "its own funds)."))
            if tx.withdrawal_type == "paid_by_firm" and not tx.partner_id:
                raise ValidationError(_(
                    "Firm withdrawal of paid by firm: choose the client whose trust money "
                    "repays the firm."))
            if tx.withdrawal_type == "interest" \
                    and not tx.company_id.sudo().trust_interest_to_firm:
                raise ValidationError(_(
                    "Firm withdrawal of interest: the interest on %(company)s's trust accounts "
                    "is not the firm's (Settings > Accounting > Trust accounting: Trust "
                    "interest goes to the firm is off); it is owed to the statutory fund.",
                    company=tx.company_id.name))
            if tx.dest_journal_id.is_trust_account:
                raise ValidationError(_(
                    "Firm withdrawal: %s is a trust account; the firm's money goes to one of "
                    "its office (business) bank accounts.", tx.dest_journal_id.display_name))

    def _get_firm_withdrawal_legs(self):
        """``_get_move_legs`` of a firm withdrawal (account_trust_entry.py)."""
        self.ensure_one()
        trust_bank = self.journal_id.default_account_id
        office = self.dest_journal_id.default_account_id
        for journal, account in ((self.journal_id, trust_bank), (self.dest_journal_id, office)):
            if not account:
                raise UserError(_("Journal %s has no bank account.", journal.display_name))
        client = self.partner_id
        label = self._get_label()
        amount = self.amount
        lines = [(office, client, amount, label), (trust_bank, client, -amount, label)]
        if self.withdrawal_type == "paid_by_firm":
            liability = self._get_trust_account("trust_liability_account_id")
            pbf = self._get_trust_account("trust_paid_by_firm_account_id")
            lines = [(liability, client, amount, label), (pbf, client, -amount, label), *lines]
        return [(self.journal_id, self.matter_id, lines)]

    # Its label names the withdrawal type (account_trust_entry.py).

    def _check_firm_withdrawal_balance(self, legs):
        """A firm withdrawal is refused in its own words: what the firm may
        take is its own money, or what the client owes it (called first by
        ``_check_trust_balance``, account_trust_balance.py)."""
        changes = self._guarded_changes(legs)
        if not changes:
            return
        self._lock_trust_balances(":".join(str(part) for part in key) for key in changes)
        rounding = self.company_id.currency_id.rounding
        Journal = self.env["account.journal"]
        Partner = self.env["res.partner"]
        for key, delta in sorted(changes.items(), key=self._guarded_order):
            balance = self._guarded_balance(key, self.date)
            if float_compare(balance + delta, 0.0, precision_rounding=rounding) >= 0:
                continue
            amount, what = self._format(-delta), key[0]
            if what == "owed":
                raise UserError(_(
                    "%(client)s owes the firm %(owed)s paid by firm: the firm cannot recover "
                    "%(amount)s from trust.", client=Partner.browse(key[2]).display_name,
                    owed=self._format(balance), amount=amount))
            if what == "client":
                raise UserError(_(
                    "%(client)s holds %(balance)s in %(journal)s: the firm cannot recover "
                    "%(amount)s paid by firm from it. Record the client's receipt into trust "
                    "first.", client=Partner.browse(key[2]).display_name,
                    journal=Journal.browse(key[3]).name, balance=self._format(balance),
                    amount=amount))
            if what == "interest":
                raise UserError(_(
                    "%(journal)s has received %(available)s of interest not yet withdrawn "
                    "(the lowest from %(date)s on): the firm cannot withdraw %(amount)s of "
                    "interest. Record the interest the bank credited first (Bank interest).",
                    journal=Journal.browse(key[2]).name, available=self._format(balance),
                    date=format_date(self.env, self.date), amount=amount))
            if what in ("firm", "own"):
                raise UserError(_(
                    "%(journal)s holds %(available)s of the firm's own money: withdrawing "
                    "%(amount)s would take clients' money.",
                    journal=Journal.browse(key[2]).name, available=self._format(balance),
                    amount=amount))
