"""A connection with Xero reference data and complete maps, for the mapping,
security and UI tests. The reference data is stored the way the refresh
stores it: from xero-python model objects, through ``_xero_store_reference``.
"""

import uuid
from datetime import date

from xero_python.accounting import (
    Account,
    AccountType,
    Currency,
    CurrencyCode,
    Organisation,
    TaxRate,
)

from odoo.addons.account.tests.common import AccountTestInvoicingCommon


def xero_account(code, name, account_type, account_class, status="ACTIVE",
                 payments=False, **kwargs):
    return Account(
        account_id=kwargs.pop("account_id", None) or str(uuid.uuid4()),
        code=code,
        name=name,
        type=AccountType(account_type),
        _class=account_class,
        status=status,
        enable_payments_to_account=payments,
        **kwargs,
    )


def xero_tax_rate(tax_type, name, rate, status="ACTIVE", revenue=True, expenses=True):
    return TaxRate(
        tax_type=tax_type,
        name=name,
        effective_rate=rate,
        display_tax_rate=rate,
        status=status,
        report_tax_type="OUTPUT" if revenue and not expenses else "INPUT",
        can_apply_to_revenue=revenue,
        can_apply_to_expenses=expenses,
    )


def xero_currency(code, description=None):
    if code in CurrencyCode.__members__:
        code = CurrencyCode(code)
    return Currency(code=code, description=description or str(code))


class XeroMappingCommon(AccountTestInvoicingCommon):
    """``cls.connection`` of the test company, every Xero kind of account
    listed, and every account, tax and currency of the company mapped."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        cls.connection = cls.env["xero.connection"].create({
            "company_id": cls.company.id,
            "sync_sales_invoices": True,
            "sync_supplier_invoices": True,
        })
        cls.xero_accounts_src = cls._xero_chart()
        cls.xero_tax_rates_src = [
            xero_tax_rate("OUTPUT2", "GST on Income", 15.0, expenses=False),
            xero_tax_rate("INPUT2", "GST on Expenses", 15.0, revenue=False),
            xero_tax_rate("NONE", "No GST", 0.0),
        ]
        cls.xero_currencies_src = [
            xero_currency(currency.name, currency.full_name)
            for currency in cls.env["res.currency"].search([])
        ]
        cls.xero_organisation_src = Organisation(
            name="Demo Firm Ltd",
            base_currency=CurrencyCode(cls.company.currency_id.name),
            country_code="NZ",
            period_lock_date=date(2025, 3, 31),
            end_of_year_lock_date=date(2024, 3, 31),
        )
        cls.connection._xero_store_reference(
            cls.xero_accounts_src, cls.xero_tax_rates_src, cls.xero_currencies_src,
            cls.xero_organisation_src,
        )
        cls.xa = {
            a.code or a.name: a
            for a in cls.env["xero.account"].with_context(active_test=False).search(
                [("connection_id", "=", cls.connection.id)])
        }
        cls.xt = {
            t.tax_type: t
            for t in cls.env["xero.tax.rate"].search([("connection_id", "=", cls.connection.id)])
        }
        cls._map_everything()

    @classmethod
    def _xero_chart(cls):
        return [
            xero_account("090", "Business Bank Account", "BANK", "ASSET", payments=True),
            xero_account(None, "Savings (no code)", "BANK", "ASSET", payments=True),
            xero_account("091", "Trust Bank Account", "BANK", "ASSET", payments=True),
            xero_account("200", "Sales", "REVENUE", "REVENUE"),
            xero_account("260", "Other Revenue", "OTHERINCOME", "REVENUE"),
            xero_account("310", "Cost of Goods Sold", "DIRECTCOSTS", "EXPENSE"),
            xero_account("400", "Advertising", "OVERHEADS", "EXPENSE"),
            xero_account("610", "Accounts Receivable", "CURRENT", "ASSET",
                         system_account="DEBTORS"),
            xero_account("800", "Accounts Payable", "CURRLIAB", "LIABILITY",
                         system_account="CREDITORS"),
            xero_account("820", "GST", "CURRLIAB", "LIABILITY", system_account="GST"),
            xero_account("850", "Trust Liability", "CURRLIAB", "LIABILITY", payments=True),
            xero_account("851", "Trust Transfers", "CURRLIAB", "LIABILITY", payments=True),
            xero_account("852", "Trust Paid by Firm", "CURRENT", "ASSET", payments=True),
            xero_account("853", "Statutory Deposit", "CURRENT", "ASSET"),
            xero_account("855", "Tracking Transfers", "CURRENT", "ASSET"),
            xero_account("860", "Loan", "TERMLIAB", "LIABILITY"),
            xero_account("877", "Old Account", "EXPENSE", "EXPENSE", status="ARCHIVED"),
            xero_account("960", "Retained Earnings", "EQUITY", "EQUITY"),
        ]

    @classmethod
    def _xero_target(cls, account):
        """The Xero account an Odoo account of this type is mapped to."""
        by_type = {
            "asset_cash": "090",
            "asset_receivable": "610",
            "liability_payable": "800",
            "income": "200",
            "income_other": "260",
            "expense_direct_cost": "310",
            "equity": "960",
            "equity_unaffected": "960",
        }
        code = by_type.get(account.account_type)
        if code is None:
            if account.internal_group == "expense":
                code = "400"
            elif account.internal_group == "liability":
                code = "820"
            else:
                code = "855"
        return cls.xa[code]

    @classmethod
    def _map_everything(cls):
        Account = cls.env["account.account"]
        accounts = Account.search(Account._check_company_domain(cls.company))
        cls.env["xero.account.map"].create([
            {"connection_id": cls.connection.id, "account_id": account.id,
             "xero_account_id": cls._xero_target(account).id}
            for account in accounts
        ])
        Tax = cls.env["account.tax"]
        taxes = Tax.search([*Tax._check_company_domain(cls.company),
                            ("type_tax_use", "in", ("sale", "purchase"))])
        cls.env["xero.tax.map"].create([
            {"connection_id": cls.connection.id, "tax_id": tax.id,
             "xero_output_tax_id": cls.xt["OUTPUT2"].id, "xero_input_tax_id": cls.xt["INPUT2"].id}
            for tax in taxes
        ])
        xero_currencies = {
            c.code: c
            for c in cls.env["xero.currency"].search([("connection_id", "=", cls.connection.id)])
        }
        cls.env["xero.currency.map"].create([
            {"connection_id": cls.connection.id, "currency_id": currency.id,
             "xero_currency_id": xero_currencies[currency.name].id}
            for currency in cls.env["res.currency"].search([])
        ])

    # ------------------------------------------------------------------------
    def map_account(self, account, xero_code):
        """(Re)map ``account`` to the Xero account ``xero_code`` (None: unmap)."""
        row = self.connection.account_map_ids.filtered(lambda r: r.account_id == account)
        if xero_code is None:
            row.unlink()
        elif row:
            row.xero_account_id = self.xa[xero_code]
        else:
            self.env["xero.account.map"].create({
                "connection_id": self.connection.id, "account_id": account.id,
                "xero_account_id": self.xa[xero_code].id,
            })

    def issue_messages(self, section=None):
        return [
            issue["message"] for issue in self.connection._get_mapping_issues()
            if section is None or issue["section"] == section
        ]

    def assertGap(self, message, section=None):
        messages = self.issue_messages(section)
        self.assertIn(message, messages)

    def assertNoGap(self, message=None):
        messages = self.issue_messages()
        if message is None:
            self.assertEqual(messages, [])
        else:
            self.assertNotIn(message, messages)
