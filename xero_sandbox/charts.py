"""Xero's default charts of accounts per country, for a sandbox organisation
seeded with ``chart="AU" | "NZ" | "GB" | "US"`` (``Store.add_tenant``).

Each list is (code, name, type, tax kind, extra) as ``seed._CHART``. Where
each comes from is said above it; what the sources did not show is left out
(never made up) and named. Xero's system accounts (Account.SystemAccount:
DEBTORS, CREDITORS, GST, ROUNDING, RETAINEDEARNINGS, the currency gains ...)
exist in every organisation; where a source shows one, it carries its
SystemAccount here. Bank accounts are not part of a default chart (an
organisation adds its own): each chart gets "090 Business Bank Account", a
sandbox addition, so bank journals have somewhere to go.
"""

_BANK = [
    ("090", "Business Bank Account", "BANK", "none",
     {"BankAccountNumber": "0201000123456001", "BankAccountType": "BANK"}),
]

# Australia. Xero's AU help page with the default chart was not found in
# the stored corpus. Source: a third party's copy of Xero's AU-style default
# chart (github, "App/Http/Start/Helpers.php" createbasicaccounts, codes
# 200-970 with Xero's descriptions), whose codes agree with the NZ demo
# chart; its "820 Sales Tax" is Xero's GST system account, named "GST" as an
# AU organisation shows it. Not found, so left out: "PAYG Withholdings
# Payable", "Wages Payable - Payroll" under their AU names (the copy has
# "825 Employee Tax Payable" and "803 Wages Payable", kept as shown).
AU = _BANK + [
    ("200", "Sales", "REVENUE", "out", {}),
    ("260", "Other Revenue", "REVENUE", "out", {}),
    ("270", "Interest Income", "REVENUE", "none", {}),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "in", {}),
    ("400", "Advertising", "EXPENSE", "in", {}),
    ("404", "Bank Fees", "EXPENSE", "none", {}),
    ("408", "Cleaning", "EXPENSE", "in", {}),
    ("412", "Consulting & Accounting", "EXPENSE", "in", {}),
    ("416", "Depreciation", "DEPRECIATN", "none", {}),
    ("420", "Entertainment", "EXPENSE", "none", {}),
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
    ("478", "Superannuation", "EXPENSE", "none", {}),
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
    ("803", "Wages Payable", "CURRLIAB", "none", {"SystemAccount": "WAGEPAYABLES"}),
    ("820", "GST", "CURRLIAB", "none", {"SystemAccount": "GST"}),
    ("825", "Employee Tax Payable", "CURRLIAB", "none", {}),
    ("826", "Superannuation Payable", "CURRLIAB", "none", {}),
    ("830", "Income Tax Payable", "CURRLIAB", "none", {}),
    ("840", "Historical Adjustment", "CURRLIAB", "none", {"SystemAccount": "HISTORICAL"}),
    ("850", "Suspense", "CURRLIAB", "none", {}),
    ("860", "Rounding", "CURRLIAB", "none", {"SystemAccount": "ROUNDING"}),
    ("877", "Tracking Transfers", "CURRLIAB", "none", {"SystemAccount": "TRACKINGTRANSFERS"}),
    ("880", "Owner A Drawings", "EQUITY", "none", {}),
    ("881", "Owner A Funds Introduced", "EQUITY", "none", {}),
    ("900", "Loan", "NONCURRENT", "none", {}),
    ("960", "Retained Earnings", "EQUITY", "none", {"SystemAccount": "RETAINEDEARNINGS"}),
    ("970", "Owner A Share Capital", "EQUITY", "none", {}),
]

# New Zealand: the sandbox's own seed chart (seed._CHART, Xero's "Demo
# Company (NZ)"), whose accounts the NZ default has by the same names (list
# of Xero's NZ accounts: support.infocaresolutions.co.nz, "Xero Account and
# Xero Tax"). That list also names NZ defaults whose codes no source showed,
# left out: Entertainment - Non-Deductible, KiwiSaver Employer Contributions,
# Accrued Liabilities, Wages Payable - Payroll, Wages Deductions Payable,
# Revenue Received in Advance, Clearing Account, Less Provision for Doubtful
# Debts, Withholding Tax Paid. (Built in seed.chart from seed._CHART.)

# United Kingdom. Codes 200-480: tenpercentfinancial.co.uk, "List of Nominal
# Codes for Xero" ("taken from the default chart of accounts"); 482-721: a
# UK organisation's export of Xero's default chart (scribd 673416440, its
# own additions 446, 466, 483, 486, 495 and 740+ left out); 820-835:
# vjmglobal.com, "Xero chart of accounts codes UK" (820 VAT, 825 PAYE
# Payable, 826 NIC Payable, 830 Corporation Tax, 835 Directors' Loan
# Account). Xero's system accounts 497-499, 800, 801, 840, 860, 877, 960 are
# named by that list's categories (Accounts Payable, Unpaid Expense Claims,
# Historical, Rounding, Tracking, Retained Earnings) but their UK codes were
# not shown: the NZ codes are used (an assumption). Not found, left out:
# the UK default's loan, owner and share capital accounts.
GB = _BANK + [
    ("200", "Sales", "REVENUE", "out", {}),
    ("260", "Other Revenue", "REVENUE", "out", {}),
    ("270", "Interest Income", "REVENUE", "none", {}),
    ("310", "Cost of Goods Sold", "DIRECTCOSTS", "in", {}),
    ("320", "Direct Wages", "DIRECTCOSTS", "none", {}),
    ("325", "Direct Expenses", "DIRECTCOSTS", "in", {}),
    ("400", "Advertising & Marketing", "OVERHEADS", "in", {}),
    ("401", "Audit & Accountancy fees", "OVERHEADS", "in", {}),
    ("404", "Bank Fees", "OVERHEADS", "none", {}),
    ("408", "Cleaning", "OVERHEADS", "in", {}),
    ("412", "Consulting", "OVERHEADS", "in", {}),
    ("416", "Depreciation Expense", "OVERHEADS", "none", {}),
    ("418", "Charitable and Political Donations", "OVERHEADS", "none", {}),
    ("420", "Entertainment-100% business", "OVERHEADS", "in", {}),
    ("424", "Entertainment - 0%", "OVERHEADS", "none", {}),
    ("425", "Postage, Freight & Courier", "OVERHEADS", "none", {}),
    ("429", "General Expenses", "OVERHEADS", "in", {}),
    ("433", "Insurance", "OVERHEADS", "none", {}),
    ("437", "Interest Paid", "OVERHEADS", "none", {}),
    ("441", "Legal Expenses", "OVERHEADS", "in", {}),
    ("445", "Light, Power, Heating", "OVERHEADS", "in", {}),
    ("449", "Motor Vehicle Expenses", "OVERHEADS", "in", {}),
    ("457", "Operating Lease Payments", "OVERHEADS", "in", {}),
    ("461", "Printing & Stationery", "OVERHEADS", "in", {}),
    ("463", "IT Software and Consumables", "OVERHEADS", "in", {}),
    ("465", "Rates", "OVERHEADS", "in", {}),
    ("469", "Rent", "OVERHEADS", "in", {}),
    ("473", "Repairs & Maintenance", "OVERHEADS", "in", {}),
    ("477", "Salaries", "OVERHEADS", "none", {}),
    ("478", "Directors' Remuneration", "OVERHEADS", "none", {}),
    ("479", "Employers National Insurance", "OVERHEADS", "none", {}),
    ("480", "Staff Training", "OVERHEADS", "in", {}),
    ("482", "Pensions Costs", "OVERHEADS", "none", {}),
    ("485", "Subscriptions", "OVERHEADS", "in", {}),
    ("489", "Telephone & Internet", "OVERHEADS", "in", {}),
    ("493", "Travel - National", "OVERHEADS", "in", {}),
    ("494", "Travel - International", "OVERHEADS", "none", {}),
    ("497", "Bank Revaluations", "OVERHEADS", "none", {"SystemAccount": "BANKCURRENCYGAIN"}),
    ("498", "Unrealised Currency Gains", "OVERHEADS", "none", {"SystemAccount": "UNREALISEDCURRENCYGAIN"}),
    ("499", "Realised Currency Gains", "OVERHEADS", "none", {"SystemAccount": "REALISEDCURRENCYGAIN"}),
    ("500", "Corporation Tax", "OVERHEADS", "none", {}),
    ("610", "Accounts Receivable", "CURRENT", "none", {"SystemAccount": "DEBTORS"}),
    ("611", "Less Provision for Doubtful Debts", "CURRENT", "none", {}),
    ("620", "Prepayments", "CURRENT", "none", {}),
    ("630", "Inventory", "INVENTORY", "none", {}),
    ("710", "Office Equipment", "FIXED", "in", {}),
    ("711", "Less Accumulated Depreciation on Office Equipment", "FIXED", "none", {}),
    ("720", "Computer Equipment", "FIXED", "in", {}),
    ("721", "Less Accumulated Depreciation on Computer Equipment", "FIXED", "none", {}),
    ("800", "Accounts Payable", "CURRLIAB", "none", {"SystemAccount": "CREDITORS"}),
    ("801", "Unpaid Expense Claims", "CURRLIAB", "none", {"SystemAccount": "UNPAIDEXPCLM"}),
    ("820", "VAT", "CURRLIAB", "none", {"SystemAccount": "GST"}),
    ("825", "PAYE Payable", "CURRLIAB", "none", {}),
    ("826", "NIC Payable", "CURRLIAB", "none", {}),
    ("830", "Corporation Tax", "CURRLIAB", "none", {}),
    ("835", "Directors' Loan Account", "CURRLIAB", "none", {}),
    ("840", "Historical Adjustment", "CURRLIAB", "none", {"SystemAccount": "HISTORICAL"}),
    ("860", "Rounding", "CURRLIAB", "none", {"SystemAccount": "ROUNDING"}),
    ("877", "Tracking Transfers", "CURRLIAB", "none", {"SystemAccount": "TRACKINGTRANSFERS"}),
    ("960", "Retained Earnings", "EQUITY", "none", {"SystemAccount": "RETAINEDEARNINGS"}),
]

# United States. Xero's US help page was not found in the stored corpus.
# First source: a US organisation's export of its chart (scribd 485270467,
# "All accounts as at 17 November 2020", page 1 of 4 only: 120, 160, 161,
# 200, 230, 330, 500, 600, 604, 612, 648, 676, 690, 700, 810; its own 401,
# 402 and 102 left out). Second source, where the first was cut off and the
# two agree on the codes they share (160, 161, 230, 330, 500, 600, 700,
# 810): a third party's copy of Xero's US ledger (github, mybizna "ledgers":
# 210, 215, 220, 255, 260, 300, 310, 320, 400, 460, 470, 800, 815, 820).
# Not found, left out: the rest of the US default's expense accounts.
US = _BANK + [
    ("120", "Accounts Receivable", "CURRENT", "none", {"SystemAccount": "DEBTORS"}),
    ("160", "Computer Equipment", "FIXED", "in", {}),
    ("161", "Less Accumulated Depreciation on Computer Equipment", "FIXED", "none", {}),
    ("200", "Accounts Payable", "CURRLIAB", "none", {"SystemAccount": "CREDITORS"}),
    ("210", "Unpaid Expense Claims", "CURRLIAB", "none", {"SystemAccount": "UNPAIDEXPCLM"}),
    ("215", "Wages Payable", "CURRLIAB", "none", {"SystemAccount": "WAGEPAYABLES"}),
    ("220", "Sales Tax", "CURRLIAB", "none", {"SystemAccount": "GST"}),
    ("230", "Employee Tax Payable", "CURRLIAB", "none", {}),
    ("255", "Historical Adjustment", "CURRLIAB", "none", {"SystemAccount": "HISTORICAL"}),
    ("260", "Rounding", "CURRLIAB", "none", {"SystemAccount": "ROUNDING"}),
    ("300", "Owners Contribution", "EQUITY", "none", {}),
    ("310", "Owners Draw", "EQUITY", "none", {}),
    ("320", "Retained Earnings", "EQUITY", "none", {"SystemAccount": "RETAINEDEARNINGS"}),
    ("330", "Common Stock", "EQUITY", "none", {}),
    ("400", "Sales", "REVENUE", "out", {}),
    ("460", "Interest Income", "REVENUE", "none", {}),
    ("470", "Other Revenue", "REVENUE", "out", {}),
    ("500", "Cost of Goods Sold", "DIRECTCOSTS", "in", {}),
    ("600", "Advertising", "EXPENSE", "in", {}),
    ("604", "Bank Service Charges", "EXPENSE", "none", {}),
    ("612", "Consulting & Accounting", "EXPENSE", "in", {}),
    ("648", "Automobile Expenses", "EXPENSE", "in", {}),
    ("676", "Dues & Subscriptions", "EXPENSE", "in", {}),
    ("690", "Bad Debts", "EXPENSE", "none", {}),
    ("700", "Depreciation", "DEPRECIATN", "none", {}),
    ("800", "Interest Expense", "EXPENSE", "none", {}),
    ("810", "Bank Revaluations", "EXPENSE", "none", {"SystemAccount": "BANKCURRENCYGAIN"}),
    ("815", "Unrealized Currency Gains", "EXPENSE", "none", {"SystemAccount": "UNREALISEDCURRENCYGAIN"}),
    ("820", "Realized Currency Gains", "EXPENSE", "none", {"SystemAccount": "REALISEDCURRENCYGAIN"}),
]

CHARTS = {"AU": AU, "GB": GB, "US": US}
