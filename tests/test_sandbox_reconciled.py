"""The sandbox refuses to delete what is reconciled in Xero (a bank
transaction, a bank transfer), as Xero does (xero_sandbox/banking.py,
``_refuse_reconciled``, with its sources); the add-on blocks such a
deletion with what to do rather than fail on Xero's refusal."""

from decimal import Decimal

from odoo import Command
from odoo.tests import tagged

from .common import XeroPushCommon
from .common_sandbox import SandboxCase

DELETE = {"Status": "DELETED"}


@tagged("post_install", "-at_install")
class TestSandboxReconciledDeletes(SandboxCase):

    def _ok(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def receive(self, reconciled):
        contact = self.contact("Bank Ltd %s" % reconciled)
        return self._ok(self.put("/BankTransactions", {"BankTransactions": [{
            "Type": "RECEIVE", "Contact": {"ContactID": contact["ContactID"]},
            "BankAccount": {"Code": "090"}, "Date": "2026-11-20", "IsReconciled": reconciled,
            "LineItems": [{"Description": "Interest", "LineAmount": 30, "AccountCode": "270"}],
        }]}))["BankTransactions"][0]

    def transfer(self, **reconciled):
        return self._ok(self.put("/BankTransfers", {"BankTransfers": [dict({
            "FromBankAccount": {"Code": "090"}, "ToBankAccount": {"Code": "091"},
            "Amount": 7, "Date": "2026-11-26"}, **reconciled)]}))["BankTransfers"][0]

    def test_reconciled_bank_transaction_is_not_deleted(self):
        bt = self.receive(True)
        path = "/BankTransactions/%s" % bt["BankTransactionID"]
        r = self.post(path, {"BankTransactions": [dict(DELETE, BankTransactionID=bt["BankTransactionID"])]})
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("reconciled", r.text)
        self.assertEqual(self._ok(self.get(path))["BankTransactions"][0]["Status"], "AUTHORISED")
        # Not reconciled: deleted.
        bt = self.receive(False)
        path = "/BankTransactions/%s" % bt["BankTransactionID"]
        self._ok(self.post(path, {"BankTransactions": [dict(DELETE, BankTransactionID=bt["BankTransactionID"])]}))
        self.assertEqual(self._ok(self.get(path))["BankTransactions"][0]["Status"], "DELETED")

    def test_reconciled_transfer_is_not_deleted(self):
        for side in ("FromIsReconciled", "ToIsReconciled"):
            transfer = self.transfer(**{side: True})
            self.assertIs(transfer[side], True)
            r = self.post("/BankTransfers/%s" % transfer["BankTransferID"], DELETE)
            self.assertEqual(r.status_code, 400, r.text)
            self.assertIn("reconciled", r.text)
            got = self._ok(self.get("/BankTransfers/%s" % transfer["BankTransferID"]))
            self.assertEqual(got["BankTransfers"][0]["Status"], "AUTHORISED", side)
        transfer = self.transfer()
        deleted = self._ok(self.post("/BankTransfers/%s" % transfer["BankTransferID"], DELETE))
        self.assertEqual(deleted["BankTransfers"][0]["Status"], "DELETED")


@tagged("post_install", "-at_install")
class TestPushReconciledInXero(XeroPushCommon):

    def test_transfer_reconciled_in_xero_is_blocked_not_failed(self):
        bank = self.company_data["default_journal_bank"]
        cash = self.company_data["default_journal_cash"]
        self.env["xero.account.map"].search([
            ("connection_id", "=", self.connection.id),
            ("account_id", "=", cash.default_account_id.id)]).write(
            {"xero_account_id": self.xa["091"].id})
        move = self.env["account.move"].create({
            "move_type": "entry", "journal_id": bank.id, "date": "2025-06-15",
            "line_ids": [
                Command.create({"name": "Out", "account_id": bank.default_account_id.id,
                                "credit": 500.0}),
                Command.create({"name": "In", "account_id": cash.default_account_id.id,
                                "debit": 500.0}),
            ],
        })
        move.action_post()
        self.push()
        self.assertEqual(move.xero_state, "sent", move.xero_error)
        [transfer] = self.xero_docs("BankTransfers")
        self.assertEqual(transfer["Amount"], Decimal("500.00"))
        # The user reconciles it in Xero with the bank's statement line.
        with self.srv.store.lock:
            docs = self.tenant().docs["BankTransfers"]
            key = transfer["BankTransferID"].lower()
            docs[key] = dict(docs[key], FromIsReconciled=True)
        move.button_draft()
        self.push()
        self.assertEqual(move.xero_state, "blocked")
        self.assertIn("Unreconcile it in Xero", move.xero_error)
        self.assertEqual(self.xero_docs("BankTransfers")[0]["Status"], "AUTHORISED")
        # Unreconciled in Xero, retried: deleted.
        with self.srv.store.lock:
            docs = self.tenant().docs["BankTransfers"]
            docs[key] = dict(docs[key], FromIsReconciled=False)
        self.jobs(move, "void").action_retry()
        self.push()
        self.assertEqual(move.xero_state, "voided", move.xero_error)
        self.assertEqual(self.xero_docs("BankTransfers")[0]["Status"], "DELETED")
