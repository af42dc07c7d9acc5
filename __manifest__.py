{
    "name": "Xero Connector",
    "summary": "Post invoices, bills, credit notes, payments and trust "
    "transactions to Xero, mapped to Xero's accounts, taxes and currencies",
    "version": "18.0.1.0.0",
    "category": "Accounting/Accounting",
    "author": "account_xero authors",
    "website": "https://github.com/account-xero/account_xero",
    "license": "LGPL-3",
    "depends": ["account"],
    "external_dependencies": {"python": ["xero_python"]},
    "data": [],
    "installable": True,
    "application": False,
}
