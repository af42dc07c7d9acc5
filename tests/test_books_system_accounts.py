"""Xero's system accounts beyond receivable and payable (Wages Payable,
Unpaid Expense Claims, Tracking Transfers, the revaluation accounts): what
Xero takes no line on is blocked before sending, naming the account and what
to map instead; Suggest mapping never proposes one by its name; the sandbox
refuses such lines as Xero does. One table says which (xero/system_accounts.py)."""

from datetime import date

from xero_python.accounting import (
    Contact,
    Invoice,
    LineAmountTypes,
    LineItem,
    ManualJournal,
    ManualJournalLine,
)

from odoo import Command
from odoo.tests import BaseCase, tagged

from ..xero import mapping, system_accounts
from .common import XeroPushCommon
from .common_sandbox import XeroClientCase


def xero_account(code, name, typ, klass, system=None):
    return {"code": code, "name": name, "type": typ, "class": klass, "system": system}


@tagged("post_install", "-at_install")
class TestSystemAccountTable(BaseCase):

    def test_suggest_never_maps_by_name_to_a_system_account_without_lines(self):
        chart = [xero_account("803", "Wages Payable", "CURRLIAB", "LIABILITY", "WAGEPAYABLES"),
                 xero_account("801", "Unpaid Expense Claims", "CURRLIAB", "LIABILITY",
                              "UNPAIDEXPCLM"),
                 xero_account("877", "Tracking Transfers", "CURRLIAB", "LIABILITY",
                              "TRACKINGTRANSFERS"),
                 xero_account("825", "PAYE Payable", "CURRLIAB", "LIABILITY")]
        for name, code in (("Wages Payable", "2300"), ("Unpaid expense claims", "801"),
                           ("Tracking transfers", "2310")):
            self.assertIsNone(mapping.suggest_account(
                {"code": code, "name": name, "group": "liability", "type": "liability_current"},
                chart), name)
        found = mapping.suggest_account({"code": "2320", "name": "PAYE payable",
                                         "group": "liability", "type": "liability_current"}, chart)
        self.assertEqual(found[0]["code"], "825")

    def test_every_role_goes_to_a_system_account_of_the_table(self):
        for role, (system, _reason) in mapping.ROLES.items():
            self.assertEqual(system_accounts.BY_CODE[system].role, role)
        self.assertFalse(system_accounts.takes_lines("WAGEPAYABLES"))
        self.assertTrue(system_accounts.takes_lines("GST"))
        self.assertTrue(system_accounts.takes_lines(None))


@tagged("post_install", "-at_install")
class TestSystemAccountsPush(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection.sync_entries = True
        # Xero's Wages Payable (AU's default chart has it as 803; the
        # sandbox's demo organisation has none): on the connection as
        # "Refresh from Xero" reads it, and in each test's organisation.
        cls.xero_wages = cls.env["xero.account"].create({
            "connection_id": cls.connection.id, "xero_id": "7e1c6c36-0000-4000-8000-000000000803",
            "code": "803", "name": "Wages Payable", "account_type": "CURRLIAB",
            "account_class": "LIABILITY", "xero_status": "ACTIVE",
            "system_account": "WAGEPAYABLES"})
        Account = cls.env["account.account"]
        cls.wages = Account.create({"name": "Wages payable", "code": "WAGP1",
                                    "account_type": "liability_current"})
        cls.claims = Account.create({"name": "Staff claims", "code": "CLM1",
                                     "account_type": "liability_current"})
        cls.env["xero.account.map"].create([
            {"connection_id": cls.connection.id, "account_id": cls.wages.id,
             "xero_account_id": cls.xero_wages.id},
            {"connection_id": cls.connection.id, "account_id": cls.claims.id,
             "xero_account_id": cls.xa["801"].id},
        ])

    def setUp(self):
        super().setUp()
        tenant = self.tenant()
        with self.srv.store.lock:
            tenant.accounts.append(dict(
                tenant.account_by_code("825"), AccountID=self.xero_wages.xero_id, Code="803",
                Name="Wages Payable", SystemAccount="WAGEPAYABLES"))

    def entry(self, journal, lines):
        move = self.env["account.move"].create({
            "move_type": "entry", "journal_id": journal.id, "date": "2025-06-30",
            "line_ids": [Command.create({"name": "Payroll", "account_id": account.id,
                                         "debit": max(amount, 0.0), "credit": max(-amount, 0.0)})
                         for account, amount in lines]})
        move.action_post()
        return move

    def test_wages_payable_entries_are_blocked_naming_what_to_map_instead(self):
        expense = self.company_data["default_account_expense"]
        accrual = self.entry(self.company_data["default_journal_misc"],
                             [(expense, 1000.0), (self.wages, -1000.0)])
        bank = self.company_data["default_journal_bank"]
        paid = self.entry(bank, [(self.wages, 1000.0), (bank.default_account_id, -1000.0)])
        self.push()
        for move in (accrual, paid):
            self.assertEqual(move.xero_state, "blocked", move.xero_error)
            self.assertIn(self.wages.display_name, move.xero_error)
            self.assertIn("Wages Payable", move.xero_error)
            self.assertIn("secondary current liability account", move.xero_error)
        self.assertFalse(self.xero_docs("ManualJournals"))
        self.assertFalse(self.xero_docs("BankTransactions"))

    def test_check_mapping_names_rows_on_system_accounts_without_lines(self):
        messages = [i["message"] for i in self.connection._get_mapping_issues()]
        wages = [m for m in messages if self.wages.display_name in m]
        self.assertEqual(len(wages), 1, messages)
        self.assertIn("Wages Payable", wages[0])
        self.assertTrue(any(self.claims.display_name in m for m in messages))
        receivable = self.company_data["default_account_receivable"]
        self.assertFalse([m for m in messages if receivable.display_name in m],
                         "a receivable account on Accounts Receivable is Xero's own")

    def test_bill_line_on_unpaid_expense_claims_is_blocked(self):
        bill = self.make_invoice("in_invoice", post=False)
        bill.invoice_line_ids.account_id = self.claims
        bill.action_post()
        self.push()
        self.assertEqual(bill.xero_state, "blocked", bill.xero_error)
        self.assertIn("Unpaid Expense Claims", bill.xero_error)
        self.assertFalse(self.xero_docs("Invoices"))


@tagged("post_install", "-at_install")
class TestSystemAccountsSandbox(XeroClientCase):
    """The sandbox refuses lines on the system accounts Xero refuses."""

    def journal(self, code):
        return ManualJournal(
            narration="x", date=date(2026, 6, 1), status="POSTED",
            line_amount_types=LineAmountTypes("NoTax"),
            journal_lines=[ManualJournalLine(line_amount=10.0, account_code="400"),
                           ManualJournalLine(line_amount=-10.0, account_code=code)])

    def test_manual_journal_and_invoice_lines_on_system_accounts(self):
        refused, historical, retained = self.api.create_manual_journals(
            [self.journal("801"), self.journal("840"), self.journal("960")], "sys-mj")
        self.assertFalse(refused.ok)
        self.assertIn("801", refused.message)
        self.assertTrue(historical.ok, historical.message)
        self.assertTrue(retained.ok, retained.message)
        contact = self.api.create_contacts([Contact(name="Sys Ltd")], "sys-c")[0].xero_id
        bill = Invoice(type="ACCPAY", contact=Contact(contact_id=contact), date=date(2026, 6, 1),
                       due_date=date(2026, 6, 30), status="AUTHORISED",
                       line_amount_types=LineAmountTypes("NoTax"),
                       line_items=[LineItem(description="x", quantity=1.0, unit_amount=10.0,
                                            account_code="877")])
        result = self.api.create_invoices([bill], "sys-i")[0]
        self.assertFalse(result.ok)
        self.assertIn("877", result.message)
