"""Payments: on invoices, credit notes, prepayments and overpayments, and
their deletion, with Xero's rules (amount outstanding, the paying account,
lock dates).
"""
from decimal import Decimal

from .accounting import route
from .contacts import _contact_of
from .documents import (
    _ci,
    collection,
    _date_or_today,
    ID_KEY,
    Invalid,
    _lock_errors,
    _stamp,
)
from .invoices import _doc_lookup, DOC_SPECS, _settle
from .lines import (
    _account_summary,
    _amount,
    _find_account,
    _rate,
    FX,
)
from .util import dec, new_id, r2


# --- payments -------------------------------------------------------------------
PAYMENT_TYPES = {"ACCREC": "ACCRECPAYMENT", "ACCPAY": "ACCPAYPAYMENT",
                 "ACCRECCREDIT": "ARCREDITPAYMENT", "ACCPAYCREDIT": "APCREDITPAYMENT",
                 # A refund of a prepayment or overpayment (Payment.PaymentType in
                 # Xero's OpenAPI spec; the Payment's Prepayment / Overpayment object).
                 "RECEIVE-PREPAYMENT": "ARPREPAYMENTPAYMENT",
                 "SPEND-PREPAYMENT": "APPREPAYMENTPAYMENT",
                 "RECEIVE-OVERPAYMENT": "AROVERPAYMENTPAYMENT",
                 "SPEND-OVERPAYMENT": "APOVERPAYMENTPAYMENT"}
# Where a payment's document is kept, and what it reduces.
DEPOSIT_KINDS = ("Prepayments", "Overpayments")


def _payment_target_id(kind):
    return ID_KEY[kind]


def _payment_outstanding(kind):
    return "RemainingCredit" if kind in DEPOSIT_KINDS else DOC_SPECS[kind]["outstanding"]


def _payment_handle(ctx, tx, el, payment_id=None):
    """PUT|POST /Payments creates; POST /Payments/{PaymentID} deletes."""
    if payment_id:
        return _payment_delete(ctx, tx, el, payment_id)
    tenant = ctx.tenant
    errors = []
    target, kind = None, None
    # The document paid: {"Invoice": {InvoiceID or InvoiceNumber}}, else a credit note alike.
    for field, doc_kind, label in (("Invoice", "Invoices", "Invoice"), ("CreditNote", "CreditNotes", "Credit note"),
                                   ("Prepayment", "Prepayments", "Prepayment"),
                                   ("Overpayment", "Overpayments", "Overpayment")):
        ref = _ci(el, field)
        if isinstance(ref, dict) and ref:
            kind = doc_kind
            if kind in DEPOSIT_KINDS:
                # A refund of the prepayment or overpayment (Payment.Prepayment /
                # Payment.Overpayment in Xero's OpenAPI spec), by its id only.
                key = _ci(ref, ID_KEY[kind])
                target = tenant.docs[kind].get(str(key).lower()) if key else None
            else:
                spec = DOC_SPECS[doc_kind]
                key = _ci(ref, spec["id"]) or _ci(ref, spec["number"])
                target = _doc_lookup(tenant, kind, str(key)) if key else None
            if target is None:
                errors.append("%s could not be found (sandbox wording)" % label)
            break
    else:
        errors.append("Payments must be applied to an Invoice, CreditNote, Prepayment or Overpayment "
                      "(sandbox wording)")
    acc = _find_account(tenant, _ci(el, "Account"))
    if acc is None:
        errors.append("Account could not be found (sandbox wording)")
    elif acc["Status"] != "ACTIVE" or not (acc["Type"] == "BANK" or acc.get("EnablePaymentsToAccount")):
        errors.append("Payments can only be made to a bank account or an account with payments enabled "
                      "(sandbox wording)")
    amount = _amount(el, errors)
    if amount is None or amount <= 0:
        errors.append("Payment amount must be greater than zero (sandbox wording)")
    date = _date_or_today(ctx, el, errors)
    given_rate = _rate(el, errors)
    if target is not None:
        if target["Status"] != "AUTHORISED":
            errors.append("Payments can only be made against Authorised documents (sandbox wording)")
        outstanding = target[_payment_outstanding(kind)]
        if amount is not None and amount > 0 and r2(amount) > outstanding:
            errors.append("Payment amount exceeds the amount outstanding on this document")
    bank_amount = _bank_amount(tenant, el, acc, target, amount, errors)
    errors.extend(_lock_errors(tenant, date))
    if errors:
        raise Invalid(errors)
    amount = r2(amount)
    rate = given_rate or target["CurrencyRate"]
    if bank_amount is None:
        bank_amount = r2(amount / rate) if rate else amount
    if target.get("Date") and date < target["Date"]:
        # Xero accepts a payment dated before its document and warns
        # (Warnings on the Payment: XeroAPI/Xero-NetStandard#501, "Payment
        # made prior to invoice issuance date"; the wording is the sandbox's).
        tx.warn("Payment made prior to the %s date (sandbox wording)"
                % {"Invoices": "invoice", "CreditNotes": "credit note"}.get(kind, "prepayment"))
    pay = {"PaymentID": new_id(), "Date": date, "Amount": amount, "Reference": _ci(el, "Reference"),
           "CurrencyRate": rate, "PaymentType": PAYMENT_TYPES[target["Type"]], "Status": "AUTHORISED",
           "IsReconciled": bool(_ci(el, "IsReconciled")), "Account": acc["AccountID"],
           "DocKind": kind, "DocID": target[_payment_target_id(kind)],
           "BankAmount": bank_amount, "UpdatedDateUTC": _stamp(ctx),
           "HasAccount": True, "HasValidationErrors": False}
    _apply_payment(ctx, tx, pay, +1)
    return tx.put("Payments", pay)


def _bank_amount(tenant, el, acc, target, amount, errors):
    """The payment in its bank account's currency when that is not the
    document's, else None (the sandbox's amount / rate, as before).

    - A document in a foreign currency takes payments only from a bank
      account in its currency or in the base currency ("Bills created in a
      non-home currency can only be paid in the Bill currency or in home
      currency": support.approvalmax.com, "Can I pay an Airwallex Batch
      Payment in a currency other than the Bill currency?"); another is
      refused.
    - A base-currency document paid from a foreign-currency bank account:
      BankAmount, "The amount of the payment in the currency of the bank
      account" (Payment.BankAmount in Xero's OpenAPI spec, not read-only),
      is what the bank holds; without it, the amount at the sandbox's own
      rate of the bank's currency (Xero's daily rate)."""
    if acc is None or target is None or amount is None:
        return None
    base = tenant.base_currency
    bank_currency = acc.get("CurrencyCode") or base
    doc_currency = target.get("CurrencyCode") or base
    if bank_currency == doc_currency or bank_currency == base:
        return None
    if doc_currency != base:
        errors.append("A %s document can only be paid from a bank account in %s or in the base "
                      "currency %s (sandbox wording)" % (doc_currency, doc_currency, base))
        return None
    try:
        given = dec(_ci(el, "BankAmount"), None)
    except ValueError as e:
        errors.append(str(e))
        return None
    if given is not None:
        if given <= 0:
            errors.append("BankAmount must be greater than zero (sandbox wording)")
        return r2(given)
    return r2(amount * FX.get(bank_currency, Decimal(1)))


def _payment_delete(ctx, tx, el, payment_id):
    p = ctx.tenant.docs["Payments"][payment_id.lower()]
    if (_ci(el, "Status") or "").upper() != "DELETED":
        raise Invalid(["Payments can only be deleted by setting Status to DELETED (sandbox wording)"])
    if p["Status"] == "DELETED":
        raise Invalid(["This payment has already been deleted (sandbox wording)"])
    errors = _lock_errors(ctx.tenant, p["Date"])
    if errors:
        raise Invalid(errors)
    p = dict(p, Status="DELETED", UpdatedDateUTC=_stamp(ctx))
    _apply_payment(ctx, tx, p, -1)
    return tx.put("Payments", p)


def _apply_payment(ctx, tx, pay, sign):
    """Add (sign +1) or remove (-1) a payment on its invoice or credit note."""
    kind = pay["DocKind"]
    doc = ctx.tenant.docs[kind][pay["DocID"].lower()]
    amount = pay["Amount"] * sign
    if sign > 0:
        payments = doc["Payments"] + [{"PaymentID": pay["PaymentID"], "Date": pay["Date"],
                                       "Amount": pay["Amount"], "Reference": pay.get("Reference"),
                                       "CurrencyRate": pay["CurrencyRate"]}]
    else:
        payments = [p for p in doc["Payments"] if p["PaymentID"] != pay["PaymentID"]]
    if kind in DEPOSIT_KINDS:
        # A refund takes the amount off the remaining credit (PAID at nil).
        doc = dict(doc, Payments=payments, UpdatedDateUTC=_stamp(ctx))
        doc["RemainingCredit"] = r2(doc["RemainingCredit"] - amount)
        doc["Status"] = "PAID" if doc["RemainingCredit"] == 0 else "AUTHORISED"
        tx.put(kind, doc)
        return
    _settle(ctx, tx, kind, doc, amount, pay["Date"], AmountPaid=r2(doc["AmountPaid"] + amount), Payments=payments)


def render_payment(ctx, p, full=True):
    tenant = ctx.tenant
    out = {k: v for k, v in p.items() if k not in ("Account", "DocKind", "DocID")}
    out["Account"] = _account_summary(tenant, p["Account"])
    doc = tenant.docs[p["DocKind"]].get(p["DocID"].lower())
    if doc is not None:
        summary = {"Type": doc["Type"], "Contact": _contact_of(tenant, doc["Contact"]) or {"ContactID": doc["Contact"]},
                   "CurrencyCode": doc["CurrencyCode"], "Status": doc["Status"],
                   ID_KEY[p["DocKind"]]: doc[ID_KEY[p["DocKind"]]]}
        if p["DocKind"] not in DEPOSIT_KINDS:
            number = DOC_SPECS[p["DocKind"]]["number"]
            summary[number] = doc.get(number)
        out[{"Invoices": "Invoice", "CreditNotes": "CreditNote", "Prepayments": "Prepayment",
             "Overpayments": "Overpayment"}[p["DocKind"]]] = summary
    return out


payments = route("Payments")(collection("Payments", render_payment, _payment_handle, id_methods=("POST",)))
