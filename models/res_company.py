"""Trust accounting settings of a company: the accounts its trust (client
money) transactions post to, and its trust bank journals. They belong to the
firm's books, not to Xero: trust is kept in Odoo whether or not it is sent
to Xero (Actionstep's seed calls not syncing trust the usual case), and with
no Xero connection at all. When trust is synchronized, the Xero connection
maps these accounts in its GL account map like any other."""

from odoo import api, fields, models

# The trust accounts of the company, in the order the settings show them.
TRUST_ACCOUNT_FIELDS = (
    "trust_liability_account_id", "trust_transfer_account_id",
    "trust_paid_by_firm_account_id", "statutory_deposit_account_id",
)


class ResCompany(models.Model):
    _inherit = "res.company"

    trust_liability_account_id = fields.Many2one(
        "account.account", "Trust liability", check_company=True,
        help="The money held in trust for clients, owed back to them (a current liability); "
        "each client's trust balance is its credit balance for the client.")
    trust_transfer_account_id = fields.Many2one(
        "account.account", "Trust transfers", check_company=True,
        help="Carries trust money moved between clients, matters and trust accounts "
        "(a current liability, nets to zero).")
    trust_paid_by_firm_account_id = fields.Many2one(
        "account.account", "Trust paid by firm", check_company=True,
        help="What the firm paid from trust for a client before the client's funds arrived "
        "(a current asset: the client owes it back).")
    statutory_deposit_account_id = fields.Many2one(
        "account.account", "Statutory deposit account", check_company=True,
        help="Trust money the firm must deposit with the statutory body (a current asset).")
    trust_interest_to_firm = fields.Boolean(
        "Trust interest goes to the firm", default=True,
        help="Where the firm's jurisdiction gives it the interest its trust accounts earn, "
        "the firm withdraws the interest received (Firm withdrawal of interest). Off where "
        "the interest is owed to a statutory fund: the firm cannot withdraw it.")
    trust_journal_ids = fields.Many2many(
        "account.journal", string="Trust bank accounts",
        compute="_compute_trust_journal_ids", inverse="_inverse_trust_journal_ids",
        help="The bank journals that hold clients' money in trust (also set on each "
        "journal: Trust (client money) account).")

    def _trust_journals(self):
        self.ensure_one()
        Journal = self.env["account.journal"]
        return Journal.search([
            *Journal._check_company_domain(self),
            ("type", "=", "bank"), ("is_trust_account", "=", True)])

    @api.depends_context("uid")
    def _compute_trust_journal_ids(self):
        for company in self:
            company.trust_journal_ids = company._trust_journals() if company.id else False

    def _inverse_trust_journal_ids(self):
        for company in self:
            current = company._trust_journals()
            (current - company.trust_journal_ids).write({"is_trust_account": False})
            (company.trust_journal_ids - current).write({"is_trust_account": True})
