"""Read-only web pages of what the sandbox stores, at the addresses of
Xero's own web pages of documents, so that "Open in Xero" works against the
sandbox as against go.xero.com.

Xero's deep links (the form Xero's own MCP server builds:
XeroAPI/xero-mcp-server, src/consts/deeplinks.ts):

    https://go.xero.com/organisationlogin/default.aspx?shortcode=<Organisation.ShortCode>
        &redirecturl=/AccountsReceivable/View.aspx?InvoiceID=<id>

and the pages themselves (/AccountsReceivable/View.aspx?InvoiceID=...,
/AccountsPayable/View.aspx, .../ViewCreditNote.aspx?creditNoteID=...,
/Bank/ViewTransaction.aspx?bankTransactionID=..., /Bank/ViewTransfer.aspx,
/Journal/View.aspx?invoiceID=...). The redirect URL is given unencoded;
its query is then read from the redirect URL itself.

Every value shown is HTML-escaped: they are what API callers sent. An id
the organisation does not have answers 404. Nothing here changes the store.
"""
import datetime as dt
import html
from decimal import Decimal
from types import SimpleNamespace
from urllib.parse import parse_qsl, urlsplit

from werkzeug.wrappers import Response

from . import banking, invoices, payments

# page path (lower case) -> (title, the store's kinds to look the id up in,
# how each is rendered)
PAGES = {
    "/accountsreceivable/view.aspx": ("Invoice", ("Invoices",)),
    "/accountspayable/view.aspx": ("Bill", ("Invoices",)),
    "/accountspayable/edit.aspx": ("Bill", ("Invoices",)),
    "/accountsreceivable/viewcreditnote.aspx": ("Credit note", ("CreditNotes",)),
    "/accountspayable/viewcreditnote.aspx": ("Credit note", ("CreditNotes",)),
    # A payment's deep link is the bank transaction page, as in Xero.
    "/bank/viewtransaction.aspx": ("Bank transaction", ("Payments", "BankTransactions")),
    "/bank/viewtransfer.aspx": ("Bank transfer", ("BankTransfers",)),
    "/journal/view.aspx": ("Manual journal", ("ManualJournals",)),
}
RENDER = {
    "Invoices": invoices.render_invoice,
    "CreditNotes": invoices.render_invoice,
    "Payments": payments.render_payment,
    "BankTransactions": banking.render_bank_tx,
    "BankTransfers": banking.render_transfer,
    "ManualJournals": banking.render_journal,
}
LOGIN_PATH = "/organisationlogin/default.aspx"


def handles(path):
    """True when ``path`` (lower case, no trailing slash) is a page of this module."""
    return path == LOGIN_PATH or path in PAGES


def page(sb, request):
    if request.method not in ("GET", "HEAD"):
        return _html(405, "Method not allowed", "<p>These pages are read-only.</p>")
    path = request.path.rstrip("/").lower()
    args = list(request.args.items(multi=True))
    short_code = None
    if path == LOGIN_PATH:
        params = dict((k.lower(), v) for k, v in args)
        short_code = params.get("shortcode")
        target = urlsplit(params.get("redirecturl") or "")
        path = target.path.rstrip("/").lower()
        # Unencoded, the redirect URL's own query ends the value; more of
        # it (after a second &) arrives as further arguments.
        args = parse_qsl(target.query) + [(k, v) for k, v in args
                                          if k.lower() not in ("shortcode", "redirecturl")]
    if path not in PAGES:
        return _html(404, "Page not found", "<p>The sandbox has no page at this address.</p>")
    title, kinds = PAGES[path]
    doc_id = next((v for k, v in args if k.lower().endswith("id") and v), "")
    store = sb.store
    with store.lock:
        tenants = [t for t in store.tenants.values()
                   if short_code is None or t.organisation.get("ShortCode") == short_code]
        found = None
        for tenant in tenants:
            for kind in kinds:
                doc = tenant.docs[kind].get(doc_id.lower()) if doc_id else None
                if doc is not None:
                    ctx = SimpleNamespace(tenant=tenant, store=store, request=request)
                    found = (tenant, kind, RENDER[kind](ctx, doc, True))
                    break
            if found:
                break
    if not found:
        return _html(404, "%s not found" % title, "<p>No %s with id <code>%s</code>%s.</p>" % (
            _e(title.lower()), _e(doc_id), " in this organisation" if short_code else ""))
    tenant, kind, doc = found
    number = doc.get("InvoiceNumber") or doc.get("CreditNoteNumber") or doc.get("Reference") or ""
    heading = "%s %s" % (title, number) if number else title
    body = "<p class='org'>%s &middot; %s (sandbox, read-only)</p>%s" % (
        _e(tenant.name), _e(kind), _table(doc))
    return _html(200, heading, body)


def _plain(value):
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _e(value):
    return html.escape(_plain(value), quote=True)


def _table(doc):
    """A two-column table of ``doc``; nested records flattened (Contact.Name),
    lists of records as their own tables."""
    rows, lists = [], []

    def walk(prefix, value):
        if isinstance(value, dict):
            for key, sub in value.items():
                walk("%s.%s" % (prefix, key) if prefix else str(key), sub)
        elif isinstance(value, (list, tuple)):
            if value and all(isinstance(v, dict) for v in value):
                lists.append((prefix, value))
            elif value:
                rows.append((prefix, ", ".join(_plain(v) for v in value)))
        elif value is not None:
            rows.append((prefix, value))

    walk("", doc)
    out = ["<table class='doc'>"]
    out += ["<tr><th>%s</th><td>%s</td></tr>" % (_e(k), _e(v)) for k, v in rows]
    out.append("</table>")
    for name, items in lists:
        columns = []
        flat_items = []
        for item in items:
            flat = {}

            def flatten(prefix, value, flat=flat):
                if isinstance(value, dict):
                    for key, sub in value.items():
                        flatten("%s.%s" % (prefix, key) if prefix else str(key), sub)
                elif isinstance(value, (list, tuple)):
                    flat[prefix] = "; ".join(
                        _plain(v) if not isinstance(v, dict) else
                        ", ".join("%s=%s" % (k, _plain(x)) for k, x in v.items()) for v in value)
                elif value is not None:
                    flat[prefix] = value
            flatten("", item)
            flat_items.append(flat)
            columns += [c for c in flat if c not in columns]
        out.append("<h2>%s</h2><table class='lines'><tr>%s</tr>" % (
            _e(name), "".join("<th>%s</th>" % _e(c) for c in columns)))
        for flat in flat_items:
            out.append("<tr>%s</tr>" % "".join(
                "<td>%s</td>" % _e(flat.get(c)) for c in columns))
        out.append("</table>")
    return "".join(out)


def _html(status, title, body):
    page_html = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>%s</title>"
        "<style>body{font-family:sans-serif;margin:2em}table{border-collapse:collapse;margin:1em 0}"
        "th,td{border:1px solid #ccc;padding:.25em .5em;text-align:left;vertical-align:top}"
        ".org{color:#666}</style></head><body><h1>%s</h1>%s</body></html>"
    ) % (_e(title), _e(title), body)
    return Response(page_html, status=status, mimetype="text/html")
