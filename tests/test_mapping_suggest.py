"""Suggest mapping (models/xero_mapping_suggest.py), the sandbox's read-only
page of a document (xero_sandbox/pages.py) and the "Open in Xero" address,
against the sandbox's own chart, tax rates and currencies."""

import urllib.error
import urllib.request

from odoo.exceptions import AccessError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account_xero.tests.common import BrowserTestMixin
from odoo.addons.account_xero.tests.common import XeroPushCommon
from odoo.addons.account_xero.tests.common_mapping import XeroMappingCommon


@tagged("post_install", "-at_install")
class TestMappingSuggest(XeroPushCommon):
    """A company connected to a fresh sandbox organisation (the Demo Company
    (NZ) chart: 090/091 bank, 200 Sales, 610 Accounts Receivable, 800
    Accounts Payable, 820 GST, OUTPUT2/INPUT2 15 % ...) and nothing mapped."""

    @classmethod
    def _map_everything(cls):
        """Nothing mapped: Suggest mapping does it."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        cls.fees_by_code = Account.create(
            {"code": "404", "name": "Bank charges", "account_type": "expense"})
        cls.fees_by_name = Account.create(
            {"code": "612001", "name": "Consulting & Accounting", "account_type": "expense"})
        cls.income = cls.company_data["default_account_revenue"]
        cls.tax_sale_zero = cls.tax_sale_a.copy({"name": "Exports 0%", "amount": 0.0})
        cls.tax_purchase_zero = cls.tax_purchase_a.copy({"name": "Untaxed 0%", "amount": 0.0})
        cls.tax_sale_old = cls.tax_sale_a.copy({"name": "Old GST 12.5%", "amount": 12.5})

    def setUp(self):
        super().setUp()
        self.connection.currency_map_ids.unlink()
        self.connection.action_refresh_from_xero()
        self.xa = {a.code: a for a in self.connection.xero_account_ids if a.code}
        self.xt = {t.tax_type: t for t in self.connection.xero_tax_rate_ids}

    def account_row(self, account):
        return self.connection.account_map_ids.filtered(lambda r: r.account_id == account)

    def tax_row(self, tax):
        return self.connection.tax_map_ids.filtered(lambda r: r.tax_id == tax)

    def account(self, name):
        Account = self.env["account.account"]
        return Account.search([*Account._check_company_domain(self.company), ("name", "=", name)])

    def label(self, row):
        return dict(row._fields["suggested_by"]._description_selection(self.env))[row.suggested_by]

    # -- the rules ------------------------------------------------------------
    def test_accounts_by_meaning(self):
        self.connection.action_suggest_mapping()
        by_code = self.account_row(self.fees_by_code)
        self.assertEqual((by_code.xero_account_id.code, by_code.suggested_by), ("404", "code"))
        by_name = self.account_row(self.fees_by_name)
        self.assertEqual((by_name.xero_account_id.code, by_name.suggested_by), ("412", "name"))
        # "Product Sales" is a kind of Xero's "Sales".
        similar = self.account_row(self.income)
        self.assertEqual((similar.xero_account_id.code, similar.suggested_by), ("200", "similar"))
        self.assertTrue(by_code.suggested and by_name.suggested and similar.suggested)
        # Xero's own ledgers for receivable, payable and the tax account.
        receivable = self.account_row(self.company_data["default_account_receivable"])
        self.assertEqual((receivable.xero_account_id.code, receivable.suggested_by),
                         ("610", "receivable"))
        payable = self.account_row(self.company_data["default_account_payable"])
        self.assertEqual((payable.xero_account_id.code, payable.suggested_by), ("800", "payable"))
        tax_account = self.tax_sale_a.invoice_repartition_line_ids.account_id
        self.assertEqual((self.account_row(tax_account).xero_account_id.code,
                          self.account_row(tax_account).suggested_by), ("820", "tax"))
        # The bank journal "Bank" to Xero's "Business Bank Account"; the cash
        # journal has no Xero bank account of that name: left to the admin.
        bank = self.company_data["default_journal_bank"].default_account_id
        cash = self.company_data["default_journal_cash"].default_account_id
        self.assertEqual(self.account_row(bank).xero_account_id.code, "090")
        self.assertFalse(self.account_row(cash))
        # No account suggested to a Xero account of another class (but
        # Xero's own ledgers, which take both sides).
        for row in self.connection.account_map_ids.filtered(
                lambda r: not r.xero_account_id.system_account):
            group = row.account_id.internal_group
            self.assertEqual(row.xero_account_id.account_class, {
                "asset": "ASSET", "liability": "LIABILITY", "equity": "EQUITY",
                "income": "REVENUE", "expense": "EXPENSE"}[group], row.account_id.display_name)

    def test_never_a_guess_by_type(self):
        """Issue 24: Salary Expenses, Purchase of Equipments, the exchange
        loss and R&D were suggested to 400 Advertising, the exchange gain
        and Cash Difference Gain to 200 Sales: a profit and loss misstated.
        An account with no Xero account of its meaning stays unmapped."""
        self.connection.action_suggest_mapping()
        names = ("Salary Expenses", "Purchase of Equipments", "Foreign Exchange Loss",
                 "RD Expenses", "Foreign Exchange Gain", "Cash Difference Gain")
        for name in names:
            self.assertTrue(self.account(name), name)
            self.assertNotIn(self.account_row(self.account(name)).xero_account_id.code,
                             ("400", "200"), name)
        for name in ("Purchase of Equipments", "RD Expenses", "Cash Difference Gain",
                     "Cash Difference Loss"):
            self.assertFalse(self.account_row(self.account(name)), name)
        salaries = self.account_row(self.account("Salary Expenses"))
        self.assertEqual((salaries.xero_account_id.name, salaries.suggested_by),
                         ("Wages and Salaries", "similar"))
        self.assertEqual(self.label(salaries), "Suggested: similar name")
        # Check mapping still names what is left.
        messages = [i["message"] for i in self.connection._get_mapping_issues()]
        self.assertTrue(any("RD Expenses" in m for m in messages), messages)

    def test_currency_gains_and_losses(self):
        """Both of the company's exchange accounts go to Xero's currency
        gains account (SystemAccount REALISEDCURRENCYGAIN, gains and losses),
        the reason said on the row."""
        self.connection.action_suggest_mapping()
        for account in (self.company.income_currency_exchange_account_id,
                        self.company.expense_currency_exchange_account_id):
            row = self.account_row(account)
            self.assertEqual((row.xero_account_id.code, row.xero_account_id.system_account,
                              row.suggested_by), ("499", "REALISEDCURRENCYGAIN", "fx"),
                             account.display_name)
            self.assertEqual(self.label(row), "Suggested: Xero's currency gains account")

    def test_cash_rounding_to_xeros_rounding_account(self):
        Account = self.env["account.account"]
        gain = Account.create({"code": "442500", "name": "Till Adjustments Up",
                               "account_type": "income"})
        loss = Account.create({"code": "642500", "name": "Till Adjustments Down",
                               "account_type": "expense"})
        self.env["account.cash.rounding"].with_company(self.company).create({
            "name": "5 cents", "rounding": 0.05, "strategy": "add_invoice_line",
            "profit_account_id": gain.id, "loss_account_id": loss.id})
        self.connection.action_suggest_mapping()
        for account in gain | loss:
            row = self.account_row(account)
            self.assertEqual((row.xero_account_id.system_account, row.suggested_by),
                             ("ROUNDING", "rounding"), account.display_name)
            self.assertEqual(self.label(row), "Suggested: Xero's rounding account")

    def test_check_mapping_names_the_suggestions_to_confirm(self):
        """Suggested rows do not make Check mapping green: it says how many
        await confirmation, until confirmed."""
        self.connection.action_suggest_mapping()
        count = self.connection.suggested_count
        self.assertTrue(count)
        result = self.connection.action_check_mapping()
        self.assertEqual(result["params"]["type"], "warning")
        self.assertIn("%s suggested row(s) await confirmation" % count,
                      result["params"]["message"])
        self.assertIn("%s suggested row(s) await confirmation" % count,
                      self.connection.mapping_report)
        self.connection.action_confirm_suggestions()
        result = self.connection.action_check_mapping()
        self.assertNotIn("await confirmation", result["params"]["message"])
        self.assertNotIn("await confirmation", self.connection.mapping_report)

    def test_default_charts_of_the_sandbox(self):
        """An organisation of the sandbox can start with Xero's default
        chart of a country (xero_sandbox/charts.py); Suggest mapping reads
        it as any other."""
        expected = {
            "AU": ("820", "GST", "GST"), "NZ": ("820", "GST", "GST"),
            "GB": ("820", "VAT", "GST"), "US": ("220", "Sales Tax", "GST"),
        }
        for chart, (code, name, system) in expected.items():
            tenant = self.srv.add_tenant("Chart %s" % chart, chart if chart != "US" else "NZ",
                                         "NZD", chart=chart)
            accounts = {a["Code"]: a for a in self.srv.store.tenant(tenant).accounts}
            self.assertEqual((accounts[code]["Name"], accounts[code].get("SystemAccount")),
                             (name, system), chart)
            self.assertEqual(
                [a["Code"] for a in accounts.values()
                 if a.get("SystemAccount") == "REALISEDCURRENCYGAIN"],
                ["820" if chart == "US" else "499"], chart)
        # The company's exchange accounts against the US chart.
        self._xero_connect(self.company, tenant_id=tenant)
        self.connection.action_refresh_from_xero()
        self.connection.action_suggest_mapping()
        row = self.account_row(self.company.expense_currency_exchange_account_id)
        self.assertEqual((row.xero_account_id.name, row.suggested_by),
                         ("Realized Currency Gains", "fx"))

    def test_taxes_by_rate_and_direction(self):
        self.connection.action_suggest_mapping()
        sale = self.tax_row(self.tax_sale_a)
        self.assertEqual(sale.xero_output_tax_id, self.xt["OUTPUT2"])
        self.assertFalse(sale.xero_input_tax_id)
        self.assertEqual(sale.suggested_by, "rate")
        purchase = self.tax_row(self.tax_purchase_a)
        self.assertEqual(purchase.xero_input_tax_id, self.xt["INPUT2"])
        self.assertFalse(purchase.xero_output_tax_id)
        self.assertEqual(self.tax_row(self.tax_sale_zero).xero_output_tax_id, self.xt["ZERORATED"])
        self.assertEqual(self.tax_row(self.tax_purchase_zero).xero_input_tax_id, self.xt["NONE"])
        # 12.5 % is archived in Xero: nothing suggested, Check mapping still says so.
        self.assertFalse(self.tax_row(self.tax_sale_old))
        self.assertIn(
            "Tax %s is not mapped to a Xero output tax." % self.tax_sale_old.display_name,
            [i["message"] for i in self.connection._get_mapping_issues()])

    def test_currencies_by_code(self):
        aud = self.other_currency  # listed by the sandbox organisation
        eur = self.setup_other_currency("EUR")  # not listed
        self.connection.action_suggest_mapping()
        rows = self.connection.currency_map_ids
        self.assertEqual(rows.filtered(lambda r: r.currency_id == aud).xero_currency_id.code, "AUD")
        self.assertEqual(rows.filtered(lambda r: r.currency_id == self.company.currency_id)
                         .xero_currency_id.code, self.company.currency_id.name)
        self.assertFalse(rows.filtered(lambda r: r.currency_id == eur))
        self.assertTrue(all(rows.mapped("suggested")))

    def test_never_overwrites_the_admins_map(self):
        mine = self.env["xero.account.map"].create({
            "connection_id": self.connection.id, "account_id": self.income.id,
            "xero_account_id": self.xa["260"].id})
        my_tax = self.env["xero.tax.map"].create({
            "connection_id": self.connection.id, "tax_id": self.tax_sale_a.id,
            "xero_output_tax_id": self.xt["NONE"].id})
        self.connection.action_suggest_mapping()
        self.assertEqual(self.account_row(self.income), mine)
        self.assertEqual(mine.xero_account_id.code, "260")
        self.assertFalse(mine.suggested)
        self.assertEqual(self.tax_row(self.tax_sale_a), my_tax)
        self.assertEqual(my_tax.xero_output_tax_id, self.xt["NONE"])
        # Suggesting again adds nothing and changes nothing.
        count = len(self.connection.account_map_ids)
        self.connection.action_suggest_mapping()
        self.assertEqual(len(self.connection.account_map_ids), count)

    def test_edit_or_confirm_clears_the_flag(self):
        self.connection.action_suggest_mapping()
        row = self.account_row(self.income)
        row.xero_account_id = self.xa["260"]
        self.assertFalse(row.suggested)
        self.assertFalse(row.suggested_by)
        self.assertTrue(self.connection.suggested_count)
        self.connection.action_confirm_suggestions()
        self.assertEqual(self.connection.suggested_count, 0)
        self.assertFalse(any(self.connection.account_map_ids.mapped("suggested")))
        self.assertEqual(row.xero_account_id.code, "260")

    def test_suggested_map_posts_an_invoice(self):
        """What the demo does: suggest, post an invoice, the cron sends it."""
        self.connection.action_suggest_mapping()
        move = self.make_invoice()
        self.push()
        self.assertEqual(move.xero_state, "sent", move.xero_error)
        self.assertTrue(self.xero_doc("Invoices", move.xero_id))

    def test_only_admins_suggest(self):
        clerk = new_test_user(
            self.env, login="xero_clerk",
            groups="account.group_account_user,account_xero.group_xero_user",
            company_id=self.company.id, company_ids=[self.company.id])
        with self.assertRaises(AccessError):
            self.connection.with_user(clerk).action_suggest_mapping()
        with self.assertRaises(AccessError):
            self.connection.with_user(clerk).action_confirm_suggestions()
        self.assertFalse(self.connection.account_map_ids)
        manager = new_test_user(
            self.env, login="xero_boss", groups="account.group_account_manager",
            company_id=self.company.id, company_ids=[self.company.id])
        self.connection.with_user(manager).action_suggest_mapping()
        self.assertTrue(self.connection.account_map_ids)

    # -- Open in Xero --------------------------------------------------------
    def test_open_in_xero_url(self):
        path = "/AccountsReceivable/View.aspx?InvoiceID=abc"
        short = self.connection.xero_short_code
        self.assertTrue(short, "the refresh stores Organisation.ShortCode")
        self.assertEqual(
            self.connection._xero_web_url(path),
            "%s/organisationlogin/default.aspx?shortcode=%s&redirecturl=%s" % (
                self.srv.url, short.replace("!", "%21"), path))
        self.env["ir.config_parameter"].sudo().set_param(
            "account_xero.api_url", "https://api.xero.com")
        self.assertEqual(
            self.connection._xero_web_url(path),
            "https://go.xero.com/organisationlogin/default.aspx?shortcode=%s&redirecturl=%s" % (
                short.replace("!", "%21"), path))
        self.connection.sudo().xero_short_code = False
        self.assertEqual(self.connection._xero_web_url(path), "https://go.xero.com" + path)

    def get(self, url):
        try:
            with urllib.request.urlopen(url, timeout=10) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()

    def test_sandbox_page_of_a_document(self):
        self.connection.action_suggest_mapping()
        partner = self.env["res.partner"].create({"name": "<script>alert(1)</script> & Co"})
        move = self.make_invoice(partner=partner, post=False)
        move.ref = "<b>ref</b>"
        move.action_post()
        self.push()
        self.assertEqual(move.xero_state, "sent", move.xero_error)
        self.assertTrue(move.xero_url.startswith(self.srv.url + "/organisationlogin/"))
        action = move.action_xero_open_in_xero()
        self.assertEqual(action["url"], move.xero_url)
        status, page = self.get(move.xero_url)
        self.assertEqual(status, 200)
        self.assertIn(self.xero_doc("Invoices", move.xero_id)["InvoiceNumber"], page)
        self.assertIn("&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co", page)
        self.assertNotIn("<script>", page)
        self.assertNotIn("<b>ref</b>", page)
        # The payment's page too.
        payment = self.pay(move)
        self.push()
        self.assertTrue(payment.xero_id, payment.xero_error)
        status, page = self.get(payment.xero_url)
        self.assertEqual(status, 200)
        self.assertIn(payment.xero_id.split(",")[0], page)
        # An id the organisation does not have, and a page the sandbox has not.
        status, page = self.get(move.xero_url.replace(move.xero_id, "no-such-id<x>"))
        self.assertEqual(status, 404)
        self.assertIn("no-such-id&lt;x&gt;", page)
        status, _page = self.get(self.srv.url + "/Reports/Index.aspx")
        self.assertEqual(status, 404)


@tagged("post_install", "-at_install")
class TestMappingSuggestTour(BrowserTestMixin, XeroMappingCommon, HttpCase):
    """The admin clicks Suggest mapping, sees the suggested rows, changes
    one and saves, then confirms the others."""

    @classmethod
    def _map_everything(cls):
        """Nothing mapped: the tour suggests."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection.sync_supplier_invoices = False
        cls.tour_sales = cls.env["account.account"].create(
            {"code": "401500", "name": "Tour Sales", "account_type": "income"})

    def test_suggest_mapping_tour(self):
        self.start_tour(
            f"/odoo/action-account_xero.xero_connection_action/{self.connection.id}",
            "account_xero_suggest_mapping_tour", login="accountman",
        )
        self.assertEqual(self.connection._map_account(self.tour_sales), self.xa["260"])
        self.assertEqual(self.connection._map_tax(self.tax_sale_a, "output"), self.xt["OUTPUT2"])
        self.assertEqual(self.connection._map_account(
            self.company_data["default_account_receivable"]), self.xa["610"])
        self.assertFalse(any(self.connection.account_map_ids.mapped("suggested")))
        self.assertFalse(any(self.connection.tax_map_ids.mapped("suggested")))
