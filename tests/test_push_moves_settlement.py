"""Bank entries that settle invoices and bills without an account.payment (a
bank statement line matched with an invoice, a bank entry matched by hand
with a bill) reach the Xero sandbox as Payments on them, on the journal's
bank account: the invoice is paid in Xero, nothing else is sent; unmatching
deletes the Xero payment; what is matched with no invoice is blocked."""

from odoo import Command, fields

from odoo.tests import tagged

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestPushSettlements(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.bank_journal = cls.company_data["default_journal_bank"]

    def statement_line(self, amount, partner=None, ref="Deposit"):
        return self.env["account.bank.statement.line"].create({
            "journal_id": self.bank_journal.id, "date": "2025-06-12", "payment_ref": ref,
            "partner_id": (partner or self.partner_a).id, "amount": amount,
        })

    def open_line(self, move):
        return move.line_ids.filtered(
            lambda l: l.account_id.account_type in ("asset_receivable", "liability_payable")
            and not l.reconciled)

    def match(self, st_line, document):
        """What Odoo's reconciliation does: the statement line's suspense
        item goes on the document's receivable / payable account, matched."""
        _liquidity, suspense, _other = st_line._seek_for_lines()
        line = self.open_line(document)
        suspense.account_id = line.account_id
        (suspense + line).reconcile()

    def bank_entry(self, amount, account, partner):
        """Money in (amount > 0) or out of the bank, the other side on
        ``account`` for ``partner``, posted."""
        move = self.env["account.move"].create({
            "move_type": "entry", "journal_id": self.bank_journal.id, "date": "2025-06-12",
            "ref": "Bank settlement",
            "line_ids": [
                Command.create({"name": "Bank", "debit": max(amount, 0.0),
                                "credit": max(-amount, 0.0),
                                "account_id": self.bank_journal.default_account_id.id}),
                Command.create({"name": "Settlement", "debit": max(-amount, 0.0),
                                "credit": max(amount, 0.0), "account_id": account.id,
                                "partner_id": partner.id}),
            ],
        })
        move.action_post()
        return move

    def xero_payments(self):
        return [p for p in self.xero_docs("Payments") if p["Status"] != "DELETED"]

    def assertNothingElse(self):
        self.assertFalse(self.xero_docs("BankTransactions"))
        self.assertFalse(self.xero_docs("ManualJournals"))

    def test_statement_line_pays_the_invoice(self):
        invoice = self.make_invoice()
        st_line = self.statement_line(invoice.amount_total, ref="Smith paid INV")
        self.push()
        self.assertFalse(self.jobs(st_line.move_id), "not matched yet: nothing to send")
        self.match(st_line, invoice)
        self.assertEqual(invoice.payment_state, "paid")
        self.push()
        self.push()
        entry = st_line.move_id
        self.assertEqual(entry.xero_state, "sent", entry.xero_error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        [payment] = self.xero_payments()
        self.assertEqual(payment["PaymentID"], entry.xero_id)
        self.assertAlmostEqual(float(payment["Amount"]), invoice.amount_total, places=2)
        self.assertEqual(self.tenant().account_by_id(payment["Account"])["Code"], "090",
                         "the bank journal's account")
        self.assertIn(entry.name, payment["Reference"])
        self.assertEqual(str(payment["Date"])[:10], "2025-06-12", "the statement line's date")
        self.assertNothingElse()

    def test_partial_settlement_then_unmatch_deletes_the_payment(self):
        invoice = self.make_invoice()
        st_line = self.statement_line(50.0)
        self.match(st_line, invoice)
        self.push()
        self.push()
        entry = st_line.move_id
        self.assertEqual(entry.xero_state, "sent", entry.xero_error)
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertEqual(doc["Status"], "AUTHORISED")
        self.assertAlmostEqual(float(doc["AmountDue"]), invoice.amount_total - 50.0, places=2)
        [payment] = self.xero_payments()
        self.assertAlmostEqual(float(payment["Amount"]), 50.0, places=2)

        st_line.action_undo_reconciliation()
        self.assertEqual(invoice.payment_state, "not_paid")
        self.push()
        self.assertEqual(self.xero_doc("Payments", payment["PaymentID"])["Status"], "DELETED")
        self.assertAlmostEqual(float(self.xero_doc("Invoices", invoice.xero_id)["AmountDue"]),
                               invoice.amount_total, places=2)
        self.assertEqual(entry.xero_state, "voided", entry.xero_error)
        self.assertNothingElse()

    def test_bank_entry_pays_a_bill(self):
        bill = self.make_invoice("in_invoice", amounts=(200.0,))
        payable = self.open_line(bill)
        entry = self.bank_entry(-bill.amount_total, payable.account_id, self.partner_a)
        (self.open_line(entry) + payable).reconcile()
        self.assertEqual(bill.payment_state, "paid")
        self.push()
        self.push()
        self.assertEqual(entry.xero_state, "sent", entry.xero_error)
        self.assertEqual(self.jobs(entry, "bank_transaction").state, "cancelled",
                         "the entry itself makes nothing in Xero")
        self.assertEqual(self.xero_doc("Invoices", bill.xero_id)["Status"], "PAID")
        [payment] = self.xero_payments()
        self.assertEqual(payment["PaymentType"], "ACCPAYPAYMENT")
        self.assertAlmostEqual(float(payment["Amount"]), bill.amount_total, places=2)
        self.assertNothingElse()

    def test_unmatched_part_is_blocked_until_matched(self):
        invoice = self.make_invoice()
        receivable = self.open_line(invoice)
        entry = self.bank_entry(200.0, receivable.account_id, self.partner_a)
        (self.open_line(entry) + receivable).reconcile()
        self.push()
        self.push()
        self.assertEqual(entry.xero_state, "blocked")
        rest = 200.0 - invoice.amount_total
        self.assertIn(self.company.currency_id.format(rest), entry.xero_error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID",
                         "what is matched went")
        # The rest matched with a second invoice: the entry is sent in full.
        invoice2 = self.make_invoice(amounts=(rest,), taxes=[])
        (self.open_line(entry) + self.open_line(invoice2)).reconcile()
        self.push()
        self.push()
        self.assertEqual(entry.xero_state, "sent", entry.xero_error)
        self.assertEqual(self.xero_doc("Invoices", invoice2.xero_id)["Status"], "PAID")
        self.assertEqual(len(self.xero_payments()), 2)
        self.assertNothingElse()

    def test_one_line_settles_two_invoices_one_unmatched_later(self):
        invoice = self.make_invoice()
        invoice2 = self.make_invoice(amounts=(40.0,))
        st_line = self.statement_line(invoice.amount_total + invoice2.amount_total)
        _liquidity, suspense, _other = st_line._seek_for_lines()
        suspense.account_id = self.open_line(invoice).account_id
        (suspense + self.open_line(invoice) + self.open_line(invoice2)).reconcile()
        self.push()
        self.push()
        entry = st_line.move_id
        self.assertEqual(entry.xero_state, "sent", entry.xero_error)
        payments = {p["PaymentID"]: p for p in self.xero_payments()}
        self.assertEqual(len(payments), 2, "one Xero payment per invoice")
        self.assertEqual(set(entry.xero_id.split(",")), set(payments))
        for doc in (invoice, invoice2):
            self.assertEqual(self.xero_doc("Invoices", doc.xero_id)["Status"], "PAID")
        # The second invoice taken off the statement line: its payment only is deleted.
        invoice2.line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable").remove_move_reconcile()
        self.push()
        self.assertEqual(self.xero_doc("Invoices", invoice2.xero_id)["Status"], "AUTHORISED")
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        self.assertEqual(len(self.xero_payments()), 1)
        # Odoo's bank keeps the second invoice's money, matched to nothing.
        self.assertEqual(entry.xero_state, "blocked")
        self.assertIn(self.company.currency_id.format(invoice2.amount_total), entry.xero_error)
        self.assertEqual(entry.xero_id, self.xero_payments()[0]["PaymentID"],
                         "its other payment is still in Xero")

    def test_payment_in_doubt_is_found_not_made_twice(self):
        """Xero stored the payment but the answer was lost: it is looked up
        by the job key its Reference carries before it is sent again."""
        invoice = self.make_invoice()
        self.push()
        st_line = self.statement_line(invoice.amount_total)
        self.match(st_line, invoice)
        self.srv.faults.fail_after_commit(path="*/Payments", method="PUT", then="drop", times=3)
        self.push()
        job = self.jobs(st_line.move_id, "payment")
        self.assertTrue(job.in_doubt)
        self.assertEqual(len(self.xero_payments()), 1)
        job.sudo().next_try_at = fields.Datetime.now()
        self.push()
        self.assertEqual(st_line.move_id.xero_state, "sent", st_line.move_id.xero_error)
        self.assertEqual(len(self.xero_payments()), 1)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")

    def test_foreign_invoice_paid_from_the_base_currency_bank(self):
        invoice = self.make_invoice(currency=self.other_currency)  # AUD at 2.0 per unit
        st_line = self.statement_line(invoice.amount_total_signed)
        self.match(st_line, invoice)
        self.assertEqual(invoice.payment_state, "paid")
        self.push()
        self.push()
        self.assertEqual(st_line.move_id.xero_state, "sent", st_line.move_id.xero_error)
        [payment] = self.xero_payments()
        self.assertAlmostEqual(float(payment["Amount"]), invoice.amount_total, places=2)
        self.assertAlmostEqual(float(payment["CurrencyRate"]), 2.0, places=6)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")

    def test_statement_line_not_all_matched_is_blocked(self):
        invoice = self.make_invoice()
        st_line = self.statement_line(200.0)
        self.match(st_line, invoice)
        self.push()
        self.push()
        entry = st_line.move_id
        self.assertEqual(entry.xero_state, "blocked")
        self.assertIn(self.company.currency_id.format(200.0 - invoice.amount_total),
                      entry.xero_error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        self.assertNothingElse()

    def test_statement_line_left_matched_to_nothing_by_a_reset_is_blocked(self):
        """A statement line paying an invoice, the invoice reset and posted
        again (or cancelled): Odoo takes the match off, and the Xero payment
        is deleted; Odoo's bank keeps the money, on receivable matched to
        nothing. It showed "Voided", Xero's bank short of Odoo's with
        nothing to do (found by the books' property test); now it is
        blocked naming the amount, and matched again it is sent."""
        invoice = self.make_invoice()
        st_line = self.statement_line(invoice.amount_total)
        self.match(st_line, invoice)
        self.push()
        self.push()
        entry = st_line.move_id
        self.assertEqual(entry.xero_state, "sent", entry.xero_error)
        invoice.button_draft()
        invoice.action_post()
        self.push()
        self.push()
        self.assertFalse(self.xero_payments(), "its Xero payment is deleted")
        self.assertEqual(entry.xero_state, "blocked")
        self.assertIn(self.company.currency_id.format(invoice.amount_total), entry.xero_error)
        self.assertIn("matched with no invoice", entry.xero_error)
        rec = self.env["xero.reconcile"].create({
            "connection_id": self.connection.id, "date": "2025-12-31"})
        rec.action_compare()
        bank = rec.line_ids.filtered(lambda l: l.xero_code == "090")
        self.assertEqual(set(bank.item_ids.mapped("reason")), {"blocked"})
        # As the message says: matched again, it goes again as a payment.
        (self.open_line(entry) + self.open_line(invoice)).reconcile()
        self.push()
        self.push()
        self.assertEqual(entry.xero_state, "sent", entry.xero_error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        self.assertNothingElse()

    def test_bank_entry_left_matched_to_nothing_by_a_cancel_is_blocked(self):
        """The same for a bank entry paying a bill that is cancelled."""
        bill = self.make_invoice("in_invoice", amounts=(200.0,))
        payable = self.open_line(bill)
        entry = self.bank_entry(-bill.amount_total, payable.account_id, self.partner_a)
        (self.open_line(entry) + payable).reconcile()
        self.push()
        self.push()
        self.assertEqual(entry.xero_state, "sent", entry.xero_error)
        bill.button_draft()
        bill.button_cancel()
        self.push()
        self.push()
        self.assertFalse(self.xero_payments())
        self.assertEqual(entry.xero_state, "blocked")
        self.assertIn(self.company.currency_id.format(bill.amount_total), entry.xero_error)
        self.assertNothingElse()
