"""Pure payload builders: plain values in, xero-python models out.

No I/O and no ORM here. The Odoo side (``account.move._xero_document_values``
and friends) reads records and the connection's maps into the plain values
below; these functions turn them into what the client sends, and compute the
totals exactly as Xero will so that a "Rounding" line can make Xero's total
agree with Odoo's to the cent.

How Xero computes a document's total (line-level tax rounding, Xero's default):
each line amount is ``Quantity x UnitAmount x (1 - DiscountRate/100)`` rounded
to 2 decimals; each line's tax is computed from that rounded line amount and
rounded to 2 decimals; the total is the sum of the line amounts plus, when
amounts are tax exclusive, the sum of the line taxes (inclusive amounts
already hold the tax).
"""

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from xero_python.accounting import (
    Account,
    Allocation,
    Contact,
    CreditNote,
    Invoice,
    LineAmountTypes,
    LineItem,
    Payment,
)
from xero_python.accounting.models import CurrencyCode

CENT = Decimal("0.01")
UNIT = Decimal("0.0001")  # unitdp=4

INVOICE_TYPES = ("ACCREC", "ACCPAY")
CREDIT_NOTE_TYPES = ("ACCRECCREDIT", "ACCPAYCREDIT")

ROUNDING_DESCRIPTION = "Rounding"


def _dec(value):
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(float(value or 0.0))) if isinstance(value, float) else Decimal(value or 0)


def round2(value):
    """Round half away from zero to cents, as Xero does."""
    return _dec(value).quantize(CENT, rounding=ROUND_HALF_UP)


def round4(value):
    return _dec(value).quantize(UNIT, rounding=ROUND_HALF_UP)


@dataclass
class LineValues:
    """One line as it goes to Xero (amounts in the document currency)."""

    description: str
    quantity: float
    unit_amount: float
    account_code: str
    tax_type: str = None
    tax_rate: float = 0.0  # Xero's effective rate of tax_type, in percent
    discount: float = 0.0  # percent


@dataclass
class DocumentValues:
    """An invoice, bill or credit note as it goes to Xero."""

    type: str  # ACCREC, ACCPAY, ACCRECCREDIT, ACCPAYCREDIT
    contact_id: str
    number: str
    date: date
    line_amount_types: str  # "Exclusive", "Inclusive" or "NoTax"
    lines: list = field(default_factory=list)
    total: float = 0.0  # Odoo's amount_total, the figure Xero must end on
    due_date: date = None
    reference: str = None
    url: str = None
    currency_code: str = None
    currency_rate: float = None  # units of the document currency per base unit
    status: str = "AUTHORISED"
    rounding_account_code: str = None
    no_tax_type: str = "NONE"


# ---------------------------------------------------------------------------
# Totals as Xero computes them, and the rounding line
# ---------------------------------------------------------------------------
def xero_line_amount(line):
    gross = _dec(line.quantity) * round4(line.unit_amount)
    if line.discount:
        gross = gross * (1 - _dec(line.discount) / 100)
    return round2(gross)


def xero_line_tax(line, line_amount_types):
    amount = xero_line_amount(line)
    rate = _dec(line.tax_rate) / 100
    if line_amount_types == "NoTax" or not rate:
        return Decimal("0.00")
    if line_amount_types == "Inclusive":
        return round2(amount - amount / (1 + rate))
    return round2(amount * rate)


def xero_totals(lines, line_amount_types):
    """(sub_total, total_tax, total) of ``lines`` the way Xero computes them."""
    amounts = sum((xero_line_amount(line) for line in lines), Decimal("0.00"))
    taxes = sum((xero_line_tax(line, line_amount_types) for line in lines), Decimal("0.00"))
    if line_amount_types == "Inclusive":
        return amounts - taxes, taxes, amounts
    return amounts, taxes, amounts + taxes


def rounding_difference(doc):
    """Odoo's total minus the total Xero would compute from ``doc.lines``."""
    return round2(doc.total) - xero_totals(doc.lines, doc.line_amount_types)[2]


def with_rounding_line(doc):
    """The document's lines, plus a no-tax "Rounding" line when Xero's total
    of the lines would differ from Odoo's total."""
    diff = rounding_difference(doc)
    if not diff:
        return list(doc.lines)
    if not doc.rounding_account_code:
        raise ValueError("a rounding line is needed but no rounding account is set")
    return list(doc.lines) + [LineValues(
        description=ROUNDING_DESCRIPTION,
        quantity=1.0,
        unit_amount=float(diff),
        account_code=doc.rounding_account_code,
        tax_type=doc.no_tax_type,
        tax_rate=0.0,
    )]


# ---------------------------------------------------------------------------
# Builders
# ---------------------------------------------------------------------------
def _currency_code(code):
    if not code:
        return None
    try:
        return CurrencyCode(code)
    except ValueError:  # a code xero-python does not list yet
        return code


def _line_item(line):
    item = LineItem(
        description=(line.description or "")[:4000] or "/",
        quantity=float(line.quantity),
        unit_amount=float(round4(line.unit_amount)),
        account_code=line.account_code,
    )
    if line.tax_type:
        item.tax_type = line.tax_type
    if line.discount:
        item.discount_rate = float(line.discount)
    return item


def build_line_items(doc):
    return [_line_item(line) for line in with_rounding_line(doc)]


def build_invoice(doc):
    """An ``Invoice`` (ACCREC / ACCPAY) or ``CreditNote`` (ACCRECCREDIT /
    ACCPAYCREDIT) from :class:`DocumentValues`."""
    common = dict(
        type=doc.type,
        contact=Contact(contact_id=doc.contact_id),
        date=doc.date,
        line_amount_types=LineAmountTypes(doc.line_amount_types),
        line_items=build_line_items(doc),
        status=doc.status,
    )
    if doc.currency_code:
        common["currency_code"] = _currency_code(doc.currency_code)
    if doc.currency_rate:
        common["currency_rate"] = float(doc.currency_rate)
    if doc.type in CREDIT_NOTE_TYPES:
        note = CreditNote(credit_note_number=doc.number, **common)
        if doc.reference:
            note.reference = doc.reference[:255]
        return note
    if doc.type not in INVOICE_TYPES:
        raise ValueError("unknown Xero document type %r" % doc.type)
    invoice = Invoice(invoice_number=doc.number, **common)
    if doc.due_date:
        invoice.due_date = doc.due_date
    # Xero keeps Reference on sales invoices only (a bill's number is its reference).
    if doc.reference and doc.type == "ACCREC":
        invoice.reference = doc.reference[:255]
    if doc.url:
        invoice.url = doc.url
    return invoice


def build_contact(contact_number, name, email=None, tax_number=None, is_company=True,
                  first_name=None, last_name=None):
    contact = Contact(contact_number=contact_number[:50], name=(name or contact_number)[:255])
    if email:
        contact.email_address = email[:255]
    if tax_number:
        contact.tax_number = tax_number[:50]
    if not is_company and first_name:
        contact.first_name = first_name[:255]
        if last_name:
            contact.last_name = last_name[:255]
    return contact


def build_payment(target_type, target_xero_id, amount, payment_date, account_code=None,
                  account_id=None, currency_rate=None, reference=None):
    """A ``Payment`` of ``amount`` (in the target's currency) on an invoice
    (``target_type`` "invoice") or a credit note ("credit_note", a refund)."""
    payment = Payment(
        amount=float(round2(amount)),
        date=payment_date,
        account=Account(code=account_code) if account_code else Account(account_id=account_id),
    )
    if target_type == "credit_note":
        payment.credit_note = CreditNote(credit_note_id=target_xero_id)
    else:
        payment.invoice = Invoice(invoice_id=target_xero_id)
    if currency_rate:
        payment.currency_rate = float(currency_rate)
    if reference:
        payment.reference = reference[:255]
    return payment


def build_allocation(invoice_xero_id, amount, allocation_date):
    """An ``Allocation`` of a credit note onto the invoice ``invoice_xero_id``."""
    return Allocation(
        invoice=Invoice(invoice_id=invoice_xero_id),
        amount=float(round2(amount)),
        date=allocation_date,
    )


def build_void(doc_type, xero_id, delete=False):
    """The update that voids (or, for a draft in Xero, deletes) a document."""
    status = "DELETED" if delete else "VOIDED"
    if doc_type in CREDIT_NOTE_TYPES or doc_type == "credit_note":
        return CreditNote(credit_note_id=xero_id, status=status)
    return Invoice(invoice_id=xero_id, status=status)


def to_dict(model):
    """The JSON-ready dict xero-python would send (for tests and logs)."""
    from xero_python.api_client.serializer import serialize

    return serialize(model)


GUID = re.compile(r"^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")


def where_guid(field_name, value):
    """A Xero ``where`` clause ``FieldID==Guid("...")``: the value must be a
    GUID (Xero's ids are), never text that could widen the clause."""
    value = str(value or "").strip()
    if not GUID.match(value):
        raise ValueError("not a Xero id (GUID): %r" % value[:60])
    return '%s==Guid("%s")' % (field_name, value)


def where_equals(field_name, value):
    """A Xero ``where`` clause ``Field=="value"`` with the value escaped."""
    text = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return '%s=="%s"' % (field_name, text)
