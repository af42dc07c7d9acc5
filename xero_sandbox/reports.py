"""GET /Reports/TrialBalance: the trial balance computed from what the
sandbox stores.

Xero's report (https://help.xero.com/nz/Report_TrialBalance): two figures per
account, the balance for the month of the report (Debit, Credit) and the
year-to-date balance (YTD Debit, YTD Credit). The YTD balance of revenue and
expense accounts runs from the start of the financial year (the
organisation's FinancialYearEndDay/Month); that of asset, liability and
equity accounts includes previous years, and the profit or loss of previous
years is in Retained Earnings (so the YTD columns balance). Accounts with
neither balance are left out. Foreign amounts are reported in the base
currency. The answer has the shape of the spec's ReportWithRows (Reports ->
Rows -> Section -> Row -> Cells, the account's id in each cell's
Attributes), as in the spec's example for getReportTrialBalance.

What posts, in the base currency (document amount / CurrencyRate, per line
to the cent):
- invoices and credit notes AUTHORISED or PAID: the lines to their accounts
  (net of tax), the tax to the GST system account, the total to Accounts
  Receivable (DEBTORS) or Accounts Payable (CREDITORS);
- payments (not DELETED): the payment account against the document's
  control account; a difference of currency rates to Realised Currency Gains;
- bank transactions (not DELETED): the bank account against the lines and
  the tax; transfers' two legs to their bank accounts;
- manual journals POSTED: each line, and its tax to the GST account;
- prepayments and overpayments: their bank transactions as above (an
  overpayment's line is Accounts Receivable's or Payable's); a prepayment's
  allocations move the amount from its accounts to Accounts Receivable
  (Payable) (``deposits.postings``).
Credit note and overpayment allocations move money within Accounts
Receivable (or Payable); in a foreign currency, the difference of the two
documents' rates on the amount allocated goes to Realised Currency Gains
(``allocation_gains``). ``paymentsOnly`` is accepted and ignored (Xero's
help: the trial balance has no cash basis).
"""
import collections
import datetime as dt
from decimal import Decimal

from werkzeug.wrappers import Response

from . import deposits
from .accounting import bad_request, json_response, not_found, problem, route
from .util import ms_date, parse_date, r2

ZERO = Decimal("0")
PROFIT_AND_LOSS = ("REVENUE", "EXPENSE")
# Section titles in Xero's order (the spec's example: Revenue, Expenses,
# Assets, ...), by account Class.
SECTIONS = (("REVENUE", "Revenue"), ("EXPENSE", "Expenses"), ("ASSET", "Assets"),
            ("LIABILITY", "Liabilities"), ("EQUITY", "Equity"))
# Xero's granular scope for this report (apps created since March 2026) and
# the broad one it replaces (the spec's security for getReportTrialBalance).
SCOPES = {"accounting.reports.trialbalance.read", "accounting.reports.read"}


def _system(tenant, name):
    return next((a for a in tenant.accounts if a.get("SystemAccount") == name), None)


def _base(amount, rate):
    rate = Decimal(str(rate or 1))
    return r2(amount / rate) if rate not in (0, 1) else amount


def _ex_tax(line, lat):
    amount = line.get("LineAmount") or ZERO
    return amount - (line.get("TaxAmount") or ZERO) if lat == "Inclusive" else amount


def postings(tenant):
    """[(date, AccountID, amount)] in the base currency, debits positive."""
    out = []
    gst = _system(tenant, "GST")
    control = {"ACCREC": "DEBTORS", "ACCRECCREDIT": "DEBTORS",
               "ACCPAY": "CREDITORS", "ACCPAYCREDIT": "CREDITORS",
               "RECEIVE-OVERPAYMENT": "DEBTORS", "SPEND-OVERPAYMENT": "CREDITORS"}
    # The sign of the lines: credit on a sales invoice, debit on a bill, ...
    line_sign = {"ACCREC": -1, "ACCPAY": 1, "ACCRECCREDIT": 1, "ACCPAYCREDIT": -1}

    def document(date, lines, lat, rate, sign, counter_account):
        """Lines and tax at ``sign``, the counter account for the balance."""
        entries = []
        for li in lines:
            if li.get("AccountID"):
                entries.append((li["AccountID"], sign * _base(_ex_tax(li, lat), rate)))
            tax = li.get("TaxAmount") or ZERO
            if tax and gst is not None:
                entries.append((gst["AccountID"], sign * _base(tax, rate)))
        total = sum((amount for _acc, amount in entries), ZERO)
        entries.append((counter_account, -total))
        out.extend((date, acc, amount) for acc, amount in entries if amount)

    for kind in ("Invoices", "CreditNotes"):
        for doc in tenant.docs[kind].values():
            if doc["Status"] not in ("AUTHORISED", "PAID"):
                continue
            ctrl = _system(tenant, control[doc["Type"]])
            document(doc["Date"], doc["LineItems"], doc["LineAmountTypes"], doc["CurrencyRate"],
                     line_sign[doc["Type"]], ctrl["AccountID"])
    gains = _system(tenant, "REALISEDCURRENCYGAIN")
    for pay in tenant.docs["Payments"].values():
        if pay["Status"] == "DELETED":
            continue
        doc = tenant.docs[pay["DocKind"]].get(pay["DocID"].lower())
        if doc is None:
            continue
        # Money in (a sales invoice's payment, a bill's refund) is a debit to
        # the payment account.
        sign = 1 if doc["Type"] in ("ACCREC", "ACCPAYCREDIT", "SPEND-PREPAYMENT",
                                    "SPEND-OVERPAYMENT") else -1
        bank = sign * _base(pay["Amount"], pay["CurrencyRate"])
        ctrl = -sign * _base(pay["Amount"], doc["CurrencyRate"])
        out.append((pay["Date"], pay["Account"], bank))
        if pay["DocKind"] == "Prepayments":
            # A prepayment's refund takes the money back out of the account
            # its (first) line credited (sandbox simplification: no tax).
            counter = doc["LineItems"][0]["AccountID"]
        else:
            counter = _system(tenant, control[doc["Type"]])["AccountID"]
        out.append((pay["Date"], counter, ctrl))
        if bank + ctrl and gains is not None:
            out.append((pay["Date"], gains["AccountID"], -(bank + ctrl)))
    out.extend(allocation_gains(tenant, gains))
    for bt in tenant.docs["BankTransactions"].values():
        if bt["Status"] == "DELETED":
            continue
        if bt["Type"] in ("RECEIVE-TRANSFER", "SPEND-TRANSFER"):
            sign = 1 if bt["Type"] == "RECEIVE-TRANSFER" else -1
            out.append((bt["Date"], bt["BankAccount"], sign * _base(bt["Total"], bt["CurrencyRate"])))
            continue
        sign = -1 if bt["Type"].startswith("RECEIVE") else 1
        document(bt["Date"], bt["LineItems"], bt["LineAmountTypes"], bt["CurrencyRate"],
                 sign, bt["BankAccount"])
    for mj in tenant.docs["ManualJournals"].values():
        if mj["Status"] != "POSTED":
            continue
        for li in mj["JournalLines"]:
            tax = li.get("TaxAmount") or ZERO
            out.append((mj["Date"], li["AccountID"], _ex_tax(li, mj["LineAmountTypes"])))
            if tax and gst is not None:
                out.append((mj["Date"], gst["AccountID"], tax))
    out.extend(deposits.postings(tenant))
    return out


# A credit's sign on its control account: a customer's credit note or
# overpayment credits Accounts Receivable, a supplier's debits Payable.
CREDIT_SIGN = {"ACCRECCREDIT": 1, "RECEIVE-OVERPAYMENT": 1,
               "ACCPAYCREDIT": -1, "SPEND-OVERPAYMENT": -1}
CREDIT_CONTROL = {1: "DEBTORS", -1: "CREDITORS"}


def allocation_gains(tenant, gains):
    """[(date, AccountID, amount)] of the foreign-currency allocations of
    credit notes and overpayments to invoices at another rate: the
    difference of the amount at the credit's rate and at the invoice's goes
    from Accounts Receivable (Payable) to Realised Currency Gains, on the
    allocation's date.

    Xero records a realised gain or loss "each time an invoice, bill or
    credit note is entered in a foreign currency ... due to currency
    movements between the time you entered the transaction and the time
    payment or refund was made" (https://help.xero.com/au/Multicurrency-
    GainsLosses). For an allocation (a credit note, an overpayment in a
    foreign currency: xero_accounting.yaml, "Setting currency is only
    supported on overpayments") Xero does not spell out the posting; this
    is the reading that keeps the books right: both documents are settled
    in the currency, so nothing of the allocation may stay on the control
    account in the base currency, and Xero has no other account for the
    rate's difference than Realised Currency Gains (as for a payment
    above; Odoo books it the same, as an exchange difference)."""
    out = []
    if gains is None:
        return out
    credits = [(cn, cn["Allocations"]) for cn in tenant.docs["CreditNotes"].values()
               if cn["Status"] in ("AUTHORISED", "PAID")]
    credits += [(dep, dep["Allocations"]) for dep in tenant.docs["Overpayments"].values()
                if dep["Status"] in ("AUTHORISED", "PAID")]
    for credit, allocations in credits:
        sign = CREDIT_SIGN.get(credit["Type"])
        if not sign:
            continue
        control = _system(tenant, CREDIT_CONTROL[sign])
        for alloc in allocations:
            inv = tenant.docs["Invoices"].get(alloc["InvoiceID"].lower())
            if inv is None:
                continue
            diff = _base(alloc["Amount"], credit.get("CurrencyRate")) \
                - _base(alloc["Amount"], inv.get("CurrencyRate"))
            if diff:
                out.append((alloc["Date"], control["AccountID"], sign * diff))
                out.append((alloc["Date"], gains["AccountID"], -sign * diff))
    return out


def financial_year_start(organisation, date):
    """The first day of the financial year that ``date`` is in."""
    month = int(organisation.get("FinancialYearEndMonth") or 12)
    day = int(organisation.get("FinancialYearEndDay") or 31)

    def year_end(year):
        last = (dt.date(year + (month == 12), month % 12 + 1, 1) - dt.timedelta(days=1)).day
        return dt.date(year, month, min(day, last))

    end = year_end(date.year)
    if date > end:
        return end + dt.timedelta(days=1)
    return year_end(date.year - 1) + dt.timedelta(days=1)


def balances(tenant, date):
    """{AccountID: (month balance, YTD balance)} as at ``date``."""
    fy_start = financial_year_start(tenant.organisation, date)
    month_start = date.replace(day=1)
    retained = _system(tenant, "RETAINEDEARNINGS")
    classes = {a["AccountID"]: a.get("Class") for a in tenant.accounts}
    month = collections.Counter()
    ytd = collections.Counter()
    for when, account_id, amount in postings(tenant):
        if when > date:
            continue
        if classes.get(account_id) in PROFIT_AND_LOSS and when < fy_start:
            if retained is not None:
                ytd[retained["AccountID"]] += amount
            continue
        ytd[account_id] += amount
        if when >= month_start:
            month[account_id] += amount
    return {acc: (month[acc], ytd[acc]) for acc in set(month) | set(ytd)
            if month[acc] or ytd[acc]}


def _money(value):
    return "%.2f" % value


def _pair(balance):
    """(Debit, Credit) cells' values of a balance."""
    if balance > 0:
        return _money(balance), ""
    if balance < 0:
        return "", _money(-balance)
    return "0.00", ""


def trial_balance(tenant, date, stamp):
    by_account = balances(tenant, date)
    rows = [{"RowType": "Header", "Cells": [{"Value": v} for v in (
        "Account", "Debit", "Credit", "YTD Debit", "YTD Credit")]}]
    totals = [ZERO, ZERO, ZERO, ZERO]
    for klass, title in SECTIONS:
        section_rows = []
        accounts = sorted((a for a in tenant.accounts
                           if a.get("Class") == klass and a["AccountID"] in by_account),
                          key=lambda a: a.get("Code") or a["Name"])
        for acc in accounts:
            month, ytd = by_account[acc["AccountID"]]
            values = ("%s (%s)" % (acc["Name"], acc["Code"]) if acc.get("Code") else acc["Name"],
                      *_pair(month), *_pair(ytd))
            attrs = [{"Value": acc["AccountID"], "Id": "account"}]
            section_rows.append({"RowType": "Row",
                                 "Cells": [{"Value": v, "Attributes": attrs} for v in values]})
            totals[0] += max(month, ZERO)
            totals[1] += max(-month, ZERO)
            totals[2] += max(ytd, ZERO)
            totals[3] += max(-ytd, ZERO)
        rows.append({"RowType": "Section", "Title": title, "Rows": section_rows})
    rows.append({"RowType": "Section", "Title": "", "Rows": [{"RowType": "SummaryRow", "Cells": [
        {"Value": "Total"}, *({"Value": _money(t)} for t in totals)]}]})
    as_at = "%d %s %d" % (date.day, date.strftime("%B"), date.year)
    return {"ReportID": "TrialBalance", "ReportName": "Trial Balance", "ReportType": "TrialBalance",
            "ReportTitles": ["Trial Balance", tenant.name, "As at %s" % as_at],
            "ReportDate": as_at, "UpdatedDateUTC": ms_date(stamp), "Fields": [], "Rows": rows}


@route("Reports")
def reports(ctx, rest):
    if ctx.request.method != "GET" or len(rest) != 1 or rest[0].lower() != "trialbalance":
        return not_found() if ctx.request.method == "GET" else Response(
            "Method not supported by the sandbox", status=405)
    if not SCOPES.intersection(ctx.token["scopes"]):
        # As for the other endpoints outside the granted scopes (accounting.py).
        return problem(401, "Unauthorized", "AuthorizationUnsuccessful")
    try:
        date = parse_date(ctx.arg("date")) or ctx.store.utcnow().date()
    except ValueError:
        return bad_request("The date is not valid (sandbox wording)", error_number=16,
                           type_="QueryParseException")
    with ctx.store.lock:
        report = trial_balance(ctx.tenant, date, ctx.store.utcnow())
    return json_response(ctx.envelope("Reports", [report]))
