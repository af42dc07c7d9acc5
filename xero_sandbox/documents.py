"""What every document endpoint shares: batch bodies, summarizeErrors,
the undo transaction, ``collection`` (GET by id, GET list, PUT/POST batch),
dates and lock dates. Accounts, tax rates, currencies and line items are in
lines.py.

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

from .accounting import bad_request, json_response, list_response, not_found
from .util import parse_date

ZERO = Decimal("0")
MAX_BATCH = 50   # Xero recommends up to 50 elements per request (sandbox enforces it)
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
