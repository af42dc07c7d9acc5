"""Bank fees and interest on a trust account (models/account_trust_bank.py)
through the push engine: one bank transaction on the trust bank, contact the
firm.

=============  =========================================================
kind           in Xero (operation bank_transaction)
=============  =========================================================
bank_fee       SPEND on the trust bank, coded the fee account
bank_interest  RECEIVE on the trust bank, coded the interest account
=============  =========================================================

A reversal is the mirror (RECEIVE and SPEND swapped), as for every kind.
"""

from odoo import _, models

from ..xero import payloads_trust


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    def _xero_bank_values(self, conn, job):
        """``_xero_trust_values_of_kind`` of a bank fee or interest (contact:
        the firm, xero_push_trust.py)."""
        self.ensure_one()
        issues = []
        bank = self._xero_account_ref(
            conn, self.journal_id.default_account_id,
            _("trust account %s", self.journal_id.name), issues, bank=True)
        account = self.fee_account_id if self.kind == "bank_fee" else self.interest_account_id
        coded = self._xero_account_ref(conn, account, account.name, issues)
        code, rate = self._xero_currency(conn, issues)
        self._xero_bank_currency(conn, bank, issues)
        if issues:
            return "bank_transaction", [], issues
        return "bank_transaction", [payloads_trust.BankTransactionValues(
            type="SPEND" if self.kind == "bank_fee" else "RECEIVE",
            contact_id=self._xero_contact_id(conn),
            bank_account=payloads_trust.AccountRef(bank.xero_id, bank.code),
            date=self.date,
            reference=self._xero_reference(job),
            lines=[payloads_trust.TrustLine(self._get_label(), self.amount, coded.code, None)],
            currency_code=code,
            currency_rate=rate,
        )], []
