"""Xero's system accounts (Account.SystemAccount) and what each may take:
the one table that the payload checks (models/account_move_entry.py,
models/account_move.py), Suggest mapping (xero/mapping.py) and the sandbox
(xero_sandbox/lines.py, which loads this file by its path: it imports
nothing of the addon) all read.

Pure Python, no import at all: keep it so (the sandbox loads it alone).

Source of "lines" (may an invoice, a spend / receive money or a manual
journal have a line on it): Xero's "Locked and system accounts in your chart
of accounts" (help.xero.com/uk/Chart-LockedSystem), whose table "System
account / Allows transactions or manual journals" reads: Accounts Payable
No*, Accounts Receivable No*, Bank Revaluation No, Current Earnings No (not
an account of the API), Historical Adjustments Yes, Realised Currency Gains
Yes, Retained Earnings Yes, Tracking Transfers No, Unpaid Expense Claims No,
Unrealised Currency Gains (the stored copy of the page stops there). And
"Record movements in system accounts" (help.xero.com/nz/Q_Accruals_ARAP):
"Accounts receivable, accounts payable and wages payable are system
accounts ... They will always balance, and equal the sum of the approved
invoices, bills or wages payable. Add a secondary account for each system
account that you want to journal to."

Not in those pages, so read as follows (the reading that keeps the books
right, said here): Unrealised Currency Gains takes no line, as Bank
Revaluation (Xero computes both when it revalues); Wages Payable takes none
(the sum of pay runs, above); GST, GST on imports and Rounding take lines
(Xero's tax return and its invoices' rounding read what is there; manual
journals to the tax account are how a tax payment is recorded); the UK CIS
accounts are left as Xero's other accounts (no source either way).

The values of SystemAccount are those of Xero's OpenAPI spec
(Account.SystemAccount enum, xero_accounting.yaml).
"""

from collections import namedtuple

# code: Account.SystemAccount; name: as Xero shows it; lines: takes lines of
# invoices, bank transactions and manual journals; role: what an Odoo
# account is used for that goes to it (Suggest mapping, xero/mapping.py);
# by_name: Suggest mapping may propose it for an account of the same code or
# name (False: only its role leads to it, or nothing: an account named like
# it is not Xero's ledger); instead: what to map an account with lines on it
# to, when it takes none.
SystemAccount = namedtuple("SystemAccount", "code name lines role by_name instead")

_SECONDARY = ("a secondary %s account of your own in Xero (e.g. \"%s 2\", as Xero advises), "
              "and map the Odoo account to it")

TABLE = [
    SystemAccount("DEBTORS", "Accounts Receivable", False, "receivable", False,
                  "an invoice, a credit note or a payment in Odoo (it reaches Xero as such), or "
                  + _SECONDARY % ("current asset", "Accounts Receivable")),
    SystemAccount("CREDITORS", "Accounts Payable", False, "payable", False,
                  "a bill, a refund or a payment in Odoo (it reaches Xero as such), or "
                  + _SECONDARY % ("current liability", "Accounts Payable")),
    SystemAccount("WAGEPAYABLES", "Wages Payable", False, None, False,
                  _SECONDARY % ("current liability", "Wages Payable")),
    SystemAccount("UNPAIDEXPCLM", "Unpaid Expense Claims", False, None, False,
                  _SECONDARY % ("current liability", "Unpaid Expense Claims")),
    SystemAccount("TRACKINGTRANSFERS", "Tracking Transfers", False, None, False,
                  "another current liability account in Xero (Xero moves amounts between "
                  "tracking options there itself)"),
    SystemAccount("BANKCURRENCYGAIN", "Bank Revaluations", False, None, False,
                  "Xero's Realised Currency Gains account or an expense account of your own "
                  "(Xero books bank revaluations there itself)"),
    SystemAccount("UNREALISEDCURRENCYGAIN", "Unrealised Currency Gains", False, None, False,
                  "Xero's Realised Currency Gains account or an expense account of your own "
                  "(Xero books unrealised gains there itself when it revalues)"),
    SystemAccount("REALISEDCURRENCYGAIN", "Realised Currency Gains", True, "fx", False, None),
    SystemAccount("RETAINEDEARNINGS", "Retained Earnings", True, "retained", True, None),
    SystemAccount("HISTORICAL", "Historical Adjustment", True, "historical", True, None),
    SystemAccount("GST", "GST / VAT / Sales Tax", True, "tax", False, None),
    SystemAccount("GSTONIMPORTS", "GST on Imports", True, None, False, None),
    SystemAccount("ROUNDING", "Rounding", True, "rounding", True, None),
]

BY_CODE = {account.code: account for account in TABLE}
# The system accounts Xero takes no line on (invoice, bank transaction, manual journal).
NO_LINES = frozenset(account.code for account in TABLE if not account.lines)
# The system accounts only a role leads Suggest mapping to (or none).
ROLE_ONLY = frozenset(account.code for account in TABLE if not account.by_name)


def takes_lines(system_account):
    """May a line of an invoice, a bank transaction or a manual journal be
    on an account whose SystemAccount is ``system_account``?"""
    return (system_account or "") not in NO_LINES


def of_role(role):
    """The system account an Odoo account used as ``role`` goes to, or None."""
    return next((account for account in TABLE if account.role == role), None)
