"""BankTransactions (RECEIVE / SPEND; the prepayment and overpayment types
are registered by deposits.py), BankTransfers and ManualJournals, with Xero's
rules: a bank account, its currency, no journal line on Accounts Receivable /
Payable, balanced journals, voiding and deleting.
"""
from decimal import Decimal

from . import tracking
from .accounting import bad_request, route
from .contacts import _contact_of, _document_contact
from .documents import (
    _ci,
    _close,
    collection,
    _date_or_today,
    Invalid,
    _lock_errors,
    _resubmitted,
    run_batch,
    _stamp,
    _updated,
    ZERO,
)
from .lines import (
    _account_summary,
    _amount,
    _currency,
    _find_account,
    _lat,
    _line_account,
    _line_input,
    _lines,
    _rate,
    _render_lines,
    _system_account_errors,
    _tax,
    _tax_rate,
    _totals,
)
from .util import date_string, dec, new_id, r2


# --- bank transactions & transfers --------------------------------------------
BT_TYPES = ("RECEIVE", "SPEND")
# The other Types of BankTransaction (RECEIVE-PREPAYMENT ...): their handle
# (ctx, tx, el) -> stored bank transaction, registered by xero_sandbox/deposits.py.
BT_HANDLERS = {}
# Their deletion (Status DELETED): (ctx, tx, stored bank transaction) -> stored
# bank transaction, registered by xero_sandbox/deposits.py too.
BT_DELETE_HANDLERS = {}


def _bank_account(tenant, ref, errors, label="BankAccount"):
    acc = _find_account(tenant, ref)
    if acc is None:
        errors.append("%s could not be found (sandbox wording)" % label)
        return None
    if acc["Type"] != "BANK" or acc["Status"] != "ACTIVE":
        errors.append("%s must be an active bank account (sandbox wording)" % label)
        return None
    return acc


def _refuse_reconciled(reconciled, label):
    """A reconciled bank transaction (or transfer) cannot be deleted.

    Source: Xero's API reference for BankTransactions
    (developer.xero.com/documentation/api/accounting/banktransactions,
    "Deleting bank transactions": only those not reconciled), which the
    add-on reads already (senders/void.py blocks such a deletion, naming
    what to do); Xero's help has a reconciled transaction undone with
    "Remove & Redo" or unreconciled first (help.xero.com/us/
    Payments_BankAccounts_DeleteTransaction). The OpenAPI spec says nothing
    of it; for a transfer (deleteBankTransfer, 2026) nothing is documented
    either: a transfer is two bank transactions (FromIsReconciled,
    ToIsReconciled), so the sandbox takes the same, stricter reading, the
    one that never leaves a bank statement line matched to nothing."""
    if reconciled:
        raise Invalid(["This %s has been reconciled and cannot be deleted; unreconcile it in "
                       "Xero first (sandbox wording)" % label])


def _bank_tx_handle(ctx, tx, el, bt_id=None):
    tenant = ctx.tenant
    errors = []
    bid, existing = _updated(ctx, "BankTransactions", el, bt_id,
                             "BankTransaction %s could not be found (sandbox wording)")
    if existing is not None:
        if existing["Status"] == "DELETED":
            raise Invalid(["Bank transaction not of valid status for modification (sandbox wording)"])
        if existing.get("BankTransferID"):
            raise Invalid(["Bank transactions created by a bank transfer cannot be modified (sandbox wording)"])
        if (_ci(el, "Status") or "").upper() == "DELETED":
            _refuse_reconciled(existing.get("IsReconciled"), "bank transaction")
            if existing["Type"] in BT_DELETE_HANDLERS:
                return BT_DELETE_HANDLERS[existing["Type"]](ctx, tx, existing)
            return _close(ctx, tx, "BankTransactions", existing, "DELETED", True)
        el = _resubmitted(existing, el, Contact={"ContactID": existing["Contact"]},
                          BankAccount={"AccountID": existing["BankAccount"]},
                          LineItems=[_line_input(li) for li in existing["LineItems"]])
    typ = (_ci(el, "Type") or "").upper()
    if existing is None and typ in BT_HANDLERS:
        return BT_HANDLERS[typ](ctx, tx, el)
    if typ not in BT_TYPES:
        errors.append("BankTransaction Type must be RECEIVE or SPEND (sandbox wording)")
    status = (_ci(el, "Status") or "AUTHORISED").upper()
    if status != "AUTHORISED":
        errors.append("BankTransaction Status must be AUTHORISED (sandbox wording)")
    contact = _document_contact(ctx, tx, _ci(el, "Contact"), errors)
    bank = _bank_account(tenant, _ci(el, "BankAccount"), errors)
    lat = _lat(el) or "Exclusive"
    date = _date_or_today(ctx, el, errors)
    # A RECEIVE or SPEND is in its bank account's currency: Xero sets no
    # other (BankTransaction.CurrencyRate in Xero's OpenAPI spec: "Setting
    # currency is only supported on overpayments"). A CurrencyCode that is
    # not the account's is refused rather than booked in the wrong currency.
    given = _ci(el, "CurrencyCode")
    account_currency = (bank.get("CurrencyCode") if bank else None) or tenant.base_currency
    if given and str(given).upper() != account_currency:
        errors.append("The currency of the transaction must match the bank account (%s); "
                      "setting the currency is only supported on overpayments (sandbox wording)"
                      % account_currency)
    currency, rate = _currency(ctx, {"CurrencyCode": account_currency,
                                     "CurrencyRate": _ci(el, "CurrencyRate")}, errors)
    lines = _lines(ctx, el, "LineItems", errors, "AUTHORISED", lat, draft_ok=False)
    if not lines:
        errors.append("At least one line item is required (sandbox wording)")
    errors.extend(_system_account_errors(lines, tenant, "bank transaction"))
    errors.extend(_lock_errors(tenant, date))
    if errors:
        raise Invalid(errors)
    sub, tax, total = _totals(lines, lat)
    doc = {"BankTransactionID": bid or new_id(), "Type": typ, "Contact": contact["ContactID"],
           "BankAccount": bank["AccountID"], "Date": date, "Reference": _ci(el, "Reference"),
           "IsReconciled": bool(_ci(el, "IsReconciled")), "Status": "AUTHORISED", "LineAmountTypes": lat,
           "LineItems": lines, "SubTotal": sub, "TotalTax": tax, "Total": total, "CurrencyCode": currency,
           "CurrencyRate": rate, "Url": _ci(el, "Url"), "HasAttachments": False, "UpdatedDateUTC": _stamp(ctx)}
    return tx.put("BankTransactions", doc)


def render_bank_tx(ctx, d, full=True):
    tenant = ctx.tenant
    out = {k: v for k, v in d.items() if k not in ("Contact", "BankAccount", "LineItems")}
    contact = _contact_of(tenant, d.get("Contact"))
    if contact:
        out["Contact"] = contact
    out["BankAccount"] = _account_summary(tenant, d["BankAccount"])
    out["DateString"] = date_string(d["Date"])
    if full:
        out["LineItems"] = _render_lines(d["LineItems"])
    return out


bank_transactions = route("BankTransactions")(collection("BankTransactions", render_bank_tx, _bank_tx_handle))


def _transfer_delete(ctx, tx, el, transfer_id):
    """POST /BankTransfers/{BankTransferID} with Status DELETED: Xero's
    deleteBankTransfer (xero_accounting.yaml, "Deletes a specific bank
    transfer", body BankTransferDeleteByUrlParam {"Status": "DELETED"}). The
    transfer's two bank transactions go with it. Nothing else of a transfer
    can be changed (BankTransfer has no update in the spec)."""
    existing = ctx.tenant.docs["BankTransfers"][transfer_id.lower()]
    if (_ci(el, "Status") or "").upper() != "DELETED":
        raise Invalid(["A bank transfer can only be deleted, not modified (sandbox wording)"])
    if existing.get("Status") == "DELETED":
        return existing
    _refuse_reconciled(existing.get("FromIsReconciled") or existing.get("ToIsReconciled"),
                       "bank transfer")
    for key in ("FromBankTransactionID", "ToBankTransactionID"):
        bt = ctx.tenant.docs["BankTransactions"].get(str(existing[key]).lower())
        if bt is not None:
            _close(ctx, tx, "BankTransactions", bt, "DELETED", True)
    return _close(ctx, tx, "BankTransfers", existing, "DELETED", True)


def _transfer_handle(ctx, tx, el, transfer_id=None):
    if transfer_id:
        return _transfer_delete(ctx, tx, el, transfer_id)
    tenant = ctx.tenant
    errors = []
    frm = _bank_account(tenant, _ci(el, "FromBankAccount"), errors, "FromBankAccount")
    to = _bank_account(tenant, _ci(el, "ToBankAccount"), errors, "ToBankAccount")
    if frm is not None and to is not None and frm["AccountID"] == to["AccountID"]:
        errors.append("The FromBankAccount and ToBankAccount must be different (sandbox wording)")
    amount = _amount(el, errors)
    if amount is None or amount <= 0:
        errors.append("Amount must be greater than zero (sandbox wording)")
    date = _date_or_today(ctx, el, errors)
    _rate(el, errors)
    errors.extend(_lock_errors(tenant, date))
    if errors:
        raise Invalid(errors)
    amount = r2(amount)
    stamp = _stamp(ctx)
    transfer_id = new_id()
    rate = _rate(el, []) or Decimal(1)
    ids = []
    for typ, acc in (("SPEND-TRANSFER", frm), ("RECEIVE-TRANSFER", to)):
        reconciled = bool(_ci(el, "FromIsReconciled" if typ == "SPEND-TRANSFER" else "ToIsReconciled"))
        bt = {"BankTransactionID": new_id(), "Type": typ, "BankAccount": acc["AccountID"], "Date": date,
              "Reference": _ci(el, "Reference"), "IsReconciled": reconciled, "Status": "AUTHORISED",
              "LineAmountTypes": "NoTax", "LineItems": [], "SubTotal": amount, "TotalTax": ZERO, "Total": amount,
              "CurrencyCode": acc.get("CurrencyCode") or tenant.base_currency, "CurrencyRate": rate,
              "BankTransferID": transfer_id, "HasAttachments": False, "UpdatedDateUTC": stamp}
        tx.put("BankTransactions", bt)
        ids.append(bt["BankTransactionID"])
    doc = {"BankTransferID": transfer_id, "CreatedDateUTC": stamp, "Date": date, "Status": "AUTHORISED",
           "FromBankAccount": frm["AccountID"], "ToBankAccount": to["AccountID"], "Amount": amount,
           "FromBankTransactionID": ids[0], "ToBankTransactionID": ids[1], "CurrencyRate": rate,
           "FromIsReconciled": bool(_ci(el, "FromIsReconciled")),
           "ToIsReconciled": bool(_ci(el, "ToIsReconciled")), "Reference": _ci(el, "Reference"),
           "HasAttachments": False, "UpdatedDateUTC": stamp}
    return tx.put("BankTransfers", doc)


def render_transfer(ctx, d, full=True):
    out = dict(d)
    for f in ("FromBankAccount", "ToBankAccount"):
        out[f] = _account_summary(ctx.tenant, d[f])
    out["DateString"] = date_string(d["Date"])
    return out


def _one_transfer(ctx, key, elements, handle, render):
    if len(elements) > 1:
        # Xero creates one bank transfer per request.
        return bad_request("Only one bank transfer can be created per request (sandbox wording)")
    return run_batch(ctx, key, elements, handle, render)


# Bank transfers are created (PUT), read and deleted (POST /BankTransfers/{id},
# see _transfer_delete), not updated; their list is not paged.
bank_transfers = route("BankTransfers")(collection(
    "BankTransfers", render_transfer, _transfer_handle, paged=False, methods=("PUT",),
    id_methods=("POST",), batch=_one_transfer))


# --- manual journals ------------------------------------------------------------

def _journal_handle(ctx, tx, el, mj_id=None):
    tenant = ctx.tenant
    errors = []
    mid, existing = _updated(ctx, "ManualJournals", el, mj_id,
                             "ManualJournal %s could not be found (sandbox wording)")
    if existing is not None:
        cur, new = existing["Status"], (_ci(el, "Status") or existing["Status"]).upper()
        allowed = {"DRAFT": {"DRAFT", "POSTED", "DELETED"}, "POSTED": {"POSTED", "VOIDED"}}.get(cur, {cur})
        if new not in allowed:
            raise Invalid(["Manual journal not of valid status for modification (sandbox wording)"])
        if new in ("VOIDED", "DELETED"):
            return _close(ctx, tx, "ManualJournals", existing, new, new == "VOIDED")
        el = _resubmitted(existing, el, JournalLines=[
            {"LineAmount": li["LineAmount"], "AccountCode": li["AccountCode"], "Description": li.get("Description"),
             "TaxType": li.get("TaxType"), "Tracking": li.get("Tracking")} for li in existing["JournalLines"]])
    status = (_ci(el, "Status") or "DRAFT").upper()
    if status not in ("DRAFT", "POSTED"):
        errors.append("Manual journal status %s is not valid (sandbox wording)" % status)
    narration = _ci(el, "Narration")
    if not narration:
        errors.append("Narration must be specified (sandbox wording)")
    date = _date_or_today(ctx, el, errors)
    lat = _lat(el, "NoTax") or "NoTax"
    raw = _ci(el, "JournalLines") or []
    lines = []
    for jl in raw if isinstance(raw, list) else []:
        try:
            amount = r2(dec(_ci(jl, "LineAmount"), ZERO))
        except ValueError as e:
            errors.append(str(e))
            continue
        code = _ci(jl, "AccountCode")
        acc = None
        if not code:
            errors.append("Account code must be specified")
        else:
            acc = _line_account(tenant, str(code), errors, allow_bank=True)
        tax_type = _ci(jl, "TaxType") or (acc["TaxType"] if acc and lat != "NoTax" else "NONE")
        tax = ZERO
        if tax_type and tax_type != "NONE":
            rate = _tax_rate(tenant, tax_type, acc, errors)
            if rate:
                tax = _tax(amount, rate["EffectiveRate"], lat)
        lines.append({"LineAmount": amount, "AccountCode": str(code) if code else None,
                      "AccountID": acc["AccountID"] if acc else None, "Description": _ci(jl, "Description"),
                      "TaxType": tax_type, "TaxAmount": tax,
                      "Tracking": tracking.line_tracking(tenant, _ci(jl, "Tracking"), errors),
                      "IsBlank": False})
    if len(lines) < 2:
        errors.append("A manual journal must have at least two journal lines (sandbox wording)")
    errors.extend(_system_account_errors(lines, tenant, "manual journal"))
    debits = sum((l["LineAmount"] for l in lines if l["LineAmount"] > 0), ZERO)
    credits = -sum((l["LineAmount"] for l in lines if l["LineAmount"] < 0), ZERO)
    if lat == "Exclusive":
        debits += sum((l["TaxAmount"] for l in lines if l["LineAmount"] > 0), ZERO)
        credits -= sum((l["TaxAmount"] for l in lines if l["LineAmount"] < 0), ZERO)
    if r2(debits) != r2(credits):
        errors.append("The total debits (%s) must equal total credits (%s) (sandbox wording)"
                      % (r2(debits), r2(credits)))
    if status == "POSTED":
        errors.extend(_lock_errors(tenant, date))
    if errors:
        raise Invalid(errors)
    doc = {"ManualJournalID": mid or new_id(), "Date": date, "Status": status, "Narration": narration,
           "LineAmountTypes": lat, "JournalLines": lines, "Url": _ci(el, "Url"),
           "ShowOnCashBasisReports": bool(_ci(el, "ShowOnCashBasisReports", True)),
           "HasAttachments": False, "UpdatedDateUTC": _stamp(ctx)}
    return tx.put("ManualJournals", doc)


def render_journal(ctx, d, full=True):
    out = {k: v for k, v in d.items() if k != "JournalLines"}
    out["DateString"] = date_string(d["Date"])
    if full:
        out["JournalLines"] = _render_lines(d["JournalLines"])
    return out


manual_journals = route("ManualJournals")(collection("ManualJournals", render_journal, _journal_handle))
