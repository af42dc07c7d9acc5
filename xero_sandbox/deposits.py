"""Prepayments and overpayments: money received or paid before (or beyond)
an invoice, and their allocations to invoices.

How Xero makes them (xero_accounting.yaml, schemas BankTransaction,
Prepayment, Overpayment, Allocation; operationIds getPrepayments,
createPrepaymentAllocations, deletePrepaymentAllocations and their
Overpayment twins):

- there is no PUT /Prepayments nor /Overpayments: they are created by PUT
  /BankTransactions with Type RECEIVE-PREPAYMENT, SPEND-PREPAYMENT,
  RECEIVE-OVERPAYMENT or SPEND-OVERPAYMENT; the bank transaction answered
  carries the PrepaymentID / OverpaymentID ("This will be returned on
  BankTransactions with a Type of SPEND-PREPAYMENT or RECEIVE-PREPAYMENT");
- BankTransaction.Reference is "Only supported for SPEND and RECEIVE
  transactions" and Prepayment.Reference "Returns Invoice number field.
  Reference field isn't available": a prepayment keeps no Reference here;
- a prepayment's lines are coded like a receive/spend money's (Xero's help,
  https://help.xero.com/us/BankAccounts_Details_Prepayment: "Select the
  account to assign the line item"), only in the base currency ("Xero does
  not offer multi-currency for prepayments. You can only add prepayments in
  bank accounts that are in your base currency"), with a positive total
  ("as long as the total is a positive amount");
- an overpayment carries no tax (the spec's examples: LineAmountTypes
  NoTax; a Xero community answer, community.xero.com/business/discussion/
  54943054: "Overpayment puts the amount onto the receivables account ...
  overpayment doesn't [take GST into account]"): its line is booked to
  Accounts Receivable (Payable), whatever account it names. It may be in a
  foreign currency ("Setting currency is only supported on overpayments"),
  that of its bank account here, as for any bank transaction;
- PUT /{Prepayments|Overpayments}/{id}/Allocations applies the credit to an
  invoice (Allocation: Amount, Invoice, Date required); DELETE
  .../Allocations/{AllocationID} takes it off, answering the Allocation with
  IsDeleted true.

Allocation rules (the same as a credit note's, which Xero's allocation
screen shares; worded here, "(sandbox wording)"): both AUTHORISED, a
receive one on a sales invoice and a spend one on a bill, the same contact,
the same currency, an amount above zero and not above the remaining credit
nor the invoice's amount due, a date outside the lock period.

The books (xero_sandbox/reports.py): the bank transaction debits (credits)
the bank against its lines: a prepayment's account, or Accounts Receivable
(Payable) for an overpayment. A prepayment's allocation moves the amount
from the prepayment's account to Accounts Receivable (Payable), an
overpayment's moves nothing (already there), as a credit note's.
"""
from decimal import Decimal

from . import banking, contacts, invoices
from . import documents as d
from . import lines as ln
from .accounting import bad_request, json_response, not_found, route
from .util import date_string, new_id, r2

ZERO = Decimal("0")
KIND = {"RECEIVE-PREPAYMENT": "Prepayments", "SPEND-PREPAYMENT": "Prepayments",
        "RECEIVE-OVERPAYMENT": "Overpayments", "SPEND-OVERPAYMENT": "Overpayments"}
ID = {"Prepayments": "PrepaymentID", "Overpayments": "OverpaymentID"}
LABEL = {"Prepayments": "Prepayment", "Overpayments": "Overpayment"}
CONTROL = {"RECEIVE": "DEBTORS", "SPEND": "CREDITORS"}
INVOICE_TYPE = {"RECEIVE": "ACCREC", "SPEND": "ACCPAY"}


def _direction(typ):
    return typ.split("-")[0]


def _system(tenant, name):
    return next((a for a in tenant.accounts if a.get("SystemAccount") == name), None)


def create(ctx, tx, el):
    """A RECEIVE/SPEND-PREPAYMENT or -OVERPAYMENT bank transaction, and the
    prepayment or overpayment it makes."""
    tenant = ctx.tenant
    errors = []
    typ = (d._ci(el, "Type") or "").upper()
    kind = KIND[typ]
    direction = _direction(typ)
    status = (d._ci(el, "Status") or "AUTHORISED").upper()
    if status != "AUTHORISED":
        errors.append("BankTransaction Status must be AUTHORISED (sandbox wording)")
    contact = contacts._document_contact(ctx, tx, d._ci(el, "Contact"), errors)
    bank = banking._bank_account(tenant, d._ci(el, "BankAccount"), errors)
    date = d._date_or_today(ctx, el, errors)
    account_currency = (bank.get("CurrencyCode") if bank else None) or tenant.base_currency
    given = str(d._ci(el, "CurrencyCode") or account_currency).upper()
    if kind == "Prepayments" and (given != tenant.base_currency
                                  or account_currency != tenant.base_currency):
        errors.append("Prepayments can only be made in the base currency, in a bank account "
                      "in the base currency (sandbox wording)")
    elif given != account_currency:
        errors.append("The currency of the transaction must match the bank account (%s) "
                      "(sandbox wording)" % account_currency)
    currency, rate = ln._currency(ctx, {"CurrencyCode": account_currency,
                                       "CurrencyRate": d._ci(el, "CurrencyRate")}, errors)
    if kind == "Overpayments":
        lat = ln._lat(el, default="NoTax")
        if lat != "NoTax":
            errors.append("An overpayment carries no tax: LineAmountTypes must be NoTax "
                          "(sandbox wording)")
        # Its line needs no account: Xero books it to Accounts Receivable (Payable).
        lines = ln._lines(ctx, dict(el, LineItems=[
            {k: v for k, v in li.items() if k.lower() not in ("accountcode", "accountid")}
            for li in (d._ci(el, "LineItems") or []) if isinstance(li, dict)]),
            "LineItems", errors, "DRAFT", "NoTax")
        control = _system(tenant, CONTROL[direction])
        for line in lines:
            line.update(AccountID=control["AccountID"], AccountCode=control.get("Code"),
                        TaxType="NONE")
        lat = "NoTax"
    else:
        lat = ln._lat(el) or "Exclusive"
        lines = ln._lines(ctx, el, "LineItems", errors, "AUTHORISED", lat, draft_ok=False)
    if not lines:
        errors.append("At least one line item is required (sandbox wording)")
    sub, tax, total = ln._totals(lines, lat)
    if lines and total <= 0:
        errors.append("The total of a %s must be positive (sandbox wording)"
                      % LABEL[kind].lower())
    errors.extend(d._lock_errors(tenant, date))
    if errors:
        raise d.Invalid(errors)
    deposit_id, bt_id = new_id(), new_id()
    stamp = ctx.store.utcnow()
    common = {"Type": typ, "Contact": contact["ContactID"], "Date": date, "Status": "AUTHORISED",
              "LineAmountTypes": lat, "LineItems": lines, "SubTotal": sub, "TotalTax": tax,
              "Total": total, "CurrencyCode": currency, "CurrencyRate": rate,
              "HasAttachments": False, "UpdatedDateUTC": stamp, ID[kind]: deposit_id}
    deposit = dict(common, RemainingCredit=total, Allocations=[], Payments=[],
                   BankTransactionID=bt_id, BankAccount=bank["AccountID"])
    if kind == "Overpayments":
        deposit["Reference"] = d._ci(el, "Reference")
    contacts._mark_contact_role(ctx, tx, contact, INVOICE_TYPE[direction])
    tx.put(kind, deposit)
    return tx.put("BankTransactions", dict(
        common, BankTransactionID=bt_id, BankAccount=bank["AccountID"], Reference=None,
        IsReconciled=bool(d._ci(el, "IsReconciled")), Url=d._ci(el, "Url")))


def delete(ctx, tx, bt):
    """The bank transaction of a prepayment or overpayment updated with
    Status DELETED (updateBankTransaction; BankTransaction.Status AUTHORISED,
    DELETED, VOIDED in xero_accounting.yaml): the prepayment (overpayment)
    then reads VOIDED (Prepayment.Status: AUTHORISED, PAID, VOIDED) and
    leaves the books. Refused while it is allocated to invoices or refunded
    by payments. The spec says nothing of this case; Xero Central's "Edit or
    void a customer prepayment" has the allocations removed from the
    invoices first (as quoted on fresh-catalog.com/how-do-i-allocate-a-
    prepayment-to-an-invoice-in-xero), and an integrator's guide
    (help.prism.horse, "resolve a problem with synchronising invoices")
    says Xero will not change a document with payments or credits applied.
    The sandbox refuses rather than leave an invoice paid by a deleted
    prepayment: the stricter reading, so the add-on removes them first."""
    kind = KIND[bt["Type"]]
    dep = next((x for x in ctx.tenant.docs[kind].values()
                if x["BankTransactionID"] == bt["BankTransactionID"]), None)
    errors = []
    if dep is not None and dep["Allocations"]:
        errors.append("This %s has been allocated; remove the allocations before deleting it "
                      "(sandbox wording)" % LABEL[kind].lower())
    if dep is not None and dep["Payments"]:
        errors.append("This %s has been refunded; delete the refund payments before deleting it "
                      "(sandbox wording)" % LABEL[kind].lower())
    if errors:
        raise d.Invalid(errors)
    closed = d._close(ctx, tx, "BankTransactions", bt, "DELETED", True)
    if dep is not None:
        tx.put(kind, dict(dep, Status="VOIDED", UpdatedDateUTC=ctx.store.utcnow()))
    return closed


for _typ in KIND:
    banking.BT_HANDLERS[_typ] = create
    banking.BT_DELETE_HANDLERS[_typ] = delete


def render(ctx, dep, full=True):
    tenant = ctx.tenant
    out = {k: v for k, v in dep.items()
           if k not in ("Contact", "LineItems", "Allocations", "BankAccount")}
    out["Contact"] = contacts._contact_of(tenant, dep["Contact"]) or {"ContactID": dep["Contact"]}
    out["DateString"] = date_string(dep["Date"])
    if full:
        out["LineItems"] = ln._render_lines(dep["LineItems"])
    out["Allocations"] = [{"AllocationID": a["AllocationID"], "Amount": a["Amount"], "Date": a["Date"],
                           "Invoice": {"InvoiceID": a["InvoiceID"],
                                       "InvoiceNumber": a.get("InvoiceNumber")}}
                          for a in dep["Allocations"]]
    out["AppliedAmount"] = r2(dep["Total"] - dep["RemainingCredit"])
    return out


def _store(ctx, tx, kind, dep, amount, **changes):
    """The deposit with ``amount`` taken off its remaining credit: PAID when
    nothing is left, AUTHORISED again when an allocation is taken off."""
    dep = dict(dep, **changes)
    dep["RemainingCredit"] = r2(dep["RemainingCredit"] - amount)
    if dep["RemainingCredit"] == 0:
        dep["Status"] = "PAID"
    elif dep["Status"] == "PAID":
        dep["Status"] = "AUTHORISED"
    dep["UpdatedDateUTC"] = ctx.store.utcnow()
    return tx.put(kind, dep)


def _allocate(ctx, kind, key):
    tenant = ctx.tenant
    first = tenant.docs[kind].get(key.lower())
    if first is None:
        return not_found()
    id_key = ID[kind]

    def handle(ctx, tx, el):
        dep = tenant.docs[kind][first[id_key].lower()]
        errors = []
        inv_ref = d._ci(el, "Invoice") or {}
        inv = None
        if d._ci(inv_ref, "InvoiceID"):
            inv = tenant.docs["Invoices"].get(str(d._ci(inv_ref, "InvoiceID")).lower())
        elif d._ci(inv_ref, "InvoiceNumber"):
            inv = invoices._doc_lookup(tenant, "Invoices", d._ci(inv_ref, "InvoiceNumber"))
        if inv is None:
            raise d.Invalid(["Invoice could not be found (sandbox wording)"])
        amount = ln._amount(el, errors)
        amount = r2(amount) if amount is not None else ZERO
        date = d._date_or_today(ctx, el, errors)
        label = LABEL[kind]
        if dep["Status"] != "AUTHORISED":
            errors.append("%s must be AUTHORISED to be allocated (sandbox wording)" % label)
        if inv["Status"] != "AUTHORISED":
            errors.append("Invoice must be AUTHORISED to be allocated against (sandbox wording)")
        if INVOICE_TYPE[_direction(dep["Type"])] != inv["Type"]:
            errors.append("A %s received applies to a sales invoice, one paid to a bill "
                          "(sandbox wording)" % label.lower())
        if inv["Contact"] != dep["Contact"]:
            errors.append("The invoice and %s must be for the same contact (sandbox wording)"
                          % label.lower())
        if inv["CurrencyCode"] != dep["CurrencyCode"]:
            errors.append("The invoice and %s must be in the same currency (sandbox wording)"
                          % label.lower())
        if amount <= 0:
            errors.append("Allocation amount must be greater than zero (sandbox wording)")
        if amount > dep["RemainingCredit"]:
            errors.append("The amount allocated exceeds the remaining credit on the %s "
                          "(sandbox wording)" % label.lower())
        if amount > inv["AmountDue"]:
            errors.append("Allocation amount exceeds the amount due on the invoice (sandbox wording)")
        errors.extend(d._lock_errors(tenant, date))
        if errors:
            raise d.Invalid(errors)
        alloc = {"AllocationID": new_id(), "Amount": amount, "Date": date}
        dep = _store(ctx, tx, kind, dep, amount, Allocations=dep["Allocations"] + [
            dict(alloc, InvoiceID=inv["InvoiceID"], InvoiceNumber=inv.get("InvoiceNumber"))])
        invoices._settle(ctx, tx, "Invoices", inv, amount, date,
                  AmountCredited=r2(inv["AmountCredited"] + amount),
                  DepositAllocations=inv.get("DepositAllocations", []) + [
                      dict(alloc, **{id_key: dep[id_key]})])
        return dict(alloc, InvoiceID=inv["InvoiceID"], **{id_key: dep[id_key]})

    def render_allocation(ctx, a, full=True):
        inv = tenant.docs["Invoices"][a["InvoiceID"].lower()]
        dep = tenant.docs[kind][a[id_key].lower()]
        return {"AllocationID": a["AllocationID"], "Amount": a["Amount"], "Date": a["Date"],
                "Invoice": invoices.render_invoice(ctx, inv, full=False),
                LABEL[kind]: {id_key: dep[id_key], "RemainingCredit": dep["RemainingCredit"],
                              "Status": dep["Status"]},
                "IsDeleted": False, "StatusAttributeString": None}

    return d.run_batch(ctx, "Allocations", d._elements(ctx, "Allocations"), handle,
                       render_allocation)


def _delete_allocation(ctx, kind, key, allocation_id):
    """DELETE /{kind}/{id}/Allocations/{AllocationID}: the amount goes back
    to the remaining credit and to the invoice's amount due; 404 for an
    unknown one (as for the credit notes' allocations); refused in a locked
    period like any change there."""
    tenant = ctx.tenant
    dep = tenant.docs[kind].get(key.lower())
    if dep is None:
        return not_found()
    alloc = next((a for a in dep["Allocations"]
                  if a["AllocationID"].lower() == allocation_id.lower()), None)
    if alloc is None:
        return not_found()
    errors = d._lock_errors(tenant, alloc["Date"])
    if errors:
        return bad_request("A validation exception occurred", elements=[
            {"AllocationID": alloc["AllocationID"],
             "ValidationErrors": [{"Message": m} for m in errors]}])
    tx = d.Tx(tenant)
    amount = alloc["Amount"]
    dep = _store(ctx, tx, kind, dep, -amount, Allocations=[
        a for a in dep["Allocations"] if a["AllocationID"] != alloc["AllocationID"]])
    inv = tenant.docs["Invoices"].get(alloc["InvoiceID"].lower())
    if inv is not None:
        invoices._settle(ctx, tx, "Invoices", inv, -amount, alloc["Date"],
                  AmountCredited=r2(inv["AmountCredited"] - amount),
                  DepositAllocations=[a for a in inv.get("DepositAllocations", [])
                                      if a["AllocationID"] != alloc["AllocationID"]])
    return json_response({
        "AllocationID": alloc["AllocationID"], "Amount": amount, "Date": alloc["Date"],
        "Invoice": {"InvoiceID": alloc["InvoiceID"], "InvoiceNumber": alloc.get("InvoiceNumber")},
        LABEL[kind]: {ID[kind]: dep[ID[kind]], "RemainingCredit": dep["RemainingCredit"],
                      "Status": dep["Status"]},
        "IsDeleted": True,
    })


def _route(kind):
    def select(ctx, docs):
        return d._only(ctx, docs, "IDs", lambda x: x[ID[kind]].lower())

    # Read only: they are made through BankTransactions.
    listing = d.collection(kind, render, None, select=select, methods=(), id_methods=())

    def handler(ctx, rest):
        if len(rest) <= 1:
            return listing(ctx, rest)
        if len(rest) == 2 and rest[1].lower() == "allocations" \
                and ctx.request.method in ("PUT", "POST"):
            with ctx.store.lock:
                return _allocate(ctx, kind, rest[0])
        if len(rest) == 3 and rest[1].lower() == "allocations" and ctx.request.method == "DELETE":
            with ctx.store.lock:
                return _delete_allocation(ctx, kind, rest[0], rest[2])
        return not_found()

    return handler


prepayments = route("Prepayments")(_route("Prepayments"))
overpayments = route("Overpayments")(_route("Overpayments"))


def postings(tenant):
    """[(date, AccountID, amount)] of the prepayments' allocations (debits
    positive): the allocated share of each line (and of its tax) back out of
    the prepayment's accounts, the amount into Accounts Receivable (Payable).
    The bank transactions themselves post with the others (reports.py);
    overpayments' allocations post nothing."""
    out = []
    gst = _system(tenant, "GST")
    for dep in tenant.docs["Prepayments"].values():
        if dep["Status"] == "VOIDED" or not dep["Total"]:
            continue
        # A received prepayment credited its lines: an allocation debits them.
        sign = 1 if dep["Type"] == "RECEIVE-PREPAYMENT" else -1
        control = _system(tenant, CONTROL[_direction(dep["Type"])])
        for alloc in dep["Allocations"]:
            share = alloc["Amount"] / dep["Total"]
            moved = ZERO
            for li in dep["LineItems"]:
                tax = li.get("TaxAmount") or ZERO
                net = li["LineAmount"] - tax if dep["LineAmountTypes"] == "Inclusive" \
                    else li["LineAmount"]
                for account, value in ((li.get("AccountID"), net),
                                       (gst and gst["AccountID"], tax)):
                    part = r2(value * share)
                    if account and part:
                        out.append((alloc["Date"], account, sign * part))
                        moved += part
            # What per-line rounding left goes with the first line.
            if moved != alloc["Amount"] and dep["LineItems"]:
                out.append((alloc["Date"], dep["LineItems"][0]["AccountID"],
                            sign * (alloc["Amount"] - moved)))
            out.append((alloc["Date"], control["AccountID"], -sign * alloc["Amount"]))
    return out
