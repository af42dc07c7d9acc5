"""Pure payload builders of the trust (client money) transactions.

Plain values in, xero-python models out; no I/O, no ORM. The Odoo side
(``account.trust.transaction._xero_trust_values``) reads the records and the
connection's maps into these values.

- receipts into / payments out of trust: a ``BankTransaction`` RECEIVE /
  SPEND on the trust bank account, one line coded to Trust liability (Trust
  paid by firm for money the firm pays for a client), contact = the client;
- trust to office: a ``BankTransfer`` between the two bank accounts
  (``payloads_bank``); where Xero cannot transfer between them, two bank transactions through the
  Bank transfers account (SPEND on one, RECEIVE on the other);
- statutory deposit moves and paid-by-firm reimbursements: a
  ``ManualJournal`` (debits positive, credits negative, balanced).
"""

from dataclasses import dataclass, field
from datetime import date

from xero_python.accounting import (
    BankTransaction,
    Contact,
    LineAmountTypes,
    LineItem,
    ManualJournal,
    ManualJournalLine,
)

from .payloads import round2, round6
from .payloads_bank import AccountRef
from .payloads_tracking import journal_line_tracking, line_item_tracking


@dataclass
class TrustLine:
    description: str
    amount: float  # bank transactions: positive; manual journals: debit > 0, credit < 0
    account_code: str
    # Xero's tracking of the line, [{"Name": category, "Option": option}]
    # (xero.connection._xero_tracking of the matter's analytic account).
    tracking: list = None


@dataclass
class BankTransactionValues:
    type: str  # RECEIVE or SPEND
    contact_id: str
    bank_account: AccountRef
    date: date
    reference: str
    lines: list = field(default_factory=list)
    currency_code: str = None  # not sent: the bank account's currency (see build_bank_transaction)
    currency_rate: float = None
    url: str = None


@dataclass
class ManualJournalValues:
    narration: str
    date: date
    lines: list = field(default_factory=list)
    url: str = None


def build_bank_transaction(values):
    """A RECEIVE or SPEND ``BankTransaction``, amounts without tax."""
    if values.type not in ("RECEIVE", "SPEND"):
        raise ValueError("a trust bank transaction is RECEIVE or SPEND, not %r" % values.type)
    if not values.lines:
        raise ValueError("a bank transaction needs a line")
    items = []
    for line in values.lines:
        amount = round2(line.amount)
        if amount <= 0:
            raise ValueError("bank transaction lines are positive amounts")
        item = LineItem(
            description=(line.description or "")[:4000] or "/",
            quantity=1.0,
            unit_amount=float(amount),
            account_code=line.account_code,
        )
        if line.tracking:
            item.tracking = line_item_tracking(line.tracking)
        items.append(item)
    model = BankTransaction(
        type=values.type,
        contact=Contact(contact_id=values.contact_id),
        bank_account=values.bank_account.to_model(),
        date=values.date,
        line_amount_types=LineAmountTypes("NoTax"),
        line_items=items,
        status="AUTHORISED",
    )
    if values.reference:
        model.reference = values.reference[:255]
    # No CurrencyCode: a RECEIVE or SPEND is in its bank account's currency
    # (BankTransaction.CurrencyRate in Xero's OpenAPI spec: "Setting
    # currency is only supported on overpayments"); the rate, to Xero's
    # 6 decimals, converts it to the base currency.
    if values.currency_rate:
        model.currency_rate = float(round6(values.currency_rate))
    if values.url:
        model.url = values.url
    return model


def build_manual_journal(values):
    """A POSTED ``ManualJournal``: debits positive, credits negative; it
    must balance to the cent."""
    lines = [(line, round2(line.amount)) for line in values.lines]
    lines = [(line, amount) for line, amount in lines if amount]
    if len(lines) < 2:
        raise ValueError("a manual journal needs at least two lines")
    if sum(amount for _line, amount in lines):
        raise ValueError("a manual journal must balance: debits %s, credits %s" % (
            sum(a for _l, a in lines if a > 0), -sum(a for _l, a in lines if a < 0)))
    model = ManualJournal(
        narration=(values.narration or "/")[:4000],
        date=values.date,
        line_amount_types=LineAmountTypes("NoTax"),
        status="POSTED",
        journal_lines=[
            ManualJournalLine(
                line_amount=float(amount),
                account_code=line.account_code,
                description=(line.description or "")[:4000] or None,
                tracking=journal_line_tracking(line.tracking) or None,
            )
            for line, amount in lines
        ],
    )
    if values.url:
        model.url = values.url
    return model
