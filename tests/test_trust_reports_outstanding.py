"""The outstanding items of the three-way reconciliation: deposits in the
trust bank not yet on the bank's statement and payments not yet presented,
read from the posted trust transactions of the account and the date each
reached the bank statement (``bank_statement_date``), printed through the URL
the web client builds (HTML) and as a real PDF (test_trust_reports_pdf.py)."""

from odoo.exceptions import UserError
from odoo.tests import tagged

from .common_trust_reports import TrustReportCommon


@tagged("post_install", "-at_install")
class TestTrustReconciliationOutstanding(TrustReportCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.on_statement = cls._trust("receipt", 500.0, cls.client_a, date="2025-03-03")
        cls.in_transit = cls._trust("receipt", 300.0, cls.client_b, date="2025-03-28")
        cls.unpresented = cls._trust("payment", 120.0, cls.client_a, date="2025-03-29",
                                     memo="Cheque 104")
        cls.on_statement.with_user(cls.trust_user).bank_statement_date = "2025-03-05"

    def _print(self, statement_balance, date="2025-03-31"):
        action = self.trust_journal.with_user(self.trust_user).action_open_trust_reconciliation()
        wizard = self.env[action["res_model"]].with_user(self.trust_user).with_context(
            **action["context"]).create({"date": date, "use_statement": True,
                                         "statement_balance": statement_balance})
        return self.print_action("trust.clerk", wizard.action_print())

    def _commit_tracking(self):
        """What a commit does for the chatter: write the tracked changes
        (records created in the same transaction are not tracked)."""
        self.env.flush_all()
        self.env.cr.precommit.run()

    def _items(self, doc, css):
        return {row.find_class("o_trust_outstanding_ref")[0].text_content().strip():
                self.figure(row, "o_trust_outstanding_amount")
                for row in doc.find_class(css)}

    def test_outstanding_items_explain_the_statement(self):
        doc = self._print(500.0)
        self.assertEqual(self._items(doc, "o_trust_deposit_in_transit"),
                         {self.in_transit.name: 300.0})
        self.assertEqual(self._items(doc, "o_trust_unpresented_payment"),
                         {self.unpresented.name: -120.0})
        self.assertEqual(self.figure(doc, "o_trust_deposits_total"), 300.0)
        self.assertEqual(self.figure(doc, "o_trust_payments_total"), -120.0)
        self.assertEqual(self.figure(doc, "o_trust_adjusted_statement"), 680.0)
        self.assertEqual(self.figure(doc, "o_trust_bank_balance"), 680.0)
        # Statement + deposits - payments = the books: nothing unrecorded.
        self.assertEqual(self.figure(doc, "o_trust_statement_difference"), 0.0)
        text = doc.text_content()
        self.assertIn(self.client_b.name, text)
        self.assertIn("Cheque 104", text)

    def test_as_at_an_earlier_date_and_once_presented(self):
        # As at 28 March the payment did not exist yet; the deposit was in transit.
        doc = self._print(500.0, date="2025-03-28")
        self.assertEqual(self._items(doc, "o_trust_deposit_in_transit"),
                         {self.in_transit.name: 300.0})
        self.assertFalse(doc.find_class("o_trust_unpresented_payment"))
        # Presented on 2 April: outstanding as at 31 March, not as at 2 April.
        self.unpresented.with_user(self.trust_user).bank_statement_date = "2025-04-02"
        self.assertEqual(self._items(self._print(500.0), "o_trust_unpresented_payment"),
                         {self.unpresented.name: -120.0})
        doc = self._print(380.0, date="2025-04-02")
        self.assertFalse(doc.find_class("o_trust_unpresented_payment"))
        self.assertEqual(self.figure(doc, "o_trust_statement_difference"), 0.0)

    def test_the_statement_date_is_the_only_change_on_a_posted_transaction(self):
        # The chatter on, as for a user (the test bases turn it off).
        tx = self.in_transit.with_user(self.trust_user).with_context(
            tracking_disable=False, mail_notrack=False)
        self._commit_tracking()  # the transaction was posted in an earlier one
        tx.bank_statement_date = "2025-03-31"
        self._commit_tracking()
        self.assertIn("On bank statement", tx.message_ids[0].sudo().tracking_value_ids.field_id.mapped(
            "field_description"))
        with self.assertRaisesRegex(UserError, "before"):
            tx.bank_statement_date = "2025-03-27"
        with self.assertRaisesRegex(UserError, "cannot be changed"):
            tx.write({"bank_statement_date": "2025-04-01", "amount": 1.0})
        # Drafts are not on a statement.
        draft = self._trust("receipt", 10.0, self.client_a, post=False)
        with self.assertRaisesRegex(UserError, "posted"):
            draft.with_user(self.trust_user).bank_statement_date = "2025-03-31"
