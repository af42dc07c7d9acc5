"""Which way a posted trust transaction moved money, as a user reads it in
the list: into or out of the trust bank accounts, or within trust (between
clients, matters, or client and firm), with its signed amount. Read from the
transaction's journal entries, so a reversal reads as the opposite of what it
reverses, and the signed amounts of any set of transactions add up to what
they changed in the trust bank accounts (the plain amount does not: receipts
and payments are both positive)."""

from odoo import api, fields, models


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    trust_bank_amount = fields.Monetary(
        "Trust bank", compute="_compute_trust_bank_amount", store=True,
        help="What the posted transaction put into (+) or took out of (-) the trust bank "
        "accounts; a reversal the opposite of what it reverses. Added up, the change of the "
        "trust bank accounts.")
    direction = fields.Selection(
        [("in", "Into trust bank"), ("out", "Out of trust bank"), ("within", "Within trust")],
        compute="_compute_trust_bank_amount", store=True,
        help="Posted: into or out of the trust bank accounts, or within trust (between "
        "clients, matters, or a client and the firm).")

    @api.depends("state", "move_id.line_ids.balance", "move_id.line_ids.account_id",
                 "dest_move_id.line_ids.balance", "dest_move_id.line_ids.account_id")
    def _compute_trust_bank_amount(self):
        banks = {}
        Journal = self.env["account.journal"].sudo()
        for company in self.company_id:
            banks[company.id] = Journal.search([
                ("company_id", "=", company.id), ("type", "=", "bank"),
                ("is_trust_account", "=", True)]).default_account_id
        for tx in self:
            if tx.state != "posted":
                tx.trust_bank_amount = 0.0
                tx.direction = False
                continue
            accounts = banks.get(tx.company_id.id, self.env["account.account"])
            lines = (tx.move_id | tx.dest_move_id).sudo().line_ids.filtered(
                lambda line, accounts=accounts: line.account_id in accounts)
            amount = tx.company_id.currency_id.round(sum(lines.mapped("balance")))
            tx.trust_bank_amount = amount
            tx.direction = "in" if amount > 0 else "out" if amount < 0 else "within"
