"""Invoices and credit notes (ACCREC / ACCPAY and their credit twins):
create, update, void and delete with Xero's rules, their settlement by
payments and credit notes, and credit note Allocations.

The shared batch machinery is in documents.py, the line rules in lines.py.
"""
from .accounting import bad_request, json_response, not_found, route
from .contacts import _contact_of, _document_contact, _mark_contact_role
from .documents import (
    _ci,
    _close,
    collection,
    _date,
    _date_or_today,
    _elements,
    Invalid,
    _lock_errors,
    _only,
    run_batch,
    _stamp,
    Tx,
    _updated,
    ZERO,
)
from .lines import (
    _currency,
    _lat,
    _line_input,
    _lines,
    _render_lines,
    _system_account_errors,
    _totals,
)
from .util import date_string, dec, new_id, r2


# --- invoices & credit notes ------------------------------------------------
INV_TYPES = ("ACCREC", "ACCPAY")
CN_TYPES = ("ACCRECCREDIT", "ACCPAYCREDIT")
# "auto": the type Xero numbers itself (sales invoices and credit notes);
# "outstanding": what payments and allocations reduce.
DOC_SPECS = {
    "Invoices": {"id": "InvoiceID", "number": "InvoiceNumber", "types": INV_TYPES, "prefix": "INV-",
                 "auto": "ACCREC", "name": "Invoice", "outstanding": "AmountDue",
                 "duplicate_number": "Invoice # must be unique.",
                 "not_found": "Invoice with InvoiceID %s could not be found (sandbox wording)"},
    "CreditNotes": {"id": "CreditNoteID", "number": "CreditNoteNumber", "types": CN_TYPES, "prefix": "CN-",
                    "auto": "ACCRECCREDIT", "name": "Credit Note", "outstanding": "RemainingCredit",
                    "duplicate_number": "Credit Note # must be unique. (sandbox wording)",
                    "not_found": "Credit Note with CreditNoteID %s could not be found (sandbox wording)"},
}


def _has_money(doc):
    return bool(doc.get("Payments")) or bool(doc.get("Allocations")) or doc.get("AmountCredited", ZERO) > 0 \
        or doc.get("AmountPaid", ZERO) > 0


def _number_taken(docs, spec, number, typ):
    return any(d.get(spec["number"]) == number and d["Type"] == typ and d["Status"] != "DELETED"
               for d in docs.values())


def _invoice_handle(ctx, tx, el, kind, doc_id=None):
    tenant = ctx.tenant
    spec = DOC_SPECS[kind]
    docs = tenant.docs[kind]
    errors = []
    did, existing = _updated(ctx, kind, el, doc_id, spec["not_found"])
    if did is None and ctx.request.method == "POST" and _ci(el, spec["number"]):
        num = _ci(el, spec["number"])
        existing = next((d for d in docs.values() if d.get(spec["number"]) == num
                         and d["Status"] not in ("DELETED", "VOIDED")
                         and (d["Type"] == spec["auto"])), None)
    if existing is not None:
        return _invoice_update(ctx, tx, el, kind, existing)
    typ = _ci(el, "Type")
    if typ not in spec["types"]:
        raise Invalid(["%s Type must be one of %s (sandbox wording)" % (spec["name"], ", ".join(spec["types"]))])
    status = (_ci(el, "Status") or "DRAFT").upper()
    if status not in ("DRAFT", "SUBMITTED", "AUTHORISED"):
        errors.append("%s status %s is not valid for a new document (sandbox wording)" % (spec["name"], status))
    lat = _lat(el)
    if lat is None:
        errors.append("LineAmountTypes is not valid (sandbox wording)")
        lat = "Exclusive"
    contact = _document_contact(ctx, tx, _ci(el, "Contact"), errors)
    date = _date_or_today(ctx, el, errors)
    due = _date(_ci(el, "DueDate"), "DueDate", errors)
    currency, rate = _currency(ctx, el, errors)
    lines = _lines(ctx, el, "LineItems", errors, status, lat, discounts=typ == "ACCREC")
    errors.extend(_system_account_errors(lines, tenant, spec["name"].lower()))
    if status == "AUTHORISED":
        errors.extend(_lock_errors(tenant, date))
    number = _ci(el, spec["number"])
    if number and typ == spec["auto"] and _number_taken(docs, spec, number, typ):
        errors.append(spec["duplicate_number"])
    if errors:
        raise Invalid(errors)
    if not number and typ == spec["auto"]:
        number = tenant.next_number(spec["prefix"])
    sub, tax, total = _totals(lines, lat)
    # Xero reads Reference on ACCREC and ACCRECCREDIT only (Invoice.Reference
    # "ACCREC only", CreditNote.Reference "ACCRECCREDIT only" in Xero's
    # OpenAPI spec): a bill's reference is its InvoiceNumber.
    reference = _ci(el, "Reference") if typ in ("ACCREC", "ACCRECCREDIT") else None
    doc = {spec["id"]: new_id(), "Type": typ, spec["number"]: number, "Reference": reference,
           "Contact": contact["ContactID"], "Date": date, "DueDate": due, "Status": status,
           "LineAmountTypes": lat, "LineItems": lines, "SubTotal": sub, "TotalTax": tax, "Total": total,
           "CurrencyCode": currency, "CurrencyRate": rate, "Url": _ci(el, "Url"),
           "BrandingThemeID": _ci(el, "BrandingThemeID"), "SentToContact": bool(_ci(el, "SentToContact")),
           "Payments": [], "Allocations": [], "AmountPaid": ZERO, "AmountCredited": ZERO,
           "HasAttachments": False, "IsDiscounted": False, "UpdatedDateUTC": _stamp(ctx),
           spec["outstanding"]: total}
    _mark_contact_role(ctx, tx, contact, typ)
    return tx.put(kind, doc)


def _invoice_update(ctx, tx, el, kind, existing):
    tenant = ctx.tenant
    spec = DOC_SPECS[kind]
    doc = dict(existing)
    errors = []
    cur = doc["Status"]
    new = (_ci(el, "Status") or cur).upper()
    edits = [k for k in el if k.lower() not in (spec["id"].lower(), "status", spec["number"].lower(), "type")]
    if cur in ("PAID", "VOIDED", "DELETED"):
        # Xero: "Invoice not of valid status for modification"
        if new != cur or edits:
            raise Invalid(["%s not of valid status for modification" % spec["name"]])
        return existing
    allowed = {
        "DRAFT": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
        "SUBMITTED": {"DRAFT", "SUBMITTED", "AUTHORISED", "DELETED"},
        "AUTHORISED": {"AUTHORISED", "VOIDED"},
    }[cur]
    if new not in allowed:
        raise Invalid(["%s not of valid status for modification" % spec["name"]])
    if cur == "AUTHORISED" and _has_money(doc) and (new == "VOIDED" or edits):
        raise Invalid(["This document cannot be edited as it has a payment or credit note allocated to it."])
    if new in ("VOIDED", "DELETED"):
        return _close(ctx, tx, kind, existing, new, new == "VOIDED", **{spec["outstanding"]: ZERO})
    lat = _lat(el, doc["LineAmountTypes"]) or doc["LineAmountTypes"]
    if _ci(el, "Contact") is not None:
        contact = _document_contact(ctx, tx, _ci(el, "Contact"), errors)
        if contact is not None:
            doc["Contact"] = contact["ContactID"]
    if _ci(el, "Date") is not None:
        doc["Date"] = _date(_ci(el, "Date"), "Date", errors, doc["Date"])
    if _ci(el, "DueDate") is not None:
        doc["DueDate"] = _date(_ci(el, "DueDate"), "DueDate", errors, doc["DueDate"])
    for f in ("Reference", "Url", "BrandingThemeID"):
        if _ci(el, f) is not None and (f != "Reference" or doc["Type"] in ("ACCREC", "ACCRECCREDIT")):
            doc[f] = _ci(el, f)
    if _ci(el, "CurrencyCode") is not None or _ci(el, "CurrencyRate") is not None:
        merged = {"CurrencyCode": _ci(el, "CurrencyCode") or doc["CurrencyCode"],
                  "CurrencyRate": _ci(el, "CurrencyRate") or doc["CurrencyRate"]}
        doc["CurrencyCode"], doc["CurrencyRate"] = _currency(ctx, merged, errors)
    number = _ci(el, spec["number"])
    if number and number != doc.get(spec["number"]) and doc["Type"] == spec["auto"]:
        if _number_taken(tenant.docs[kind], spec, number, doc["Type"]):
            errors.append(spec["duplicate_number"])
        doc[spec["number"]] = number
    if _ci(el, "LineItems") is not None:
        doc["LineItems"] = _lines(ctx, el, "LineItems", errors, new, lat,
                                  discounts=doc["Type"] == "ACCREC")
    elif lat != doc["LineAmountTypes"]:
        doc["LineItems"] = _lines(ctx, {"LineItems": [_line_input(li) for li in doc["LineItems"]]},
                                  "LineItems", errors, new, lat, discounts=doc["Type"] == "ACCREC")
    elif new != "DRAFT":
        for li in doc["LineItems"]:
            if not li.get("AccountCode"):
                errors.append("Account code must be specified")
                break
    doc["LineAmountTypes"] = lat
    if _ci(el, "LineItems") is not None:
        errors.extend(_system_account_errors(doc["LineItems"], tenant, spec["name"].lower()))
    if new == "AUTHORISED":
        errors.extend(_lock_errors(tenant, doc["Date"]))
    if errors:
        raise Invalid(errors)
    doc["Status"] = new
    doc["SubTotal"], doc["TotalTax"], doc["Total"] = _totals(doc["LineItems"], lat)
    if kind == "Invoices":
        doc["AmountDue"] = r2(doc["Total"] - doc["AmountPaid"] - doc["AmountCredited"])
    else:
        doc["RemainingCredit"] = r2(doc["Total"] - sum((a["Amount"] for a in doc["Allocations"]), ZERO)
                                    - doc["AmountPaid"])
    doc["UpdatedDateUTC"] = _stamp(ctx)
    return tx.put(kind, doc)


def _settle(ctx, tx, kind, doc, amount, date, **changes):
    """Store an invoice or credit note with changes and amount taken off what
    is outstanding (AmountDue, RemainingCredit): PAID on date when nothing is
    left, AUTHORISED again when removing a payment reopens it."""
    outstanding = DOC_SPECS[kind]["outstanding"]
    doc = dict(doc, **changes)
    doc[outstanding] = r2(doc[outstanding] - amount)
    if doc[outstanding] == 0:
        doc["Status"] = "PAID"
        doc["FullyPaidOnDate"] = date
    elif doc["Status"] == "PAID":
        doc["Status"] = "AUTHORISED"
        doc.pop("FullyPaidOnDate", None)
    doc["UpdatedDateUTC"] = _stamp(ctx)
    return tx.put(kind, doc)


def render_invoice(ctx, d, full=True):
    tenant = ctx.tenant
    out = {k: v for k, v in d.items()
           if k not in ("Contact", "LineItems", "Payments", "Allocations", "DepositAllocations")}
    out["Contact"] = _contact_of(tenant, d["Contact"]) or {"ContactID": d["Contact"]}
    out["DateString"] = date_string(d["Date"])
    if d.get("DueDate"):
        out["DueDateString"] = date_string(d["DueDate"])
    if full:
        out["LineItems"] = _render_lines(d["LineItems"])
    out["Payments"] = [{"PaymentID": p["PaymentID"], "Date": p["Date"], "Amount": p["Amount"],
                        "Reference": p.get("Reference"), "CurrencyRate": p.get("CurrencyRate"),
                        "HasAccount": True, "HasValidationErrors": False}
                       for p in d.get("Payments", [])]
    if "InvoiceID" in d:
        out["CreditNotes"] = [{"CreditNoteID": a["CreditNoteID"], "CreditNoteNumber": a.get("CreditNoteNumber"),
                               "AppliedAmount": a["Amount"], "Date": a["Date"], "Total": a.get("Total")}
                              for a in d.get("Allocations", [])]
        # Prepayments and overpayments allocated to it (xero_sandbox/deposits.py).
        for key, id_key in (("Prepayments", "PrepaymentID"), ("Overpayments", "OverpaymentID")):
            out[key] = [{id_key: a[id_key], "AppliedAmount": a["Amount"], "Date": a["Date"]}
                        for a in d.get("DepositAllocations", []) if a.get(id_key)]
    else:
        out["Allocations"] = [{"AllocationID": a["AllocationID"], "Amount": a["Amount"], "Date": a["Date"],
                               "Invoice": {"InvoiceID": a["InvoiceID"], "InvoiceNumber": a.get("InvoiceNumber")}}
                              for a in d.get("Allocations", [])]
        out["AppliedAmount"] = r2(d["Total"] - d.get("RemainingCredit", ZERO)) if d["Status"] != "VOIDED" else ZERO
    return out


def _doc_lookup(tenant, kind, key):
    """By InvoiceID (CreditNoteID) or else by InvoiceNumber (CreditNoteNumber)."""
    spec = DOC_SPECS[kind]
    docs = tenant.docs[kind]
    d = docs.get(key.lower())
    if d is None:
        d = next((x for x in docs.values() if (x.get(spec["number"]) or "").lower() == key.lower()), None)
    return d


def _invoice_route(kind):
    spec = DOC_SPECS[kind]

    def find(tenant, key):
        return _doc_lookup(tenant, kind, key)

    def target(tenant, key):
        d = _doc_lookup(tenant, kind, key)
        return d[spec["id"]] if d else None

    def handle(ctx, tx, el, doc_id=None):
        return _invoice_handle(ctx, tx, el, kind, doc_id)

    def select(ctx, docs):
        docs = _only(ctx, docs, "IDs", lambda d: d[spec["id"]].lower())
        docs = _only(ctx, docs, spec["number"] + "s", lambda d: d.get(spec["number"]), norm=str)
        docs = _only(ctx, docs, "ContactIDs", lambda d: d["Contact"].lower())
        return _only(ctx, docs, "Statuses", lambda d: d["Status"], norm=str.upper)

    # where clauses see the rendered shape (Contact.ContactID, Contact.Name ...)
    documents = collection(kind, render_invoice, handle, find=find, target=target, select=select)

    def handler(ctx, rest):
        if len(rest) <= 1:
            return documents(ctx, rest)
        # No sub-resources but a credit note's allocations
        # (PUT /CreditNotes/{CreditNoteID}/Allocations).
        if kind == "CreditNotes" and len(rest) == 2 and rest[1].lower() == "allocations" \
                and ctx.request.method in ("PUT", "POST"):
            with ctx.store.lock:
                return _allocations(ctx, rest[0])
        # DELETE /CreditNotes/{CreditNoteID}/Allocations/{AllocationID}
        # (xero_accounting.yaml, deleteCreditNoteAllocations).
        if kind == "CreditNotes" and len(rest) == 3 and rest[1].lower() == "allocations" \
                and ctx.request.method == "DELETE":
            with ctx.store.lock:
                return _delete_allocation(ctx, rest[0], rest[2])
        return not_found()

    return handler


invoices = route("Invoices")(_invoice_route("Invoices"))
credit_notes = route("CreditNotes")(_invoice_route("CreditNotes"))


def _allocations(ctx, cn_key):
    tenant = ctx.tenant
    cn0 = _doc_lookup(tenant, "CreditNotes", cn_key)
    if cn0 is None:
        return not_found()

    def handle(ctx, tx, el):
        cn = tenant.docs["CreditNotes"][cn0["CreditNoteID"].lower()]
        errors = []
        inv_ref = _ci(el, "Invoice") or {}
        inv = None
        if _ci(inv_ref, "InvoiceID"):
            inv = tenant.docs["Invoices"].get(str(_ci(inv_ref, "InvoiceID")).lower())
        elif _ci(inv_ref, "InvoiceNumber"):
            inv = _doc_lookup(tenant, "Invoices", _ci(inv_ref, "InvoiceNumber"))
        if inv is None:
            raise Invalid(["Invoice could not be found (sandbox wording)"])
        try:
            amount = r2(dec(_ci(el, "Amount"), ZERO))
        except ValueError as e:
            raise Invalid([str(e)]) from None
        date = _date_or_today(ctx, el, errors)
        if cn["Status"] != "AUTHORISED":
            errors.append("Credit note must be AUTHORISED to be allocated (sandbox wording)")
        if inv["Status"] != "AUTHORISED":
            errors.append("Invoice must be AUTHORISED to be allocated against (sandbox wording)")
        if {"ACCRECCREDIT": "ACCREC", "ACCPAYCREDIT": "ACCPAY"}[cn["Type"]] != inv["Type"]:
            errors.append("The credit note type does not match the invoice type (sandbox wording)")
        if inv["Contact"] != cn["Contact"]:
            errors.append("The invoice and credit note must be for the same contact (sandbox wording)")
        if inv["CurrencyCode"] != cn["CurrencyCode"]:
            errors.append("The invoice and credit note must be in the same currency (sandbox wording)")
        if amount <= 0:
            errors.append("Allocation amount must be greater than zero (sandbox wording)")
        if amount > cn["RemainingCredit"]:
            errors.append("The amount allocated exceeds the remaining credit on the credit note "
                          "(sandbox wording)")
        if amount > inv["AmountDue"]:
            errors.append("Allocation amount exceeds the amount due on the invoice (sandbox wording)")
        errors.extend(_lock_errors(tenant, date))
        if errors:
            raise Invalid(errors)
        alloc_id = new_id()
        cn = _settle(ctx, tx, "CreditNotes", cn, amount, date, Allocations=cn["Allocations"] + [
            {"AllocationID": alloc_id, "Amount": amount, "Date": date, "InvoiceID": inv["InvoiceID"],
             "InvoiceNumber": inv.get("InvoiceNumber")}])
        inv = _settle(ctx, tx, "Invoices", inv, amount, date, AmountCredited=r2(inv["AmountCredited"] + amount),
                      Allocations=inv["Allocations"] + [
                          {"AllocationID": alloc_id, "Amount": amount, "Date": date,
                           "CreditNoteID": cn["CreditNoteID"], "CreditNoteNumber": cn.get("CreditNoteNumber"),
                           "Total": cn["Total"]}])
        return {"AllocationID": alloc_id, "Amount": amount, "Date": date, "InvoiceID": inv["InvoiceID"],
                "CreditNoteID": cn["CreditNoteID"]}

    def render(ctx, a, full=True):
        inv = tenant.docs["Invoices"][a["InvoiceID"].lower()]
        cn = tenant.docs["CreditNotes"][a["CreditNoteID"].lower()]
        return {"AllocationID": a["AllocationID"], "Amount": a["Amount"], "Date": a["Date"],
                "Invoice": render_invoice(ctx, inv, full=False),
                "CreditNote": {"CreditNoteID": cn["CreditNoteID"], "CreditNoteNumber": cn.get("CreditNoteNumber"),
                               "RemainingCredit": cn["RemainingCredit"], "Status": cn["Status"]},
                "IsDeleted": False, "StatusAttributeString": None}

    return run_batch(ctx, "Allocations", _elements(ctx, "Allocations"), handle, render)


def _delete_allocation(ctx, cn_key, allocation_id):
    """DELETE /CreditNotes/{CreditNoteID}/Allocations/{AllocationID}: Xero's
    spec (operationId deleteCreditNoteAllocations) answers 200 with the
    Allocation, IsDeleted true. The allocated amount goes back to the credit
    note's RemainingCredit and the invoice's AmountDue (a PAID one is
    AUTHORISED again). An unknown credit note or allocation is 404; an
    allocation dated in a locked period is refused like any change there."""
    tenant = ctx.tenant
    cn = _doc_lookup(tenant, "CreditNotes", cn_key)
    if cn is None:
        return not_found()
    alloc = next((a for a in cn.get("Allocations", [])
                  if a["AllocationID"].lower() == allocation_id.lower()), None)
    if alloc is None:
        return not_found()
    errors = _lock_errors(tenant, alloc["Date"])
    if errors:
        return bad_request("A validation exception occurred", elements=[
            {"AllocationID": alloc["AllocationID"], "ValidationErrors": [{"Message": m} for m in errors]}])
    tx = Tx(tenant)
    amount = alloc["Amount"]
    cn = _settle(ctx, tx, "CreditNotes", cn, -amount, alloc["Date"], Allocations=[
        a for a in cn["Allocations"] if a["AllocationID"] != alloc["AllocationID"]])
    inv = tenant.docs["Invoices"].get(alloc["InvoiceID"].lower())
    if inv is not None:
        _settle(ctx, tx, "Invoices", inv, -amount, alloc["Date"],
                AmountCredited=r2(inv["AmountCredited"] - amount),
                Allocations=[a for a in inv["Allocations"] if a["AllocationID"] != alloc["AllocationID"]])
    return json_response({
        "AllocationID": alloc["AllocationID"], "Amount": amount, "Date": alloc["Date"],
        "Invoice": {"InvoiceID": alloc["InvoiceID"], "InvoiceNumber": alloc.get("InvoiceNumber")},
        "CreditNote": {"CreditNoteID": cn["CreditNoteID"], "CreditNoteNumber": cn.get("CreditNoteNumber"),
                       "RemainingCredit": cn["RemainingCredit"], "Status": cn["Status"]},
        "IsDeleted": True,
    })
