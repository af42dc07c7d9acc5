"""The trust ledger: every posted movement of clients' money, per client and
matter.

One row per posted journal item on a company's Trust liability or Trust
transfers account (together the client's trust balance: receipts in,
payments and transfers out, trust transfers between clients, matters and
trust accounts) or Trust paid by firm account (what the firm paid for the
client and is owed back).
The accounts are the company's (Settings > Accounting > Trust accounting),
the matter is the journal item's (set by posting the trust transaction).
Entries made by hand on those accounts count too: the ledger is the books,
not the trust transactions alone.
"""

from odoo import fields, models
from odoo.tools import SQL

from .account_trust_transaction import TRUST_KINDS


class AccountTrustLedger(models.Model):
    _name = "account.trust.ledger"
    _description = "Trust Ledger"
    _auto = False
    _order = "date, id"
    _rec_name = "label"

    company_id = fields.Many2one("res.company", readonly=True)
    date = fields.Date(readonly=True)
    partner_id = fields.Many2one("res.partner", "Client", readonly=True)
    journal_id = fields.Many2one("account.journal", "Trust account", readonly=True)
    move_id = fields.Many2one("account.move", "Journal entry", readonly=True)
    move_line_id = fields.Many2one("account.move.line", "Journal item", readonly=True)
    transaction_id = fields.Many2one(
        "account.trust.transaction", "Trust transaction", readonly=True)
    kind = fields.Selection(TRUST_KINDS, "Type", readonly=True)
    reversed_tx_id = fields.Many2one(
        "account.trust.transaction", "Reversal of", readonly=True)
    matter_id = fields.Many2one("account.trust.matter", readonly=True)
    label = fields.Char(readonly=True)
    currency_id = fields.Many2one("res.currency", readonly=True)
    received = fields.Monetary(readonly=True, help="Money received into trust for the client.")
    paid = fields.Monetary(readonly=True, help="Money paid out of trust for the client.")
    balance = fields.Monetary(
        "Trust balance", readonly=True,
        help="Received minus paid: summed per client, what the firm holds for the client.")
    running_balance = fields.Monetary(
        "Balance after", readonly=True, aggregator=None,
        help="The client's trust balance on this matter (all trust accounts) after this line, "
        "by date: a running balance, whatever the list shows.")
    paid_by_firm = fields.Monetary(
        "Owed to firm", readonly=True,
        help="Paid by the firm for the client and not yet reimbursed.")

    @property
    def _table_query(self):
        # The view reads other models' tables: write what this transaction
        # changed there first.
        self.env["account.move.line"].flush_model([
            "account_id", "amount_currency", "balance", "company_id", "company_currency_id", "date",
            "journal_id", "move_id", "name", "parent_state", "partner_id", "trust_matter_id"])
        self.env["account.move"].flush_model(["trust_transaction_id"])
        self.env["account.trust.transaction"].flush_model(["kind", "reversed_tx_id"])
        self.env["res.company"].flush_model([
            "trust_liability_account_id", "trust_transfer_account_id",
            "trust_paid_by_firm_account_id"])
        return SQL(
            """
            SELECT aml.id AS id,
                   aml.id AS move_line_id,
                   aml.company_id,
                   aml.date,
                   aml.partner_id,
                   aml.journal_id,
                   aml.move_id,
                   tx.id AS transaction_id,
                   tx.kind,
                   tx.reversed_tx_id,
                   aml.trust_matter_id AS matter_id,
                   aml.name AS label,
                   aml.company_currency_id AS currency_id,
                   CASE WHEN aml.account_id IN (company.trust_liability_account_id,
                                                   company.trust_transfer_account_id)
                        AND aml.balance < 0 THEN -aml.balance ELSE 0 END
                       AS received,
                   CASE WHEN aml.account_id IN (company.trust_liability_account_id,
                                                   company.trust_transfer_account_id)
                        AND aml.balance > 0 THEN aml.balance ELSE 0 END
                       AS paid,
                   CASE WHEN aml.account_id IN (company.trust_liability_account_id,
                                                   company.trust_transfer_account_id)
                        THEN -aml.balance ELSE 0 END AS balance,
                   SUM(CASE WHEN aml.account_id IN (company.trust_liability_account_id,
                                                       company.trust_transfer_account_id)
                            THEN -aml.balance ELSE 0 END)
                       OVER (PARTITION BY aml.company_id, aml.partner_id, aml.trust_matter_id
                             ORDER BY aml.date, aml.id) AS running_balance,
                   CASE WHEN aml.account_id = company.trust_paid_by_firm_account_id
                        THEN aml.balance ELSE 0 END AS paid_by_firm
              FROM account_move_line aml
              JOIN account_move move ON move.id = aml.move_id
              JOIN res_company company ON company.id = aml.company_id
              LEFT JOIN account_trust_transaction tx ON tx.id = move.trust_transaction_id
             WHERE aml.parent_state = 'posted'
               AND aml.account_id IN (company.trust_liability_account_id,
                                         company.trust_transfer_account_id,
                                         company.trust_paid_by_firm_account_id)
            """
        )
