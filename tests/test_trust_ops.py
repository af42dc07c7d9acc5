"""Trust, as a firm uses it: the firm withdrawing its own money from trust
(recovering paid by firm, interest, its own funds), reversal through the
reversal wizard (date and reason), and the trust reconciliation report
(bank = client ledgers), in Odoo and, for withdrawals, in the Xero sandbox."""

from decimal import Decimal

from lxml import html

from odoo import Command, fields
from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from ..models.account_trust_transaction import trust_internal
from .common_trust import TrustCommon, TrustXeroCommon, amount, reverse_trust





@tagged("post_install", "-at_install")
class TestTrustFirmWithdrawal(TrustCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.interest_income = cls.env["account.account"].create({
            "name": "Interest Income", "code": "4270", "account_type": "income_other"})

    def _withdraw(self, what, amount_, partner=None, post=True, **vals):
        return self._trust("firm_withdrawal", amount_, partner, post=post, withdrawal_type=what,
                           dest_journal_id=self.office_journal.id, **vals)

    def _fund_and_pay_for(self, client, amount_):
        """The firm puts its money in trust and pays for ``client`` with it."""
        self._trust("bank_transfer", amount_, journal_id=self.office_journal.id,
                    dest_journal_id=self.trust_journal.id)
        return self._trust("paid_by_firm", amount_, client)

    def test_recovering_paid_by_firm_from_the_clients_money(self):
        self._fund_and_pay_for(self.client_a, 100.0)
        self._trust("receipt", 150.0, self.client_a)
        self.assertEqual(self._ledger(), {self.client_a.name: (150.0, 100.0)})
        tx = self._withdraw("paid_by_firm", 100.0, self.client_a)
        self.assertEqual(tx.move_id.journal_id, self.trust_journal)
        self.assertEqual(self._lines(tx), {
            ("2800", self.client_a.name): 100.0,
            ("1290", self.client_a.name): -100.0,
            (self.office_bank.code, self.client_a.name): 100.0,
            (self.trust_bank.code, self.client_a.name): -100.0,
        })
        self.assertIn("Recover paid by firm", tx.move_id.line_ids[0].name)
        # The client's trust money repaid the firm and left trust; nothing owed.
        self.assertEqual(self._ledger(), {self.client_a.name: (50.0, 0.0)})
        # No more than the client owes the firm.
        with self.assertRaisesRegex(UserError, "owes the firm .*0.00.*cannot recover"):
            self._withdraw("paid_by_firm", 10.0, self.client_a)

    def test_recovery_needs_the_clients_money_in_trust(self):
        self._fund_and_pay_for(self.client_a, 100.0)
        self._trust("receipt", 30.0, self.client_a)
        with self.assertRaisesRegex(UserError, "holds .*30.00.*cannot recover .*100.00"):
            self._withdraw("paid_by_firm", 100.0, self.client_a)
        self.assertEqual(self._ledger(), {self.client_a.name: (30.0, 100.0)})

    def test_firm_funds_no_more_than_the_firms_own_money(self):
        self._trust("receipt", 500.0, self.client_a)
        self._trust("bank_transfer", 100.0, journal_id=self.office_journal.id,
                    dest_journal_id=self.trust_journal.id)
        # 150 would take 50 of the client's money.
        with self.assertRaisesRegex(UserError, "holds .*100.00.* of the firm's own money"):
            self._withdraw("firm_funds", 150.0)
        tx = self._withdraw("firm_funds", 100.0)
        self.assertEqual(self._lines(tx), {
            (self.office_bank.code, ""): 100.0, (self.trust_bank.code, ""): -100.0})
        self.assertEqual(self._ledger(), {self.client_a.name: (500.0, 0.0)})
        # Reimbursed paid by firm is the firm's money again, and may leave.
        self._fund_and_pay_for(self.client_b, 40.0)
        self._trust("receipt", 40.0, self.client_b)
        with self.assertRaisesRegex(UserError, "of the firm's own money"):
            self._withdraw("firm_funds", 40.0)
        self._trust("firm_reimbursement", 40.0, self.client_b)
        self._withdraw("firm_funds", 40.0)

    def test_interest_is_the_firms_income_and_leaves_trust(self):
        received = self._trust("bank_interest", 12.5, interest_account_id=self.interest_income.id)
        self.assertEqual(self._lines(received), {
            (self.trust_bank.code, ""): 12.5, ("4270", ""): -12.5})
        tx = self._withdraw("interest", 12.5)
        self.assertEqual(self._lines(tx), {
            (self.trust_bank.code, ""): -12.5, (self.office_bank.code, ""): 12.5})
        with self.assertRaisesRegex(ValidationError, "interest account"):
            self._trust("bank_interest", 5.0)

    def test_what_a_withdrawal_needs(self):
        other_trust = self.env["account.journal"].create({
            "name": "Trust 2", "code": "TRS2", "type": "bank", "is_trust_account": True})
        with self.assertRaisesRegex(ValidationError, "is a trust account"):
            self._trust("firm_withdrawal", 10.0, withdrawal_type="firm_funds",
                        dest_journal_id=other_trust.id, post=False)
        with self.assertRaisesRegex(ValidationError, "choose the client"):
            self._withdraw("paid_by_firm", 10.0, post=False)
        with self.assertRaisesRegex(ValidationError, "choose the bank account"):
            self._trust("firm_withdrawal", 10.0, withdrawal_type="firm_funds", post=False)
        draft = self._trust("firm_withdrawal", 10.0, self.client_a, post=False,
                            dest_journal_id=self.office_journal.id)
        self.assertEqual(draft.withdrawal_type, "paid_by_firm")

    def test_posted_withdrawal_is_tamper_proof_and_reversed_by_the_wizard(self):
        self._fund_and_pay_for(self.client_a, 100.0)
        self._trust("receipt", 100.0, self.client_a)
        tx = self._withdraw("paid_by_firm", 100.0, self.client_a)
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            tx.amount = 50.0
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            tx.withdrawal_type = "firm_funds"
        with self.assertRaises(UserError):
            tx.move_id.button_draft()
        with self.assertRaises(UserError):
            tx.unlink()
        reversal = tx.browse(reverse_trust(tx, "Paid by firm not due yet")["res_id"])
        self.assertEqual((reversal.kind, reversal.withdrawal_type, reversal.reversed_tx_id),
                         ("firm_withdrawal", "paid_by_firm", tx))
        self.assertEqual(self._ledger(), {self.client_a.name: (100.0, 100.0)})


@tagged("post_install", "-at_install")
class TestTrustReversalWizard(TrustCommon):

    def test_date_and_reason_on_the_mirror_and_its_entry(self):
        receipt = self._trust("receipt", 500.0, self.client_a, matter_ref="M-4")
        action = receipt.action_reverse()
        self.assertEqual((action["res_model"], action["target"]),
                         ("account.trust.reversal.wizard", "new"))
        self.assertFalse(receipt.reversal_ids)  # opening the wizard reverses nothing
        reversal = receipt.browse(reverse_trust(
            receipt, "Recorded against the wrong client", "2025-03-20")["res_id"])
        self.assertEqual(reversal.reversed_tx_id, receipt)
        self.assertEqual(reversal.date, fields.Date.to_date("2025-03-20"))
        self.assertEqual(reversal.move_id.date, reversal.date)
        self.assertEqual(reversal.reversal_reason, "Recorded against the wrong client")
        self.assertIn("Recorded against the wrong client", reversal.move_id.ref)
        self.assertIn("Reversal of %s" % receipt.name, reversal.move_id.ref)
        self.assertIn(receipt.name, reversal.move_id.ref)
        self.assertTrue(receipt.is_reversed)
        self.assertIn("Recorded against the wrong client", receipt.message_ids[0].body)
        self.assertEqual(self._ledger(), {self.client_a.name: (0.0, 0.0)})
        # The reason is the addon's to set.
        with self.assertRaisesRegex(UserError, "Reason for reversal"):
            self.env["account.trust.transaction"].create({
                "kind": "receipt", "amount": 1.0, "partner_id": self.client_a.id,
                "journal_id": self.trust_journal.id, "reversal_reason": "mine"})

    def test_date_before_the_original_or_in_a_locked_period_refused(self):
        receipt = self._trust("receipt", 500.0, self.client_a)
        with self.assertRaisesRegex(UserError, "before the transaction itself"):
            reverse_trust(receipt, "Typo", "2025-03-09")
        self.company.fiscalyear_lock_date = "2025-03-31"
        with self.assertRaisesRegex(UserError, "locked period"):
            reverse_trust(receipt, "Typo", "2025-03-20")
        with self.assertRaisesRegex(UserError, "reason"):
            reverse_trust(receipt, "  ", "2025-04-02")
        self.assertFalse(receipt.reversal_ids)
        # Nor by the addon's own reversal, whoever calls it.
        with self.assertRaisesRegex(UserError, "before the transaction itself"), \
                self.env.cr.savepoint():
            receipt._reverse(fields.Date.to_date("2025-03-01"), "Typo")
        reverse_trust(receipt, "Typo", "2025-04-02")
        self.assertTrue(receipt.is_reversed)

    def test_only_accountants_reverse(self):
        receipt = self._trust("receipt", 500.0, self.client_a)
        clerk = new_test_user(self.env, "trust_clerk", groups="account.group_account_invoice",
                              company_id=self.company.id, company_ids=[Command.set(self.company.ids)])
        with self.assertRaises(AccessError):
            reverse_trust(receipt.with_user(clerk), "Mine")
        wizard = self.env["account.trust.reversal.wizard"].create({
            "transaction_ids": [Command.set(receipt.ids)], "reason": "Mine"})
        with self.assertRaises(AccessError):
            wizard.with_user(clerk).action_reverse()
        self.assertFalse(receipt.reversal_ids)


@tagged("post_install", "-at_install")
class TestTrustReconciliationReport(TrustCommon):

    def setUp(self):
        super().setUp()
        # A chosen layout: printing goes straight to the report.
        self.company.external_report_layout_id = self.env.ref("web.external_layout_standard")

    def _render(self, date="2025-03-31", statement_balance=None):
        wizard = self.env["account.trust.reconciliation.wizard"].create({
            "journal_id": self.trust_journal.id, "date": date,
            "use_statement": statement_balance is not None,
            "statement_balance": statement_balance or 0.0})
        action = wizard.action_print()
        self.assertEqual(action["report_name"], "account_xero.report_trust_reconciliation")
        content, _kind = self.env["ir.actions.report"]._render_qweb_html(
            action["report_name"], self.trust_journal.ids, data=action["data"])
        return html.fromstring(content)

    def _figure(self, doc, css):
        nodes = doc.find_class(css)
        self.assertEqual(len(nodes), 1, css)
        return amount(nodes[0].text_content())

    def _clients(self, doc):
        return {row.find_class("o_trust_client_name")[0].text_content().strip():
                amount(row.find_class("o_trust_client_balance")[0].text_content())
                for row in doc.find_class("o_trust_client")}

    def test_bank_equals_client_ledgers_then_a_bypass_shows(self):
        self._trust("receipt", 500.0, self.client_a)
        self._trust("receipt", 300.0, self.client_b)
        self._trust("payment", 120.0, self.client_a)
        self._trust("bank_transfer", 100.0, journal_id=self.office_journal.id,
                    dest_journal_id=self.trust_journal.id)
        self._trust("paid_by_firm", 60.0, self.client_b)
        self._trust("statutory_deposit", 50.0)
        self._trust("receipt", 999.0, self.client_a, date="2025-04-15")  # after the date
        for tx in self.env["account.trust.transaction"].search([("state", "=", "posted")]):
            tx.bank_statement_date = tx.date  # all on the statement: nothing outstanding
        doc = self._render(statement_balance=670.0)
        self.assertIn(self.trust_journal.name, doc.text_content())
        self.assertEqual(self._figure(doc, "o_trust_bank_balance"), 670.0)
        self.assertEqual(self._figure(doc, "o_trust_statutory_deposit"), 50.0)
        self.assertEqual(self._figure(doc, "o_trust_firm_money"), 40.0)
        self.assertEqual(self._figure(doc, "o_trust_money"), 680.0)
        self.assertEqual(self._clients(doc), {self.client_a.name: 380.0,
                                              self.client_b.name: 300.0})
        self.assertEqual(self._figure(doc, "o_trust_client_total"), 680.0)
        self.assertEqual(self._figure(doc, "o_trust_difference"), 0.0)
        self.assertEqual(self._figure(doc, "o_trust_statement_balance"), 670.0)
        self.assertEqual(self._figure(doc, "o_trust_statement_difference"), 0.0)
        self.assertIn("reconciles", doc.find_class("o_trust_difference_note")[0].text_content())

        # A deposit booked straight to income on the trust bank bypasses the trust
        # ledger (refused by hand today; an entry from before, as the addon writes it).
        move = trust_internal(self.env["account.move"]).create({
            "move_type": "entry", "journal_id": self.trust_journal.id, "date": "2025-03-25",
            "line_ids": [
                Command.create({"account_id": self.trust_bank.id, "balance": 25.0}),
                Command.create({"account_id": self.company_data["default_account_revenue"].id,
                                "balance": -25.0}),
            ]})
        move.action_post()
        doc = self._render(statement_balance=670.0)
        self.assertEqual(self._figure(doc, "o_trust_bank_balance"), 695.0)
        self.assertEqual(self._figure(doc, "o_trust_client_total"), 680.0)
        self.assertEqual(self._figure(doc, "o_trust_difference"), 25.0)
        self.assertEqual(self._figure(doc, "o_trust_statement_difference"), -25.0)
        self.assertIn("does not reconcile",
                      doc.find_class("o_trust_difference_note")[0].text_content())
        # Without a statement, no statement lines.
        self.assertFalse(self._render().find_class("o_trust_statement_balance"))

    def test_firm_withdrawals_keep_it_reconciled(self):
        self._trust("bank_transfer", 100.0, journal_id=self.office_journal.id,
                    dest_journal_id=self.trust_journal.id)
        self._trust("paid_by_firm", 100.0, self.client_a)
        self._trust("receipt", 250.0, self.client_a)
        self._trust("firm_withdrawal", 100.0, self.client_a, withdrawal_type="paid_by_firm",
                    dest_journal_id=self.office_journal.id)
        doc = self._render()
        self.assertEqual(self._figure(doc, "o_trust_bank_balance"), 150.0)
        self.assertEqual(self._figure(doc, "o_trust_firm_money"), 0.0)
        self.assertEqual(self._clients(doc), {self.client_a.name: 150.0})
        self.assertEqual(self._figure(doc, "o_trust_difference"), 0.0)

    def test_from_the_trust_journal(self):
        action = self.trust_journal.action_open_trust_reconciliation()
        wizard = self.env[action["res_model"]].with_context(**action["context"]).create({})
        self.assertEqual(wizard.journal_id, self.trust_journal)
        with self.assertRaisesRegex(UserError, "not a trust"):
            self.env["ir.actions.report"]._render_qweb_html(
                "account_xero.report_trust_reconciliation", self.office_journal.ids,
                data={"date": "2025-03-31"})


@tagged("post_install", "-at_install")
class TestTrustFirmWithdrawalXero(TrustXeroCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.interest_income = cls.env["account.account"].create({
            "name": "Interest Income", "code": "4270", "account_type": "income_other"})
        cls.bank_fees = cls.env["account.account"].create({
            "name": "Bank Fees", "code": "6040", "account_type": "expense"})
        cls.env["xero.account.map"].create([
            {"connection_id": cls.connection.id, "account_id": cls.interest_income.id,
             "xero_account_id": cls.xa["270"].id},
            {"connection_id": cls.connection.id, "account_id": cls.bank_fees.id,
             "xero_account_id": cls.xa["404"].id}])

    def settle(self):
        for _i in range(4):
            self.push()
            pending = self.Job.search([("state", "=", "pending")])
            if not pending:
                break
            pending.sudo().next_try_at = fields.Datetime.now()

    def withdraw(self, what, amount_, partner=None, **vals):
        return self.trust("firm_withdrawal", amount_, partner, withdrawal_type=what,
                          dest_journal_id=self.office_journal.id, **vals)

    def bank_tx(self, tx):
        docs = {d["BankTransactionID"]: d for d in self.xero_docs("BankTransactions")}
        return [(docs[i]["Type"], self.srv.store.tenant(self.xero_tenant_id).account_by_id(
                    docs[i]["BankAccount"])["Code"],
                 [li["AccountCode"] for li in docs[i]["LineItems"]], docs[i]["Total"],
                 docs[i]["Contact"]) for i in tx.xero_id.split(",")]

    def test_withdrawals_in_xero_and_ledgers_agree(self):
        self.trust("bank_transfer", 142.5, journal_id=self.office_journal.id,
                   dest_journal_id=self.trust_journal.id)
        self.trust("paid_by_firm", 100.0, self.client_b, payee_id=self.client_a.id)
        self.trust("receipt", 150.0, self.client_b)
        recovery = self.withdraw("paid_by_firm", 100.0, self.client_b)
        own = self.withdraw("firm_funds", 40.0)
        received = self.trust("bank_interest", 7.5, interest_account_id=self.interest_income.id)
        interest = self.withdraw("interest", 7.5)
        fee = self.trust("bank_fee", 2.5, fee_account_id=self.bank_fees.id)
        self.settle()
        jobs = self.Job.search([("res_model", "=", "account.trust.transaction")])
        self.assertEqual(set(jobs.mapped("state")), {"done"}, jobs.mapped("error"))
        client = self.client_b._xero_binding(self.connection).xero_id
        firm = self.company.partner_id._xero_binding(self.connection).xero_id
        self.assertEqual(self.bank_tx(recovery), [
            ("SPEND", "095", ["2800"], Decimal("100.00"), client),
            ("RECEIVE", "090", ["1290"], Decimal("100.00"), client),
        ])
        self.assertEqual(self.bank_tx(own), [
            ("SPEND", "095", ["1299"], Decimal("40.00"), firm),
            ("RECEIVE", "090", ["1299"], Decimal("40.00"), firm),
        ])
        self.assertEqual(self.bank_tx(received), [
            ("RECEIVE", "095", ["270"], Decimal("7.50"), firm)])
        # The trust bank's fee reaches Xero too, paid with the firm's money in trust.
        self.assertEqual(self.bank_tx(fee), [("SPEND", "095", ["404"], Decimal("2.50"), firm)])
        self.assertEqual(self.bank_tx(interest), [
            ("SPEND", "095", ["1299"], Decimal("7.50"), firm),
            ("RECEIVE", "090", ["1299"], Decimal("7.50"), firm),
        ])
        self.assertEqual(self.odoo_trust_ledger(), {self.client_b.name: 50.0})
        self.assertEqual(self.xero_trust_ledger(), self.odoo_trust_ledger())

        # Reversed through the wizard: the mirror in Xero, the ledgers agree again.
        reversal = recovery.browse(reverse_trust(recovery, "Not due yet")["res_id"])
        self.settle()
        self.assertEqual(reversal.xero_state, "sent", reversal.xero_error)
        self.assertEqual(self.bank_tx(reversal), [
            ("RECEIVE", "095", ["2800"], Decimal("100.00"), client),
            ("SPEND", "090", ["1290"], Decimal("100.00"), client),
        ])
        self.assertEqual(self.odoo_trust_ledger(), {self.client_b.name: 150.0})
        self.assertEqual(self.xero_trust_ledger(), self.odoo_trust_ledger())
