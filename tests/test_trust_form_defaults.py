"""Small frictions of the trust transaction form: a transfer to office takes
the firm's office bank account when there is only one, and the invoice
picker chooses among the client's invoices, it does not create one named by
the search text."""

from lxml import etree

from odoo.tests import Form, tagged

from .common_trust import TrustCommon


@tagged("post_install", "-at_install")
class TestTrustFormDefaults(TrustCommon):

    def test_transfer_to_office_takes_the_only_office_account(self):
        tx = Form(self.env["account.trust.transaction"])  # not saved
        tx.kind = "transfer_to_office"
        self.assertEqual(tx.dest_journal_id, self.office_journal)
        # Two office accounts: the user chooses.
        self.env["account.journal"].create({
            "name": "Second Office", "code": "OFF2", "type": "bank",
            "company_id": self.company.id})
        tx = Form(self.env["account.trust.transaction"])
        tx.kind = "transfer_to_office"
        self.assertFalse(tx.dest_journal_id)

    def test_invoice_picker_does_not_create(self):
        arch = self.env["account.trust.transaction"].get_views([(False, "form")])
        tree = etree.fromstring(arch["views"]["form"]["arch"])
        invoice = tree.find(".//field[@name='invoice_id']")
        self.assertIn("'no_create': True", invoice.get("options") or "")
