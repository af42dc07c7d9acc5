"""Journal entries that are neither invoices nor payments, pushed to the Xero
sandbox: a miscellaneous entry as a manual journal (narration, reference,
tax, tracking), bank fees and interest as bank transactions, a transfer
between two bank accounts as a bank transfer, a tax payment on the GST
account; what is left out (journals not chosen, tax closings, invoices and
payments' own entries) and the void of an entry reset to draft."""

from datetime import date
from decimal import Decimal

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import BaseCase, tagged

from ..xero import payloads, payloads_bank, payloads_move
from .common import XeroPushCommon

SMITH = "M-1001 Smith v Jones"


@tagged("post_install", "-at_install")
class TestEntryPayloads(BaseCase):
    """The builders refuse what Xero would refuse, before any request."""

    def line(self, amount, code="400", **kw):
        return payloads_move.EntryLine("x", amount, code, **kw)

    def test_manual_journal_balances_tax_included(self):
        values = payloads_move.EntryJournalValues(
            "MISC/1 [k]", date(2025, 6, 1), "Exclusive",
            [self.line(100.0, tax_type="INPUT2", tax_amount=15.0),
             self.line(-115.0, "825", tax_type="NONE")])
        body = payloads.to_dict(payloads_move.build_entry_manual_journal(values))
        self.assertEqual(body["Status"], "POSTED")
        self.assertEqual([(l["LineAmount"], l["TaxType"]) for l in body["JournalLines"]],
                         [(100.0, "INPUT2"), (-115.0, "NONE")])
        values.lines[1].amount = -100.0
        with self.assertRaisesRegex(ValueError, "balance"):
            payloads_move.build_entry_manual_journal(values)
        values.lines = values.lines[:1]
        with self.assertRaisesRegex(ValueError, "two lines"):
            payloads_move.build_entry_manual_journal(values)

    def test_bank_transaction_lines_may_be_negative_not_the_total(self):
        bank = payloads_bank.AccountRef(None, "090")
        values = payloads_move.EntryBankValues(
            "SPEND", "c1", bank, date(2025, 6, 1), "ref", "NoTax",
            [self.line(50.0), self.line(-20.0)])
        body = payloads.to_dict(payloads_move.build_entry_bank_transaction(values))
        self.assertEqual([l["UnitAmount"] for l in body["LineItems"]], [50.0, -20.0])
        self.assertEqual(body["BankAccount"]["Code"], "090")
        values.lines = [self.line(-5.0)]
        with self.assertRaisesRegex(ValueError, "positive total"):
            payloads_move.build_entry_bank_transaction(values)

    def test_undo_bodies(self):
        self.assertEqual(payloads.to_dict(payloads_move.build_delete_bank_transfer()),
                         {"Status": "DELETED"})
        void = payloads.to_dict(payloads_move.build_void_manual_journal("id-1", "MISC/1"))
        self.assertEqual((void["Status"], void["Narration"]), ("VOIDED", "MISC/1"))


@tagged("post_install", "-at_install")
class TestPushMoves(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        conn = cls.connection
        cls.misc_journal = cls.company_data["default_journal_misc"]
        cls.bank_journal = cls.company_data["default_journal_bank"]
        cls.cash_journal = cls.company_data["default_journal_cash"]
        Account = cls.env["account.account"]
        cls.accrual = Account.create({
            "name": "Accrued expenses", "code": "ACCR1", "account_type": "liability_current"})
        cls.bank_fees = Account.create({
            "name": "Bank fees", "code": "BFEE1", "account_type": "expense"})
        cls.interest = Account.create({
            "name": "Interest received", "code": "INTR1", "account_type": "income_other"})
        Map = cls.env["xero.account.map"]
        Map.create([
            {"connection_id": conn.id, "account_id": cls.accrual.id,
             "xero_account_id": cls.xa["825"].id},
            {"connection_id": conn.id, "account_id": cls.bank_fees.id,
             "xero_account_id": cls.xa["404"].id},
            {"connection_id": conn.id, "account_id": cls.interest.id,
             "xero_account_id": cls.xa["270"].id},
        ])
        # Two business bank accounts in Xero: the cash journal's is the savings one.
        Map.search([("connection_id", "=", conn.id),
                    ("account_id", "=", cls.cash_journal.default_account_id.id)]).write(
            {"xero_account_id": cls.xa["091"].id})
        # The tax accounts are Xero's GST account (the seed: "all Sales Tax
        # accounts can be mapped to the Sales Tax account").
        cls.tax_sale_account = cls.company_data["default_account_tax_sale"]
        cls.tax_purchase_account = cls.company_data["default_account_tax_purchase"]
        Map.search([("connection_id", "=", conn.id), ("account_id", "in", (
            cls.tax_sale_account | cls.tax_purchase_account).ids)]).write(
            {"xero_account_id": cls.xa["820"].id})
        # Matters tracked in Xero.
        cls.matters = cls.env["account.analytic.plan"].create({"name": "Matters"})
        cls.smith = cls.env["account.analytic.account"].create(
            {"name": "Smith v Jones", "plan_id": cls.matters.id})
        categories = {c.name: c for c in conn.xero_tracking_category_ids}
        options = {o.name: o for o in conn.xero_tracking_option_ids}
        cls.env["xero.tracking.category.map"].create({
            "connection_id": conn.id, "plan_id": cls.matters.id,
            "xero_category_id": categories["Matter"].id})
        cls.env["xero.tracking.map"].create({
            "connection_id": conn.id, "analytic_account_id": cls.smith.id,
            "xero_option_id": options[SMITH].id})

    # -- helpers ------------------------------------------------------------
    def entry(self, journal, lines, ref=False, narration=False, post=True, date="2025-06-15"):
        """A journal entry of ``lines`` [(account, debit - credit, extra vals)]."""
        move = self.env["account.move"].create({
            "move_type": "entry", "journal_id": journal.id, "date": date, "ref": ref,
            "narration": narration,
            "line_ids": [Command.create({
                "name": "%s line" % account.name, "account_id": account.id,
                "debit": max(amount, 0.0), "credit": max(-amount, 0.0), **extra})
                for account, amount, extra in lines],
        })
        if post:
            move.action_post()
        return move

    def bank_entry(self, journal, account, amount, **kw):
        """Money in (amount > 0) or out of ``journal``'s bank account, the
        other side on ``account``."""
        return self.entry(journal, [(journal.default_account_id, amount, {}),
                                    (account, -amount, {})], **kw)

    def sent(self, move, operation):
        self.push()
        self.assertEqual(move.xero_state, "sent", move.xero_error)
        job = self.jobs(move, operation)[-1:]
        self.assertEqual(job.state, "done")
        return job.xero_id

    def doc(self, kind, key, xero_id):
        return next(d for d in self.xero_docs(kind) if d[key] == xero_id)

    # -- manual journals ----------------------------------------------------
    def test_misc_entry_is_a_manual_journal(self):
        move = self.entry(self.misc_journal, [
            (self.company_data["default_account_expense"], 100.0, {
                "tax_ids": [Command.set(self.tax_purchase_a.ids)],
                "analytic_distribution": {str(self.smith.id): 100.0}}),
            (self.accrual, -115.0, {}),
        ], ref="ACCR-06", narration="<p>June cleaning accrual</p>")
        self.assertEqual(len(move.line_ids), 3, "Odoo's tax line")
        self.assertEqual(self.jobs(move).operation, "manual_journal")
        self.assertEqual(move.xero_state, "queued")
        xero_id = self.sent(move, "manual_journal")
        journal = self.doc("ManualJournals", "ManualJournalID", xero_id)
        self.assertEqual(journal["Status"], "POSTED")
        self.assertIn(move.name, journal["Narration"])
        self.assertIn("ACCR-06", journal["Narration"])
        self.assertIn("June cleaning accrual", journal["Narration"])
        self.assertEqual(journal["LineAmountTypes"], "Exclusive")
        lines = {li["AccountCode"]: li for li in journal["JournalLines"]}
        self.assertEqual(set(lines), {"400", "825"}, "the tax goes through Xero's own GST")
        self.assertEqual(lines["400"]["TaxType"], "INPUT2")
        self.assertEqual(lines["400"]["TaxAmount"], Decimal("15.00"))
        self.assertEqual(lines["825"]["LineAmount"], Decimal("-115.00"))
        self.assertEqual([(t["Name"], t["Option"]) for t in lines["400"]["Tracking"]],
                         [("Matter", SMITH)])

    def test_entry_line_with_a_tax_xero_does_not_take_there_is_blocked(self):
        """A bank fee coded with the sales tax: Xero takes no output tax on
        an expense account (TaxRate CanApplyToExpenses false) and would
        refuse the SPEND. Blocked before sending, naming the item, the
        account and the tax (the class of issue 23's credit notes coded by
        Odoo to the contact's other kind of account)."""
        move = self.entry(self.bank_journal, [
            (self.bank_fees, 10.0, {"tax_ids": [Command.set(self.tax_sale_a.ids)]}),
            (self.bank_journal.default_account_id, -11.5, {}),
        ])
        self.push()
        self.assertEqual(move.xero_state, "blocked", move.xero_error)
        for words in (self.bank_fees.display_name, self.tax_sale_a.name, "OUTPUT2", "expense"):
            self.assertIn(words, move.xero_error)
        self.assertFalse(self.xero_docs("BankTransactions"))

    def test_tax_closing_and_unchosen_journal_are_not_sent(self):
        closing = self.entry(self.misc_journal, [
            (self.tax_sale_account, 40.0, {}), (self.tax_purchase_account, -40.0, {})])
        self.assertFalse(self.jobs(closing))
        self.assertEqual(closing.xero_state, "not_sent")
        self.connection.entry_journal_ids = self.bank_journal
        adjustment = self.entry(self.misc_journal, [
            (self.company_data["default_account_expense"], 10.0, {}), (self.accrual, -10.0, {})])
        self.assertFalse(self.jobs(adjustment))
        fee = self.bank_entry(self.bank_journal, self.bank_fees, -5.0)
        self.assertEqual(self.jobs(fee).operation, "bank_transaction")
        # With the option off, the tax closing goes like any entry.
        self.connection.write({"entry_journal_ids": [Command.clear()],
                               "entry_exclude_tax_closing": False})
        closing2 = self.entry(self.misc_journal, [
            (self.tax_sale_account, 40.0, {}), (self.tax_purchase_account, -40.0, {})])
        self.assertEqual(self.jobs(closing2).operation, "manual_journal")

    def test_posting_entries_wakes_the_push_once(self):
        self.forget_wakeups()
        accrual = self.entry(self.misc_journal, [
            (self.company_data["default_account_expense"], 10.0, {}), (self.accrual, -10.0, {})])
        fee = self.bank_entry(self.bank_journal, self.bank_fees, -5.0)
        self.assertEqual((accrual.xero_state, fee.xero_state), ("queued", "queued"))
        due, notified = self.push_wakeups()
        self.assertEqual(len(due), 1, "one trigger for now for the transaction")
        self.assertTrue(notified, "the commit wakes the cron workers")

    def test_entry_on_receivable_is_blocked_with_the_reason(self):
        move = self.entry(self.misc_journal, [
            (self.company_data["default_account_receivable"], 20.0,
             {"partner_id": self.partner_a.id}),
            (self.accrual, -20.0, {})])
        self.push()
        self.assertEqual(move.xero_state, "blocked")
        self.assertIn("Accounts Receivable", move.xero_error)
        self.assertFalse(self.xero_docs("ManualJournals"))

    # -- bank entries ---------------------------------------------------------
    def test_bank_fee_is_spend_and_interest_is_receive(self):
        fee = self.bank_entry(self.bank_journal, self.bank_fees, -12.5, ref="Monthly fee")
        interest = self.bank_entry(self.bank_journal, self.interest, 30.0)
        self.assertEqual(self.jobs(fee).operation, "bank_transaction")
        spend = self.doc("BankTransactions", "BankTransactionID",
                         self.sent(fee, "bank_transaction"))
        receive = self.doc("BankTransactions", "BankTransactionID",
                           self.jobs(interest, "bank_transaction").xero_id)
        self.assertEqual((spend["Type"], spend["Total"]), ("SPEND", Decimal("12.50")))
        self.assertEqual(spend["LineItems"][0]["AccountCode"], "404")
        self.assertIn("Monthly fee", spend["Reference"])
        self.assertEqual(spend["BankAccount"], self.tenant().account_by_code("090")["AccountID"])
        self.assertEqual((receive["Type"], receive["Total"]), ("RECEIVE", Decimal("30.00")))
        self.assertEqual(receive["LineItems"][0]["AccountCode"], "270")
        self.assertEqual(interest.xero_state, "sent")

    def test_transfer_between_bank_accounts_is_a_bank_transfer(self):
        move = self.entry(self.bank_journal, [
            (self.bank_journal.default_account_id, -500.0, {}),
            (self.cash_journal.default_account_id, 500.0, {})])
        self.assertEqual(self.jobs(move).operation, "bank_transfer")
        transfer = self.doc("BankTransfers", "BankTransferID", self.sent(move, "bank_transfer"))
        tenant = self.tenant()
        self.assertEqual(transfer["FromBankAccount"], tenant.account_by_code("090")["AccountID"])
        self.assertEqual(transfer["ToBankAccount"], tenant.account_by_code("091")["AccountID"])
        self.assertEqual(transfer["Amount"], Decimal("500.00"))
        # Reset: the transfer is deleted in Xero, its two bank lines with it.
        move.button_draft()
        self.push()
        self.assertEqual(move.xero_state, "voided", move.xero_error)
        transfer = self.doc("BankTransfers", "BankTransferID", transfer["BankTransferID"])
        self.assertEqual(transfer["Status"], "DELETED")
        self.assertTrue(all(bt["Status"] == "DELETED" for bt in self.xero_docs("BankTransactions")))

    def test_tax_payment_is_coded_to_the_sales_tax_account(self):
        # A tax account left out of the GL account map goes to Xero's GST account.
        self.env["xero.account.map"].search([
            ("connection_id", "=", self.connection.id),
            ("account_id", "=", self.tax_purchase_account.id)]).unlink()
        payment = self.bank_entry(self.bank_journal, self.tax_sale_account, -200.0, ref="GST June")
        refund = self.bank_entry(self.bank_journal, self.tax_purchase_account, 35.0)
        spend = self.doc("BankTransactions", "BankTransactionID",
                         self.sent(payment, "bank_transaction"))
        self.assertEqual(spend["Type"], "SPEND")
        self.assertEqual([(li["AccountCode"], li["LineAmount"]) for li in spend["LineItems"]],
                         [("820", Decimal("200.00"))])
        receive = self.doc("BankTransactions", "BankTransactionID",
                           self.jobs(refund, "bank_transaction").xero_id)
        self.assertEqual((receive["Type"], receive["LineItems"][0]["AccountCode"]),
                         ("RECEIVE", "820"))

    # -- voids and what is not sent twice ----------------------------------
    def test_reset_of_sent_entries_voids_them(self):
        journal_move = self.entry(self.misc_journal, [
            (self.company_data["default_account_expense"], 80.0, {}), (self.accrual, -80.0, {})])
        fee = self.bank_entry(self.bank_journal, self.bank_fees, -7.0)
        mj_id = self.sent(journal_move, "manual_journal")
        bt_id = self.jobs(fee, "bank_transaction").xero_id
        (journal_move | fee).button_draft()
        self.assertEqual(self.jobs(journal_move, "void").state, "pending")
        self.push()
        self.assertEqual((journal_move.xero_state, fee.xero_state), ("voided", "voided"))
        self.assertEqual(self.doc("ManualJournals", "ManualJournalID", mj_id)["Status"], "VOIDED")
        self.assertEqual(self.doc("BankTransactions", "BankTransactionID", bt_id)["Status"],
                         "DELETED")
        # Posted again: a new manual journal.
        journal_move.action_post()
        new_id = self.sent(journal_move, "manual_journal")
        self.assertNotEqual(new_id, mj_id)
        posted = [j for j in self.xero_docs("ManualJournals") if j["Status"] == "POSTED"]
        self.assertEqual(len(posted), 1)

    def test_reset_before_sending_cancels(self):
        move = self.entry(self.misc_journal, [
            (self.company_data["default_account_expense"], 80.0, {}), (self.accrual, -80.0, {})])
        move.button_draft()
        self.assertEqual(self.jobs(move).state, "cancelled")
        self.push()
        self.assertFalse(self.xero_docs("ManualJournals"))

    def test_invoice_and_payment_entries_are_not_sent_twice(self):
        invoice = self.make_invoice()
        payment = self.pay(invoice)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        for move in invoice | payment.move_id:
            self.assertFalse(self.jobs(move).filtered(lambda j: j.operation in (
                "manual_journal", "bank_transaction", "bank_transfer")))
        self.assertFalse(self.xero_docs("ManualJournals"))
        self.assertFalse(self.xero_docs("BankTransactions"))

    def test_entries_in_doubt_are_found_not_made_twice(self):
        """Xero stored the manual journal and the bank transaction but the
        answers were lost: before they are sent again they are looked up by
        the job key their Narration / Reference carries."""
        move = self.entry(self.misc_journal, [
            (self.company_data["default_account_expense"], 60.0, {}), (self.accrual, -60.0, {})])
        fee = self.bank_entry(self.bank_journal, self.bank_fees, -3.0)
        for path in ("*/ManualJournals", "*/BankTransactions"):
            self.srv.faults.fail_after_commit(path=path, method="PUT", then="drop", times=3)
        self.push()
        jobs = self.jobs(move, "manual_journal") | self.jobs(fee, "bank_transaction")
        self.assertEqual(jobs.mapped("in_doubt"), [True, True])
        self.assertEqual((len(self.xero_docs("ManualJournals")),
                          len(self.xero_docs("BankTransactions"))), (1, 1))
        jobs.sudo().next_try_at = fields.Datetime.now()
        self.push()
        self.assertEqual((move.xero_state, fee.xero_state), ("sent", "sent"))
        self.assertEqual((len(self.xero_docs("ManualJournals")),
                          len(self.xero_docs("BankTransactions"))), (1, 1))
        self.assertEqual(move.xero_id, self.xero_docs("ManualJournals")[0]["ManualJournalID"])

    def test_post_to_xero_queues_an_entry_not_sent(self):
        self.connection.sync_entries = False
        move = self.entry(self.misc_journal, [
            (self.company_data["default_account_expense"], 25.0, {}), (self.accrual, -25.0, {})])
        self.assertFalse(self.jobs(move))
        with self.assertRaisesRegex(UserError, "does not go to Xero"):
            move.action_xero_post()
        self.connection.sync_entries = True
        move.action_xero_post()
        self.assertEqual(self.jobs(move).operation, "manual_journal")
        self.sent(move, "manual_journal")
        self.assertTrue(move.xero_url)

    def test_entries_reconcile_with_xero_to_the_cent(self):
        """What Odoo's entries post is what Xero's trial balance holds."""
        self.entry(self.misc_journal, [
            (self.company_data["default_account_expense"], 100.0, {
                "tax_ids": [Command.set(self.tax_purchase_a.ids)]}),
            (self.accrual, -115.0, {})])
        self.bank_entry(self.bank_journal, self.bank_fees, -12.5)
        self.bank_entry(self.bank_journal, self.interest, 30.0)
        self.bank_entry(self.bank_journal, self.tax_sale_account, -200.0)
        self.entry(self.bank_journal, [
            (self.bank_journal.default_account_id, -50.0, {}),
            (self.cash_journal.default_account_id, 50.0, {})])
        self.push()
        moves = self.env["account.move"].search([("move_type", "=", "entry"),
                                                 ("company_id", "=", self.company.id)])
        self.assertEqual(set(moves.mapped("xero_state")), {"sent"}, moves.mapped("xero_error"))
        rec = self.env["xero.reconcile"].create(
            {"connection_id": self.connection.id, "date": "2025-12-31"})
        rec.action_compare()
        self.assertEqual([(l.xero_account_id.code, l.odoo_balance, l.xero_balance)
                          for l in rec.line_ids if l.difference], [])
        balances = {l.xero_account_id.code: l.xero_balance for l in rec.line_ids}
        self.assertAlmostEqual(balances["090"], -12.5 + 30.0 - 200.0 - 50.0)
        self.assertAlmostEqual(balances["091"], 50.0)
        self.assertAlmostEqual(balances["820"], 15.0 + 200.0)
