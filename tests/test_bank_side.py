"""Which side reconciles a bank account, Odoo or Xero, so that the two never
both do (issue 25): on a journal reconciled in Xero, Odoo's bank statement
lines are blocked, saying why, and payments registered in Odoo still go; on
one reconciled in Odoo (the default) a payment made in Xero is not
registered; a trust bank account is always reconciled in Odoo."""

from odoo.exceptions import ValidationError
from odoo.tests import tagged

from .common_inbound import XeroInboundCommon


@tagged("post_install", "-at_install")
class TestBankSide(XeroInboundCommon):

    def statement_line(self, amount, counterpart=None):
        vals = {"journal_id": self.bank.id, "date": "2025-06-12", "payment_ref": "Bank feed",
                "partner_id": self.partner_a.id, "amount": amount}
        if counterpart:
            vals["counterpart_account_id"] = counterpart.id
        return self.env["account.bank.statement.line"].create(vals)

    def match(self, st_line, document):
        """What Odoo's reconciliation does: the statement line's suspense
        item goes on the document's receivable account, matched."""
        _liquidity, suspense, _other = st_line._seek_for_lines()
        line = document.line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable" and not l.reconciled)
        suspense.account_id = line.account_id
        (suspense + line).reconcile()

    def live_payments(self):
        return [p for p in self.xero_docs("Payments") if p["Status"] != "DELETED"]

    def test_default_is_odoo_and_trust_is_never_xero(self):
        journal = self.env["account.journal"].create({"name": "New Bank", "code": "NBK",
                                                      "type": "bank"})
        self.assertEqual(journal.xero_bank_reconciled_in, "odoo",
                         "what the push did before: statement lines go to Xero")
        trust = self.env["account.journal"].create({
            "name": "Trust Account", "code": "TRST", "type": "bank", "is_trust_account": True})
        with self.assertRaisesRegex(ValidationError, "trust bank account"):
            trust.xero_bank_reconciled_in = "xero"

    def test_statement_line_of_a_bank_reconciled_in_xero_is_blocked(self):
        self.bank.xero_bank_reconciled_in = "xero"
        invoice = self.make_invoice()
        st_line = self.statement_line(invoice.amount_total)
        self.match(st_line, invoice)
        self.assertEqual(invoice.payment_state, "paid")
        self.push()
        self.push()
        entry = st_line.move_id
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(entry.xero_state, "blocked")
        self.assertIn("reconciled in Xero", entry.xero_error)
        self.assertIn(self.bank.name, entry.xero_error)
        self.assertIn("Bank reconciled in", entry.xero_error)
        self.assertFalse(self.live_payments(), "Xero's bank feed pays it, not Odoo's line")
        # Nothing lost: reconciled in Odoo after all, it goes.
        self.bank.xero_bank_reconciled_in = "odoo"
        self.push()
        self.assertEqual(entry.xero_state, "sent", entry.xero_error)
        self.assertEqual(len(self.live_payments()), 1)

    def test_coded_statement_line_of_a_bank_reconciled_in_xero_is_blocked(self):
        self.connection.sync_entries = True
        self.bank.xero_bank_reconciled_in = "xero"
        st_line = self.statement_line(-12.5, self.company_data["default_account_expense"])
        job = self.jobs(st_line.move_id)
        self.assertEqual(job.operation, "bank_transaction")
        self.push()
        self.assertEqual(job.state, "blocked")
        self.assertIn("reconciled in Xero", job.error)
        self.assertFalse(self.xero_docs("BankTransactions"))
        # On a bank reconciled in Odoo it goes, as before, and so does the
        # one blocked meanwhile.
        self.bank.xero_bank_reconciled_in = "odoo"
        other = self.statement_line(-7.5, self.company_data["default_account_expense"])
        self.push()
        self.assertEqual(other.move_id.xero_state, "sent", other.move_id.xero_error)
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(len(self.xero_docs("BankTransactions")), 2)

    def test_payment_registered_in_odoo_goes_on_a_bank_reconciled_in_xero(self):
        self.bank.xero_bank_reconciled_in = "xero"
        invoice = self.make_invoice()
        payment = self.pay(invoice, amount=30.0)
        self.push()
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        self.assertEqual(len(self.live_payments()), 1, "the bookkeeper matches it in Xero")

    def refused_payment(self):
        """An invoice paid 25.00 in Xero on a bank reconciled in Odoo: its
        event fails. Returns (invoice, event)."""
        self.bank.xero_bank_reconciled_in = "odoo"
        invoice = self.make_invoice()
        self.push()
        self.pay_in_xero_on("Invoice", invoice.xero_id, 25.0)
        self.event("INVOICE", invoice.xero_id)
        self.pull()
        event = self.events()
        self.assertEqual(event.state, "failed")
        return invoice, event

    def test_payment_made_in_xero_on_a_bank_reconciled_in_odoo_is_refused(self):
        invoice, event = self.refused_payment()
        self.assertIn(self.bank.display_name, event.note)
        self.assertIn("reconciled in Odoo", event.note)
        self.assertIn("Bank reconciled in", event.note)
        self.assertEqual(invoice.payment_state, "not_paid")
        # The bank is reconciled in Xero after all: the payment is read again.
        self.bank.xero_bank_reconciled_in = "xero"
        self.assertEqual(event.state, "received")
        self.pull()
        self.assertEqual(event.state, "done", event.note)
        self.assertEqual(invoice.payment_state, "partial")

    def test_a_refused_payment_is_read_again_after_the_journal_was_renamed(self):
        invoice, event = self.refused_payment()
        self.bank.name = "Operating Account"
        self.bank.xero_bank_reconciled_in = "xero"
        self.assertEqual(event.state, "received")
        self.pull()
        self.assertEqual(invoice.payment_state, "partial")

    def test_configuration_page_lists_the_banks(self):
        trust = self.env["account.journal"].create({
            "name": "Trust Account", "code": "TRST", "type": "bank", "is_trust_account": True})
        action = self.connection.action_xero_bank_journals()
        journals = self.env["account.journal"].search(action["domain"])
        self.assertIn(self.bank, journals)
        self.assertIn(self.company_data["default_journal_cash"], journals)
        self.assertNotIn(trust, journals)
        self.assertEqual(set(journals.mapped("type")), {"bank", "cash"})
        self.env["account.journal"].get_views(action["views"])
