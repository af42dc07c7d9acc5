from odoo import fields, models


class AccountJournal(models.Model):
    _inherit = "account.journal"

    is_trust_account = fields.Boolean(
        "Trust (client money) account",
        help="This bank account holds clients' money in trust. Its transactions are "
        "posted to Xero only when the Xero connection synchronizes trust transactions.",
    )

    def action_open_trust_reconciliation(self):
        """The trust reconciliation of this trust account (a wizard for the date)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": self.env._("Trust Reconciliation"),
            "res_model": "account.trust.reconciliation.wizard",
            "view_mode": "form",
            "target": "new",
            "context": {"default_journal_id": self.id, "default_company_id": self.company_id.id},
        }
