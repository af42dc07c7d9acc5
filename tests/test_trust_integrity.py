"""Posted trust (client money) records are tamper-proof: a posted trust
transaction, its journal entries and the invoice payment of a transfer to
office never change, are never deleted, reset, cancelled, reversed by the
standard wizard nor unreconciled; the only way back is the addon's own
reversal (a mirror trust transaction). Drafts stay editable. No Xero here."""

from odoo import Command, fields
from odoo.exceptions import UserError
from odoo.tests import new_test_user, tagged

from .common_trust import TrustCommon, reverse_trust, trust_matter


@tagged("post_install", "-at_install")
class TestTrustIntegrity(TrustCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # An accounting user, not an administrator.
        cls.accountant = new_test_user(
            cls.env, login="trust_accountant",
            groups="base.group_user,account.group_account_user,account_xero.group_trust_user",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )

    def _as_accountant(self, records):
        return records.with_user(self.accountant)

    def _transfer_to_office(self, amount=250.0):
        invoice = self.init_invoice(
            "out_invoice", partner=self.client_a, amounts=[amount], taxes=[], post=True)
        self._trust("receipt", 400.0, self.client_a)
        tx = self._trust("transfer_to_office", amount, self.client_a,
                         dest_journal_id=self.office_journal.id, invoice_id=invoice.id)
        return tx, invoice

    # ------------------------------------------------------------------------
    # The trust transaction itself
    # ------------------------------------------------------------------------
    def test_accountant_cannot_change_the_amount_of_a_posted_transaction(self):
        self.assertFalse(self.accountant.has_group("base.group_system"))
        tx = self._trust("receipt", 500.0, self.client_a)
        with self.assertRaisesRegex(UserError, "reverse it instead"):
            self._as_accountant(tx).write({"amount": 5000.0})
        self.assertEqual(tx.amount, 500.0)
        self.assertEqual(self._ledger(), {self.client_a.name: (500.0, 0.0)})

    def test_no_field_of_a_posted_or_reversed_transaction_changes(self):
        other_trust = self.env["account.journal"].create({
            "name": "Trust Investment", "code": "TRIN", "type": "bank", "is_trust_account": True,
        })
        receipt = self._trust("receipt", 500.0, self.client_a, matter_ref="M-1")
        reversal = receipt.browse(reverse_trust(receipt)["res_id"])
        posted = self._trust("receipt", 300.0, self.client_b, matter_ref="M-2")
        changes = {
            "amount": 1.0, "date": fields.Date.to_date("2025-01-01"),
            "partner_id": self.client_b.id, "memo": "edited",
            "matter_id": trust_matter(self.env, self.client_b, "OTHER").id,
            "journal_id": other_trust.id, "kind": "payment", "payee_id": self.client_b.id,
            "company_id": self.company.id,
        }
        for tx in (receipt, reversal, posted):
            for fname, value in changes.items():
                with self.subTest(tx=tx.name, field=fname), \
                        self.assertRaisesRegex(UserError, "reverse it instead"):
                    self._as_accountant(tx).write({fname: value})
        # Not even by an administrator.
        with self.assertRaisesRegex(UserError, "reverse it instead"):
            posted.sudo().write({"memo": "edited"})
        self.assertEqual((posted.amount, posted.matter_id.reference, posted.memo, posted.partner_id),
                         (300.0, "M-2", False, self.client_b))
        self.assertEqual(self._ledger(), {
            self.client_a.name: (0.0, 0.0), self.client_b.name: (300.0, 0.0)})
        # The chatter stays open.
        self._as_accountant(posted).message_post(body="Checked against the bank statement.")

    def test_posted_transactions_are_never_deleted(self):
        receipt = self._trust("receipt", 500.0, self.client_a)
        reversal = receipt.browse(reverse_trust(receipt)["res_id"])
        for tx in (receipt, reversal):
            with self.assertRaisesRegex(UserError, "reverse it instead"):
                self._as_accountant(tx).unlink()
            with self.assertRaisesRegex(UserError, "reverse it instead"):
                tx.sudo().unlink()
        self.assertTrue(receipt.exists() and reversal.exists())

    def test_state_number_entry_and_reversal_link_set_only_by_the_addon(self):
        receipt = self._trust("receipt", 500.0, self.client_a)
        draft = self._as_accountant(self._trust("receipt", 10.0, self.client_a, post=False))
        manual = self.env["account.move"].create({
            "journal_id": self.trust_journal.id,
            "line_ids": [
                Command.create({"account_id": self.trust_bank.id, "balance": 10.0}),
                Command.create({"account_id": self.trust_liability.id, "balance": -10.0,
                                "partner_id": self.client_a.id}),
            ],
        })
        for vals in ({"state": "posted"}, {"name": "TRUST/FAKE"}, {"move_id": manual.id},
                     {"dest_move_id": manual.id}, {"reversed_tx_id": receipt.id}):
            with self.subTest(vals=vals), self.assertRaisesRegex(UserError, "Post|Reverse"):
                draft.write(vals)
            # A context flag sent by a client (RPC) does not open it either.
            with self.subTest(vals=vals, forged=True), self.assertRaises(UserError):
                draft.with_context(account_xero_trust_write=True).write(vals)
        # Nor a "posted" or "reversing" transaction created as such.
        Trust = self._as_accountant(self.env["account.trust.transaction"])
        base = {"kind": "receipt", "amount": 10.0, "partner_id": self.client_a.id,
                "journal_id": self.trust_journal.id}
        for vals in ({"state": "posted"}, {"reversed_tx_id": receipt.id},
                     {"move_id": manual.id}, {"name": "TRUST/FAKE"}):
            with self.subTest(create=vals), self.assertRaisesRegex(UserError, "Post|Reverse"):
                Trust.create({**base, **vals})
        # Posting a draft one does it all.
        draft.action_post()
        self.assertEqual(draft.state, "posted")
        self.assertTrue(draft.move_id)
        self.assertEqual(self._ledger(), {self.client_a.name: (510.0, 0.0)})

    def test_drafts_stay_editable_and_the_accountant_posts_and_reverses(self):
        tx = self._as_accountant(self._trust("receipt", 10.0, self.client_a, post=False))
        tx.write({"amount": 120.0, "memo": "Deposit", "date": "2025-03-11",
                  "partner_id": self.client_b.id,
                  "matter_id": trust_matter(self.env, self.client_b, "M-3").id})
        tx.action_cancel()
        tx.action_draft()
        tx.write({"partner_id": self.client_a.id,
                  "matter_id": trust_matter(self.env, self.client_a).id})
        tx.action_post()
        self.assertEqual((tx.state, tx.amount, tx.memo), ("posted", 120.0, "Deposit"))
        reversal = tx.browse(reverse_trust(tx)["res_id"])
        self.assertEqual((reversal.state, reversal.reversed_tx_id), ("posted", tx))
        self.assertTrue(tx.is_reversed)
        self.assertEqual(self._ledger(), {self.client_a.name: (0.0, 0.0)})
        # The Xero fields still follow the sync (they are not the trust record).
        tx.sudo().write({"xero_state": "queued"})

    # ------------------------------------------------------------------------
    # Its journal entries
    # ------------------------------------------------------------------------
    def test_journal_entry_cannot_be_reset_cancelled_or_deleted(self):
        tx = self._trust("receipt", 500.0, self.client_a)
        transfer = self._trust("trust_transfer", 100.0, self.client_a,
                               dest_partner_id=self.client_b.id)
        for move in (tx.move_id, transfer.move_id, transfer.dest_move_id):
            move = self._as_accountant(move)
            with self.subTest(move=move.name):
                with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
                    move.button_draft()
                with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
                    move.button_cancel()
                with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
                    move.write({"state": "draft"})
                with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
                    move.sudo().with_context(force_delete=True).unlink()
                with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
                    move.write({"name": "/", "journal_id": self.office_journal.id})
                with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
                    move.write({"trust_transaction_id": False})
                self.assertEqual(move.state, "posted")
        self.assertEqual(self._ledger(), {
            self.client_a.name: (400.0, 0.0), self.client_b.name: (100.0, 0.0)})

    def test_journal_items_cannot_move_money_between_clients(self):
        tx = self._trust("receipt", 500.0, self.client_a)
        lines = self._as_accountant(tx.move_id.line_ids)
        # Both lines to client B: still balanced, but client A's money would
        # become client B's without a trust transaction.
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            lines.write({"partner_id": self.client_b.id})
        liability = lines.filtered(lambda l: l.account_id == self.trust_liability)
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            liability.write({"account_id": self.paid_by_firm.id})
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            lines.env["account.move.line"].create([
                {"move_id": tx.move_id.id, "account_id": self.trust_liability.id,
                 "partner_id": self.client_a.id, "balance": 500.0},
                {"move_id": tx.move_id.id, "account_id": self.trust_liability.id,
                 "partner_id": self.client_b.id, "balance": -500.0},
            ])
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            liability.sudo().with_context(force_delete=True).unlink()
        # Nor journal items moved in from another entry (both: each stays balanced).
        manual = self.env["account.move"].create({
            "journal_id": self.trust_journal.id,
            "line_ids": [
                Command.create({"account_id": self.trust_liability.id, "balance": 5.0,
                                "partner_id": self.client_a.id}),
                Command.create({"account_id": self.trust_liability.id, "balance": -5.0,
                                "partner_id": self.client_b.id}),
            ],
        })
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            self._as_accountant(manual.line_ids).write({"move_id": tx.move_id.id})
        self.assertEqual(self._ledger(), {self.client_a.name: (500.0, 0.0)})

    def test_standard_reversal_wizard_refused(self):
        tx = self._trust("receipt", 500.0, self.client_a)
        move = self._as_accountant(tx.move_id)
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            move.action_reverse()
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            wizard = self.env["account.move.reversal"].with_user(self.accountant).with_context(
                active_model="account.move", active_ids=move.ids,
            ).create({"journal_id": self.trust_journal.id, "date": "2025-03-12"})
            wizard.refund_moves()
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            move._reverse_moves(cancel=True)
        self.assertFalse(tx.is_reversed)
        self.assertEqual(self._ledger(), {self.client_a.name: (500.0, 0.0)})

    # ------------------------------------------------------------------------
    # The invoice payment of a transfer to office
    # ------------------------------------------------------------------------
    def test_transfer_to_office_payment_cannot_be_undone_by_hand(self):
        tx, invoice = self._transfer_to_office()
        payment = self._as_accountant(tx.payment_id)
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            payment.action_draft()
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            payment.action_cancel()
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            payment.write({"amount": 1.0})
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            payment.write({"trust_transaction_id": False})
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            payment.sudo().unlink()
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            payment.move_id.button_draft()
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            payment.move_id._reverse_moves(cancel=True)
        self.assertEqual(payment.state, "paid")
        self.assertEqual(invoice.amount_residual, 0.0)

    def test_transfer_to_office_cannot_be_unreconciled(self):
        tx, invoice = self._transfer_to_office(200.0)
        invoice = self._as_accountant(invoice)
        partial = invoice.line_ids.matched_credit_ids
        self.assertEqual(len(partial), 1)
        # The "unreconcile" of the invoice's payment widget.
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            invoice.js_remove_outstanding_partial(partial.id)
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            tx.payment_id.move_id.line_ids.with_user(self.accountant).remove_move_reconcile()
        # Nor settle less of it.
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            partial.with_user(self.accountant).write({
                "amount": 1.0, "debit_amount_currency": 1.0, "credit_amount_currency": 1.0})
        # Resetting the invoice to draft would unreconcile it too.
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            invoice.button_draft()
        self.assertTrue(partial.exists())
        self.assertEqual(invoice.amount_residual, 0.0)
        self.assertEqual(invoice.state, "posted")
        # The addon's own reversal is the way back.
        reverse_trust(self._as_accountant(tx))
        self.assertEqual(invoice.amount_residual, 200.0)
        self.assertEqual(tx.payment_id.state, "canceled")
        self.assertEqual(self._ledger(), {self.client_a.name: (400.0, 0.0)})
        # The cancelled payment stays cancelled: reviving it would pay the
        # invoice from trust again without a trust transaction.
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            self._as_accountant(tx.payment_id).action_draft()
        with self.assertRaisesRegex(UserError, "reverse the trust transaction"):
            self._as_accountant(tx.payment_id.move_id).button_draft()
