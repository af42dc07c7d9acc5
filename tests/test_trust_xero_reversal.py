"""Trust transactions in the Xero sandbox, continued: reversals through the
queue, trust transfers coded to Trust transfers, look-ups of bank transfers,
bank transactions and manual journals in doubt after a crash between Xero's
accept and our commit, and the ledger compared with Xero's bank
transactions client by client."""

from collections import defaultdict
from datetime import timedelta
from decimal import Decimal

from odoo import fields
from odoo.tests import tagged

from .common_trust import reverse_trust
from .common_trust import TrustXeroCommon


class Crash(Exception):
    pass


@tagged("post_install", "-at_install")
class TestTrustXeroReversal(TrustXeroCommon):

    # -- helpers ------------------------------------------------------------
    def bank_by_client(self):
        """{client name: Decimal}: per client, the sum of Xero's bank
        transactions on the trust bank account (RECEIVE in, SPEND out, of
        every coding) plus the bank transfers into and out of it made by that
        client's trust transactions (a BankTransfer has no contact: its
        Reference carries the trust transaction's number)."""
        bank_id = self.xero_account_id("095")  # the trust journal's mapping
        contacts = {c["ContactID"]: c["Name"] for c in self.xero_docs("Contacts")}
        result = defaultdict(Decimal)
        for bt in self.xero_docs("BankTransactions"):
            if bt["Status"] != "AUTHORISED" or bt.get("BankTransferID") \
                    or bt["BankAccount"] != bank_id:
                continue
            sign = 1 if bt["Type"] == "RECEIVE" else -1
            result[contacts[bt["Contact"]]] += sign * Decimal(str(bt["Total"]))
        txs = self.env["account.trust.transaction"].search([("state", "=", "posted")])
        for transfer in self.xero_docs("BankTransfers"):
            tx = txs.filtered(lambda t: t.name and transfer["Reference"].startswith(t.name + " "))
            self.assertEqual(len(tx), 1, transfer["Reference"])
            sign = -1 if transfer["FromBankAccount"] == bank_id else \
                1 if transfer["ToBankAccount"] == bank_id else 0
            result[tx.partner_id.name] += sign * Decimal(str(transfer["Amount"]))
        return {name: float(amount) for name, amount in result.items() if amount}

    def odoo_bank_by_client(self, journal=None):
        """{client name: float}: the trust ledger's balance less what the
        client owes the firm (paid by firm spends the firm's money from the
        trust bank, for the client; the reimbursement moves no money)."""
        journal = journal or self.trust_journal
        groups = self.env["account.trust.ledger"]._read_group(
            [("company_id", "=", self.company.id), ("journal_id", "=", journal.id)],
            ["partner_id"], ["balance:sum", "paid_by_firm:sum"])
        return {p.name: balance - owed for p, balance, owed in groups if balance - owed}

    def xero_client_money(self):
        """{client name: Decimal} of Xero's Trust liability (2800) and Trust
        transfers (2810) per contact: the client's trust balance in Xero."""
        contacts = {c["ContactID"]: c["Name"] for c in self.xero_docs("Contacts")}
        invoices = {i["InvoiceID"]: i for i in self.xero_docs("Invoices")}
        liability_id = self.xero_account_id("2800")
        result = defaultdict(Decimal)
        for bt in self.xero_docs("BankTransactions"):
            if bt["Status"] != "AUTHORISED" or bt.get("BankTransferID"):
                continue
            sign = 1 if bt["Type"] == "RECEIVE" else -1
            for line in bt["LineItems"]:
                if line["AccountCode"] in ("2800", "2810"):
                    result[contacts[bt["Contact"]]] += sign * Decimal(str(line["LineAmount"]))
        for pay in self.xero_docs("Payments"):
            if pay["Status"] == "AUTHORISED" and pay["Account"] == liability_id:
                result[contacts[invoices[pay["DocID"]]["Contact"]]] -= Decimal(str(pay["Amount"]))
        for journal in self.xero_docs("ManualJournals"):
            for line in journal["JournalLines"]:
                if line["AccountCode"] in ("2800", "2810"):
                    names = [n for n in contacts.values() if n in (line.get("Description") or "")]
                    self.assertEqual(len(names), 1, line)
                    result[names[0]] -= Decimal(str(line["LineAmount"]))
        return {name: float(amount) for name, amount in result.items() if amount}

    def puts(self, endpoint):
        return [r for r in self.api_requests()
                if r["tenant_id"] == self.xero_tenant_id
                and r["path"].endswith("/" + endpoint) and r["method"] in ("PUT", "POST")]

    def settle(self):
        for _i in range(4):
            self.push()
            pending = self.Job.search([("state", "=", "pending")])
            if not pending:
                break
            pending.sudo().next_try_at = fields.Datetime.now()

    def crash_after_accept(self, tx):
        """Send ``tx``'s job, let Xero accept it, then lose our commit."""
        jobs = self.Job._claim()
        job = self.jobs(tx)
        self.assertIn(job, jobs)
        with self.assertRaises(Crash), self.env.cr.savepoint():
            jobs._process()
            self.env.flush_all()
            raise Crash()
        self.env.invalidate_all()
        self.assertEqual(job.state, "sending")
        # Every job of the lost batch (the contact, the invoice payment too) is in doubt.
        jobs.sudo().sending_until = fields.Datetime.now() - timedelta(minutes=1)
        return job

    # -- reversals ------------------------------------------------------------
    def test_sent_receipt_reversed_by_a_spend(self):
        receipt = self.trust("receipt", 400.0, self.client_a, matter_ref="M-1")
        self.push()
        self.assertEqual(receipt.xero_state, "sent")
        reversal = self.env["account.trust.transaction"].browse(reverse_trust(receipt)["res_id"])
        self.assertEqual(self.jobs(reversal).depends_on_job_id, self.jobs(receipt))
        self.push()
        self.assertEqual(reversal.xero_state, "sent", reversal.xero_error)
        docs = {d["BankTransactionID"]: d for d in self.xero_docs("BankTransactions")}
        # The receipt stays in Xero (as in the trust records); the reversal mirrors it.
        self.assertEqual(docs[receipt.xero_id]["Status"], "AUTHORISED")
        spend = docs[reversal.xero_id]
        self.assertEqual((spend["Type"], spend["Total"]), ("SPEND", Decimal("400.00")))
        self.assertEqual([li["AccountCode"] for li in spend["LineItems"]], ["2800"])
        self.assertEqual(spend["Contact"], docs[receipt.xero_id]["Contact"])
        self.assertIn("Reversal of %s" % receipt.name, spend["LineItems"][0]["Description"])
        self.assertEqual(self.odoo_trust_ledger(), {})
        self.assertEqual(self.xero_client_money(), {})
        self.assertEqual(self.bank_by_client(), {})

    def test_reversed_before_it_reached_xero_sends_nothing(self):
        receipt = self.trust("receipt", 400.0, self.client_a)
        reversal = self.env["account.trust.transaction"].browse(reverse_trust(receipt)["res_id"])
        self.assertEqual(self.jobs(receipt).state, "cancelled")
        self.assertIn(reversal.name, self.jobs(receipt).error)
        self.assertFalse(self.jobs(reversal))
        self.push()
        self.assertEqual(self.trust_docs_count(), 0)
        self.assertEqual(receipt.xero_state, "not_sent")

    def test_transfer_to_office_reversed_in_xero(self):
        invoice = self.make_invoice(amounts=(200.0,), taxes=[], partner=self.client_a)
        self.trust("receipt", 500.0, self.client_a)
        transfer = self.trust("transfer_to_office", 200.0, self.client_a,
                              dest_journal_id=self.office_journal.id, invoice_id=invoice.id)
        self.settle()
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        payment_xero_id = transfer.payment_id.xero_id
        reverse_trust(transfer)
        self.settle()
        jobs = self.Job.search([("state", "not in", ("done",))])
        self.assertFalse(jobs, jobs.mapped(lambda j: (j.display_name, j.state, j.error)))
        transfers = self.xero_docs("BankTransfers")
        self.assertEqual(len(transfers), 2)
        back = [t for t in transfers if t["BankTransferID"] != transfer.xero_id][0]
        self.assertEqual((back["FromBankAccount"], back["ToBankAccount"], back["Amount"]),
                         (self.xero_account_id("090"), self.xero_account_id("095"),
                          Decimal("200.00")))
        self.assertEqual(self.xero_doc("Payments", payment_xero_id)["Status"], "DELETED")
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "AUTHORISED")
        self.assertEqual(self.odoo_trust_ledger(), {self.client_a.name: 500.0})
        self.assertEqual(self.xero_client_money(), {self.client_a.name: 500.0})
        self.assertEqual(self.bank_by_client(), {self.client_a.name: 500.0})

    # -- trust transfers ---------------------------------------------------
    def test_trust_transfer_between_clients(self):
        self.trust("receipt", 300.0, self.client_a, matter_ref="A-1")
        tx = self.trust("trust_transfer", 120.0, self.client_a, matter_ref="A-1",
                        dest_partner_id=self.client_b.id, dest_matter_ref="B-7")
        self.settle()
        self.assertEqual(tx.xero_state, "sent", tx.xero_error)
        pair = [d for d in self.xero_docs("BankTransactions")
                if d["BankTransactionID"] in tx.xero_id.split(",")]
        contacts = {c["ContactID"]: c["Name"] for c in self.xero_docs("Contacts")}
        self.assertEqual(sorted((d["Type"], contacts[d["Contact"]]) for d in pair),
                         [("RECEIVE", self.client_b.name), ("SPEND", self.client_a.name)])
        self.assertEqual({li["AccountCode"] for d in pair for li in d["LineItems"]}, {"2810"})
        self.assertEqual({d["BankAccount"] for d in pair}, {self.xero_account_id("095")})
        expected = {self.client_a.name: 180.0, self.client_b.name: 120.0}
        self.assertEqual(self.odoo_trust_ledger(), expected)
        self.assertEqual(self.xero_client_money(), expected)
        self.assertEqual(self.bank_by_client(), expected)

    # -- in doubt after a crash --------------------------------------------
    def test_bank_transfer_in_doubt_found_by_reference(self):
        invoice = self.make_invoice(amounts=(200.0,), taxes=[], partner=self.client_a)
        self.trust("receipt", 500.0, self.client_a)
        self.push()  # the contact, the invoice and the receipt
        transfer = self.trust("transfer_to_office", 200.0, self.client_a,
                              dest_journal_id=self.office_journal.id, invoice_id=invoice.id)
        job = self.crash_after_accept(transfer)
        self.assertEqual(len(self.xero_docs("BankTransfers")), 1)
        made = self.xero_docs("BankTransfers")[0]["BankTransferID"]
        self.settle()
        self.assertTrue(job.state == "done" and job.xero_id == made, (job.state, job.error))
        self.assertEqual(len(self.xero_docs("BankTransfers")), 1)
        self.assertEqual(len(self.puts("BankTransfers")), 1)
        self.assertEqual(transfer.payment_id.xero_state, "sent")

    def test_manual_journal_in_doubt_found_by_narration(self):
        self.trust("receipt", 500.0, self.client_a)
        self.push()
        deposit = self.trust("statutory_deposit", 200.0)
        job = self.crash_after_accept(deposit)
        self.assertEqual(len(self.xero_docs("ManualJournals")), 1)
        self.settle()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(len(self.xero_docs("ManualJournals")), 1)
        self.assertEqual(len(self.puts("ManualJournals")), 1)
        self.assertEqual(job.xero_id, self.xero_docs("ManualJournals")[0]["ManualJournalID"])

    def test_bank_transaction_pair_in_doubt(self):
        self.trust("receipt", 300.0, self.client_a)
        self.trust("receipt", 1.0, self.client_b)
        self.push()
        tx = self.trust("trust_transfer", 100.0, self.client_a, dest_partner_id=self.client_b.id)
        job = self.crash_after_accept(tx)
        self.settle()
        self.assertEqual(job.state, "done", job.error)
        made = [d for d in self.xero_docs("BankTransactions")
                if tx.name in (d.get("Reference") or "")]
        self.assertEqual(len(made), 2)
        self.assertEqual(set(job.xero_id.split(",")), {d["BankTransactionID"] for d in made})
        self.assertEqual(len(self.puts("BankTransactions")), 2)  # the receipts, then the pair

    def test_dropped_answers_make_no_duplicates(self):
        """Xero accepts, the connection drops: the replay (same
        Idempotency-Key) or the look-up finds what was made."""
        invoice = self.make_invoice(amounts=(100.0,), taxes=[], partner=self.client_a)
        self.trust("receipt", 500.0, self.client_a)
        self.settle()
        for path in ("*/BankTransfers", "*/ManualJournals", "*/BankTransactions"):
            self.srv.faults.fail_after_commit(path=path, then="drop")
        transfer = self.trust("transfer_to_office", 100.0, self.client_a,
                              dest_journal_id=self.office_journal.id, invoice_id=invoice.id)
        deposit = self.trust("statutory_deposit", 50.0)
        payment = self.trust("payment", 10.0, self.client_a)
        self.settle()
        for tx in (transfer, deposit, payment):
            self.assertEqual(tx.xero_state, "sent", tx.xero_error)
        self.assertEqual(len(self.xero_docs("BankTransfers")), 1)
        self.assertEqual(len(self.xero_docs("ManualJournals")), 1)
        self.assertEqual(len(self.xero_docs("BankTransactions")), 2 + 2)  # + the transfer's pair

    # -- the ledger, client by client ----------------------------------------
    def test_each_clients_ledger_equals_its_xero_bank_transactions(self):
        """Per client and trust account, the Odoo trust ledger equals the sum
        of the client's Xero bank transactions on the trust bank account
        (RECEIVE minus SPEND) plus the bank transfers out of it for the
        client, except for one kind that legitimately differs: paid by firm
        is a SPEND on the trust bank for the client that does not lower the
        client's trust balance (the firm's money paid), and the reimbursement
        lowers the balance without moving money (a manual journal). So the
        bank side equals the ledger's balance less what the client owes the
        firm. Statutory deposits (manual journals, no client) and the firm's
        own transfers into trust (contact: the firm) are no client's."""
        invoice = self.make_invoice(amounts=(200.0,), taxes=[], partner=self.client_a)
        self.trust("receipt", 1000.0, self.client_a, matter_ref="A-1")
        self.trust("payment", 120.0, self.client_a, payee_id=self.client_b.id)
        self.trust("bank_transfer", 100.0, journal_id=self.office_journal.id,
                   dest_journal_id=self.trust_journal.id)
        self.trust("paid_by_firm", 60.0, self.client_b)
        self.trust("receipt", 90.0, self.client_b, matter_ref="B-1")
        self.trust("firm_reimbursement", 40.0, self.client_b)
        self.trust("transfer_to_office", 200.0, self.client_a,
                   dest_journal_id=self.office_journal.id, invoice_id=invoice.id)
        self.trust("trust_transfer", 50.0, self.client_a, dest_partner_id=self.client_b.id)
        self.trust("statutory_deposit", 300.0)
        mistake = self.trust("receipt", 33.0, self.client_b)
        self.settle()
        reverse_trust(mistake)
        self.settle()
        jobs = self.Job.search([("state", "!=", "done")])
        self.assertFalse(jobs, jobs.mapped(lambda j: (j.display_name, j.state, j.error)))

        ledger = self.odoo_trust_ledger()
        self.assertEqual(ledger, {self.client_a.name: 630.0, self.client_b.name: 100.0})
        owed = {p.name: o for p, o in self.env["account.trust.ledger"]._read_group(
            [], ["partner_id"], ["paid_by_firm:sum"]) if o}
        self.assertEqual(owed, {self.client_b.name: 20.0})
        # Xero's bank transactions, client by client = ledger - owed to firm.
        bank = self.bank_by_client()
        self.assertEqual(bank.pop(self.client_a.name), 630.0)
        self.assertEqual(bank, {self.client_b.name: 80.0, self.company.partner_id.name: 100.0})
        expected = self.odoo_bank_by_client()
        expected[self.company.partner_id.name] = 100.0  # the firm's own money, no client's
        self.assertEqual(self.bank_by_client(), expected)
        # And Xero's Trust liability + Trust transfers per contact = the ledger itself.
        self.assertEqual(self.xero_client_money(), ledger)
