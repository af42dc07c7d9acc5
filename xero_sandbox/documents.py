"""Document endpoints: Contacts, Invoices, CreditNotes (+Allocations),
Payments, BankTransactions, BankTransfers, ManualJournals.

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
import re
from decimal import Decimal

from . import tracking
from .accounting import bad_request, json_response, list_response, not_found, route
from .util import date_string, dec, new_id, parse_date, r2, r4

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


# --- contacts -----------------------------------------------------------------

def _contact_ref(ctx, tx, ref, errors, create=True):
    """Resolve {"ContactID"} / {"ContactNumber"} / {"Name"}; like Xero, an
    unknown Name creates a new contact."""
    tenant = ctx.tenant
    if not isinstance(ref, dict) or not ref:
        errors.append("A Contact must be specified (sandbox wording)")
        return None
    cid = _ci(ref, "ContactID")
    docs = tenant.docs["Contacts"]
    if cid:
        c = docs.get(str(cid).lower())
        if c is None:
            errors.append("The contact with ContactID %s does not exist (sandbox wording)" % cid)
        return c
    num = _ci(ref, "ContactNumber")
    if num:
        for c in docs.values():
            if c.get("ContactNumber") == num:
                return c
    name = (_ci(ref, "Name") or "").strip()
    if name:
        for c in docs.values():
            if c["Name"].lower() == name.lower() and c["ContactStatus"] == "ACTIVE":
                return c
        for c in docs.values():
            if c["Name"].lower() == name.lower():
                return c
        if create:
            return _contact_upsert(ctx, tx, {"Name": name, "ContactNumber": num}, None)
    errors.append("A Contact must be specified (sandbox wording)")
    return None


def _document_contact(ctx, tx, ref, errors):
    """The contact a document names; an archived one cannot be used."""
    contact = _contact_ref(ctx, tx, ref, errors)
    if contact is not None and contact["ContactStatus"] == "ARCHIVED":
        errors.append("The contact %s is archived and cannot be used on this document (sandbox wording)"
                      % contact["Name"])
    return contact


def _contact_upsert(ctx, tx, el, existing):
    tenant = ctx.tenant
    errors = []
    doc = dict(existing) if existing else {
        "ContactID": new_id(), "ContactStatus": "ACTIVE", "Name": None, "Addresses": [], "Phones": [],
        "ContactGroups": [], "ContactPersons": [], "IsSupplier": False, "IsCustomer": False,
        "HasValidationErrors": False, "HasAttachments": False, "BankAccountDetails": "",
    }
    for f in ("Name", "ContactNumber", "AccountNumber", "FirstName", "LastName", "EmailAddress",
              "CompanyNumber", "TaxNumber", "AccountsReceivableTaxType", "AccountsPayableTaxType",
              "DefaultCurrency", "BankAccountDetails", "Addresses", "Phones", "ContactPersons",
              "Website", "SkypeUserName"):
        v = _ci(el, f)
        if v is not None:
            doc[f] = v.strip() if isinstance(v, str) else v
    status = _ci(el, "ContactStatus")
    if status:
        if status not in ("ACTIVE", "ARCHIVED"):
            errors.append("ContactStatus %s is not valid (sandbox wording)" % status)
        else:
            doc["ContactStatus"] = status
    if not doc.get("Name"):
        errors.append("The contact name must be specified (sandbox wording)")
    errors.extend(_contact_field_errors(doc))
    others = [c for c in tenant.docs["Contacts"].values() if c["ContactID"] != doc["ContactID"]]
    if doc.get("Name") and doc["ContactStatus"] == "ACTIVE":
        if any(c["Name"].lower() == doc["Name"].lower() and c["ContactStatus"] == "ACTIVE" for c in others):
            errors.append("The contact name %s is already assigned to another contact. The contact name "
                          "must be unique across all active contacts." % doc["Name"])
    if doc.get("ContactNumber"):
        if any(c.get("ContactNumber") == doc["ContactNumber"] for c in others):
            errors.append("The contact number %s is already assigned to another contact. The contact "
                          "number must be unique across all contacts." % doc["ContactNumber"])
    if errors:
        raise Invalid(errors)
    doc["UpdatedDateUTC"] = _stamp(ctx)
    return tx.put("Contacts", doc)


# Xero's limits on a contact's fields (xero_accounting.yaml: Contact, Address).
CONTACT_MAX = {"Name": 255, "FirstName": 255, "LastName": 255, "EmailAddress": 255,
               "ContactNumber": 50, "AccountNumber": 50, "CompanyNumber": 50, "TaxNumber": 50}
ADDRESS_MAX = {"AddressLine1": 500, "AddressLine2": 500, "AddressLine3": 500, "AddressLine4": 500,
               "City": 255, "Region": 255, "PostalCode": 50, "Country": 50, "AttentionTo": 255}
# One address, ASCII only: Xero's spec says of EmailAddress "umlauts not
# supported", and Xero refuses a contact whose email is not valid
# (https://github.com/waynerobinson/xeroizer/issues/477, Xero's rjaus: "a
# contact will always require a valid email if provided").
EMAIL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def _contact_field_errors(doc):
    errors = []
    for name, limit in CONTACT_MAX.items():
        value = doc.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors.append("%s must not be longer than %d characters (sandbox wording)" % (name, limit))
    for address in doc.get("Addresses") or []:
        for name, limit in ADDRESS_MAX.items():
            value = _ci(address, name)
            if isinstance(value, str) and len(value) > limit:
                errors.append("%s must not be longer than %d characters (sandbox wording)"
                              % (name, limit))
    email = doc.get("EmailAddress")
    if email and not EMAIL_RE.match(email):
        errors.append("Email address must be valid. (sandbox wording)")
    return errors


def _contact_handle(ctx, tx, el, contact_id=None):
    cid, existing = _updated(ctx, "Contacts", el, contact_id,
                             "The contact with ContactID %s does not exist (sandbox wording)")
    if cid is None and ctx.request.method == "POST" and _ci(el, "ContactNumber"):
        existing = next((c for c in ctx.tenant.docs["Contacts"].values()
                         if c.get("ContactNumber") == _ci(el, "ContactNumber")), None)
    return _contact_upsert(ctx, tx, el, existing)


def render_contact(ctx, c, full=True):
    out = dict(c)
    if not full:
        for k in ("Addresses", "Phones", "ContactPersons", "ContactGroups"):
            out.pop(k, None)
    return out


def _contact_summary(c):
    return {"ContactID": c["ContactID"], "Name": c["Name"], "ContactNumber": c.get("ContactNumber"),
            "ContactStatus": c["ContactStatus"], "EmailAddress": c.get("EmailAddress"),
            "IsSupplier": c.get("IsSupplier", False), "IsCustomer": c.get("IsCustomer", False),
            "HasValidationErrors": False}


def _contact_of(tenant, contact_id):
    """The contact summary Xero nests in a document; None for an unknown id."""
    c = tenant.docs["Contacts"].get((contact_id or "").lower())
    return _contact_summary(c) if c else None


def _mark_contact_role(ctx, tx, contact, doc_type):
    flag = "IsCustomer" if doc_type in ("ACCREC", "ACCRECCREDIT", "RECEIVE") else "IsSupplier"
    if not contact.get(flag):
        tx.put("Contacts", dict(contact, **{flag: True}))


def _contact_by_key(tenant, key):
    """GET /Contacts/{ContactID or ContactNumber}."""
    docs = tenant.docs["Contacts"]
    key = key.lower()
    return docs.get(key) or next((c for c in docs.values() if (c.get("ContactNumber") or "").lower() == key),
                                 None)


def _select_contacts(ctx, docs):
    docs = _only(ctx, docs, "IDs", lambda d: d["ContactID"].lower())
    if not ctx.flag("includeArchived"):
        docs = [d for d in docs if d["ContactStatus"] != "ARCHIVED"]
    term = ctx.arg("searchTerm")
    if term:
        t = term.lower()
        docs = [d for d in docs if any(t in (d.get(f) or "").lower() for f in
                                       ("Name", "FirstName", "LastName", "ContactNumber",
                                        "CompanyNumber", "EmailAddress"))]
    return docs


contacts = route("Contacts")(collection(
    "Contacts", render_contact, _contact_handle, find=_contact_by_key, select=_select_contacts,
    render_after_filter=True))


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
    errors.extend(_lock_errors(tenant, date))
    if errors:
        raise Invalid(errors)
    amount = r2(amount)
    rate = given_rate or target["CurrencyRate"]
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
           "BankAmount": r2(amount / rate) if rate else amount, "UpdatedDateUTC": _stamp(ctx),
           "HasAccount": True, "HasValidationErrors": False}
    _apply_payment(ctx, tx, pay, +1)
    return tx.put("Payments", pay)


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
        bt = {"BankTransactionID": new_id(), "Type": typ, "BankAccount": acc["AccountID"], "Date": date,
              "Reference": _ci(el, "Reference"), "IsReconciled": False, "Status": "AUTHORISED",
              "LineAmountTypes": "NoTax", "LineItems": [], "SubTotal": amount, "TotalTax": ZERO, "Total": amount,
              "CurrencyCode": acc.get("CurrencyCode") or tenant.base_currency, "CurrencyRate": rate,
              "BankTransferID": transfer_id, "HasAttachments": False, "UpdatedDateUTC": stamp}
        tx.put("BankTransactions", bt)
        ids.append(bt["BankTransactionID"])
    doc = {"BankTransferID": transfer_id, "CreatedDateUTC": stamp, "Date": date, "Status": "AUTHORISED",
           "FromBankAccount": frm["AccountID"], "ToBankAccount": to["AccountID"], "Amount": amount,
           "FromBankTransactionID": ids[0], "ToBankTransactionID": ids[1], "CurrencyRate": rate,
           "FromIsReconciled": False, "ToIsReconciled": False, "Reference": _ci(el, "Reference"),
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
