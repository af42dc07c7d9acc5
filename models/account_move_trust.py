"""Guards on the accounting of trust (client money) transactions.

A posted trust transaction's journal entries (``move_id``, ``dest_move_id``)
and, for a transfer to office, the invoice's customer payment and its entry
are the trust records in the books: the trust ledger, the overdraw check and
Xero all read them. So, as Odoo guards posted moves (account.move ``write``,
``_check_fiscal_lock_dates``, ``@api.ondelete``), nobody (administrators
included) resets them to draft, cancels, deletes or reverses them with the
standard wizard, changes what they post (accounts, clients, amounts, dates,
journal), adds or removes journal items, nor unreconciles them (which, for the
invoice payment, would make the client money come back without a trust
transaction). The only way back is the trust transaction's own reversal
(``account.trust.transaction.action_reverse``): a mirror transaction, checked
against the balances like any other, which cancels the invoice payment
through ``trust_internal`` (see models/account_trust_transaction.py).
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .account_trust_transaction import trust_write_allowed

# What a journal entry posts: never changed on a trust transaction's entry.
MOVE_LOCKED_FIELDS = {
    "state", "name", "date", "journal_id", "line_ids", "invoice_line_ids", "partner_id",
    "currency_id", "company_id", "move_type", "trust_transaction_id", "origin_payment_id",
}
LINE_LOCKED_FIELDS = {
    "move_id", "account_id", "partner_id", "balance", "debit", "credit", "amount_currency",
    "currency_id", "date", "journal_id", "company_id", "tax_ids", "tax_line_id",
    "tax_repartition_line_id", "display_type", "price_unit", "quantity", "name",
    "trust_matter_id",
}
# What a reconciliation settles.
PARTIAL_LOCKED_FIELDS = {
    "amount", "debit_amount_currency", "credit_amount_currency", "debit_move_id",
    "credit_move_id",
}
PAYMENT_LOCKED_FIELDS = {
    "state", "move_id", "trust_transaction_id", "outstanding_account_id",
    "payment_method_line_id", "invoice_ids",
}



def refuse_trust_link(env, vals_list, message):
    """Refuse (with ``message()``) records created already linked to a trust
    transaction, except by the addon's own writes."""
    if not trust_write_allowed(env) and any(vals.get("trust_transaction_id") for vals in vals_list):
        raise UserError(message())

class AccountMove(models.Model):
    _inherit = "account.move"

    trust_transaction_id = fields.Many2one(
        "account.trust.transaction", "Trust transaction", readonly=True, copy=False,
        index="btree_not_null")

    @api.model
    def _trust_refuse(self, record, tx, what):
        """The refusal of ``what`` for ``record`` (an entry, item or payment of
        the trust transaction ``tx``)."""
        raise UserError(_(
            "%(record)s belongs to trust transaction %(tx)s and cannot be %(what)s: client "
            "money in trust stays as it was posted. To undo it, reverse the trust transaction "
            "instead (Accounting > Trust, Reverse).",
            record=record.sudo().display_name, tx=tx.sudo().display_name, what=what))

    def _trust_source(self):
        """The trust transaction whose record this entry is: its own entry,
        or the entry of its invoice payment (transfer to office)."""
        self.ensure_one()
        move = self.sudo()
        return move.trust_transaction_id or move.origin_payment_id.trust_transaction_id

    def _trust_check(self, what, draft_too=False):
        """Refuse ``what`` on entries of trust transactions (out of draft
        unless ``draft_too``), except to the addon's own actions."""
        if trust_write_allowed(self.env):
            return
        for move in self:
            if (draft_too or move.state != "draft") and move._trust_source():
                self._trust_refuse(move, move._trust_source(), what)

    @api.model_create_multi
    def create(self, vals_list):
        refuse_trust_link(self.env, vals_list, lambda: _(
            "A journal entry is linked to a trust transaction only by posting the trust "
            "transaction (Accounting > Trust)."))
        return super().create(vals_list)

    def write(self, vals):
        if not trust_write_allowed(self.env):
            if "trust_transaction_id" in vals:
                self._trust_check(_("changed"), draft_too=True)
                raise UserError(_(
                    "A journal entry is linked to a trust transaction only by posting the "
                    "trust transaction (Accounting > Trust)."))
            if MOVE_LOCKED_FIELDS.intersection(vals):
                self._trust_check(_("changed"))
        return super().write(vals)

    def _trust_accounts(self):
        """The company's trust accounts (Trust liability, Trust transfers,
        Trust paid by firm, Statutory deposit) and its trust banks' accounts."""
        self.ensure_one()
        company = self.company_id.sudo()
        banks = self.env["account.journal"].sudo().search([
            *self.env["account.journal"]._check_company_domain(company),
            ("type", "=", "bank"), ("is_trust_account", "=", True)]).default_account_id
        return (company.trust_liability_account_id | company.trust_transfer_account_id
                | company.trust_paid_by_firm_account_id | company.statutory_deposit_account_id
                | banks)

    def _trust_check_hand_entry(self):
        """Refuse to post an entry by hand in a trust journal or on a trust
        account: only trust transactions post there (README, trust rules)."""
        if trust_write_allowed(self.env):
            return
        for move in self:
            if move._trust_source():
                continue
            touched = move.sudo().line_ids.account_id & move._trust_accounts()
            if not (move.journal_id.sudo().is_trust_account or touched):
                continue
            raise UserError(_(
                "%(entry)s cannot be posted: entries in a trust (client) bank account or on "
                "a trust account (%(accounts)s) are posted only by trust transactions "
                "(Accounting > Trust). An entry by hand would escape the trust rules (no "
                "client or matter overdrawn on any date, money out only for a permitted "
                "purpose) and would not reach Xero. Record it as a trust transaction: a bank "
                "fee or interest on the trust account has its own types (Bank fee, Bank "
                "interest); the bank statement's balance goes in the trust reconciliation.",
                entry=move.display_name,
                accounts=", ".join((touched or move.journal_id.sudo().default_account_id)
                                   .mapped("display_name"))))

    def _post(self, soft=True):
        self._trust_check_hand_entry()
        return super()._post(soft)

    def button_draft(self):
        self._trust_check(_("reset to draft"))
        return super().button_draft()

    def button_cancel(self):
        self._trust_check(_("cancelled"))
        return super().button_cancel()

    def action_reverse(self):
        self._trust_check(_("reversed here"))
        return super().action_reverse()

    def _reverse_moves(self, default_values_list=None, cancel=False):
        self._trust_check(_("reversed here"))
        return super()._reverse_moves(default_values_list=default_values_list, cancel=cancel)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_trust(self):
        self._trust_check(_("deleted"), draft_too=True)


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    def _trust_check(self, what):
        if trust_write_allowed(self.env):
            return
        self.move_id._trust_check(what)

    @api.model_create_multi
    def create(self, vals_list):
        if not trust_write_allowed(self.env):
            if any(vals.get("trust_matter_id") for vals in vals_list):
                raise UserError(_(
                    "The matter of a journal item is set only by posting its trust "
                    "transaction (Accounting > Trust)."))
            move_ids = {vals["move_id"] for vals in vals_list if vals.get("move_id")}
            self.env["account.move"].browse(move_ids)._trust_check(
                _("given new journal items"))
        return super().create(vals_list)

    def write(self, vals):
        if not trust_write_allowed(self.env) and LINE_LOCKED_FIELDS.intersection(vals):
            Move = self.env["account.move"]
            fnames = LINE_LOCKED_FIELDS.intersection(vals)
            # Drafts first: editing an invoice's lines costs no comparison.
            changed = self.filtered(lambda line: line.parent_state != "draft" and any(
                Move._field_will_change(line, vals, fname) for fname in fnames))
            changed._trust_check(_("changed"))
            # Posted items on trust accounts, whoever posted them (entries by
            # hand from before they were refused): a correction is a reversal.
            for line in changed:
                if line.account_id in line.move_id._trust_accounts() \
                        or line.journal_id.sudo().is_trust_account:
                    raise UserError(_(
                        "%(item)s is a posted journal item of the trust records: its client, "
                        "matter, account and amounts stay as they were posted. Record the "
                        "correction as a trust transaction (a dated reversal) instead.",
                        item=line.move_id.display_name))
            if vals.get("move_id"):
                self.env["account.move"].browse(vals["move_id"])._trust_check(
                    _("given new journal items"))
        if not trust_write_allowed(self.env) and "trust_matter_id" in vals and any(
                line.trust_matter_id.id != (vals["trust_matter_id"] or False) for line in self):
            raise UserError(_(
                "The matter of a journal item is set only by posting its trust transaction "
                "(Accounting > Trust); to move money between matters, record a trust "
                "transfer."))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_trust(self):
        self._trust_check(_("deleted"))


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def write(self, vals):
        if not trust_write_allowed(self.env) and PARTIAL_LOCKED_FIELDS.intersection(vals):
            (self.debit_move_id | self.credit_move_id).move_id._trust_check(_("changed"))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_trust(self):
        """Unreconciling the invoice payment of a transfer to office (from the
        invoice, the payment or by resetting the invoice to draft) would make
        the client's money come back without a trust transaction."""
        (self.debit_move_id | self.credit_move_id).move_id._trust_check(
            _("unreconciled"))


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def _trust_check(self, what):
        if trust_write_allowed(self.env):
            return
        for payment in self:
            tx = payment.sudo().trust_transaction_id
            if tx:
                self.env["account.move"]._trust_refuse(payment, tx, what)

    @api.model_create_multi
    def create(self, vals_list):
        refuse_trust_link(self.env, vals_list, lambda: _(
            "A payment is linked to a trust transaction only by posting a transfer to "
            "office (Accounting > Trust)."))
        return super().create(vals_list)

    def write(self, vals):
        if not trust_write_allowed(self.env):
            locked = PAYMENT_LOCKED_FIELDS | set(self._get_trigger_fields_to_synchronize())
            if locked.intersection(vals):
                self._trust_check(_("changed"))
            if "trust_transaction_id" in vals:
                raise UserError(_(
                    "A payment is linked to a trust transaction only by posting a transfer to "
                    "office (Accounting > Trust)."))
        return super().write(vals)

    def action_draft(self):
        self._trust_check(_("reset to draft"))
        return super().action_draft()

    def action_cancel(self):
        self._trust_check(_("cancelled"))
        return super().action_cancel()

    def action_reject(self):
        self._trust_check(_("rejected"))
        return super().action_reject()

    @api.ondelete(at_uninstall=False)
    def _unlink_except_trust(self):
        self._trust_check(_("deleted"))
