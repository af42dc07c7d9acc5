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

A rounding line is only for that per-line rounding: a few cents, at most a
cent a line (:func:`rounding_tolerance`). A larger difference means Xero
would compute other amounts than Odoo (a tax mapped to a Xero rate that is
not Odoo's): the document is not sent (:func:`with_rounding_line` raises),
the Odoo side blocks it naming the tax.

Discounts: Xero takes ``DiscountRate`` on ACCREC invoices only (LineItem in
Xero's OpenAPI spec: "only supported on ACCREC invoices – ACC PAY invoices
and credit notes in Xero do not support discounts"); the other types carry
the discounted unit price (4 dp) instead (:func:`xero_lines`).
"""

import re
from dataclasses import dataclass, field, replace
import datetime
from decimal import ROUND_HALF_UP, Decimal

from xero_python.accounting import (
    Account,
    Address,
    Allocation,
    Contact,
    CreditNote,
    Invoice,
    LineAmountTypes,
    LineItem,
    Payment,
)
from xero_python.accounting.models import CurrencyCode

from .payloads_tracking import line_item_tracking

CENT = Decimal("0.01")
UNIT = Decimal("0.0001")  # unitdp=4
# Xero keeps currency rates to 6 decimals (Invoice.CurrencyRate in Xero's
# OpenAPI spec: "max length = [18].[6]").
RATE = Decimal("0.000001")

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


def round6(value):
    """A currency rate as Xero keeps it (6 decimals)."""
    return _dec(value).quantize(RATE, rounding=ROUND_HALF_UP)


def discount_supported(doc_type):
    """Xero takes DiscountRate on ACCREC invoices only (LineItem.DiscountRate
    in Xero's OpenAPI spec)."""
    return doc_type == "ACCREC"


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
    # Xero's tracking of the line, [{"Name": category, "Option": option}]
    # (xero.connection._xero_tracking); None or [] for none.
    tracking: list = None


@dataclass
class DocumentValues:
    """An invoice, bill or credit note as it goes to Xero."""

    type: str  # ACCREC, ACCPAY, ACCRECCREDIT, ACCPAYCREDIT
    contact_id: str
    number: str  # InvoiceNumber / CreditNoteNumber: for ACCPAY(CREDIT) the supplier's reference
    date: datetime.date
    line_amount_types: str  # "Exclusive", "Inclusive" or "NoTax"
    lines: list = field(default_factory=list)
    total: float = 0.0  # Odoo's amount_total, the figure Xero must end on
    due_date: datetime.date = None
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
def xero_lines(doc):
    """``doc.lines`` as they go to Xero: on a document type without
    discounts (all but ACCREC) a discounted line carries its discounted
    unit price, to 4 decimals, and no discount."""
    if discount_supported(doc.type):
        return list(doc.lines)
    lines = []
    for line in doc.lines:
        if line.discount:
            unit = round4(_dec(line.unit_amount) * (1 - _dec(line.discount) / 100))
            line = replace(line, unit_amount=float(unit), discount=0.0)
        lines.append(line)
    return lines


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
    """Odoo's total minus the total Xero would compute from the document's lines."""
    return round2(doc.total) - xero_totals(xero_lines(doc), doc.line_amount_types)[2]


def rounding_tolerance(doc):
    """The largest difference per-line rounding explains: a cent a line
    (Xero rounds each line's tax to the cent where Odoo may round the
    document's; at most half a cent a line either way), plus what 4-dp unit
    prices can move the lines (half a unit of the 4th decimal per unit of
    quantity), to the cent."""
    lines = doc.lines or []
    units = sum((abs(_dec(line.quantity)) for line in lines), Decimal(0)) * UNIT / 2
    return CENT * max(len(lines), 1) + round2(units)


def rounding_within_tolerance(doc):
    return abs(rounding_difference(doc)) <= rounding_tolerance(doc)


def with_rounding_line(doc):
    """The document's lines as Xero takes them, plus a no-tax "Rounding"
    line when Xero's total of the lines would differ from Odoo's total by
    per-line rounding; a larger difference raises ValueError."""
    lines = xero_lines(doc)
    diff = rounding_difference(doc)
    if not diff:
        return lines
    if abs(diff) > rounding_tolerance(doc):
        raise ValueError("Xero's total would differ from Odoo's by %s, more than per-line "
                         "rounding (%s): a tax rate differs" % (diff, rounding_tolerance(doc)))
    if not doc.rounding_account_code:
        raise ValueError("a rounding line is needed but no rounding account is set")
    return lines + [LineValues(
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


def _line_item(line, doc_type="ACCREC"):
    item = LineItem(
        description=(line.description or "")[:4000] or "/",
        quantity=float(line.quantity),
        unit_amount=float(round4(line.unit_amount)),
        account_code=line.account_code,
    )
    if line.tax_type:
        item.tax_type = line.tax_type
    if line.tracking:
        item.tracking = line_item_tracking(line.tracking)
    if line.discount:
        if not discount_supported(doc_type):
            raise ValueError("Xero takes no DiscountRate on %s" % doc_type)
        item.discount_rate = float(line.discount)
    return item


def build_line_items(doc):
    return [_line_item(line, doc.type) for line in with_rounding_line(doc)]


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
        common["currency_rate"] = float(round6(doc.currency_rate))
    if doc.type in CREDIT_NOTE_TYPES:
        note = CreditNote(credit_note_number=doc.number, **common)
        # Xero reads Reference on ACCRECCREDIT only (CreditNote.Reference in
        # its OpenAPI spec); a supplier credit note's number is the supplier's.
        if doc.reference and doc.type == "ACCRECCREDIT":
            note.reference = doc.reference[:255]
        return note
    if doc.type not in INVOICE_TYPES:
        raise ValueError("unknown Xero document type %r" % doc.type)
    invoice = Invoice(invoice_number=doc.number, **common)
    if doc.due_date:
        invoice.due_date = doc.due_date
    # Xero reads Reference on ACCREC only (Invoice.Reference in its OpenAPI
    # spec: "ACCREC only"); a bill's InvoiceNumber is the supplier's reference.
    if doc.reference and doc.type == "ACCREC":
        invoice.reference = doc.reference[:255]
    if doc.url:
        invoice.url = doc.url
    return invoice


# Xero's limits on a Contact (xero_accounting.yaml, Contact and Address):
# Name, FirstName, LastName, EmailAddress 255; ContactNumber, TaxNumber 50;
# AddressLine1-4 500, City and Region 255, PostalCode and Country 50.
NAME_MAX = 255
CONTACT_LIMITS = {"name": 255, "first_name": 255, "last_name": 255, "email_address": 255,
                  "contact_number": 50, "tax_number": 50}
ADDRESS_LIMITS = {"address_line1": 500, "address_line2": 500, "city": 255, "region": 255,
                  "postal_code": 50, "country": 50}


def _clip(text, limit):
    text = " ".join(str(text or "").split())
    return text[:limit].rstrip() or None


def build_contact(contact_number, name, email=None, tax_number=None, is_company=True,
                  first_name=None, last_name=None, address=None, contact_id=None):
    """A ``Contact`` within Xero's limits. ``address``: plain values (line1,
    line2, city, region, postal_code, country) for its STREET address;
    ``contact_id`` for an update. A tax number longer than Xero takes is left
    out rather than cut (a cut one would be wrong); so is an email that is
    not one address of at most 255 characters."""
    contact = Contact(contact_number=contact_number[:50],
                      name=_clip(name, NAME_MAX) or contact_number)
    if contact_id:
        contact.contact_id = contact_id
    if email and len(email) <= 255 and "," not in email and " " not in email.strip():
        contact.email_address = email.strip()
    if tax_number and len(tax_number.strip()) <= 50:
        contact.tax_number = tax_number.strip()
    if not is_company and first_name:
        contact.first_name = _clip(first_name, 255)
        if last_name:
            contact.last_name = _clip(last_name, 255)
    if address and any(address.values()):
        contact.addresses = [Address(
            address_type="STREET",
            address_line1=_clip(address.get("line1"), 500),
            address_line2=_clip(address.get("line2"), 500),
            city=_clip(address.get("city"), 255),
            region=_clip(address.get("region"), 255),
            postal_code=_clip(address.get("postal_code"), 50),
            country=_clip(address.get("country"), 50),
        )]
    return contact


def build_payment(target_type, target_xero_id, amount, payment_date, account_code=None,
                  account_id=None, currency_rate=None, reference=None, bank_amount=None):
    """A ``Payment`` of ``amount`` (in the target's currency) on an invoice
    (``target_type`` "invoice") or a credit note ("credit_note", a refund).
    ``bank_amount``: what left (or reached) the bank account, in its own
    currency, when that is not the document's (Payment.BankAmount in Xero's
    OpenAPI spec, "The amount of the payment in the currency of the bank
    account", not read-only)."""
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
        payment.currency_rate = float(round6(currency_rate))
    if bank_amount:
        payment.bank_amount = float(round2(bank_amount))
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


# Xero's where clause has no escape: a string literal runs from one double
# quote to the next, and a backslash anywhere is refused. Xero-Java issue 347
# ("Not able to find contact if name contains double quotes",
# https://github.com/XeroAPI/Xero-Java/issues/347): Name=="asd"asd'asd"",
# Name=="asd\"asd'asd\"" and the doubled backslash all answer 400
# QueryParseException "Syntax error". Control characters are left out too
# (nothing documents them in a literal). Non-ASCII letters are fine.
_UNQUOTABLE = re.compile(r'["\\\x00-\x1f\x7f]')


def can_quote(value):
    """Can ``value`` go in a Xero where clause as a string literal?"""
    return value is not None and not _UNQUOTABLE.search(str(value))


def where_equals(field_name, value):
    """A Xero ``where`` clause ``Field=="value"``. Xero has no escape inside
    a literal (see ``can_quote``): a value that cannot be quoted raises
    ValueError rather than make a clause Xero refuses (or, worse, one that
    means something else)."""
    if not can_quote(value):
        raise ValueError("%s cannot be quoted in a Xero where clause" % field_name)
    return '%s=="%s"' % (field_name, value)


def safe_fragment(value, min_length=3):
    """The longest run of ``value`` that can be quoted (see ``can_quote``),
    stripped, for a ``Field.Contains("...")`` look-up of a value that cannot
    be quoted whole; None when no run of ``min_length`` characters is left."""
    runs = [run.strip() for run in _UNQUOTABLE.split(str(value or ""))]
    best = max(runs, key=len, default="")
    return best if len(best) >= min_length else None


def where_contains(field_name, value, ignore_case=False):
    """``Field!=null AND Field.Contains("value")``, Xero's documented
    Contains filter (https://developer.xero.com/documentation/api/accounting/requests-and-responses,
    "Name.Contains(\"Peter\")"); the null test keeps Xero from failing on
    records without the field. With ``ignore_case`` both sides are lower
    case (``Field.ToLower().Contains``): Xero's == ignores case, Contains
    does not. ``value`` must be quotable (see ``can_quote``)."""
    if not can_quote(value):
        raise ValueError("%s cannot be quoted in a Xero where clause" % field_name)
    if ignore_case:
        return '(%s!=null AND %s.ToLower().Contains("%s"))' % (field_name, field_name, value.lower())
    return '(%s!=null AND %s.Contains("%s"))' % (field_name, field_name, value)


def disambiguated_name(name, contact_number):
    """``Name (ContactNumber)`` within Xero's 255 characters: the name a
    contact is created under when another contact has its name (Xero
    refuses two active contacts of the same name)."""
    suffix = " (%s)" % contact_number
    return name[:NAME_MAX - len(suffix)].rstrip() + suffix
