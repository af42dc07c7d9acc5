"""What every document endpoint shares: batch bodies, summarizeErrors,
the undo transaction, ``collection`` (GET by id, GET list, PUT/POST batch),
dates and lock dates, accounts, tax rates, currencies and line items.

The endpoints themselves: contacts.py (Contacts), invoices.py (Invoices,
CreditNotes and their Allocations), payments.py (Payments), banking.py
(BankTransactions, BankTransfers, ManualJournals), deposits.py (Prepayments,
Overpayments and their Allocations).

Shared behaviour (Xero's "Requests and responses" guide,
https://developer.xero.com/documentation/api/accounting/requests-and-responses):
- batch bodies {"Invoices": [...]} (a single object is accepted too);
- summarizeErrors (default true): any invalid element -> 400
  ValidationException with the failing Elements and nothing stored;
  summarizeErrors=false -> 200, every element carries StatusAttributeString
  OK|ERROR, valid elements are stored;
- lists: where/order/If-Modified-Since, page=N returns 100 per page; as Xero
  documents for Invoices, CreditNotes, BankTransactions, ManualJournals and
  Contacts, a list fetched without `page` leaves out line items (and contact
  details); page=N or GET by id returns them.

Every endpoint is built by `collection` (GET by id, GET list, PUT/POST batch
with an optional id in the URL); what differs per kind is its handle
(validate + store one element) and its render.

Xero's validation messages are used verbatim where known (lock dates, contact
name/number uniqueness, "Account code '...' is not a valid code for this
document.", "Payment amount exceeds the amount outstanding on this
document", "Invoice # must be unique.", "Account code must be specified");
the others are worded in Xero's style and marked "(sandbox wording)".

Where Xero is stricter than a lenient fake would be, the rule and its source
are beside the code: DiscountRate on ACCREC only, currency rates to 6
decimals, a bank transaction in its bank account's currency, Reference read
on ACCREC / ACCRECCREDIT only, Warnings on accepted elements.
"""
from decimal import Decimal

from . import tracking
from .accounting import bad_request, json_response, list_response, not_found
from .util import dec, new_id, parse_date, r2, r4

ZERO = Decimal("0")
MAX_BATCH = 50   # Xero recommends up to 50 elements per request (sandbox enforces it)
# Indicative FX rates (foreign units per 1 base unit) when CurrencyRate is not
# given; Xero uses XE.com's daily rate.
FX = {"USD": Decimal("0.60"), "AUD": Decimal("0.92"), "GBP": Decimal("0.47"), "EUR": Decimal("0.55"),
      "NZD": Decimal("1.09")}
# The id field of each kind; documents are stored under their id in lower case
# (Xero's ids are GUIDs, matched in any case).
ID_KEY = {"Contacts": "ContactID", "Invoices": "InvoiceID", "CreditNotes": "CreditNoteID",
          "Payments": "PaymentID", "BankTransactions": "BankTransactionID",
          "BankTransfers": "BankTransferID", "ManualJournals": "ManualJournalID",
          "Prepayments": "PrepaymentID", "Overpayments": "OverpaymentID"}


class Invalid(Exception):
    def __init__(self, messages):
        super().__init__("; ".join(messages))
        self.messages = list(messages)


# --- transaction with undo ------------------------------------------------

class Tx:
    """Records replaced docs so a summarized batch can be rolled back."""

    def __init__(self, tenant):
        self.tenant = tenant
        self.undo = []
        self.warnings = []  # Xero's warnings on the element being handled

    def warn(self, message):
        self.warnings.append(message)

    def put(self, kind, doc):
        docs = self.tenant.docs[kind]
        key = doc[ID_KEY[kind]].lower()
        self.undo.append((kind, key, docs.get(key), self.tenant.sequences.copy()))
        docs[key] = doc
        return doc

    def mark(self):
        return len(self.undo)

    def rollback(self, to=0):
        while len(self.undo) > to:
            kind, key, old, seq = self.undo.pop()
            if old is None:
                self.tenant.docs[kind].pop(key, None)
            else:
                self.tenant.docs[kind][key] = old
            self.tenant.sequences = seq


def _stamp(ctx):
    return ctx.store.utcnow()


def _elements(ctx, key):
    body = ctx.body()
    if isinstance(body, list):
        return body
    if isinstance(body, dict):
        for k, v in body.items():
            if k.lower() == key.lower() and isinstance(v, list):
                return v
        return [body] if body else []
    return []


def _ci(d, name, default=None):
    if not isinstance(d, dict):
        return default
    if name in d:
        return d[name]
    low = name.lower()
    for k, v in d.items():
        if k.lower() == low:
            return v
    return default


def run_batch(ctx, key, elements, handle, render):
    """Apply handle(tx, element) -> stored doc for each element with Xero's
    summarizeErrors semantics."""
    if len(elements) > MAX_BATCH:
        return bad_request("No more than %d %s can be submitted in a single request (sandbox wording)"
                           % (MAX_BATCH, key))
    if not elements:
        return bad_request("The request did not contain any %s (sandbox wording)" % key)
    summarize = ctx.flag("summarizeErrors", True)
    tx = Tx(ctx.tenant)
    results = []
    failed = False
    for el in elements:
        mark = tx.mark()
        tx.warnings = []
        try:
            if not isinstance(el, dict):
                raise Invalid(["The element is not a valid %s object (sandbox wording)" % key[:-1]])
            doc = handle(ctx, tx, el)
            results.append((True, doc, el, list(tx.warnings)))
        except Invalid as e:
            tx.rollback(mark)
            failed = True
            results.append((False, None, el, e.messages))
    if summarize and failed:
        tx.rollback()
        elements_out = []
        for ok, doc, el, msgs in results:
            if ok:
                continue
            echo = _echo(el)
            echo["ValidationErrors"] = [{"Message": m} for m in msgs]
            echo["HasErrors"] = True
            elements_out.append(echo)
        return bad_request("A validation exception occurred", elements=elements_out)
    out = []
    for ok, doc, el, msgs in results:
        if ok:
            item = render(ctx, doc, full=True)
            if not summarize:
                item["StatusAttributeString"] = "OK"
                item["HasErrors"] = False
            if msgs:
                # An accepted element with warnings carries them in a
                # Warnings array, its status WARNING (Xero's "Requests and
                # responses" guide, quoted in XeroAPI/Xero-NetStandard#209;
                # Payment.Warnings added to the spec by Xero-OpenAPI#582).
                item["Warnings"] = [{"Message": m} for m in msgs]
                if not summarize:
                    item["StatusAttributeString"] = "WARNING"
            out.append(item)
        else:
            echo = _echo(el)
            echo.update({"StatusAttributeString": "ERROR", "HasErrors": True,
                         "ValidationErrors": [{"Message": m} for m in msgs]})
            out.append(echo)
    return json_response(ctx.envelope(key, out))


def _echo(el):
    return {k: v for k, v in el.items()} if isinstance(el, dict) else {}


# --- the endpoint shape every document kind shares ----------------------------

def collection(kind, render, handle, *, find=None, target=None, select=None, paged=True,
               render_after_filter=False, methods=("PUT", "POST"), id_methods=("PUT", "POST"),
               batch=run_batch):
    """The handler of a document endpoint /{kind}[/{key}]:

    GET /{kind}/{key}        find(tenant, key) (default: by id) rendered in full, or
                             404; segments after the key are ignored;
    GET /{kind}              the documents narrowed by select(ctx, docs) (the
                             endpoint's own filters: IDs=, Statuses= ...), then
                             If-Modified-Since/where/order and page=N (when paged)
                             by list_response. where/order see the rendered
                             document (Contact.Name ...), or with
                             render_after_filter the stored one, rendered per page.
                             Without page=N the render is the summary (full=False);
    {methods} /{kind}        a batch, batch(...) (default run_batch) of
                             handle(ctx, tx, el);
    {id_methods} /{kind}/{key}  a batch on the document target(tenant, key) names
                             (default: the key as given, if it is a stored id):
                             handle(ctx, tx, el, that); 404 when there is none or
                             more segments follow.
    Anything else is 404.
    """
    def by_id(tenant, key):
        return tenant.docs[kind].get(key.lower())

    def id_as_given(tenant, key):
        return key if by_id(tenant, key) else None

    find = find or by_id
    target = target or id_as_given

    def handler(ctx, rest):
        m = ctx.request.method
        tenant = ctx.tenant
        with ctx.store.lock:
            if m == "GET":
                if rest:
                    d = find(tenant, rest[0])
                    return json_response(ctx.envelope(kind, [render(ctx, d)])) if d else not_found()
                docs = list(tenant.docs[kind].values())
                if select:
                    docs = select(ctx, docs)
                full = bool(ctx.arg("page"))
                if render_after_filter:
                    return list_response(ctx, kind, docs, paged=paged,
                                         render=lambda d: render(ctx, d, full=full))
                return list_response(ctx, kind, [render(ctx, d, full=full) for d in docs], paged=paged)
            if m in methods and not rest:
                return batch(ctx, kind, _elements(ctx, kind), handle, render)
            if m in id_methods and len(rest) == 1:
                key = target(tenant, rest[0])
                if key is None:
                    return not_found()
                return batch(ctx, kind, _elements(ctx, kind),
                             lambda c, tx, el: handle(c, tx, el, key), render)
        return not_found()

    return handler


def _only(ctx, docs, param, value, norm=str.lower):
    """Xero's comma-separated list filters (IDs=, InvoiceNumbers=, Statuses= ...)."""
    given = ctx.arg(param)
    if not given:
        return docs
    wanted = {norm(i.strip()) for i in given.split(",")}
    return [d for d in docs if value(d) in wanted]


# --- shared validation ------------------------------------------------------

def _date(value, field, errors, default=None):
    try:
        d = parse_date(value)
    except ValueError:
        errors.append("%s is not a valid date (sandbox wording)" % field)
        return default
    return d if d is not None else default


def _lock_errors(tenant, date):
    """Xero's wording, e.g. "The document date cannot be before the period
    lock date, currently set at 30-Nov-2018". Xero blocks dates on or before
    the lock date."""
    org = tenant.organisation
    msgs = []
    if date is None:
        return msgs
    p, e = org.get("PeriodLockDate"), org.get("EndOfYearLockDate")
    if p and date <= p:
        msgs.append("The document date cannot be before the period lock date, currently set at %s"
                    % p.strftime("%d-%b-%Y"))
    if e and date <= e:
        msgs.append("The document date cannot be before the end of year lock date, currently set at %s"
                    % e.strftime("%d-%b-%Y"))
    return msgs


def _updated(ctx, kind, el, doc_id, message):
    """(id, stored document) of the document an element updates: the id in
    the URL, else the element's own id field; Invalid(message % id) when no
    such document is stored; (None, None) for a new document."""
    did = doc_id or _ci(el, ID_KEY[kind])
    if not did:
        return None, None
    doc = ctx.tenant.docs[kind].get(str(did).lower())
    if doc is None:
        raise Invalid([message % did])
    return did, doc


def _date_or_today(ctx, el, errors):
    return _date(_ci(el, "Date"), "Date", errors, ctx.store.utcnow().date())


def _close(ctx, tx, kind, doc, status, check_lock, **changes):
    """Void or delete a document; with check_lock Xero refuses it when the
    document's date is in a locked period."""
    errors = _lock_errors(ctx.tenant, doc["Date"]) if check_lock else []
    if errors:
        raise Invalid(errors)
    return tx.put(kind, dict(doc, Status=status, UpdatedDateUTC=_stamp(ctx), **changes))


def _resubmitted(existing, el, **refs):
    """An update of a document that is re-validated whole: the stored document
    in request form (refs: its references as request objects) overlaid with
    the element, so the fields left out keep their values."""
    merged = dict(existing, Date=existing["Date"].isoformat(), **refs)
    merged.update(el)
    return merged


def _amount(el, errors):
    try:
        return dec(_ci(el, "Amount"), None)
    except ValueError as e:
        errors.append(str(e))
        return None


def _find_account(tenant, ref):
    """Account by {"AccountID"} or {"Code"} (or a bare code)."""
    if isinstance(ref, str):
        return tenant.account_by_code(ref)
    if not isinstance(ref, dict):
        return None
    aid = _ci(ref, "AccountID")
    if aid:
        return tenant.account_by_id(aid)
    code = _ci(ref, "Code")
    return tenant.account_by_code(code) if code else None


def _line_account(tenant, code, errors, allow_bank=False):
    acc = tenant.account_by_code(code)
    if acc is None:
        errors.append("Account code '%s' is not a valid code for this document." % code)
        return None
    if acc["Status"] != "ACTIVE":
        errors.append("The account code '%s' has been archived, or has been deleted. Each line item "
                      "must reference a valid account." % code)
        return None
    if acc["Type"] == "BANK" and not allow_bank:
        errors.append("Account code '%s' is not a valid code for this document." % code)
        return None
    return acc


# Accounts receivable and payable are system accounts that "always balance,
# and equal the sum of the approved invoices, bills": Xero takes no manual
# journal (nor spend / receive money) line on them; one journals to a
# secondary account instead (help.xero.com/nz/Q_Accruals_ARAP, "Record
# movements in system accounts").
NO_JOURNAL_SYSTEM_ACCOUNTS = ("DEBTORS", "CREDITORS")


def _system_account_errors(lines, tenant, what):
    errors = []
    for line in lines:
        acc = tenant.account_by_id(line["AccountID"]) if line.get("AccountID") else None
        if acc is not None and acc.get("SystemAccount") in NO_JOURNAL_SYSTEM_ACCOUNTS:
            errors.append("Account code '%s' is a system account and cannot be used on a %s "
                          "(sandbox wording)" % (acc["Code"], what))
    return errors


def _tax_rate(tenant, tax_type, acc, errors):
    rate = tenant.tax_rate(tax_type)
    ok = rate is not None and rate["Status"] == "ACTIVE"
    if ok and acc is not None:
        field = {"ASSET": "Assets", "EQUITY": "Equity", "EXPENSE": "Expenses",
                 "LIABILITY": "Liabilities", "REVENUE": "Revenue"}.get(acc["Class"])
        ok = rate.get("CanApplyTo" + field, True) if field else True
    if not ok:
        errors.append("The TaxType code '%s' does not exist or cannot be used with this type of "
                      "transaction." % tax_type)
        return None
    return rate


def _tax(amount, pct, lat):
    """The tax of a line at pct %: in an Inclusive amount, on top of an
    Exclusive one, none with NoTax; rounded to 2 dp per line."""
    if lat == "NoTax":
        return ZERO
    if lat == "Inclusive":
        return r2(amount * pct / (Decimal(100) + pct))
    return r2(amount * pct / Decimal(100))


# Xero keeps a currency rate to 6 decimals (Invoice.CurrencyRate in Xero's
# OpenAPI spec: "max length = [18].[6]"); a rate with more is refused here
# rather than silently rounded, so that what is sent is what Xero books.
RATE_DECIMALS = 6


def _rate(el, errors):
    """The element's CurrencyRate (Decimal) or None; more than 6 decimals refused."""
    try:
        rate = dec(_ci(el, "CurrencyRate"), None)
    except ValueError as e:
        errors.append(str(e))
        return None
    if rate is not None and rate.normalize().as_tuple().exponent < -RATE_DECIMALS:
        errors.append("CurrencyRate %s has more than %d decimal places (sandbox wording)"
                      % (_ci(el, "CurrencyRate"), RATE_DECIMALS))
        return None
    return rate


def _currency(ctx, el, errors):
    tenant = ctx.tenant
    code = _ci(el, "CurrencyCode") or tenant.base_currency
    rate = _rate(el, errors)
    if tenant.currency(code) is None:
        errors.append("Organisation is not subscribed to currency %s" % code)
        return code, Decimal(1)
    if code == tenant.base_currency:
        return code, Decimal(1)
    if rate is None or rate <= 0:
        rate = FX.get(code, Decimal(1))
    return code, rate


def _lines(ctx, el, key, errors, status, line_amount_types, draft_ok=True, allow_bank=False,
           discounts=False):
    """Compute Xero's line amounts and tax with per-line rounding to 2 dp.
    ``discounts``: whether the document type takes DiscountRate (ACCREC
    invoices only: LineItem.DiscountRate in Xero's OpenAPI spec, "only
    supported on ACCREC invoices – ACC PAY invoices and credit notes in Xero
    do not support discounts"); elsewhere a discount is refused."""
    tenant = ctx.tenant
    unitdp = 4 if str(ctx.arg("unitdp") or "") == "4" else 2
    out = []
    raw = _ci(el, key) or []
    if not isinstance(raw, list):
        errors.append("%s must be a list (sandbox wording)" % key)
        return out
    for li in raw:
        if not isinstance(li, dict):
            continue
        try:
            qty = dec(_ci(li, "Quantity"), None)
            unit = dec(_ci(li, "UnitAmount"), None)
            line_amount = dec(_ci(li, "LineAmount"), None)
            discount = dec(_ci(li, "DiscountRate"), None)
            tax_amount = dec(_ci(li, "TaxAmount"), None)
        except ValueError as e:
            errors.append(str(e))
            continue
        if discount and not discounts:
            errors.append("Discounts are only supported on ACCREC invoices; this document "
                          "cannot have a DiscountRate (sandbox wording)")
            discount = None
        if qty is None:
            qty = Decimal(1)
        if unit is not None:
            unit = r4(unit) if unitdp == 4 else r2(unit)
            computed = qty * unit
            if discount:
                computed = computed * (Decimal(100) - discount) / Decimal(100)
            computed = r2(computed)
            # A supplied LineAmount wins over Quantity x UnitAmount (choice).
            line_amount = r2(line_amount) if line_amount is not None else computed
        elif line_amount is not None:
            line_amount = r2(line_amount)
            unit = (r4 if unitdp == 4 else r2)(line_amount / qty) if qty else line_amount
        else:
            line_amount, unit = ZERO, None
        code = _ci(li, "AccountCode")
        acc = None
        if code:
            acc = _line_account(tenant, str(code), errors, allow_bank=allow_bank)
        elif not (draft_ok and status == "DRAFT"):
            errors.append("Account code must be specified")
        tax_type = _ci(li, "TaxType") or (acc["TaxType"] if acc else None)
        rate = None
        if line_amount_types == "NoTax":
            tax_type = tax_type if _ci(li, "TaxType") else "NONE"
            if _ci(li, "TaxType"):
                rate = _tax_rate(tenant, tax_type, acc, errors)
            pct = ZERO
        elif tax_type:
            rate = _tax_rate(tenant, tax_type, acc, errors)
            pct = rate["EffectiveRate"] if rate else ZERO
        else:
            pct = ZERO
        if tax_amount is not None and line_amount_types != "NoTax":
            tax = r2(tax_amount)   # Xero accepts a supplied tax amount (rounding adjustments)
        else:
            tax = _tax(line_amount, pct, line_amount_types)
        line = {"LineItemID": _ci(li, "LineItemID") or new_id(), "Description": _ci(li, "Description"),
                "Quantity": qty, "UnitAmount": unit, "ItemCode": _ci(li, "ItemCode"),
                "AccountCode": acc["Code"] if acc else (str(code) if code else None),
                "AccountID": acc["AccountID"] if acc else None,
                "TaxType": tax_type, "TaxAmount": tax, "LineAmount": line_amount,
                "DiscountRate": discount,
                "Tracking": tracking.line_tracking(tenant, _ci(li, "Tracking"), errors)}
        out.append(line)
    return out


def _totals(lines, lat):
    total_lines = sum((l["LineAmount"] for l in lines), ZERO)
    tax = sum((l["TaxAmount"] for l in lines), ZERO)
    if lat == "Inclusive":
        return r2(total_lines - tax), r2(tax), r2(total_lines)
    return r2(total_lines), r2(tax), r2(total_lines + tax)


def _lat(el, default="Exclusive"):
    v = _ci(el, "LineAmountTypes") or default
    for opt in ("Exclusive", "Inclusive", "NoTax"):
        if str(v).lower() == opt.lower():
            return opt
    return None


def _line_input(li):
    return {"LineItemID": li["LineItemID"], "Description": li.get("Description"), "Quantity": li["Quantity"],
            "UnitAmount": li.get("UnitAmount"), "AccountCode": li.get("AccountCode"),
            "TaxType": li.get("TaxType"), "DiscountRate": li.get("DiscountRate"),
            "Tracking": li.get("Tracking")}


def _render_lines(lines):
    return [{k: v for k, v in li.items() if v is not None} for li in lines]


def _account_summary(tenant, account_id):
    acc = tenant.account_by_id(account_id)
    return {"AccountID": acc["AccountID"], "Code": acc["Code"], "Name": acc["Name"]}
