"""The register-payment wizard posts its payments unmatched, then matches
them with their invoices, in one transaction: whether each payment is a
deposit (models/account_payment_deposit.py) is known only at its end."""

from odoo import models


class AccountPaymentRegister(models.TransientModel):
    _inherit = "account.payment.register"

    def _create_payments(self):
        """Its payments are posted unmatched, then matched with the invoices:
        whether each is a deposit is known at the end, and decided then, for
        all of them at once (see models/account_payment_deposit.py)."""
        payments = super(AccountPaymentRegister, self.with_context(
            xero_defer_deposit=True))._create_payments()
        payments = payments.with_env(self.env)
        payments._xero_sync_deposit()
        return payments
