"""Reference data a new sandbox organisation starts with.

The chart mirrors the accounts of Xero's "Demo Company (NZ)" (codes, names,
types, default tax types and system accounts). Reporting codes are Xero's
standard reporting codes, assigned by account type as Xero's default chart
does; where the demo company's exact code was not at hand the type's
top-level code is used (a choice, noted). The archived account "424
Donations" and "880 Owner A Drawings" with EnablePaymentsToAccount are
sandbox additions so tests can exercise those rules.
"""
from decimal import Decimal

from .charts import CHARTS
from .util import new_id, now

ACCOUNT_CLASS = {
    "BANK": "ASSET", "CURRENT": "ASSET", "INVENTORY": "ASSET", "FIXED": "ASSET",
    "NONCURRENT": "ASSET", "PREPAYMENT": "ASSET",
    "CURRLIAB": "LIABILITY", "LIABILITY": "LIABILITY", "TERMLIAB": "LIABILITY",
    "PAYGLIABILITY": "LIABILITY", "SUPERANNUATIONLIABILITY": "LIABILITY",
    "WAGESPAYABLELIABILITY": "LIABILITY",
    "EQUITY": "EQUITY",
    "REVENUE": "REVENUE", "SALES": "REVENUE", "OTHERINCOME": "REVENUE",
    "EXPENSE": "EXPENSE", "DIRECTCOSTS": "EXPENSE", "DEPRECIATN": "EXPENSE",
    "OVERHEADS": "EXPENSE", "SUPERANNUATIONEXPENSE": "EXPENSE", "WAGESEXPENSE": "EXPENSE",
}

REPORTING_CODE = {
    "BANK": "ASS.CUR.CAS.CAS", "CURRENT": "ASS.CUR", "INVENTORY": "ASS.CUR.INY",
    "FIXED": "ASS.NCA.FIX", "NONCURRENT": "ASS.NCA", "PREPAYMENT": "ASS.CUR.REC.PRE",
    "CURRLIAB": "LIA.CUR", "LIABILITY": "LIA", "TERMLIAB": "LIA.NCL",
    "EQUITY": "EQU", "REVENUE": "REV.TRA", "SALES": "REV.TRA", "OTHERINCOME": "REV.OTH",
    "EXPENSE": "EXP", "DIRECTCOSTS": "EXP.COS", "DEPRECIATN": "EXP.DEP", "OVERHEADS": "EXP",
}

# (code, name, type, tax kind, extra)
# tax kind: "out" sales tax, "in" purchase tax, "none" no tax.
_CHART = [
    ("090", "Business Bank Account", "BANK", "none", {"BankAccountNumber": "0201000123456001", "BankAccountType": "BANK"}),
    ("091", "Business Savings Account", "BANK", "none", {"BankAccountNumber": "0201000123456002", "BankAccountType": "BANK"}),
    ("200", "Sales", "REVENUE", "out", {"Description": "Income from any normal business activity"}),
    ("260", "Other Revenue", "REVENUE", "out", {"Description": "Any other income that does not relate to normal business activities and is not recurring"}),
    ("270", "Interest Income", "REVENUE", "none", {"Description": "Interest income"}),
    ("300", "Purchases", "DIRECTCOSTS", "in", {}),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "in", {}),
    ("400", "Advertising", "EXPENSE", "in", {}),
    ("404", "Bank Fees", "EXPENSE", "none", {}),
    ("408", "Cleaning", "EXPENSE", "in", {}),
    ("412", "Consulting & Accounting", "EXPENSE", "in", {}),
    ("416", "Depreciation", "DEPRECIATN", "none", {}),
    ("420", "Entertainment", "EXPENSE", "none", {}),
    ("424", "Donations", "EXPENSE", "none", {"Status": "ARCHIVED"}),
    ("425", "Freight & Courier", "EXPENSE", "in", {}),
    ("429", "General Expenses", "EXPENSE", "in", {}),
    ("433", "Insurance", "EXPENSE", "in", {}),
    ("437", "Interest Expense", "EXPENSE", "none", {}),
    ("441", "Legal expenses", "EXPENSE", "in", {}),
    ("445", "Light, Power, Heating", "EXPENSE", "in", {}),
    ("449", "Motor Vehicle Expenses", "EXPENSE", "in", {}),
    ("453", "Office Expenses", "EXPENSE", "in", {}),
    ("461", "Printing & Stationery", "EXPENSE", "in", {}),
    ("469", "Rent", "EXPENSE", "in", {}),
    ("473", "Repairs and Maintenance", "EXPENSE", "in", {}),
    ("477", "Wages and Salaries", "EXPENSE", "none", {}),
    ("485", "Subscriptions", "EXPENSE", "in", {}),
    ("489", "Telephone & Internet", "EXPENSE", "in", {}),
    ("493", "Travel - National", "EXPENSE", "in", {}),
    ("494", "Travel - International", "EXPENSE", "none", {}),
    ("497", "Bank Revaluations", "EXPENSE", "none", {"SystemAccount": "BANKCURRENCYGAIN"}),
    ("498", "Unrealised Currency Gains", "EXPENSE", "none", {"SystemAccount": "UNREALISEDCURRENCYGAIN"}),
    ("499", "Realised Currency Gains", "EXPENSE", "none", {"SystemAccount": "REALISEDCURRENCYGAIN"}),
    ("505", "Income Tax Expense", "EXPENSE", "none", {}),
    ("610", "Accounts Receivable", "CURRENT", "none", {"SystemAccount": "DEBTORS"}),
    ("620", "Prepayments", "CURRENT", "none", {}),
    ("630", "Inventory", "INVENTORY", "none", {}),
    ("710", "Office Equipment", "FIXED", "in", {}),
    ("711", "Less Accumulated Depreciation on Office Equipment", "FIXED", "none", {}),
    ("720", "Computer Equipment", "FIXED", "in", {}),
    ("721", "Less Accumulated Depreciation on Computer Equipment", "FIXED", "none", {}),
    ("800", "Accounts Payable", "CURRLIAB", "none", {"SystemAccount": "CREDITORS"}),
    ("801", "Unpaid Expense Claims", "CURRLIAB", "none", {"SystemAccount": "UNPAIDEXPCLM"}),
    ("820", "GST", "CURRLIAB", "none", {"SystemAccount": "GST"}),
    ("825", "PAYE Payable", "CURRLIAB", "none", {}),
    ("830", "Income Tax", "CURRLIAB", "none", {}),
    ("840", "Historical Adjustment", "CURRLIAB", "none", {"SystemAccount": "HISTORICAL"}),
    ("850", "Suspense", "CURRLIAB", "none", {}),
    ("860", "Rounding", "CURRLIAB", "none", {"SystemAccount": "ROUNDING"}),
    ("877", "Tracking Transfers", "CURRLIAB", "none", {"SystemAccount": "TRACKINGTRANSFERS"}),
    ("880", "Owner A Drawings", "EQUITY", "none", {"EnablePaymentsToAccount": True}),
    ("881", "Owner A Funds Introduced", "EQUITY", "none", {}),
    ("900", "Loan", "NONCURRENT", "none", {}),
    ("960", "Retained Earnings", "EQUITY", "none", {"SystemAccount": "RETAINEDEARNINGS"}),
    ("970", "Owner A Share Capital", "EQUITY", "none", {}),
]

# Per country: the name of its tax, and the sales ("out") and purchase ("in")
# tax types the chart's accounts default to. Another country gets NZ's.
_TAX = {"NZ": ("GST", "OUTPUT2", "INPUT2"), "AU": ("GST", "OUTPUT", "INPUT"), "GB": ("VAT", "OUTPUT2", "INPUT2")}

# Each country's tax rates. NZ: Xero's NZ tax types (OUTPUT2/INPUT2 15 % GST,
# NONE, ZERORATED, GSTONIMPORTS) plus the pre-2010 12.5 % rates
# (OUTPUT/INPUT), archived as in older NZ organisations. AU and GB follow
# Xero's tax types for those regions. "applies to": sales rates cannot be used
# on expense accounts, purchase rates not on revenue accounts.
#  country | Name                    | TaxType         | ReportTaxType  | rate % | applies to | Status
_TAX_RATES = """
   NZ      | 15% GST on Income       | OUTPUT2         | OUTPUT         | 15     | sales      | ACTIVE
   NZ      | 15% GST on Expenses     | INPUT2          | INPUT          | 15     | purchases  | ACTIVE
   NZ      | No GST                  | NONE            | NONE           | 0      | all        | ACTIVE
   NZ      | Zero Rated              | ZERORATED       | OUTPUT         | 0      | sales      | ACTIVE
   NZ      | GST on Imports          | GSTONIMPORTS    | GSTONIMPORTS   | 0      | purchases  | ACTIVE
   NZ      | GST on Income (12.5%)   | OUTPUT          | OUTPUT         | 12.5   | sales      | ARCHIVED
   NZ      | GST on Expenses (12.5%) | INPUT           | INPUT          | 12.5   | purchases  | ARCHIVED
   AU      | GST on Income           | OUTPUT          | OUTPUT         | 10     | sales      | ACTIVE
   AU      | GST on Expenses         | INPUT           | INPUT          | 10     | purchases  | ACTIVE
   AU      | GST Free Income         | EXEMPTOUTPUT    | EXEMPTOUTPUT   | 0      | sales      | ACTIVE
   AU      | GST Free Expenses       | EXEMPTEXPENSES  | EXEMPTEXPENSES | 0      | purchases  | ACTIVE
   AU      | BAS Excluded            | BASEXCLUDED     | BASEXCLUDED    | 0      | all        | ACTIVE
   AU      | GST on Imports          | GSTONIMPORTS    | GSTONIMPORTS   | 0      | purchases  | ACTIVE
   GB      | 20% (VAT on Income)     | OUTPUT2         | OUTPUT         | 20     | sales      | ACTIVE
   GB      | 20% (VAT on Expenses)   | INPUT2          | INPUT          | 20     | purchases  | ACTIVE
   GB      | Zero Rated Income       | ZERORATEDOUTPUT | OUTPUT         | 0      | sales      | ACTIVE
   GB      | Zero Rated Expenses     | ZERORATEDINPUT  | INPUT          | 0      | purchases  | ACTIVE
   GB      | Exempt Income           | EXEMPTOUTPUT    | OUTPUT         | 0      | sales      | ACTIVE
   GB      | Exempt Expenses         | EXEMPTINPUT     | INPUT          | 0      | purchases  | ACTIVE
   GB      | No VAT                  | NONE            | NONE           | 0      | all        | ACTIVE
"""
_ALL = dict(CanApplyToAssets=True, CanApplyToEquity=True, CanApplyToExpenses=True,
            CanApplyToLiabilities=True, CanApplyToRevenue=True)
_APPLIES_TO = {"all": _ALL, "sales": dict(_ALL, CanApplyToExpenses=False),
               "purchases": dict(_ALL, CanApplyToRevenue=False)}

CURRENCY_NAMES = {
    "NZD": "New Zealand Dollar", "AUD": "Australian Dollar", "USD": "United States Dollar",
    "GBP": "British Pound", "EUR": "Euro", "CAD": "Canadian Dollar", "JPY": "Japanese Yen",
    "SGD": "Singapore Dollar", "ZAR": "South African Rand", "FJD": "Fiji Dollar",
}

TIMEZONES = {"NZ": "NEWZEALANDSTANDARDTIME", "AU": "AUSEASTERNSTANDARDTIME", "GB": "GMTSTANDARDTIME"}


def _country(country):
    return country if country in _TAX else "NZ"


def tax_rates(country):
    country = _country(country)
    tax_name = _TAX[country][0]
    out = []
    for line in _TAX_RATES.strip().splitlines():
        where, name, tax_type, report, rate, applies, status = (f.strip() for f in line.split("|"))
        if where != country:
            continue
        rate = Decimal(rate)
        comp = [{"Name": tax_name, "Rate": rate, "IsCompound": False, "IsNonRecoverable": False}]
        out.append(dict(
            Name=name, TaxType=tax_type, ReportTaxType=report, Status=status,
            TaxComponents=comp, EffectiveRate=rate, DisplayTaxRate=rate, **_APPLIES_TO[applies],
        ))
    return out


def chart(country, base_currency, default_chart=None):
    """The organisation's accounts: the demo company's chart, or with
    ``default_chart`` ("AU", "NZ", "GB", "US") Xero's default chart of that
    country (xero_sandbox/charts.py)."""
    tax_name, sales_tax, purchase_tax = _TAX[_country(country)]
    stamp = now()
    accounts = []
    rows = CHARTS.get(default_chart, _CHART) if default_chart else _CHART
    for code, name, typ, kind, extra in rows:
        if name == "GST":
            name = tax_name
        acc = {
            "AccountID": new_id(),
            "Code": code,
            "Name": name,
            "Status": "ACTIVE",
            "Type": typ,
            "TaxType": {"out": sales_tax, "in": purchase_tax}.get(kind, "NONE"),
            "Description": "",
            "Class": ACCOUNT_CLASS[typ],
            "EnablePaymentsToAccount": False,
            "ShowInExpenseClaims": typ in ("EXPENSE", "DIRECTCOSTS"),
            "ReportingCode": REPORTING_CODE.get(typ, ACCOUNT_CLASS[typ][:3]),
            "ReportingCodeName": ACCOUNT_CLASS[typ].title(),
            "HasAttachments": False,
            "AddToWatchlist": False,
            "UpdatedDateUTC": stamp,
        }
        acc.update(extra)
        if typ == "BANK":
            acc["CurrencyCode"] = base_currency
            acc["ShowInExpenseClaims"] = False
        accounts.append(acc)
    return accounts


def currencies(base_currency, extra=("USD", "AUD")):
    codes = [base_currency] + [c for c in extra if c != base_currency]
    return [{"Code": c, "Description": CURRENCY_NAMES.get(c, c)} for c in codes]


def organisation(tenant_id, name, country, base_currency):
    stamp = now()
    short = "!" + tenant_id.replace("-", "")[:5]
    return {
        "OrganisationID": tenant_id,
        "APIKey": "",
        "Name": name,
        "LegalName": name,
        "PaysTax": True,
        "Version": {"NZ": "NZ", "AU": "AU", "GB": "UK"}.get(country, "GLOBAL"),
        "OrganisationType": "COMPANY",
        "BaseCurrency": base_currency,
        "CountryCode": country,
        "IsDemoCompany": False,
        "OrganisationStatus": "ACTIVE",
        "RegistrationNumber": "",
        "TaxNumber": "101-234-567" if country == "NZ" else "",
        "FinancialYearEndDay": 31,
        "FinancialYearEndMonth": 3,
        "SalesTaxBasis": "PAYMENTS" if country == "NZ" else "ACCRUALS",
        "SalesTaxPeriod": "TWOMONTHS" if country == "NZ" else "QUARTERLY1",
        "DefaultSalesTax": "Tax Exclusive",
        "DefaultPurchasesTax": "Tax Exclusive",
        "PeriodLockDate": None,
        "EndOfYearLockDate": None,
        "CreatedDateUTC": stamp,
        "Timezone": TIMEZONES.get(country, "UTC"),
        "OrganisationEntityType": "COMPANY",
        "ShortCode": short,
        "Edition": "BUSINESS",
        "Class": "PREMIUM",
        "LineOfBusiness": "Sandbox",
        "Addresses": [],
        "Phones": [],
        "ExternalLinks": [],
        "PaymentTerms": {},
    }
