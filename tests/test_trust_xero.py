"""Trust transactions pushed to the Xero sandbox: each kind end to end, the
overdraw refused with nothing sent, nothing trust sent with "Trust
transactions" off, and each client's trust ledger equal to what Xero's trust
liability holds for that contact."""

import copy
import uuid
from collections import defaultdict
from decimal import Decimal

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .test_push_common import XeroPushCommon
from .test_trust_accounting import create_trust_accounts, set_trust_accounts, trust_vals

TRUST_CHART = [
    # code, name, Type, Class, EnablePaymentsToAccount
    ("095", "Trust Account", "BANK", "ASSET", False),
    ("2800", "Trust Liability", "CURRLIAB", "LIABILITY", True),
    ("2810", "Trust Transfers", "CURRLIAB", "LIABILITY", True),
    ("1290", "Trust Paid by Firm", "CURRENT", "ASSET", True),
    ("1295", "Statutory Deposit Account", "CURRENT", "ASSET", False),
    ("1299", "Bank Transfers", "CURRENT", "ASSET", False),
]


class TrustXeroCommon(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_trust_chart(cls.xero_tenant_id)
        cls.connection.action_refresh_from_xero()
        cls.xa = {a.code: a for a in cls.connection.xero_account_ids if a.code}

        create_trust_accounts(cls)
        cls.trust_journal = cls.env["account.journal"].create({
            "name": "Trust Account", "code": "TRST", "type": "bank", "xero_is_trust": True})
        cls.office_journal = cls.company_data["default_journal_bank"]
        for account, code in (
            (cls.trust_liability, "2800"), (cls.trust_transfers, "2810"),
            (cls.paid_by_firm, "1290"), (cls.statutory_deposit, "1295"),
            (cls.trust_journal.default_account_id, "095"),
        ):
            cls.env["xero.account.map"].create({
                "connection_id": cls.connection.id, "account_id": account.id,
                "xero_account_id": cls.xa[code].id})
        cls.company = cls.connection.company_id
        set_trust_accounts(cls)
        cls.connection.write({
            "sync_trust": True,
            "bank_transfer_xero_account_id": cls.xa["1299"].id,
        })
        cls.client_a = cls.partner_a
        cls.client_b = cls.partner_b

    @classmethod
    def _add_trust_chart(cls, tenant_id):
        """The trust accounts a law firm adds to Xero's chart of accounts."""
        tenant = cls.srv.store.tenant(tenant_id)
        template = tenant.account_by_code("090")
        for code, name, typ, klass, payments in TRUST_CHART:
            acc = copy.deepcopy(template)
            acc.update({
                "AccountID": str(uuid.uuid4()), "Code": code, "Name": name, "Type": typ,
                "Class": klass, "EnablePaymentsToAccount": payments, "TaxType": "NONE",
            })
            if typ != "BANK":
                for key in ("BankAccountNumber", "BankAccountType", "CurrencyCode"):
                    acc.pop(key, None)
            tenant.accounts.append(acc)

    def setUp(self):
        super().setUp()
        # The push tests give each test a fresh organisation: add the trust chart.
        self._add_trust_chart(self.xero_tenant_id)

    def xero_account_id(self, code):
        """The AccountID of ``code`` in this test's organisation."""
        return self.srv.store.tenant(self.xero_tenant_id).account_by_code(code)["AccountID"]

    def trust(self, kind, amount, partner=None, post=True, **vals):
        tx = self.env["account.trust.transaction"].create({
            "kind": kind, "amount": amount, "partner_id": partner.id if partner else False,
            "journal_id": self.trust_journal.id, "date": "2025-06-05",
            **trust_vals(self.env, kind, partner, vals)})
        if post:
            tx.action_post()
        return tx

    def trust_docs_count(self):
        return sum(len(self.xero_docs(kind))
                   for kind in ("BankTransactions", "BankTransfers", "ManualJournals"))

    def xero_trust_ledger(self):
        """{contact name: Decimal} of Xero's Trust liability (2800) per
        contact: bank transaction lines coded to it (RECEIVE in, SPEND out),
        invoice payments made from it, and manual journal lines on it (their
        description names the client)."""
        liability_id = self.xero_account_id("2800")
        contacts = {c["ContactID"]: c["Name"] for c in self.xero_docs("Contacts")}
        invoices = {i["InvoiceID"]: i for i in self.xero_docs("Invoices")}
        ledger = defaultdict(Decimal)
        for bt in self.xero_docs("BankTransactions"):
            if bt["Status"] != "AUTHORISED" or bt.get("BankTransferID"):
                continue
            sign = 1 if bt["Type"] == "RECEIVE" else -1
            for line in bt["LineItems"]:
                if line["AccountCode"] == "2800":
                    ledger[contacts[bt["Contact"]]] += sign * Decimal(str(line["LineAmount"]))
        for pay in self.xero_docs("Payments"):
            if pay["Status"] == "AUTHORISED" and pay["Account"] == liability_id:
                invoice = invoices[pay["DocID"]]
                ledger[contacts[invoice["Contact"]]] -= Decimal(str(pay["Amount"]))
        for journal in self.xero_docs("ManualJournals"):
            for line in journal["JournalLines"]:
                if line["AccountCode"] != "2800":
                    continue
                names = [n for n in contacts.values() if n in (line.get("Description") or "")]
                self.assertEqual(len(names), 1, line)
                ledger[names[0]] -= Decimal(str(line["LineAmount"]))
        return {name: float(amount) for name, amount in ledger.items() if amount}

    def odoo_trust_ledger(self):
        groups = self.env["account.trust.ledger"]._read_group(
            [("company_id", "=", self.company.id)], ["partner_id"], ["balance:sum"])
        return {partner.name: balance for partner, balance in groups if balance}


@tagged("post_install", "-at_install")
class TestTrustXero(TrustXeroCommon):

    def test_receipt_and_payment_are_bank_transactions(self):
        receipt = self.trust("receipt", 1000.0, self.client_a, matter_ref="M-7")
        payment = self.trust("payment", 250.0, self.client_a, payee_id=self.client_b.id)
        self.assertEqual(self.jobs(receipt).operation, "bank_transaction")
        self.assertEqual(receipt.xero_state, "queued")
        self.push()
        self.assertEqual((receipt.xero_state, payment.xero_state), ("sent", "sent"))
        docs = {d["BankTransactionID"]: d for d in self.xero_docs("BankTransactions")}
        got = docs[receipt.xero_id]
        self.assertEqual(got["Type"], "RECEIVE")
        self.assertEqual(got["BankAccount"], self.xero_account_id("095"))
        self.assertEqual(got["Total"], Decimal("1000.00"))
        self.assertEqual([li["AccountCode"] for li in got["LineItems"]], ["2800"])
        self.assertIn("M-7", got["LineItems"][0]["Description"])
        self.assertIn(receipt.name, got["Reference"])
        contact = self.client_a._xero_binding(self.connection).xero_id
        self.assertEqual(got["Contact"], contact)
        spent = docs[payment.xero_id]
        self.assertEqual((spent["Type"], spent["Total"]), ("SPEND", Decimal("250.00")))
        self.assertEqual(self.xero_trust_ledger(), self.odoo_trust_ledger())
        self.assertEqual(self.odoo_trust_ledger(), {self.client_a.name: 750.0})

    def test_each_kind_end_to_end_and_ledgers_agree(self):
        invoice = self.make_invoice(amounts=(200.0,), taxes=[], partner=self.client_a)
        txs = self.env["account.trust.transaction"]
        txs |= self.trust("receipt", 1000.0, self.client_a, matter_ref="A-1")
        txs |= self.trust("payment", 120.0, self.client_a, payee_id=self.client_b.id)
        own = self.trust("bank_transfer", 60.0, journal_id=self.office_journal.id,
                         dest_journal_id=self.trust_journal.id)
        txs |= own
        txs |= self.trust("paid_by_firm", 60.0, self.client_b, payee_id=self.client_a.id)
        txs |= self.trust("receipt", 90.0, self.client_b, matter_ref="B-1")
        txs |= self.trust("firm_reimbursement", 60.0, self.client_b)
        transfer = self.trust("transfer_to_office", 200.0, self.client_a,
                              dest_journal_id=self.office_journal.id, invoice_id=invoice.id)
        txs |= transfer
        txs |= self.trust("statutory_deposit", 300.0)
        txs |= self.trust("statutory_withdrawal", 100.0)
        self.push()
        self.push()
        jobs = self.Job.search([("res_model", "=", "account.trust.transaction")])
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error"))
        self.assertEqual(set(txs.mapped("xero_state")), {"sent"})

        # Trust to office: a bank transfer, and the invoice paid from trust liability.
        transfers = self.xero_docs("BankTransfers")
        self.assertEqual(len(transfers), 1)
        self.assertEqual(transfers[0]["BankTransferID"], transfer.xero_id)
        self.assertEqual(transfers[0]["FromBankAccount"], self.xero_account_id("095"))
        self.assertEqual(transfers[0]["ToBankAccount"], self.xero_account_id("090"))
        self.assertEqual(transfers[0]["Amount"], Decimal("200.00"))
        self.assertEqual(transfer.payment_id.xero_state, "sent")
        pay = [p for p in self.xero_docs("Payments") if p["PaymentID"] == transfer.payment_id.xero_id]
        self.assertEqual(pay[0]["Account"], self.xero_account_id("2800"))
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")

        # Own money between bank accounts: through the bank transfers account.
        pair = [d for d in self.xero_docs("BankTransactions")
                if d["BankTransactionID"] in own.xero_id.split(",")]
        self.assertEqual(sorted(d["Type"] for d in pair), ["RECEIVE", "SPEND"])
        self.assertEqual({li["AccountCode"] for d in pair for li in d["LineItems"]}, {"1299"})

        # Statutory deposit moves and the reimbursement: balanced manual journals.
        journals = self.xero_docs("ManualJournals")
        self.assertEqual(len(journals), 3)
        for journal in journals:
            self.assertEqual(journal["Status"], "POSTED")
            self.assertEqual(sum(li["LineAmount"] for li in journal["JournalLines"]), 0)
        deposit = [j for j in journals if "Statutory deposit" in j["Narration"]][0]
        self.assertEqual({li["AccountCode"]: li["LineAmount"] for li in deposit["JournalLines"]},
                         {"1295": Decimal("300.00"), "095": Decimal("-300.00")})

        # Every client's trust ledger equals what Xero holds for the contact.
        self.assertEqual(self.odoo_trust_ledger(),
                         {self.client_a.name: 680.0, self.client_b.name: 30.0})
        self.assertEqual(self.xero_trust_ledger(), self.odoo_trust_ledger())

    def test_overdraw_refused_nothing_sent(self):
        self.trust("receipt", 100.0, self.client_a)
        self.push()
        before = self.trust_docs_count()
        tx = self.trust("payment", 150.0, self.client_a, post=False)
        with self.assertRaisesRegex(UserError, "overdraw"):
            tx.action_post()
        self.assertFalse(self.jobs(tx))
        self.push()
        self.assertEqual(self.trust_docs_count(), before)
        self.assertEqual(tx.xero_state, "not_sent")

    def test_post_to_xero_of_a_trust_transaction_needs_the_group(self):
        """"Post to Xero" is one action on every document: a trust user who
        is not in "Xero: post documents" queues nothing for Xero."""
        self.connection.sync_trust = False
        tx = self.trust("receipt", 100.0, self.client_a)
        self.assertFalse(self.jobs(tx))
        self.connection.sync_trust = True
        clerk = new_test_user(
            self.env, login="trust_clerk",
            groups="account.group_account_invoice,account_xero.group_trust_user",
            company_id=self.company.id, company_ids=[self.company.id])
        with self.assertRaises(AccessError):
            tx.with_user(clerk).action_xero_post()
        self.assertFalse(self.jobs(tx))
        tx.action_xero_post()
        self.assertEqual(tx.xero_state, "queued")

    def test_trust_off_nothing_trust_sent(self):
        self.connection.sync_trust = False
        invoice = self.make_invoice(amounts=(50.0,), taxes=[], partner=self.client_a)
        self.trust("receipt", 100.0, self.client_a)
        transfer = self.trust("transfer_to_office", 50.0, self.client_a,
                              dest_journal_id=self.office_journal.id, invoice_id=invoice.id)
        self.trust("statutory_deposit", 20.0)
        self.push()
        self.assertFalse(self.Job.search([("res_model", "=", "account.trust.transaction")]))
        self.assertEqual(self.trust_docs_count(), 0)
        # The invoice's payment is ordinary sales sync: from the office bank.
        pay = [p for p in self.xero_docs("Payments")
               if p["PaymentID"] == transfer.payment_id.xero_id]
        self.assertEqual(pay[0]["Account"], self.xero_account_id("090"))

    def test_missing_mapping_blocks_with_its_name(self):
        self.env["xero.account.map"].search([
            ("connection_id", "=", self.connection.id),
            ("account_id", "=", self.trust_liability.id)]).unlink()
        self.connection._invalidate_maps_cache()
        tx = self.trust("receipt", 10.0, self.client_a)
        self.push()
        self.assertEqual(tx.xero_state, "blocked")
        self.assertIn("Trust Liability", tx.xero_error)
        self.assertEqual(self.trust_docs_count(), 0)
