from odoo import fields, models


class AccountJournal(models.Model):
    _inherit = "account.journal"

    xero_is_trust = fields.Boolean(
        "Trust (client money) account",
        help="This bank account holds clients' money in trust. Its transactions are "
        "posted to Xero only when the Xero connection synchronizes trust transactions.",
    )
