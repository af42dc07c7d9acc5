"""Trust transactions pushed to the Xero sandbox: each kind end to end, the
overdraw refused with nothing sent, nothing trust sent with "Trust
transactions" off, and each client's trust ledger equal to what Xero's trust
liability holds for that contact."""

from decimal import Decimal

from odoo.exceptions import AccessError, UserError
from odoo.tests import new_test_user, tagged

from .common_trust import TrustXeroCommon


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

    def test_posting_trust_transactions_wakes_the_push_once(self):
        self.forget_wakeups()
        receipt = self.trust("receipt", 1000.0, self.client_a, matter_ref="M-8")
        payment = self.trust("payment", 250.0, self.client_a, payee_id=self.client_b.id)
        self.assertEqual((receipt.xero_state, payment.xero_state), ("queued", "queued"))
        due, notified = self.push_wakeups()
        self.assertEqual(len(due), 1, "one trigger for now for the transaction")
        self.assertTrue(notified, "the commit wakes the cron workers")

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
        is not in "Xero: post documents" is told so, and queues nothing."""
        self.connection.sync_trust = False
        tx = self.trust("receipt", 100.0, self.client_a)
        self.assertFalse(self.jobs(tx))
        self.connection.sync_trust = True
        clerk = new_test_user(
            self.env, login="trust_clerk",
            groups="account.group_account_invoice,account_xero.group_trust_user",
            company_id=self.company.id, company_ids=[self.company.id])
        with self.assertRaisesRegex(AccessError, "Xero: post documents"):
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
