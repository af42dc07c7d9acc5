"""Firm withdrawals (models/account_trust_firm_withdrawal.py) through the
push engine: bank transactions, as Odoo's entry posts them.

===================== =====================================================
withdrawal type       in Xero (operation bank_transaction)
===================== =====================================================
paid_by_firm          SPEND on the trust bank coded Trust liability and
                      RECEIVE on the office bank coded Trust paid by firm,
                      both with the client as contact: the client's trust
                      liability and what it owes the firm go down together
interest              SPEND on the trust bank and RECEIVE on the office bank
                      through the Bank transfers account (contact: the
                      firm); the interest itself reached Xero as a Bank
                      interest (xero_push_trust_bank.py)
firm_funds            SPEND on the trust bank and RECEIVE on the office bank
                      through the Bank transfers account (contact: the firm)
===================== =====================================================

A reversal is the mirror (RECEIVE and SPEND swapped), as for every kind.
"""

from odoo import _, models

from ..xero import payloads_bank, payloads_trust


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    def _xero_firm_withdrawal_values(self, conn, job):
        """``_xero_trust_values_of_kind`` of a firm withdrawal (its contact:
        xero_push_trust.py)."""
        self.ensure_one()
        issues = []
        source = self._xero_account_ref(
            conn, self.journal_id.default_account_id,
            _("trust account %s", self.journal_id.name), issues, bank=True)
        dest = self._xero_account_ref(
            conn, self.dest_journal_id.default_account_id,
            _("bank account %s", self.dest_journal_id.name), issues, bank=True)
        if self.withdrawal_type == "paid_by_firm":
            accounts = [self._get_trust_account(fname) for fname in (
                "trust_liability_account_id", "trust_paid_by_firm_account_id")]
            out_code, in_code = (
                self._xero_account_ref(conn, account, account.name, issues)
                for account in accounts)
        else:
            out_code = in_code = conn.bank_transfer_xero_account_id
            if not out_code:
                issues.append(_(
                    "Choose the Bank transfers account on the Xero configuration: the firm's "
                    "money leaves trust through it."))
        code, rate = self._xero_currency(conn, issues)
        self._xero_bank_currency(conn, source, issues)
        self._xero_bank_currency(conn, dest, issues)
        if issues:
            return "bank_transaction", [], issues
        tracking = self._xero_matter_tracking(conn, self.matter_id, issues)
        if issues:
            return "bank_transaction", [], issues
        label = self._get_label()
        common = dict(contact_id=self._xero_contact_id(conn), date=self.date,
                      reference=self._xero_reference(job), currency_code=code,
                      currency_rate=rate)
        trust_bank = payloads_bank.AccountRef(source.xero_id, source.code)
        values = [
            payloads_trust.BankTransactionValues(
                type="SPEND", bank_account=trust_bank,
                lines=[payloads_trust.TrustLine(label, self.amount, out_code.code, tracking)], **common),
            payloads_trust.BankTransactionValues(
                type="RECEIVE", bank_account=payloads_bank.AccountRef(dest.xero_id, dest.code),
                lines=[payloads_trust.TrustLine(label, self.amount, in_code.code, tracking)], **common),
        ]
        return "bank_transaction", values, []
