"""Pure payload builders of journal entries that are neither invoices nor
payments (Odoo's miscellaneous entries and bank entries).

Plain values in, xero-python models out; no I/O, no ORM. The Odoo side
(``account.move._xero_entry_values``, models/account_move_entry.py) reads the
entry and the connection's maps into these values.

- a miscellaneous entry: a POSTED ``ManualJournal``, debits positive and
  credits negative (ManualJournalLine.LineAmount in Xero's OpenAPI spec), tax
  on the lines where Odoo has it (Tax Exclusive: Xero adds the tax to the
  line and books it in its GST/VAT account, so Odoo's own tax lines are not
  sent), tracking per line;
- a bank entry that is not a payment: a ``BankTransaction`` SPEND (money
  out) or RECEIVE (money in) on the mapped bank account, one line per
  counterpart item;
- a transfer between two bank accounts: a ``BankTransfer``
  (``payloads_bank.build_bank_transfer``, as for trust transfers).

Undoing: a manual journal is VOIDED, a bank transaction DELETED, a bank
transfer deleted (POST /BankTransfers/{BankTransferID}, deleteBankTransfer
in Xero's OpenAPI spec, with ``Status: DELETED``).
"""

from dataclasses import dataclass, field
from datetime import date

from xero_python.accounting import (
    Account,
    BankTransaction,
    BankTransferDeleteByUrlParam,
    Contact,
    LineAmountTypes,
    LineItem,
    ManualJournal,
    ManualJournalLine,
)

from .payloads import round2, round6
from .payloads_tracking import journal_line_tracking, line_item_tracking


@dataclass
class EntryLine:
    description: str
    # Manual journals: debit > 0, credit < 0. Bank transactions: in the
    # direction of the transaction (a SPEND's expense is positive, a refund
    # on the same spend negative).
    amount: float
    account_code: str
    tax_type: str = None
    tax_amount: float = 0.0  # Odoo's tax on the line (Xero computes the same: checked by the caller)
    tracking: list = field(default_factory=list)


@dataclass
class EntryJournalValues:
    narration: str
    date: date
    line_amount_types: str = "NoTax"  # NoTax, or Exclusive when a line carries a tax
    lines: list = field(default_factory=list)
    url: str = None


@dataclass
class EntryBankValues:
    type: str  # RECEIVE or SPEND
    contact_id: str
    bank_account: object  # payloads_bank.AccountRef
    date: date
    reference: str
    line_amount_types: str = "NoTax"
    lines: list = field(default_factory=list)
    currency_rate: float = None
    url: str = None


def _sum(lines):
    return sum((round2(line.amount) + round2(line.tax_amount or 0.0) for line in lines),
               round2(0))


def build_entry_manual_journal(values):
    """A POSTED ``ManualJournal`` that balances to the cent (tax included),
    with at least two lines (Xero refuses less)."""
    lines = [line for line in values.lines if round2(line.amount)]
    if len(lines) < 2:
        raise ValueError("a manual journal needs at least two lines")
    total = _sum(lines)
    if total:
        raise ValueError("a manual journal must balance (off by %s)" % total)
    lat = values.line_amount_types or "NoTax"
    model = ManualJournal(
        narration=(values.narration or "/")[:4000],
        date=values.date,
        line_amount_types=LineAmountTypes(lat),
        status="POSTED",
        journal_lines=[
            ManualJournalLine(
                line_amount=float(round2(line.amount)),
                account_code=line.account_code,
                description=(line.description or "")[:4000] or None,
                tax_type=line.tax_type if lat != "NoTax" else None,
                tracking=journal_line_tracking(line.tracking) or None,
            )
            for line in lines
        ],
    )
    if values.url:
        model.url = values.url
    return model


def build_entry_bank_transaction(values):
    """A RECEIVE or SPEND ``BankTransaction`` of a positive total; a line
    may be negative (a refund within a spend)."""
    if values.type not in ("RECEIVE", "SPEND"):
        raise ValueError("a bank transaction is RECEIVE or SPEND, not %r" % values.type)
    lines = [line for line in values.lines if round2(line.amount)]
    if not lines:
        raise ValueError("a bank transaction needs a line")
    if _sum(lines) <= 0:
        raise ValueError("a bank transaction moves a positive total")
    lat = values.line_amount_types or "NoTax"
    model = BankTransaction(
        type=values.type,
        contact=Contact(contact_id=values.contact_id),
        bank_account=values.bank_account.to_model(),
        date=values.date,
        line_amount_types=LineAmountTypes(lat),
        line_items=[
            LineItem(
                description=(line.description or "")[:4000] or "/",
                quantity=1.0,
                unit_amount=float(round2(line.amount)),
                account_code=line.account_code,
                tax_type=line.tax_type if lat != "NoTax" else None,
                tracking=line_item_tracking(line.tracking) or None,
            )
            for line in lines
        ],
        status="AUTHORISED",
    )
    if values.reference:
        model.reference = values.reference[:255]
    if values.currency_rate:
        model.currency_rate = float(round6(values.currency_rate))
    if values.url:
        model.url = values.url
    return model


def build_void_manual_journal(xero_id, narration):
    """The update that voids a POSTED manual journal (Xero keeps it, VOIDED)."""
    return ManualJournal(manual_journal_id=xero_id, narration=narration or "/", status="VOIDED")


def build_delete_bank_transaction(xero_id, type_, bank_account_id):
    """The update that deletes a bank transaction (BankTransaction.Status
    DELETED in Xero's OpenAPI spec)."""
    return BankTransaction(
        bank_transaction_id=xero_id, type=type_, status="DELETED", line_items=[],
        bank_account=Account(account_id=bank_account_id))


def build_delete_bank_transfer():
    """The body of deleteBankTransfer (BankTransferDeleteByUrlParam)."""
    return BankTransferDeleteByUrlParam(status="DELETED")
