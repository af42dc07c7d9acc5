"""When a posted trust transaction's movement reached the bank statement.

The three-way reconciliation (report/account_trust_reconciliation_report.py)
explains the bank statement's balance by the items in the books not yet on
the statement: deposits not yet credited by the bank and payments (cheques,
transfers) not yet presented. A trust transaction is on the statement from
``bank_statement_date``; before it, or while empty, its movement of the trust
bank is outstanding.

Why a date on the transaction, not Odoo's bank statement lines: a statement
line is itself a journal entry on the journal's bank account (Dr bank / Cr
suspense), and a trust transaction already posts on that account, so both
would count the same money twice; and only trust transactions post in a
trust journal (models/account_move_trust.py). Odoo Community has no matching
of statement lines either. The date is the only field of a posted trust
transaction a user sets (tracked in its chatter): it records the bank, not
the client's money. A transaction between two trust accounts (a trust
transfer) has one date for both: the day the later bank shows it. One that
moves no money in the bank (between matters of one trust account) is never
outstanding.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    bank_statement_date = fields.Date(
        "On bank statement", copy=False, tracking=True, index="btree_not_null",
        help="The date of the bank statement that shows this movement of the trust bank. "
        "Empty: a deposit not yet on the statement or a payment not yet presented, listed "
        "as outstanding in the trust reconciliation.")

    def write(self, vals):
        if vals.get("bank_statement_date"):
            when = fields.Date.to_date(vals["bank_statement_date"])
            for tx in self:
                if tx.state != "posted":
                    raise UserError(_(
                        "%s is not posted: only a posted trust transaction appears on the "
                        "bank statement.", tx.display_name))
                if when < tx.date:
                    raise UserError(_(
                        "%(tx)s is dated %(date)s: the bank statement cannot show it before.",
                        tx=tx.display_name, date=tx.date))
        return super().write(vals)

    @api.model
    def _trust_outstanding(self, journal, date):
        """The trust transactions whose movement of ``journal``'s bank account,
        dated on or before ``date``, is not on the statement as at ``date``:
        [(transaction, amount)], amount > 0 a deposit, < 0 a payment."""
        Line = self.env["account.move.line"].sudo()
        groups = Line._read_group([
            ("parent_state", "=", "posted"), ("company_id", "=", journal.company_id.id),
            ("account_id", "=", journal.default_account_id.id), ("date", "<=", date),
            ("move_id.trust_transaction_id", "!=", False),
            "|", ("move_id.trust_transaction_id.bank_statement_date", "=", False),
            ("move_id.trust_transaction_id.bank_statement_date", ">", date),
        ], ["move_id"], ["balance:sum"])
        per_tx = {}
        for move, balance in groups:
            tx = move.trust_transaction_id
            per_tx[tx] = per_tx.get(tx, 0.0) + balance
        currency = journal.company_id.currency_id
        items = [(tx, currency.round(amount)) for tx, amount in per_tx.items()
                 if not currency.is_zero(amount)]
        items.sort(key=lambda item: (item[0].date, item[0].name))
        return items
