"""What Xero held of a document when Odoo sent it, and how it differs now.

Pure (no I/O, no ORM). A fingerprint is read from Xero's own answer to the
push (the invoice or credit note Xero returns when it stores it), so it is
Xero's rounding and normalisation, not ours; the same reading of the
document Xero shows later (the pull, on an INVOICE or CREDITNOTE event)
tells what was changed in Xero: voided or deleted, the contact, the date,
the total, the lines (description, account, quantity, unit amount, tax,
line amount). A payment changes none of these (it is read separately, see
models/xero_payment_import.py).
"""

from decimal import Decimal, InvalidOperation

GONE = ("VOIDED", "DELETED")


def _value(enum):
    return str(getattr(enum, "value", enum) or "")


def _amount(value, places="0.01"):
    try:
        return str(Decimal(str(value if value is not None else 0)).quantize(Decimal(places)))
    except InvalidOperation:
        return str(value)


def _text(value):
    return " ".join(str(value or "").split())


def fingerprint(doc):
    """The plain values (JSON-able) of a xero-python Invoice or CreditNote."""
    contact = getattr(doc, "contact", None)
    lines = []
    for line in getattr(doc, "line_items", None) or []:
        lines.append([
            _text(line.description), _text(line.account_code),
            _amount(line.quantity, "0.0001"), _amount(line.unit_amount, "0.0001"),
            _text(_value(line.tax_type)), _amount(line.line_amount),
        ])
    return {
        "status": _value(getattr(doc, "status", None)),
        "contact_id": str(getattr(contact, "contact_id", "") or "").lower(),
        "contact": _text(getattr(contact, "name", None)),
        "date": str(getattr(doc, "date", "") or "")[:10],
        "total": _amount(getattr(doc, "total", None)),
        "currency": _value(getattr(doc, "currency_code", None)),
        "lines": lines,
    }


def _line_text(line):
    description, account, quantity, unit, tax, amount = line
    return "%s (account %s, %s x %s, %s, %s)" % (
        description or "-", account or "-", quantity, unit, tax or "no tax", amount)


def differences(sent, now):
    """["Voided in Xero", "Total: 115.00 → 150.00", …]: what differs in Xero
    from what was sent; [] when nothing that Odoo sent was changed."""
    if not sent:
        return []
    if now["status"] in GONE and sent.get("status") not in GONE:
        return ["%s in Xero" % now["status"].capitalize()]
    out = []
    if now["contact_id"] != sent.get("contact_id"):
        out.append("Contact: %s → %s" % (sent.get("contact") or sent.get("contact_id"),
                                         now["contact"] or now["contact_id"]))
    if now["date"] != sent.get("date"):
        out.append("Date: %s → %s" % (sent.get("date"), now["date"]))
    if now["total"] != sent.get("total"):
        out.append("Total: %s → %s" % (sent.get("total"), now["total"]))
    before, after = sent.get("lines") or [], now["lines"]
    if before != after:
        removed = [line for line in before if line not in after]
        added = [line for line in after if line not in before]
        out.extend("Line removed: %s" % _line_text(line) for line in removed)
        out.extend("Line added or changed: %s" % _line_text(line) for line in added)
        if not removed and not added:
            out.append("Lines in another order")
    return out
