"""A payment's bank account in another currency than the document it pays:
what Xero takes, checked the same way for registered payments
(account_payment.py) and bank entries that settle documents
(account_move_settlement.py).

- The bank account in the document's currency: the payment is in it
  (Amount), nothing more.
- A document in the base currency paid from (or to) a bank account in a
  foreign currency: Amount is in the document's currency and BankAmount
  says what left (reached) the bank in its own currency (Payment.BankAmount
  in Xero's OpenAPI spec: "The amount of the payment in the currency of the
  bank account", not read-only). Without it Xero would convert at its own
  rate, and its bank would hold another amount than Odoo's.
- A document in a foreign currency paid from a bank account in a third
  currency (neither the document's nor the base): Xero refuses it ("Bills
  created in a non-home currency can only be paid in the Bill currency or
  in home currency", support.approvalmax.com, "Can I pay an Airwallex
  Batch Payment in a currency other than the Bill currency?"); blocked here.
"""

from odoo import models


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    def _xero_bank_currency_code(self, xero_bank, company):
        """The currency code of a Xero bank account (the base currency's when
        Xero gives none)."""
        return (xero_bank.currency_code if xero_bank else None) or self.xero_base_currency \
            or company.currency_id.name

    def _xero_payment_bank_amount(self, target, xero_bank, amount, bank_lines, issues, what):
        """The BankAmount of a payment of ``amount`` (in ``target``'s
        currency) through ``xero_bank``, whose items in Odoo are
        ``bank_lines``; None when the bank account is in the document's
        currency. A third currency adds an issue naming ``what``."""
        if not xero_bank or not amount:
            return None
        company = target.company_id
        bank_currency = self._xero_bank_currency_code(xero_bank, company)
        doc_currency = target.currency_id.name
        if bank_currency == doc_currency:
            return None
        base = self.xero_base_currency or company.currency_id.name
        if doc_currency != base:
            if bank_currency != base:
                issues.append(self.env._(
                    "%(document)s is in %(doc_currency)s and %(payment)s goes through the Xero "
                    "bank account %(bank)s in %(bank_currency)s: Xero takes a payment on a "
                    "document in a foreign currency only from a bank account in that currency or "
                    "in the base currency (%(base)s). Record the payment in a journal of one of "
                    "those currencies (and a transfer between the bank accounts), then Retry.",
                    document=target.display_name, doc_currency=doc_currency, payment=what,
                    bank=xero_bank.display_name, bank_currency=bank_currency, base=base))
            return None
        # A base-currency document: what the bank lines hold in their own
        # currency, for the part paid (all of it when the payment is all
        # for this document, else at the payment's own rate).
        balance = sum(bank_lines.mapped("balance"))
        in_bank = sum(bank_lines.mapped("amount_currency"))
        if not balance:
            return None
        currency = bank_lines.currency_id[:1] or company.currency_id
        if company.currency_id.is_zero(abs(balance) - abs(amount)):
            return abs(in_bank)
        return currency.round(abs(amount) * abs(in_bank) / abs(balance))
