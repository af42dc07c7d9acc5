"""Property-based proof of the books (Hypothesis, issue 23): whatever mixture
of documents, payments, deposits, statement lines, bank entries, resets,
contact edits and Xero faults is pushed, Odoo's books and the sandbox's
trial balance agree per Xero account to the cent, or each document behind a
difference is blocked or failed with a message.

Hypothesis draws sequences of operations (``common_books.OPERATION``, each
a plain tuple). Each example runs in a savepoint, rolled back after it, with
a fresh sandbox organisation; after each operation the push cron runs (its
jobs waiting for a later try made due) and "Reconcile with Xero" compares
(``BooksPropertiesCommon.disagreements``). At the end of an example the
faults are cleared, what failed is retried as a user would, and the books
are compared once more with nothing left queued. ``deadline=None``: a
step's time depends on the machine. Sequences that failed once are pinned
with ``@example`` and as plain tests below (CI's clean clone has no
Hypothesis database).

CI runs AXERO_HYPOTHESIS_EXAMPLES (default 100) examples of up to
AXERO_HYPOTHESIS_STEPS (default 4) operations; the long run (bench/README.rst)
sets them higher and AXERO_HYPOTHESIS_REPORT to a file that gets the figures
(every AXERO_HYPOTHESIS_PROGRESS examples too, when set).
"""

import os
import time

from hypothesis import HealthCheck, example, given, settings

from odoo.tests import tagged

from .common_books import STATS, TIMES, BooksPropertiesCommon, sequences

EXAMPLES = int(os.environ.get("AXERO_HYPOTHESIS_EXAMPLES", "100"))
# A customer's credit note refunded with more than it (found by Hypothesis).
REFUND_OVERPAID = [("doc", "out_refund", 0, 25.0, 0), ("pay", 0, 0, "over")]
# A supplier's refund received, then the refund note cancelled (found by Hypothesis).
REFUND_UNMATCHED = [("doc", "in_refund", 0, 40.0, 0), ("pay", 0, 0, "full"), ("cancel", 0)]
# A supplier credit note after a sales invoice to the same contact, and the
# mirror (found by Hypothesis: Odoo codes the note to the contact's other kind
# of account, with a tax Xero does not take there).
SUPPLIER_NOTE_ON_REVENUE = [("doc", "out_invoice", 0, 333.33, 0), ("doc", "in_refund", 0, 333.33, 0)]
CUSTOMER_NOTE_ON_EXPENSES = [("doc", "in_invoice", 0, 40.0, 1), ("doc", "out_refund", 0, 40.0, 1)]
# A supplier credit note paid, reset and posted again (found by the long run
# with a dropped connection before it, which played no part; shrunk by hand).
NOTE_PAID_RESET = [("doc", "in_refund", 0, 333.33, 0), ("pay", 0, 0, "full"), ("reset", 0, True)]
NOTE_PAID_RESET_FOUND = [("doc", "in_refund", 0, 333.33, 0), ("fault", "drop"),
                         ("pay", 0, 0, "full"), ("reset", 0, True)]
# An AUD invoice overpaid from the company-currency bank (found by Hypothesis
# once foreign overpayments were drawn again).
FOREIGN_OVERPAID = [("doc", "out_invoice", 1, 25.0, 0), ("fee", 100.0), ("pay", 0, 0, "over")]
# An AUD bill paid in AUD from the company-currency bank, then taken off it
# (found by Hypothesis once such payments were drawn again).
FOREIGN_PAID_UNMATCHED = [("doc", "in_invoice", 1, 333.33, 1), ("pay", 0, 0, "full"),
                          ("unmatch", 0)]
# A refund to a customer blocked beside an open prepayment: the check's own
# offset for open prepayments, stale once Reconcile with Xero counted them
# where Xero does (found by Hypothesis; the offset is gone).
REFUND_BESIDE_DEPOSIT = [("doc", "out_refund", 1, 100.0, 1), ("doc", "out_invoice", 0, 25.0, 0),
                         ("deposit", 0, 333.33, "refund_out", 1), ("deposit", 0, 40.0, "in", 0)]
# An AUD invoice overpaid from the AUD bank (failing at the overpayment's
# allocation), the payment then taken off it; and one paid in part, taken
# off and matched again (found by sequences tried by hand when payments from
# the AUD bank taken off their document were put back in the draw).
FOREIGN_OVERPAID_UNMATCHED = [("doc", "out_invoice", 1, 100.0, 0), ("pay", 0, 1, "over"),
                              ("unmatch", 0)]
FOREIGN_PART_PAID_REMATCHED = [("doc", "out_invoice", 1, 100.0, 0), ("pay", 0, 1, "partial"),
                               ("unmatch", 0), ("match", 0, 0)]
# A paid AUD invoice reset and posted again (its payment from the company's
# bank a deposit in AUD, blocked; was left out of the draw as a known class).
FOREIGN_PAID_RESET = [("doc", "out_invoice", 1, 100.0, 0), ("pay", 0, 0, "full"),
                      ("reset", 0, True)]
# A statement line paying an invoice that is then reset and posted again.
STATEMENT_LEFT_OPEN = [("doc", "out_invoice", 0, 100.0, 0), ("statement", 10.0, 0),
                       ("reset", 0, True)]
MAX_STEPS = int(os.environ.get("AXERO_HYPOTHESIS_STEPS", "4"))
PROGRESS = int(os.environ.get("AXERO_HYPOTHESIS_PROGRESS", "0"))


@tagged("post_install", "-at_install")
class TestBooksProperties(BooksPropertiesCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._started = time.monotonic()

    @classmethod
    def tearDownClass(cls):
        cls.report()
        super().tearDownClass()

    @classmethod
    def report(cls, progress=False):
        """The figures so far to AXERO_HYPOTHESIS_REPORT, if set: at the
        end, and every AXERO_HYPOTHESIS_PROGRESS examples in a long run
        (a line marked "so far", so a run stopped early still has them)."""
        path = os.environ.get("AXERO_HYPOTHESIS_REPORT")
        if not path:
            return
        with open(path, "a", encoding="utf-8") as out:
            out.write("%sexamples %d, steps %d, operations done %d, skipped %d, "
                      "faults fired %d, disagreements %d, %.0f s\n" % (
                          "so far: " if progress else "",
                          STATS["examples"], STATS["steps"], STATS["done"],
                          STATS["skipped"], STATS["faults fired"], STATS["disagreements"],
                          time.monotonic() - cls._started))
            if progress:
                return
            out.write("  %s\n" % ", ".join("%s %d" % kv for kv in sorted(STATS.items())))
            out.write("  seconds: %s\n" % ", ".join(
                "%s %.1f" % kv for kv in sorted(TIMES.items())))

    @settings(max_examples=EXAMPLES, deadline=None, database=None, print_blob=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
    @given(ops=sequences(MAX_STEPS))
    @example(ops=[("doc", "out_invoice", 0, 100.0, 0), ("pay", 0, 0, "partial"),
                  ("pay", 0, 0, "full")])
    @example(ops=REFUND_OVERPAID)
    @example(ops=REFUND_UNMATCHED)
    @example(ops=[("deposit", 0, 25.0, "refund_out", 0)])
    @example(ops=SUPPLIER_NOTE_ON_REVENUE)
    @example(ops=CUSTOMER_NOTE_ON_EXPENSES)
    @example(ops=NOTE_PAID_RESET_FOUND)
    @example(ops=FOREIGN_OVERPAID)
    @example(ops=FOREIGN_PAID_UNMATCHED)
    @example(ops=REFUND_BESIDE_DEPOSIT)
    @example(ops=FOREIGN_OVERPAID_UNMATCHED)
    @example(ops=FOREIGN_PART_PAID_REMATCHED)
    @example(ops=STATEMENT_LEFT_OPEN)
    @example(ops=FOREIGN_PAID_RESET)
    def test_books_agree_for_any_mixture(self, ops):
        STATS["examples"] += 1
        try:
            self.assertSequenceAgrees(ops)
        finally:
            self.env.invalidate_all()
            if PROGRESS and not STATS["examples"] % PROGRESS:
                self.report(progress=True)

    # -- sequences Hypothesis found, kept as plain tests ---------------------
    def test_refund_paid_beyond_its_credit_note_is_blocked(self):
        """A credit note of 28.75 refunded with 48.75: Odoo's bank lost
        48.75, Xero's only the 28.75 of the Payment on the credit note (Xero
        takes no more on it). Found by Hypothesis; now the refund payment is
        blocked, naming the 20.00 matched to nothing."""
        self.assertSequenceAgrees(REFUND_OVERPAID)
        self.fresh_organisation()
        refund = self.make_invoice("out_refund", amounts=(25.0,))
        payment = self.pay(refund, amount=48.75)
        self.push()
        self.assertEqual(payment.xero_state, "blocked", payment.xero_error)
        self.assertIn(self.company.currency_id.format(20.0), payment.xero_error)
        self.assertFalse([p for p in self.xero_docs("Payments") if p["Status"] != "DELETED"])

    def test_refund_taken_off_its_credit_note_is_blocked(self):
        """A supplier's refund received (46.00), its refund note cancelled:
        its Xero payment is deleted with the note, and Odoo's bank keeps the
        money. Found by Hypothesis ("voided", with nothing to do); now the
        payment shows blocked, saying what to match it with."""
        self.assertSequenceAgrees(REFUND_UNMATCHED)
        self.fresh_organisation()
        note = self.make_invoice("in_refund", amounts=(40.0,))
        payment = self.pay(note)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        note.button_draft()
        note.button_cancel()
        self.push()
        self.assertEqual(payment.xero_state, "blocked", payment.xero_error)
        self.assertIn(self.company.currency_id.format(46.0), payment.xero_error)
        self.assertIn("credit note", payment.xero_error)

    def test_credit_note_paid_reset_and_posted_again_is_updated(self):
        """A supplier credit note refunded (383.33), reset to draft and posted
        again: Odoo takes the refund off it. The credit note's update in place
        went before the deletion of its Xero payment, and Xero refused it
        (PAID: "Credit Note not of valid status for modification"): shown
        failed while Xero held it, the comparison took its whole amount as
        explained and Accounts Payable was off by 383.33, unexplained (found
        by the long run). Now the update waits for the deletions and goes in
        the same push; the refund, matched to nothing, is blocked saying so."""
        self.assertSequenceAgrees(NOTE_PAID_RESET)
        self.assertSequenceAgrees(NOTE_PAID_RESET_FOUND)
        self.fresh_organisation()
        note = self.make_invoice("in_refund", amounts=(333.33,))
        payment = self.pay(note)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        note.button_draft()
        note.action_post()
        self.push()
        self.assertEqual(note.xero_state, "sent", note.xero_error)
        doc = self.xero_doc("CreditNotes", note.xero_id)
        self.assertEqual((doc["Status"], float(doc["Total"])), ("AUTHORISED", 383.33))
        self.assertEqual(payment.xero_state, "blocked", payment.xero_error)
        self.assertIn(self.company.currency_id.format(383.33), payment.xero_error)

    def test_invoice_paid_reset_and_posted_again_is_updated(self):
        """The same for an invoice paid in part: its update in place waits
        for the deletion of its Xero payment (was refused: "This document
        cannot be edited as it has a payment or credit note allocated to
        it")."""
        self.fresh_organisation()
        invoice = self.make_invoice(amounts=(100.0,))
        self.pay(invoice, amount=50.0)
        self.push()
        invoice.button_draft()
        invoice.invoice_line_ids.price_unit = 120.0
        invoice.action_post()
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertEqual((doc["Status"], float(doc["Total"])), ("AUTHORISED", 138.0))
        self.assertEqual(self.disagreements(), [])

    def test_exchange_difference_of_a_blocked_payment_is_explained_by_it(self):
        """An AUD invoice overpaid in AUD from the company-currency bank: the
        payment, a deposit in AUD through a bank account in another
        currency, is blocked with a message; Odoo's exchange difference of
        its match (Realised Currency Gains and Accounts Receivable) showed
        "Not sent" with nothing to do, unexplained. Now it is explained by
        the payment it comes from, with its message (found by Hypothesis)."""
        self.assertSequenceAgrees(FOREIGN_OVERPAID)
        self.fresh_organisation()
        for op in FOREIGN_OVERPAID:
            self.run_operation(op)
        self.push_due()
        payment = self.state["payments"][0]
        self.assertEqual(payment.xero_state, "blocked", payment.xero_error)
        rec = self.env["xero.reconcile"].create({
            "connection_id": self.connection.id, "date": "2025-12-31"})
        rec.action_compare()
        exchange = rec.line_ids.item_ids.filtered(
            lambda i: i.move_id.journal_id == self.company.currency_exchange_journal_id)
        self.assertTrue(exchange)
        self.assertEqual(set(exchange.mapped("reason")), {"blocked"})
        self.assertEqual(set(exchange.mapped("error")), {payment.xero_error})
        # The same read from the exchange entry alone (its payment read too).
        move = exchange[:1].move_id
        self.assertEqual(rec._with_exchange_sources(rec._move_documents({move.id}))[move.id][
            "res_id"], payment.id)

    def test_exchange_difference_reversed_by_an_unmatch_explains_nothing(self):
        """An AUD bill paid in AUD from the company-currency bank, then taken
        off it: Odoo reverses the match's exchange difference; the entry and
        its reversal, never sent and netting to nothing, showed "Not sent"
        beside the payment (blocked with its message). Now they are no
        difference of their own (found by Hypothesis)."""
        self.assertSequenceAgrees(FOREIGN_PAID_UNMATCHED)

    def test_foreign_overpayment_allocated_books_xeros_realised_gain(self):
        """An AUD invoice (115.00 AUD at 2.0) paid with 135.00 AUD from the
        AUD bank at 1.6: an overpayment in AUD, its 115.00 allocated to the
        invoice. Odoo books the difference of rates of the match (14.38) in
        Realised Currency Gains; the sandbox left it on Accounts Receivable
        (14.38 on each, unexplained: found by the sequences tried when
        payments from the AUD bank taken off their document were put back
        in the draw). Xero books an allocation's difference of rates as a
        payment's; taken off, it is gone again."""
        self.assertSequenceAgrees(FOREIGN_OVERPAID_UNMATCHED)
        self.assertSequenceAgrees(FOREIGN_PART_PAID_REMATCHED)
        self.fresh_organisation()

        def gains():
            rec = self.env["xero.reconcile"].create({
                "connection_id": self.connection.id, "date": "2025-12-31"})
            rec.action_compare()
            line = rec.line_ids.filtered(lambda l: l.xero_code == "499")
            return (line.odoo_balance, line.xero_balance)

        for op in FOREIGN_OVERPAID_UNMATCHED[:2]:
            self.run_operation(op)
            self.push_due()
        self.assertEqual(self.state["payments"][0].xero_state, "sent")
        self.assertEqual(gains(), (-14.38, -14.38))
        self.run_operation(FOREIGN_OVERPAID_UNMATCHED[2])
        self.push_due()
        self.assertEqual(gains(), (0.0, 0.0))
        self.assertEqual(self.disagreements(settled=True), [])

    def test_refund_matched_to_nothing_is_blocked(self):
        """Money given back to a customer, matched to no credit note: Xero
        has nowhere to put it. Blocked, saying so, not left "Not sent"."""
        self.assertSequenceAgrees([("deposit", 0, 25.0, "refund_out", 0)])
        self.fresh_organisation()
        payment = self.env["account.payment"].create({
            "payment_type": "outbound", "partner_type": "customer",
            "partner_id": self.partner_a.id, "amount": 25.0, "date": "2025-06-05",
            "journal_id": self.bank_journal.id})
        payment.action_post()
        self.push()
        self.assertEqual(payment.xero_state, "blocked", payment.xero_error)
        self.assertIn(self.company.currency_id.format(25.0), payment.xero_error)

    def test_supplier_credit_note_after_a_sales_invoice_is_blocked(self):
        """A sales invoice to a contact, then a supplier credit note to the
        same contact: Odoo 18 codes the credit note's line to the contact's
        most used income account (an in_refund is an "inbound" type for
        ``_get_most_frequent_account_for_partner``), with the purchase tax.
        Xero takes no input tax on a revenue account (TaxRate
        CanApplyToRevenue false): the sandbox refused it ("The TaxType code
        'INPUT2' does not exist or cannot be used with this type of
        transaction"), a failure with nothing to do. Found by the long run;
        now blocked before sending, naming the line, the account, the tax
        and what to change; changed, it is sent."""
        self.assertSequenceAgrees(SUPPLIER_NOTE_ON_REVENUE)
        self.fresh_organisation()
        self.run_operation(SUPPLIER_NOTE_ON_REVENUE[0])
        self.run_operation(SUPPLIER_NOTE_ON_REVENUE[1])
        self.push_due()
        note = self.state["docs"][-1]
        line = note.invoice_line_ids
        self.assertEqual(line.account_id.account_type, "income", "Odoo's own prediction")
        self.assertEqual(note.xero_state, "blocked", note.xero_error)
        for words in ('"Mixture"', line.account_id.display_name, line.tax_ids.name, "INPUT2",
                      "revenue", "expense"):
            self.assertIn(words, note.xero_error)
        self.assertFalse(self.xero_docs("CreditNotes"))
        # As the message says: the line on an expense account, posted again.
        note.button_draft()
        note.invoice_line_ids.account_id = self.company_data["default_account_expense"]
        note.action_post()
        self.push_due()
        self.assertEqual(note.xero_state, "sent", note.xero_error)
        self.assertEqual(self.disagreements(settled=True), [])

    def test_customer_credit_note_after_a_bill_is_blocked(self):
        """The mirror: a bill from a contact, then a customer credit note to
        the same contact, coded by Odoo to the contact's expense account
        with the sales tax (OUTPUT2, CanApplyToExpenses false): blocked,
        naming them."""
        self.assertSequenceAgrees(CUSTOMER_NOTE_ON_EXPENSES)
        self.fresh_organisation()
        self.run_operation(CUSTOMER_NOTE_ON_EXPENSES[0])
        self.run_operation(CUSTOMER_NOTE_ON_EXPENSES[1])
        self.push_due()
        note = self.state["docs"][-1]
        line = note.invoice_line_ids
        self.assertEqual(line.account_id.account_type, "expense", "Odoo's own prediction")
        self.assertEqual(note.xero_state, "blocked", note.xero_error)
        for words in ('"Mixture"', line.account_id.display_name, line.tax_ids.name, "OUTPUT2",
                      "expense", "revenue"):
            self.assertIn(words, note.xero_error)
