"""Print the trust reconciliation of a trust bank account as at a date (see
report/account_trust_reconciliation_report.py), with the bank statement's
balance when there is one."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError


class AccountTrustReconciliationWizard(models.TransientModel):
    _name = "account.trust.reconciliation.wizard"
    _description = "Trust Reconciliation"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company)
    journal_id = fields.Many2one(
        "account.journal", "Trust account", required=True, check_company=True,
        domain="[('type', '=', 'bank'), ('is_trust_account', '=', True)]",
        default=lambda self: self._default_journal())
    date = fields.Date("As at", required=True, default=fields.Date.context_today)
    currency_id = fields.Many2one(related="company_id.currency_id")
    use_statement = fields.Boolean(
        "Compare with the bank statement", compute="_compute_statement", store=True,
        readonly=False)
    statement_balance = fields.Monetary(
        "Bank statement balance", compute="_compute_statement", store=True, readonly=False,
        help="The balance on the bank's statement at that date: the last statement of the "
        "trust account on or before the date, or the one you enter.")

    @api.model
    def _default_journal(self):
        return self.env["account.journal"].search([
            *self.env["account.journal"]._check_company_domain(self.env.company),
            ("type", "=", "bank"), ("is_trust_account", "=", True)], limit=1)

    @api.depends("journal_id", "date")
    def _compute_statement(self):
        for wizard in self:
            statement = self.env["account.bank.statement"].search([
                ("journal_id", "=", wizard.journal_id.id), ("date", "<=", wizard.date),
            ], order="date desc, id desc", limit=1) if wizard.journal_id and wizard.date else None
            wizard.use_statement = bool(statement)
            wizard.statement_balance = statement.balance_end_real if statement else 0.0

    def action_print(self):
        self.ensure_one()
        if not self.journal_id.is_trust_account:
            raise UserError(_("%s is not a trust (client) bank account.",
                              self.journal_id.display_name))
        # The journal goes in the options: with options, the web client's
        # report URL carries no record ids (getReportUrl in web's reports/utils.js).
        data = {"journal_ids": self.journal_id.ids, "date": fields.Date.to_string(self.date)}
        if self.use_statement:
            data["statement_balance"] = self.statement_balance
        return self.env.ref("account_xero.action_report_trust_reconciliation").report_action(
            self.journal_id, data=data)
