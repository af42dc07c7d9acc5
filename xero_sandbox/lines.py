"""What document endpoints share about money: amounts, accounts (by code or
id, system accounts refused on lines), tax rates and their calculation
(Exclusive / Inclusive / NoTax, per line, rounded as Xero rounds), currencies
and their rates, line items and totals. The batch machinery and dates are
in documents.py.

Where Xero is stricter than a lenient fake would be, the rule and its source
are beside the code: DiscountRate on ACCREC only, currency rates to 6
decimals, a bank transaction in its bank account's currency.
"""
from decimal import Decimal

from . import tracking
from .documents import ZERO, _ci
from .util import dec, new_id, r2, r4

# Indicative FX rates (foreign units per 1 base unit) when CurrencyRate is not
# given; Xero uses XE.com's daily rate.
FX = {"USD": Decimal("0.60"), "AUD": Decimal("0.92"), "GBP": Decimal("0.47"), "EUR": Decimal("0.55"),
      "NZD": Decimal("1.09")}


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


def _load_system_accounts():
    """Xero's system accounts and what each may take: the addon's one table
    (xero/system_accounts.py), loaded by its path. That file imports
    nothing, so the sandbox still imports nothing of the addon; the addon's
    checks and the sandbox cannot drift apart."""
    import importlib.util
    import os

    path = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                        "xero", "system_accounts.py")
    spec = importlib.util.spec_from_file_location("xero_sandbox._system_accounts", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Xero takes no line of an invoice, a spend / receive money or a manual
# journal on some of its system accounts: Accounts Receivable and Payable
# ("always balance, and equal the sum of the approved invoices, bills or
# wages payable": help.xero.com/nz/Q_Accruals_ARAP), Wages Payable, Unpaid
# Expense Claims, Tracking Transfers, Bank Revaluations, Unrealised Currency
# Gains ("Allows transactions or manual journals: No",
# help.xero.com/uk/Chart-LockedSystem). The table and its sources:
# xero/system_accounts.py.
SYSTEM_ACCOUNTS = _load_system_accounts()


def _system_account_errors(lines, tenant, what):
    errors = []
    for line in lines:
        acc = tenant.account_by_id(line["AccountID"]) if line.get("AccountID") else None
        if acc is not None and not SYSTEM_ACCOUNTS.takes_lines(acc.get("SystemAccount")):
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
        if rate is not None and rate["Status"] == "ACTIVE":
            # A rate that cannot apply to the account's class: Xero adds this
            # one (XeroAPI/Xero-Java#336, both messages on such a line).
            errors.append("The TaxType code '%s' cannot be used with account code '%s'."
                          % (tax_type, acc["Code"]))
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
