"""Pure payload builders of deposits: money received from a customer or
paid to a supplier before (prepayment) or beyond (overpayment) an invoice.

Xero makes both through BankTransactions (xero_accounting.yaml, schema
BankTransaction: Type RECEIVE-PREPAYMENT, SPEND-PREPAYMENT,
RECEIVE-OVERPAYMENT, SPEND-OVERPAYMENT; the answer carries the PrepaymentID
or OverpaymentID) and applies them to invoices with Allocations (PUT
/Prepayments/{PrepaymentID}/Allocations, /Overpayments/{OverpaymentID}/
Allocations).

A bank transaction of these types keeps no Reference (BankTransaction.
Reference: "Only supported for SPEND and RECEIVE transactions"), so the
job's key goes in the line's Description, where a deposit in doubt is
looked for (``deposit_key_in``).
"""

from dataclasses import dataclass

from xero_python.accounting import (
    Account,
    Allocation,
    BankTransaction,
    Contact,
    CurrencyCode,
    Invoice,
    LineAmountTypes,
    LineItem,
    Overpayment,
    Payment,
    Prepayment,
)

from .payloads import round2, round6

PREPAYMENT = "prepayment"
OVERPAYMENT = "overpayment"


@dataclass
class DepositValues:
    kind: str  # PREPAYMENT or OVERPAYMENT
    inbound: bool  # received from a customer (RECEIVE-), else paid to a supplier (SPEND-)
    contact_id: str
    bank_account_code: str
    bank_account_id: str
    date: object
    amount: float
    description: str
    key: str  # the job's key, carried in the line's description
    account_code: str = None  # the prepayment's account (an overpayment's is Xero's AR / AP)
    url: str = None
    # An overpayment in a foreign currency: the bank account's currency and
    # the payment's rate (units of it per unit of the base currency); Xero
    # takes a currency on overpayments only (BankTransaction.CurrencyCode in
    # Xero's OpenAPI spec: "Setting currency is only supported on
    # overpayments").
    currency_code: str = None
    currency_rate: float = None


def deposit_type(kind, inbound):
    """RECEIVE-PREPAYMENT, SPEND-OVERPAYMENT ..."""
    return "%s-%s" % ("RECEIVE" if inbound else "SPEND", kind.upper())


def deposit_description(description, key):
    return "%s [%s]" % ((description or "").strip()[:3900], key)


def deposit_key_in(description, key):
    """Whether a line's Description carries the job's ``key``."""
    return bool(description) and ("[%s]" % key) in description


def build_deposit(values):
    """The ``BankTransaction`` that makes the prepayment or overpayment:
    one line of the whole amount, without tax (a payment carries none in
    Odoo; Xero's overpayments carry none either: the spec's examples are
    LineAmountTypes NoTax). A prepayment's line is coded to ``account_code``
    (the connection's Deposits received / Deposits paid account); an
    overpayment's names no account, Xero books it to Accounts Receivable
    (Payable)."""
    line = LineItem(
        description=deposit_description(values.description, values.key),
        quantity=1.0,
        unit_amount=float(round2(values.amount)),
    )
    if values.kind == PREPAYMENT:
        line.account_code = values.account_code
    bank = Account(code=values.bank_account_code) if values.bank_account_code \
        else Account(account_id=values.bank_account_id)
    transaction = BankTransaction(
        type=deposit_type(values.kind, values.inbound),
        contact=Contact(contact_id=values.contact_id),
        bank_account=bank,
        date=values.date,
        line_amount_types=LineAmountTypes.NOTAX,
        line_items=[line],
    )
    if values.currency_code:
        if values.kind != OVERPAYMENT:
            raise ValueError("only an overpayment takes a currency")
        transaction.currency_code = CurrencyCode(values.currency_code)
        if values.currency_rate:
            transaction.currency_rate = float(round6(values.currency_rate))
    if values.url:
        transaction.url = values.url
    return transaction


def build_deposit_allocation(invoice_xero_id, amount, allocation_date):
    """An ``Allocation`` of a prepayment or overpayment onto an invoice."""
    return Allocation(
        invoice=Invoice(invoice_id=invoice_xero_id),
        amount=float(round2(amount)),
        date=allocation_date,
    )


def build_deposit_refund(kind, deposit_xero_id, amount, payment_date, account_code=None,
                         account_id=None, reference=None):
    """A ``Payment`` refunding (part of) a prepayment or overpayment: money
    back to the customer (from the supplier) out of (into) the bank account
    (Payment.Prepayment / Payment.Overpayment in Xero's OpenAPI spec)."""
    payment = Payment(
        amount=float(round2(amount)),
        date=payment_date,
        account=Account(code=account_code) if account_code else Account(account_id=account_id),
    )
    if kind == PREPAYMENT:
        payment.prepayment = Prepayment(prepayment_id=deposit_xero_id)
    else:
        payment.overpayment = Overpayment(overpayment_id=deposit_xero_id)
    if reference:
        payment.reference = reference[:255]
    return payment


def build_deposit_delete(transaction):
    """The update deleting the bank transaction ``transaction`` (as read
    from Xero) that made a prepayment or overpayment: Status DELETED
    (BankTransaction.Status in xero_accounting.yaml). The SDK's model needs
    the Type, lines and bank account, sent as Xero holds them."""
    return BankTransaction(
        bank_transaction_id=transaction.bank_transaction_id,
        type=transaction.type,
        contact=Contact(contact_id=transaction.contact.contact_id) if transaction.contact else None,
        bank_account=Account(account_id=transaction.bank_account.account_id),
        line_items=list(transaction.line_items or []),
        status="DELETED",
    )
