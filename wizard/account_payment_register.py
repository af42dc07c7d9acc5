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

    def _create_payment_vals_from_wizard(self, batch_result):
        """A payment made in Xero carries its Xero id from its creation
        (``xero_import_vals``: models/xero_payment_import.py), not written
        after it."""
        vals = super()._create_payment_vals_from_wizard(batch_result)
        vals.update(self.env.context.get("xero_import_vals") or {})
        return vals
