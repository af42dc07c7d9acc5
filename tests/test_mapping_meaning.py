"""Suggest mapping by meaning (xero/mapping.py): the accounting equivalences
of ``MEANINGS`` with the reason said on the row, Odoo's receivable type,
the tax groups' closing accounts, GST / VAT and historical balancing by
name, "Other Income" by Odoo's type; and what stays empty. Each case was
left empty by the matcher before (bench/README.rst, "Suggest mapping")."""

from odoo.tests import BaseCase, tagged

from ..xero import mapping
from .common import XeroPushCommon


def xero(code, name, typ="EXPENSE", klass="EXPENSE", system=None):
    return {"code": code, "name": name, "type": typ, "class": klass, "system": system}


def odoo(name, account_type="expense", code="9999"):
    group = {"asset": "asset", "liability": "liability", "equity": "equity",
             "income": "income", "expense": "expense"}[account_type.split("_")[0]]
    return {"code": code, "name": name, "type": account_type, "group": group, "role": None}


CHART = [
    xero("200", "Sales", "REVENUE", "REVENUE"),
    xero("260", "Other Revenue", "REVENUE", "REVENUE"),
    xero("270", "Interest Income", "REVENUE", "REVENUE"),
    xero("310", "Cost of Goods Sold", "DIRECTCOSTS"),
    xero("320", "Direct Wages", "DIRECTCOSTS"),
    xero("400", "Advertising & Marketing"),
    xero("418", "Charitable and Political Donations"),
    xero("420", "Entertainment"),
    xero("433", "Insurance"),
    xero("425", "Freight & Courier"),
    xero("429", "General Expenses"),
    xero("445", "Light, Power, Heating"),
    xero("473", "Repairs & Maintenance"),
    xero("477", "Wages and Salaries"),
    xero("489", "Telephone & Internet"),
    xero("505", "Income Tax Expense"),
    xero("610", "Accounts Receivable", "CURRENT", "ASSET", "DEBTORS"),
    xero("710", "Office Equipment", "FIXED", "ASSET"),
    xero("711", "Less Accumulated Depreciation on Office Equipment", "FIXED", "ASSET"),
    xero("803", "Wages Payable", "CURRLIAB", "LIABILITY", "WAGEPAYABLES"),
    xero("820", "GST", "CURRLIAB", "LIABILITY", "GST"),
    xero("825", "Employee Tax Payable", "CURRLIAB", "LIABILITY"),
    xero("840", "Historical Adjustment", "CURRLIAB", "LIABILITY", "HISTORICAL"),
    xero("880", "Owner A Drawings", "EQUITY", "EQUITY"),
]


@tagged("post_install", "-at_install")
class TestMappingMeaning(BaseCase):

    def suggest(self, account):
        found = mapping.suggest_account(account, CHART)
        return found and (found[0]["code"], found[1])

    def test_same_meaning_says_why(self):
        cases = [
            (odoo("Mobiles"), "489", "mobile phones are telephone costs"),
            (odoo("Internet & hosting"), "489", "hosting is an internet cost"),
            (odoo("Gas"), "445", "gas is a heating and power cost"),
            (odoo("Meals & Entertainment"), "420", "meals and entertainment are entertainment"),
            (odoo("Repairs, renewals and maintenance"), "473", "renewals are repairs"),
            (odoo("PR"), "400", "public relations is marketing"),
            (odoo("Other sundry expenses"), "429",
             "sundry and administrative expenses are general expenses"),
            (odoo("Bank Interest received", "income"), "270",
             "interest received is interest income"),
            (odoo("PAYG Withholding Payable", "liability_current"), "825",
             "PAYG / PAYE is the tax withheld from employees"),
            (odoo("Capital Drawings", "equity"), "880", "drawings are the owner's drawings"),
            (odoo("Office equipment (inc computer equipment) Depreciation", "asset_fixed"), "711",
             "depreciation in a fixed asset account is the accumulated one"),
        ]
        for account, code, reason in cases:
            found = mapping.suggest_account(account, CHART)
            self.assertTrue(found, account["name"])
            self.assertEqual((found[0]["code"], found[1], found[3]), (code, "meaning", reason),
                             account["name"])
            self.assertLess(found[2], 0.85, account["name"])  # below a similar name

    def test_names_first_then_meaning(self):
        """A meaning is read only when the names say nothing: "Admin
        salaries" are salaries, not general expenses."""
        self.assertEqual(self.suggest(odoo("Admin gross salaries")), ("477", "similar"))
        self.assertEqual(self.suggest(odoo("Donations")), ("418", "similar"))
        self.assertEqual(self.suggest(odoo("Office equipment (inc computer equipment)",
                                           "asset_fixed")), ("710", "similar"))
        self.assertEqual(self.suggest(odoo("Employee Payroll Taxes", "liability_current")),
                         ("825", "similar"))

    def test_system_accounts_by_type_or_name(self):
        self.assertEqual(self.suggest(odoo("Sundry Debtors", "asset_receivable")),
                         ("610", "receivable"))
        self.assertEqual(self.suggest(odoo("Manual Adjustments - VAT", "liability_current")),
                         ("820", "tax"))
        self.assertEqual(self.suggest(odoo("Historical Balancing", "equity")),
                         ("840", "historical"))
        # Not the sales tax's own, nor a ledger that takes no line.
        for account in (odoo("Deferred GST Liability", "liability_current"),
                        odoo("Import Duty Payable", "liability_current"),
                        odoo("Wages & Salaries", "liability_current")):
            self.assertFalse(self.suggest(account), account["name"])

    def test_other_income_by_odoos_type(self):
        found = mapping.suggest_account(odoo("Late Fees Collected", "income_other"), CHART)
        self.assertEqual((found[0]["code"], found[1]), ("260", "account_type"))
        self.assertEqual(found[3], "Odoo's type Other Income is Xero's Other Revenue")
        # Odoo's type "Income" says no more than revenue: left empty.
        self.assertFalse(self.suggest(odoo("Freight Income", "income")))

    def test_direct_costs_to_an_overhead_of_the_same_meaning_only(self):
        self.assertEqual(self.suggest(odoo("Freight", "expense_direct_cost")),
                         ("425", "similar"))
        # Production wages are direct: not Xero's overhead "Wages and
        # Salaries", nor "Direct Wages" by a guess.
        self.assertFalse(self.suggest(odoo("Wages for Production Labour", "expense_direct_cost")))
        # Employer's National Insurance is a payroll tax, not "Insurance".
        self.assertFalse(self.suggest(odoo("Employers NIC")))
        # A contra account is no kind of its asset.
        self.assertFalse(self.suggest(odoo("Motor vehicles Depreciation", "asset_fixed")))

    def test_still_no_guess(self):
        """Issue 24's wrong guesses stay empty, and so do words that only
        look alike."""
        for account in (odoo("Salary Payable", "liability_current"), odoo("Taxes"),
                        odoo("Purchase of Equipments"), odoo("RD Expenses"),
                        odoo("Exhibitions and events"), odoo("Cash Drawer", "asset_cash"),
                        odoo("Travel"), odoo("Water")):
            self.assertFalse(self.suggest(account), account["name"])


@tagged("post_install", "-at_install")
class TestMappingMeaningSuggest(XeroPushCommon):
    """Against the sandbox's Demo Company (NZ) chart, nothing mapped."""

    @classmethod
    def _map_everything(cls):
        """Nothing mapped: Suggest mapping does it."""

    def setUp(self):
        super().setUp()
        self.connection.action_refresh_from_xero()

    def row(self, account):
        return self.connection.account_map_ids.filtered(lambda r: r.account_id == account)

    def test_the_row_says_why(self):
        Account = self.env["account.account"]
        mobiles = Account.create({"code": "750400", "name": "Mobiles", "account_type": "expense"})
        fees = Account.create({"code": "451900", "name": "Late Fees Collected",
                               "account_type": "income_other"})
        self.connection.action_suggest_mapping()
        row = self.row(mobiles)
        self.assertEqual((row.xero_account_id.code, row.suggested_by, row.suggested_note),
                         ("489", "meaning", "mobile phones are telephone costs"))
        labels = dict(row._fields["suggested_by"]._description_selection(self.env))
        self.assertEqual(labels[row.suggested_by], "Suggested: same meaning")
        self.assertEqual((self.row(fees).xero_account_id.code, self.row(fees).suggested_by),
                         ("260", "account_type"))
        # Confirmed (or edited), the row is the admin's: no reason left.
        self.connection.action_confirm_suggestions()
        self.assertEqual((row.suggested, row.suggested_by, row.suggested_note),
                         (False, False, False))

    def test_tax_return_closing_account_is_xeros_tax_account(self):
        """The tax groups' payable and receivable accounts (Odoo's tax
        closing: "BAS Payments", "HMRC - VAT Account") go to Xero's tax
        account."""
        closing = self.env["account.account"].create({
            "code": "213200", "name": "BAS Payments", "account_type": "liability_current"})
        self.tax_sale_a.tax_group_id.tax_payable_account_id = closing
        self.assertEqual(self.connection._xero_account_roles().get(closing), "tax")
