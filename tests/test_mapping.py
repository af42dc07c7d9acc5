from unittest.mock import patch

from odoo.exceptions import UserError, ValidationError
from odoo.tests import tagged

from odoo.addons.account_xero.xero.errors import XeroValidationError

from .common_mapping import XeroMappingCommon, xero_account, xero_currency, xero_tax_rate


class XeroMappingRatesCommon(XeroMappingCommon):
    """The common maps, with each tax mapped to a Xero tax rate of its own
    rate: the test company's group tax "complex_tax" (20% then 10% on the
    base and the first tax: 32%) and its two taxes, to Xero rates of 32%,
    20% and 10%, so that a complete mapping has no rate gap."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.xero_tax_rates_src = cls.xero_tax_rates_src + [
            xero_tax_rate("OUTPUT32", "Compound 32%", 32.0, expenses=False),
            xero_tax_rate("OUTPUT20", "Sales 20%", 20.0, expenses=False),
            xero_tax_rate("OUTPUT10", "Sales 10%", 10.0, expenses=False),
        ]
        cls.connection._xero_store_reference(tax_rates=cls.xero_tax_rates_src)
        cls.xt = {t.tax_type: t for t in cls.connection.xero_tax_rate_ids}
        armageddon = cls.tax_armageddon
        for tax, code in ((armageddon, "OUTPUT32"), (armageddon.children_tax_ids[0], "OUTPUT20"),
                          (armageddon.children_tax_ids[1], "OUTPUT10")):
            cls.connection.tax_map_ids.filtered(
                lambda r, t=tax: r.tax_id == t).xero_output_tax_id = cls.xt[code]


@tagged("post_install", "-at_install")
class TestMappingCheck(XeroMappingRatesCommon):
    """Each rule of the mapping check: the gap is reported, then fixed."""

    def test_complete_mapping_has_no_gap(self):
        self.assertNoGap()

    def test_report_is_stale_after_a_map_changes(self):
        conn = self.connection
        conn.action_check_mapping()
        self.assertTrue(conn.mapping_checked_at)
        self.assertFalse(conn.mapping_stale)
        self.env["xero.currency.map"].search([("connection_id", "=", conn.id)], limit=1).unlink()
        self.assertTrue(conn.mapping_stale, "the report no longer says it all")
        conn.action_check_mapping()
        self.assertFalse(conn.mapping_stale)

    def test_business_bank_account_mapped_to_xero_bank_with_code(self):
        journal = self.company_data["default_journal_bank"]
        account = journal.default_account_id
        subject = f"Account {account.display_name} (journal {journal.name})"

        self.map_account(account, None)
        self.assertGap(f"{subject} is not mapped to a Xero account.", "accounts")

        self.map_account(account, "200")
        self.assertGap(
            f"{subject} is mapped to Xero account 200 – Sales; it must be mapped to "
            "a Xero bank account.", "accounts")

        self.map_account(account, "Savings (no code)")
        messages = self.issue_messages("accounts")
        self.assertEqual(len(messages), 1)
        self.assertIn("with a code", messages[0])
        self.assertIn(subject, messages[0])

        self.map_account(account, "090")
        self.assertNoGap()

    def test_cash_journal_account_mapped(self):
        journal = self.company_data["default_journal_cash"]
        self.map_account(journal.default_account_id, None)
        self.assertGap(
            f"Account {journal.default_account_id.display_name} (journal {journal.name}) "
            "is not mapped to a Xero account.", "accounts")
        self.map_account(journal.default_account_id, "090")
        self.assertNoGap()

    def test_trust_bank_journal_only_when_trust_syncs(self):
        trust_account = self.env["account.account"].create({
            "code": "101999", "name": "Trust Bank", "account_type": "asset_cash",
        })
        journal = self.env["account.journal"].create({
            "name": "Trust", "code": "TRST", "type": "bank",
            "default_account_id": trust_account.id, "is_trust_account": True,
        })
        message = (f"Account {trust_account.display_name} (journal {journal.name}) "
                   "is not mapped to a Xero account.")
        self.assertNoGap()  # trust journals are left alone without trust sync
        self._set_trust_accounts()
        self.connection.sync_trust = True
        self.assertGap(message, "trust")
        self.map_account(trust_account, "091")
        self.assertNoGap()

    def test_receivable_default_and_partner_accounts(self):
        default = self.company_data["default_account_receivable"]
        self.map_account(default, None)
        self.assertGap(
            f"Account {default.display_name} (receivable) is not mapped to a Xero account.",
            "accounts")
        # An account set on a partner only is required too.
        partner_account = self.partner_b.with_company(self.company).property_account_receivable_id
        self.assertNotEqual(partner_account, default)
        self.map_account(partner_account, None)
        self.assertGap(
            f"Account {partner_account.display_name} (receivable) is not mapped to a Xero "
            "account.", "accounts")
        self.map_account(default, "610")
        self.map_account(partner_account, "610")
        self.assertNoGap()

    def test_receivable_not_required_without_sales_invoices(self):
        default = self.company_data["default_account_receivable"]
        self.map_account(default, None)
        self.connection.sync_sales_invoices = False
        self.assertNoGap()

    def test_payable_only_with_supplier_invoices(self):
        default = self.company_data["default_account_payable"]
        message = f"Account {default.display_name} (payable) is not mapped to a Xero account."
        self.map_account(default, None)
        self.assertGap(message, "accounts")
        self.connection.sync_supplier_invoices = False
        self.assertNoGap()
        self.connection.sync_supplier_invoices = True
        self.map_account(default, "800")
        self.assertNoGap()

    def test_income_accounts_with_sales_invoices(self):
        income = self.env["account.account"].create({
            "code": "400999", "name": "Professional Fees", "account_type": "income",
        })
        other = self.env["account.account"].create({
            "code": "400998", "name": "Interest Received", "account_type": "income_other",
        })
        self.assertGap("Account 400999 Professional Fees is not mapped to a Xero account.",
                       "accounts")
        self.assertGap("Account 400998 Interest Received is not mapped to a Xero account.",
                       "accounts")
        self.connection.sync_sales_invoices = False
        self.assertNoGap()
        self.connection.sync_sales_invoices = True
        self.map_account(income, "200")
        self.map_account(other, "260")
        self.assertNoGap()

    def test_deprecated_income_account_not_required(self):
        self.env["account.account"].create({
            "code": "400997", "name": "Old Fees", "account_type": "income", "deprecated": True,
        })
        self.assertNoGap()

    def test_expense_accounts_only_with_supplier_invoices(self):
        expense = self.env["account.account"].create({
            "code": "600999", "name": "Court Fees", "account_type": "expense",
        })
        direct = self.env["account.account"].create({
            "code": "600998", "name": "Disbursements", "account_type": "expense_direct_cost",
        })
        self.assertGap("Account 600999 Court Fees is not mapped to a Xero account.")
        self.assertGap("Account 600998 Disbursements is not mapped to a Xero account.")
        self.connection.sync_supplier_invoices = False
        self.assertNoGap()
        self.connection.sync_supplier_invoices = True
        self.map_account(expense, "400")
        self.map_account(direct, "310")
        self.assertNoGap()

    def test_sales_tax_accounts(self):
        sale_account = self.company_data["default_account_tax_sale"]
        purchase_account = self.company_data["default_account_tax_purchase"]
        self.assertTrue(sale_account and purchase_account)
        self.assertNotEqual(sale_account, purchase_account)
        self.map_account(sale_account, None)
        self.map_account(purchase_account, None)
        sale_message = (f"Account {sale_account.display_name} (sales tax account) is not "
                        "mapped to a Xero account.")
        purchase_message = (f"Account {purchase_account.display_name} (sales tax account) "
                            "is not mapped to a Xero account.")
        self.assertGap(sale_message, "accounts")
        self.assertGap(purchase_message, "accounts")
        # Purchase taxes' accounts only matter when supplier invoices sync.
        self.connection.sync_supplier_invoices = False
        self.assertGap(sale_message, "accounts")
        self.assertNoGap(purchase_message)
        self.map_account(sale_account, "820")
        self.assertNoGap()

    def test_sale_tax_mapped_to_output_tax(self):
        tax = self.tax_sale_a
        row = self.connection.tax_map_ids.filtered(lambda r: r.tax_id == tax)
        row.xero_output_tax_id = False
        message = f"Tax {tax.display_name} is not mapped to a Xero output tax."
        self.assertGap(message, "taxes")
        row.xero_output_tax_id = self.xt["OUTPUT2"]
        self.assertNoGap()
        # A sale tax that has no map row at all
        new_tax = tax.copy({"name": "Sales 9%"})
        self.assertGap("Tax Sales 9% is not mapped to a Xero output tax.", "taxes")
        new_tax.active = False
        self.assertNoGap()

    def test_purchase_tax_mapped_to_input_tax_with_supplier_invoices(self):
        tax = self.tax_purchase_a
        row = self.connection.tax_map_ids.filtered(lambda r: r.tax_id == tax)
        row.xero_input_tax_id = False
        message = f"Tax {tax.display_name} is not mapped to a Xero input tax."
        self.assertGap(message, "taxes")
        self.connection.sync_supplier_invoices = False
        self.assertNoGap()
        self.connection.sync_supplier_invoices = True
        row.xero_input_tax_id = self.xt["INPUT2"]
        self.assertNoGap()

    def test_currency_mapped_and_listed_by_xero(self):
        usd = self.company.currency_id
        row = self.connection.currency_map_ids.filtered(lambda r: r.currency_id == usd)
        xero_usd = row.xero_currency_id
        row.unlink()
        self.assertGap(f"Currency {usd.name} is not mapped to a Xero currency.", "currencies")
        self.env["xero.currency.map"].create({
            "connection_id": self.connection.id, "currency_id": usd.id,
            "xero_currency_id": xero_usd.id,
        })
        self.assertNoGap()

        # An active currency Xero does not list
        chf = self.env.ref("base.CHF")
        chf.active = True
        messages = self.issue_messages("currencies")
        self.assertEqual(len(messages), 1)
        self.assertIn("Currency CHF is not mapped to a Xero currency, and Xero does not list it",
                      messages[0])
        self.connection._xero_store_reference(
            currencies=[*self.xero_currencies_src, xero_currency("CHF", "Swiss Franc")])
        self.assertGap("Currency CHF is not mapped to a Xero currency.", "currencies")
        xero_chf = self.connection.xero_currency_ids.filtered(lambda c: c.code == "CHF")
        self.env["xero.currency.map"].create({
            "connection_id": self.connection.id, "currency_id": chf.id,
            "xero_currency_id": xero_chf.id,
        })
        self.assertNoGap()

        # Xero stops listing it
        self.connection._xero_store_reference(currencies=self.xero_currencies_src)
        self.assertGap(
            "Currency CHF is mapped to Xero currency CHF, which Xero no longer lists: add it "
            "in Xero (Settings > Currencies) and refresh.", "currencies")

    def test_archived_xero_account_is_a_gap(self):
        receivable = self.company_data["default_account_receivable"]
        self.map_account(receivable, "610")
        self.assertNoGap()
        archived = [
            xero_account(a.code, a.name, a.type.value, a._class, status="ARCHIVED",
                         account_id=a.account_id) if a.code == "610" else a
            for a in self.xero_accounts_src
        ]
        self.connection._xero_store_reference(accounts=archived)
        self.assertGap(
            f"Account {receivable.display_name} (receivable) is mapped to Xero account "
            "610 – Accounts Receivable, which is archived in Xero.", "accounts")
        # Also for an account no rule requires.
        loan = self.env["account.account"].create({
            "code": "299999", "name": "Director Loan", "account_type": "liability_non_current",
        })
        self.map_account(loan, "877")
        self.assertGap(
            "Account 299999 Director Loan is mapped to Xero account 877 – Old Account, which "
            "is archived in Xero.", "accounts")
        self.map_account(loan, "860")
        self.connection._xero_store_reference(accounts=self.xero_accounts_src)
        self.assertNoGap()

    def test_archived_xero_tax_rate_is_a_gap(self):
        rates = [r for r in self.xero_tax_rates_src if r.tax_type != "OUTPUT2"]
        self.connection._xero_store_reference(tax_rates=rates)
        self.assertGap(
            f"Tax {self.tax_sale_a.display_name} is mapped to Xero tax rate GST on Income "
            "(15%), which is no longer listed by Xero.", "taxes")
        self.connection._xero_store_reference(tax_rates=self.xero_tax_rates_src)
        self.assertNoGap()

    def _trust_accounts(self):
        Account = self.env["account.account"]
        return {
            "trust_liability_account_id": Account.create({
                "code": "215000", "name": "Trust Liability", "account_type": "liability_current"}),
            "trust_transfer_account_id": Account.create({
                "code": "215100", "name": "Trust Transfers", "account_type": "liability_current"}),
            "trust_paid_by_firm_account_id": Account.create({
                "code": "115000", "name": "Trust Paid by Firm", "account_type": "asset_current"}),
            "statutory_deposit_account_id": Account.create({
                "code": "115100", "name": "Statutory Deposit", "account_type": "asset_current"}),
        }

    def _set_trust_accounts(self):
        accounts = self._trust_accounts()
        for fname, code in (("trust_liability_account_id", "850"),
                            ("trust_transfer_account_id", "851"),
                            ("trust_paid_by_firm_account_id", "852"),
                            ("statutory_deposit_account_id", "853")):
            self.map_account(accounts[fname], code)
        self.connection.company_id.write(
            {fname: account.id for fname, account in accounts.items()})
        self.connection.bank_transfer_xero_account_id = self.xa["855"].id
        return accounts

    def test_trust_accounts_required_when_trust_syncs(self):
        self.connection.sync_trust = True
        messages = self.issue_messages()
        self.assertIn(
            "Trust transactions are synchronized: set the Trust liability account (Settings > "
            "Accounting > Trust accounting).", messages)
        self.assertIn(
            "Trust transactions are synchronized: set the Trust transfers account (Settings > "
            "Accounting > Trust accounting).", messages)
        self.assertIn(
            "Trust transactions are synchronized: choose the Bank transfers account.", messages)
        # Optional ones are not reported when empty.
        self.assertFalse([m for m in messages if "paid by firm" in m.lower()])
        self.assertFalse([m for m in messages if "statutory" in m.lower()])
        self._set_trust_accounts()
        self.assertNoGap()
        self.connection.sync_trust = False
        self.connection.bank_transfer_xero_account_id = False
        self.assertNoGap()

    def test_trust_liability_and_transfers_to_liability_allowing_payments(self):
        accounts = self._set_trust_accounts()
        self.connection.sync_trust = True
        for fname in ("trust_liability_account_id", "trust_transfer_account_id"):
            account = accounts[fname]
            label = self.connection.company_id._fields[fname].string
            self.map_account(account, "820")  # liability, payments not enabled
            self.assertGap(
                f"Account {account.display_name} ({label}) "
                "is mapped to Xero account 820 – GST; it must be mapped to a Xero Liability "
                "account that allows payments.", "trust")
            self.map_account(account, "852")  # payments, but an asset
            self.assertEqual(len(self.issue_messages("trust")), 1)
            self.map_account(account, None)
            self.assertGap(
                f"Account {account.display_name} ({label}) "
                "is not mapped to a Xero account.", "trust")
            self.map_account(account, "850")
            self.assertNoGap()

    def test_trust_paid_by_firm_to_asset_allowing_payments(self):
        accounts = self._set_trust_accounts()
        self.connection.sync_trust = True
        account = accounts["trust_paid_by_firm_account_id"]
        self.map_account(account, "853")  # current asset without payments
        self.assertGap(
            f"Account {account.display_name} (Trust paid by firm) is mapped to Xero account "
            "853 – Statutory Deposit; it must be mapped to a Xero Asset account that allows "
            "payments.", "trust")
        self.map_account(account, "852")
        self.assertNoGap()

    def test_statutory_deposit_to_current_asset(self):
        accounts = self._set_trust_accounts()
        self.connection.sync_trust = True
        account = accounts["statutory_deposit_account_id"]
        self.map_account(account, "091")  # a bank account: not a current asset in Xero
        self.assertGap(
            f"Account {account.display_name} (Statutory deposit account) is mapped to Xero "
            "account 091 – Trust Bank Account; it must be mapped to a Xero Current Asset "
            "account.", "trust")
        self.map_account(account, "853")
        self.assertNoGap()

    def test_no_reference_data_is_a_gap(self):
        company = self.env["res.company"].sudo().create({"name": "Other Firm"})
        connection = self.env["xero.connection"].sudo().create({"company_id": company.id})
        issues = connection._get_mapping_issues()
        self.assertIn(
            "Xero's chart of accounts has not been read yet: click Refresh from Xero.",
            [i["message"] for i in issues if i["section"] == "settings"])

    def test_issue_records(self):
        journal = self.company_data["default_journal_bank"]
        self.map_account(journal.default_account_id, None)
        self.tax_sale_a.copy({"name": "Sales 8%"})
        issues = self.connection._get_mapping_issues()
        self.assertEqual(
            {(i["section"], i["record"]._name) for i in issues},
            {("accounts", "account.account"), ("taxes", "account.tax")})
        for issue in issues:
            self.assertEqual(set(issue), {"section", "message", "record"})

    def test_action_check_mapping(self):
        action = self.connection.action_check_mapping()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(self.connection.mapping_issue_count, 0)
        self.assertTrue(self.connection.mapping_checked_at)
        self.assertIn("Everything the enabled synchronizations need is mapped",
                      self.connection.mapping_report)

        income = self.env["account.account"].create({
            "code": "400999", "name": "Fees <b>", "account_type": "income"})
        self.tax_sale_a.copy({"name": "Sales 8%"})
        action = self.connection.action_check_mapping()
        self.assertEqual(action["tag"], "display_notification")
        self.assertEqual(action["params"]["type"], "warning")
        self.assertIn("2 mapping gap(s)", action["params"]["message"])
        self.assertEqual(self.connection.mapping_issue_count, 2)
        report = self.connection.mapping_report
        self.assertIn("Account 400999 Fees &lt;b&gt; is not mapped to a Xero account.", report)
        self.assertIn("Tax Sales 8% is not mapped to a Xero output tax.", report)
        self.map_account(income, "200")
        self.assertEqual(self.connection.action_check_mapping()["params"]["type"], "warning")
        self.assertEqual(self.connection.mapping_issue_count, 1)


@tagged("post_install", "-at_install")
class TestReferenceData(XeroMappingCommon):
    """``_xero_store_reference``: upsert, archival, organisation facts."""

    def xero_rows(self, model):
        return self.env[model].with_context(active_test=False).search(
            [("connection_id", "=", self.connection.id)])

    def test_store_accounts(self):
        accounts = self.xero_rows("xero.account")
        self.assertEqual(len(accounts), len(self.xero_accounts_src))
        bank = self.xa["090"]
        src = self.xero_accounts_src[0]
        self.assertRecordValues(bank, [{
            "xero_id": src.account_id, "code": "090", "name": "Business Bank Account",
            "account_type": "BANK", "account_class": "ASSET", "xero_status": "ACTIVE",
            "enable_payments": True, "active": True, "company_id": self.company.id,
        }])
        self.assertEqual(bank.display_name, "090 – Business Bank Account")
        self.assertEqual(self.xa["820"].system_account, "GST")
        old = accounts.filtered(lambda a: a.code == "877")
        self.assertRecordValues(old, [{"xero_status": "ARCHIVED", "active": False}])

    def test_update_archive_and_restore(self):
        src = self.xero_accounts_src
        sales = self.xa["200"]
        renamed = [
            xero_account("201", "Fee Income", "REVENUE", "REVENUE", account_id=a.account_id)
            if a.code == "200" else a
            for a in src if a.code != "400"
        ]
        self.connection._xero_store_reference(accounts=renamed)
        self.assertRecordValues(sales, [{"code": "201", "name": "Fee Income", "active": True}])
        advertising = self.xero_rows("xero.account").filtered(lambda a: a.code == "400")
        # gone from Xero's list: kept, archived and flagged
        self.assertRecordValues(advertising, [{"active": False, "xero_status": "DELETED"}])
        self.assertEqual(len(self.xero_rows("xero.account")), len(src))
        # listed again
        self.connection._xero_store_reference(accounts=src)
        self.assertRecordValues(advertising, [{"active": True, "xero_status": "ACTIVE"}])
        self.assertRecordValues(sales, [{"code": "200", "name": "Sales"}])

    def test_archived_in_xero_keeps_maps(self):
        receivable = self.company_data["default_account_receivable"]
        self.map_account(receivable, "610")
        target = self.xa["610"]
        archived = [
            xero_account(a.code, a.name, a.type.value, a._class, status="ARCHIVED",
                         account_id=a.account_id) if a.code == "610" else a
            for a in self.xero_accounts_src
        ]
        self.connection._xero_store_reference(accounts=archived)
        self.assertRecordValues(target, [{"active": False, "xero_status": "ARCHIVED"}])
        self.assertEqual(self.connection._map_account(receivable), target)

    def test_store_tax_rates_and_currencies(self):
        rates = self.xero_rows("xero.tax.rate")
        self.assertEqual(sorted(rates.mapped("tax_type")), ["INPUT2", "NONE", "OUTPUT2"])
        output = self.xt["OUTPUT2"]
        self.assertRecordValues(output, [{
            "name": "GST on Income", "effective_rate": 15.0, "xero_status": "ACTIVE",
            "can_apply_to_revenue": True, "can_apply_to_expenses": False, "active": True,
        }])
        self.connection._xero_store_reference(tax_rates=self.xero_tax_rates_src[1:])
        self.assertRecordValues(output, [{"active": False, "xero_status": "DELETED"}])

        currencies = self.xero_rows("xero.currency")
        self.assertEqual(len(currencies), len(self.xero_currencies_src))
        usd = currencies.filtered(lambda c: c.code == "USD")
        self.assertTrue(usd.active)
        self.connection._xero_store_reference(
            currencies=[c for c in self.xero_currencies_src if c.code.value != "USD"])
        self.assertFalse(usd.active)

    def test_organisation_facts(self):
        self.assertRecordValues(self.connection, [{
            "xero_base_currency": self.company.currency_id.name,
            "xero_country_code": "NZ",
            "xero_period_lock_date": self.xero_organisation_src.period_lock_date,
            "xero_end_of_year_lock_date": self.xero_organisation_src.end_of_year_lock_date,
            "tenant_name": "Demo Firm Ltd",
        }])
        self.assertTrue(self.connection.reference_refreshed_at)

    def test_unique_per_connection(self):
        with self.assertRaises(Exception), self.cr.savepoint():
            self.env["xero.account"].create({
                "connection_id": self.connection.id, "xero_id": self.xa["090"].xero_id,
                "name": "Duplicate",
            })

    def test_is_mapped(self):
        self.assertTrue(self.xa["090"].is_mapped)
        self.assertFalse(self.xa["853"].is_mapped)
        account = self.env["account.account"].create({
            "code": "115100", "name": "Statutory Deposit", "account_type": "asset_current"})
        self.map_account(account, "853")
        self.assertTrue(self.xa["853"].is_mapped)
        self.map_account(account, None)
        self.assertFalse(self.xa["853"].is_mapped)

    def test_map_lookups_cached(self):
        conn = self.connection
        bank = self.company_data["default_journal_bank"].default_account_id
        conn._get_maps()
        with self.assertQueryCount(0):
            self.assertEqual(conn._map_account(bank), self.xa["090"])
            self.assertEqual(conn._map_tax(self.tax_sale_a, "output"), self.xt["OUTPUT2"])
            self.assertEqual(conn._map_tax(self.tax_sale_a, "input"), self.xt["INPUT2"])
            usd = conn._map_currency(self.company.currency_id)
        self.assertEqual(usd.code, self.company.currency_id.name)
        # A change of the maps is seen at once.
        self.map_account(bank, "091")
        self.assertEqual(conn._map_account(bank), self.xa["091"])
        self.map_account(bank, None)
        self.assertFalse(conn._map_account(bank))
        self.assertFalse(conn._map_tax(self.env["account.tax"], "output"))
        with self.assertRaises(ValueError):
            conn._map_tax(self.tax_sale_a, "sideways")

    def test_map_must_use_the_connection_reference(self):
        company = self.env["res.company"].sudo().create({"name": "Other Firm"})
        other = self.env["xero.connection"].sudo().create({"company_id": company.id})
        other._xero_store_reference(accounts=[
            xero_account("090", "Other Bank", "BANK", "ASSET")])
        account = self.env["account.account"].create({
            "code": "400999", "name": "Fees", "account_type": "income"})
        with self.assertRaises(ValidationError):
            self.env["xero.account.map"].create({
                "connection_id": self.connection.id, "account_id": account.id,
                "xero_account_id": other.xero_account_ids.id,
            })

    def test_refresh_from_xero(self):
        conn = self.connection
        test = self

        class FakeClient:
            def get_organisation(self):
                return test.xero_organisation_src

            def get_accounts(self):
                return test.xero_accounts_src[:3]

            def get_tax_rates(self):
                return test.xero_tax_rates_src

            def get_currencies(self):
                return test.xero_currencies_src

            def get_tracking_categories(self):
                return []

        with patch.object(type(conn), "_xero_accounting_client", lambda self: FakeClient()):
            action = conn.action_refresh_from_xero()
        self.assertEqual(action["params"]["type"], "success")
        self.assertEqual(len(conn.xero_account_ids), 3)

    def test_refresh_from_xero_shows_xero_words(self):
        conn = self.connection

        class RefusingClient:
            def get_organisation(self):
                raise XeroValidationError(["The organisation is in read-only mode."])

        with patch.object(type(conn), "_xero_accounting_client", lambda self: RefusingClient()):
            with self.assertRaisesRegex(UserError, "The organisation is in read-only mode."):
                conn.action_refresh_from_xero()


@tagged("post_install", "-at_install")
class TestXeroSettings(XeroMappingCommon):

    def test_settings_open_the_page(self):
        settings = self.env["res.config.settings"].create({})
        self.assertEqual(settings.xero_connection_id, self.connection)
        self.assertEqual(settings.xero_connection_state, "draft")
        action = settings.action_open_xero_connection()
        self.assertEqual((action["res_model"], action["res_id"]),
                         ("xero.connection", self.connection.id))

    def test_settings_create_the_connection(self):
        company = self.env["res.company"].create({"name": "New Firm"})
        self.env.user.company_ids |= company
        settings = self.env["res.config.settings"].with_company(company).create({})
        self.assertFalse(settings.xero_connection_id)
        action = settings.action_open_xero_connection()
        connection = self.env["xero.connection"].browse(action["res_id"])
        self.assertEqual(connection.company_id, company)
        self.assertEqual(settings.action_open_xero_connection()["res_id"], connection.id)

    def test_trust_flag_on_journals(self):
        journal = self.company_data["default_journal_bank"]
        self.assertFalse(journal.is_trust_account)
        arch = journal.get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="is_trust_account"', arch)


@tagged("post_install", "-at_install")
class TestMappingTaxesCurrencies(XeroMappingRatesCommon):
    """Issue 9, point 3: the gaps between a mapped Xero tax rate or currency
    and Odoo's, named before anything is sent."""

    def test_tax_rate_differs_from_xero(self):
        tax = self.tax_sale_a
        tax.amount = 12.5
        self.assertGap(
            f"Tax {tax.display_name} is 12.5% in Odoo, but the Xero tax rate GST on Income (15%) "
            "it is mapped to is 15%: Xero would compute another tax.", "taxes")
        tax.amount = 15.0
        self.assertNoGap()
        row = self.connection.tax_map_ids.filtered(lambda r: r.tax_id == tax)
        row.xero_output_tax_id = self.xt["NONE"]
        self.assertGap(
            f"Tax {tax.display_name} is 15% in Odoo, but the Xero tax rate No GST (0%) it is "
            "mapped to is 0%: Xero would compute another tax.", "taxes")

    def test_tax_rate_must_apply_to_revenue_or_expenses(self):
        sale_row = self.connection.tax_map_ids.filtered(lambda r: r.tax_id == self.tax_sale_a)
        sale_row.xero_output_tax_id = self.xt["INPUT2"]
        self.assertGap(
            f"Tax {self.tax_sale_a.display_name} is mapped to Xero tax rate GST on Expenses (15%), "
            "which Xero does not allow on revenue (sales): choose an output tax.", "taxes")
        sale_row.xero_output_tax_id = self.xt["OUTPUT2"]
        purchase_row = self.connection.tax_map_ids.filtered(
            lambda r: r.tax_id == self.tax_purchase_a)
        purchase_row.xero_input_tax_id = self.xt["OUTPUT2"]
        self.assertGap(
            f"Tax {self.tax_purchase_a.display_name} is mapped to Xero tax rate GST on Income "
            "(15%), which Xero does not allow on expenses (purchases): choose an input tax.",
            "taxes")
        self.connection.sync_supplier_invoices = False
        self.assertNoGap()

    def test_base_currency_is_the_company_currency(self):
        company_currency = self.company.currency_id.name
        other = "EUR" if company_currency != "EUR" else "USD"
        organisation = self.xero_organisation_src
        organisation.base_currency = other
        self.connection._xero_store_reference(organisation=organisation)
        self.assertGap(
            f"The Xero organisation's base currency is {other} but the company's currency is "
            f"{company_currency}: connect the Xero organisation kept in {company_currency}.",
            "currencies")
        organisation.base_currency = company_currency
        self.connection._xero_store_reference(organisation=organisation)
        self.assertNoGap()

    def test_bank_journal_currency_is_its_xero_account_currency(self):
        journal = self.company_data["default_journal_bank"]
        company_currency = self.company.currency_id.name
        other = "EUR" if company_currency != "EUR" else "USD"
        chart = [a for a in self.xero_accounts_src if a.code != "090"] + [xero_account(
            "090", "Business Bank Account", "BANK", "ASSET", payments=True,
            account_id=self.xa["090"].xero_id, currency_code=other)]
        self.connection._xero_store_reference(accounts=chart)
        self.assertGap(
            f"Journal {journal.display_name} is in {company_currency} but its Xero bank account "
            f"090 – Business Bank Account is in {other}.", "accounts")
        # A journal kept in that currency is what the Xero account holds.
        journal.currency_id = self.env.ref(f"base.{other}").id
        journal.currency_id.active = True
        self.assertNoGap(
            f"Journal {journal.display_name} is in {company_currency} but its Xero bank account "
            f"090 – Business Bank Account is in {other}.")
