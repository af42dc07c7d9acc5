"""Entries that mix what Xero models separately: a bank entry that is a
transfer between two bank accounts plus a fee is not sent as one spend with
a line on the other bank account (which Xero refuses); it is blocked before
sending, saying how to record it."""

from odoo import Command
from odoo.tests import tagged

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestBooksMixedEntries(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.connection.sync_entries = True
        cls.bank = cls.company_data["default_journal_bank"]
        cls.cash = cls.company_data["default_journal_cash"]
        Map = cls.env["xero.account.map"]
        # Two bank accounts in Xero: the cash journal's is the savings one.
        Map.search([("connection_id", "=", cls.connection.id),
                    ("account_id", "=", cls.cash.default_account_id.id)]).write(
            {"xero_account_id": cls.xa["091"].id})
        cls.fees = cls.env["account.account"].create(
            {"name": "Bank fees", "code": "BFEE9", "account_type": "expense"})
        Map.create({"connection_id": cls.connection.id, "account_id": cls.fees.id,
                    "xero_account_id": cls.xa["404"].id})

    def entry(self, lines):
        move = self.env["account.move"].create({
            "move_type": "entry", "journal_id": self.bank.id, "date": "2025-06-15",
            "line_ids": [Command.create({"name": "Transfer", "account_id": account.id,
                                         "debit": max(amount, 0.0), "credit": max(-amount, 0.0)})
                         for account, amount in lines]})
        move.action_post()
        return move

    def test_transfer_plus_fee_is_blocked_before_sending(self):
        move = self.entry([(self.bank.default_account_id, -1010.0),
                           (self.cash.default_account_id, 1000.0), (self.fees, 10.0)])
        before = len(self._puts("BankTransactions"))
        self.push()
        self.assertEqual(move.xero_state, "blocked", move.xero_error)
        self.assertIn("bank transfer and a spend or receive money separately", move.xero_error)
        self.assertIn(self.cash.default_account_id.display_name, move.xero_error)
        self.assertIn(self.fees.display_name, move.xero_error)
        self.assertEqual(len(self._puts("BankTransactions")), before, "nothing Xero refuses is sent")
        # The same money as two entries goes: a transfer and a spend.
        transfer = self.entry([(self.bank.default_account_id, -1000.0),
                               (self.cash.default_account_id, 1000.0)])
        fee = self.entry([(self.bank.default_account_id, -10.0), (self.fees, 10.0)])
        self.push()
        self.assertEqual((transfer.xero_state, fee.xero_state), ("sent", "sent"),
                         transfer.xero_error or fee.xero_error)
        self.assertEqual(len(self.xero_docs("BankTransfers")), 1)
