"""The client ledger statement of a matter and the trust receipt, printed as
the web client prints them from the matter's and the receipt's form (their
button, or the Print menu: the report action with the record's id)."""

from lxml import html

from odoo.exceptions import AccessError, UserError
from odoo.tests import tagged

from .common_trust import amount, reverse_trust, trust_matter
from .common_trust_reports import TrustReportCommon, report_url

STATEMENT = "account_xero.report_trust_matter_statement"
RECEIPT = "account_xero.report_trust_receipt"


@tagged("post_install", "-at_install")
class TestTrustMatterStatement(TrustReportCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.matter = trust_matter(cls.env, cls.client_a, "M-001")
        cls._trust("receipt", 500.0, cls.client_a, matter_ref="M-001", date="2025-03-01")
        cls._trust("payment", 120.0, cls.client_a, matter_ref="M-001", date="2025-03-05")
        cls.late = cls._trust("receipt", 200.0, cls.client_a, matter_ref="M-001",
                              date="2025-03-08")
        cls._trust("receipt", 50.0, cls.client_a, matter_ref="M-002", date="2025-03-02")
        reverse_trust(cls.late, "Cheque bounced", date="2025-03-09")

    def _print(self, login, matter):
        action = self.env.ref("account_xero.action_report_trust_matter_statement").report_action(
            matter)
        return self.print_url(login, report_url(action))

    def test_offered_on_the_matter(self):
        report = self.env.ref("account_xero.action_report_trust_matter_statement")
        self.assertEqual(report.binding_model_id.model, "account.trust.matter")
        self.assertEqual(report.groups_id, self.env.ref("account_xero.group_trust_user"))
        arch = self.env["account.trust.matter"].get_view(view_type="form")["arch"]
        self.assertIn(str(report.id), arch)

    def test_running_balance_per_matter(self):
        response = self._print("trust.clerk", self.matter)
        self.assertEqual(response.status_code, 200, response.text[:300])
        doc = html.fromstring(response.content)
        text = doc.text_content()
        self.assertIn(self.client_a.name, doc.find_class("o_trust_statement_client")[0].text_content())
        self.assertIn("M-001", doc.find_class("o_trust_statement_matter")[0].text_content())
        balances = [amount(n.text_content()) for n in doc.find_class("o_trust_statement_balance")]
        self.assertEqual(balances, [500.0, 380.0, 580.0, 380.0])
        self.assertIn("Reversal of %s" % self.late.name, text)
        self.assertEqual(amount(doc.find_class("o_trust_statement_closing")[0].text_content()),
                         380.0)
        self.assertEqual(amount(doc.find_class("o_trust_statement_closing")[0].text_content()),
                         self.matter.balance)
        self.assertEqual(amount(doc.find_class("o_trust_statement_total_received")[0]
                                .text_content()), 700.0)
        self.assertEqual(amount(doc.find_class("o_trust_statement_total_paid")[0]
                                .text_content()), 320.0)
        # The client's other matter is not on this one's statement.
        self.assertEqual(len(doc.find_class("o_trust_statement_line")), 4)

    def test_for_trust_users_of_the_matters_company(self):
        response = self._print("book.keeper", self.matter)
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("M-001", response.text)
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.bookkeeper)._render_qweb_html(
                STATEMENT, self.matter.ids)
        other = self.setup_other_company(name="Other Firm")["company"]
        partner = self.env["res.partner"].create({"name": "Client Of The Other Firm"})
        other_matter = self.env["account.trust.matter"].create({
            "reference": "O-1", "name": "Other", "partner_id": partner.id,
            "company_id": other.id})
        response = self._print("trust.clerk", other_matter)
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("Client Of The Other Firm", response.text)


@tagged("post_install", "-at_install")
class TestTrustReceiptReport(TrustReportCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.receipt = cls._trust("receipt", 1250.0, cls.client_a, matter_ref="M-7",
                                 memo="Deposit on 12 High Street")

    def _print(self, login, tx):
        action = self.env.ref("account_xero.action_report_trust_receipt").report_action(tx)
        return self.print_url(login, report_url(action))

    def test_offered_on_the_transaction(self):
        report = self.env.ref("account_xero.action_report_trust_receipt")
        self.assertEqual(report.binding_model_id.model, "account.trust.transaction")
        self.assertEqual(report.groups_id, self.env.ref("account_xero.group_trust_user"))
        arch = self.env["account.trust.transaction"].get_view(view_type="form")["arch"]
        self.assertIn(str(report.id), arch)

    def test_a_receipt_for_the_client(self):
        response = self._print("trust.clerk", self.receipt)
        self.assertEqual(response.status_code, 200, response.text[:300])
        doc = html.fromstring(response.content)
        self.assertIn(self.receipt.name, doc.find_class("o_trust_receipt_number")[0].text_content())
        self.assertIn(self.client_a.name, doc.find_class("o_trust_receipt_client")[0].text_content())
        self.assertIn("M-7", doc.find_class("o_trust_receipt_matter")[0].text_content())
        self.assertEqual(amount(doc.find_class("o_trust_receipt_amount")[0].text_content()), 1250.0)
        self.assertIn("Deposit on 12 High Street", doc.text_content())
        self.assertFalse(doc.find_class("o_trust_receipt_reversed"))

    def test_only_posted_receipts_and_a_reversed_one_says_so(self):
        payment = self._trust("payment", 100.0, self.client_a, matter_ref="M-7")
        with self.assertRaisesRegex(UserError, "not a posted receipt"):
            self.env["ir.actions.report"]._render_qweb_html(RECEIPT, payment.ids)
        self.assertEqual(self._print("trust.clerk", payment).status_code, 400)
        draft = self._trust("receipt", 10.0, self.client_a, post=False, matter_ref="M-7")
        with self.assertRaisesRegex(UserError, "not a posted receipt"):
            self.env["ir.actions.report"]._render_qweb_html(RECEIPT, draft.ids)
        second = self._trust("receipt", 40.0, self.client_a, matter_ref="M-7")
        reverse_trust(second, "Paid in error")
        reversal = second.reversal_ids
        with self.assertRaisesRegex(UserError, "not a posted receipt"):
            self.env["ir.actions.report"]._render_qweb_html(RECEIPT, reversal.ids)
        response = self._print("trust.clerk", second)
        self.assertEqual(response.status_code, 200)
        self.assertIn("Reversed by", response.text)
        self.assertIn(reversal.name, response.text)

    def test_for_trust_users_only(self):
        response = self._print("book.keeper", self.receipt)
        self.assertEqual(response.status_code, 403)
        self.assertNotIn(self.client_a.name, response.text)
        with self.assertRaises(AccessError):
            self.env["ir.actions.report"].with_user(self.bookkeeper)._render_qweb_html(
                RECEIPT, self.receipt.ids)
