"""Xero's answers read into plain results: one :class:`ElementResult` per
element of a batch write (Xero's summarizeErrors=false answers, in request
order), Xero's own words from a 400 body, a Trial Balance row. Read
defensively: what is not shaped as Xero documents it is left out, and a
batch answered with a different number of elements than sent is an error,
never a guess. No I/O, no ``odoo`` import.
"""

import decimal
from dataclasses import dataclass, field

from .errors import XeroTransientError


@dataclass
class ElementResult:
    """What Xero did with one element of a batch."""

    ok: bool
    xero_id: str = None
    obj: object = None
    errors: list = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def message(self):
        return "; ".join(self.errors)


def _report_amount(value):
    try:
        return decimal.Decimal((value or "0").replace(",", ""))
    except decimal.InvalidOperation:
        return decimal.Decimal(0)


def trial_balance_row(row):
    """(AccountID, values) of a Trial Balance row of an account, else None."""
    row_type = getattr(getattr(row, "row_type", None), "value", getattr(row, "row_type", None))
    cells = getattr(row, "cells", None) or []
    if row_type != "Row" or len(cells) < 5:
        return None
    account_id = next((a.value for a in (cells[0].attributes or []) if a.id == "account"), None)
    if not account_id:
        return None
    debit, credit, ytd_debit, ytd_credit = (_report_amount(c.value) for c in cells[1:5])
    label = cells[0].value or ""
    code = label.rsplit("(", 1)[1].rstrip(")") if label.endswith(")") and "(" in label else None
    return account_id.lower(), {
        "label": label, "code": code, "debit": debit, "credit": credit,
        "ytd_debit": ytd_debit, "ytd_credit": ytd_credit, "balance": ytd_debit - ytd_credit,
    }


def validation_messages(payload):
    """Xero's own words from a 400 body (ValidationException or other);
    whatever in it is not shaped as Xero documents it is left out."""
    messages = []
    elements = payload.get("Elements")
    for element in elements if isinstance(elements, list) else []:
        errors = element.get("ValidationErrors") if isinstance(element, dict) else None
        for err in errors if isinstance(errors, list) else []:
            message = err.get("Message") if isinstance(err, dict) else None
            if isinstance(message, str) and message and message not in messages:
                messages.append(message)
    for key in ("Message", "Detail"):
        if not messages and isinstance(payload.get(key), str) and payload[key]:
            messages.append(payload[key])
    return messages


def element_results(elements, id_attr, expected):
    if len(elements) != expected:
        raise XeroTransientError(
            "Xero answered %d results for %d elements; nothing is assumed." % (len(elements), expected))
    results = []
    for obj in elements:
        errors = [e.message for e in (getattr(obj, "validation_errors", None) or []) if e.message]
        failed = bool(errors) or getattr(obj, "status_attribute_string", None) == "ERROR" \
            or bool(getattr(obj, "has_errors", False)) or bool(getattr(obj, "has_validation_errors", False))
        if failed and not errors:
            errors = ["Xero rejected this element without a message."]
        warnings = [w.message for w in (getattr(obj, "warnings", None) or []) if w.message]
        results.append(ElementResult(
            ok=not failed,
            xero_id=None if failed else getattr(obj, id_attr, None),
            obj=obj,
            errors=errors,
            warnings=warnings,
        ))
    return results

