"""Reconcile with Xero counts a branch's documents where the push sends them:
in the organisation of the branch's root company."""

from odoo import Command
from odoo.tests import tagged

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestReconcileBranches(XeroPushCommon):

    def test_branch_documents_count_in_the_parent_organisation(self):
        self.company.write({"child_ids": [Command.create({"name": "Branch A"})]})
        self.cr.precommit.run()  # the branch's chart
        branch = self.company.child_ids
        self.env.user.company_ids |= branch
        env = self.env(context=dict(self.env.context,
                                    allowed_company_ids=[self.company.id, branch.id]))
        parent_invoice = self.make_invoice(amounts=(100.0,))
        branch_invoice = self.make_invoice(amounts=(250.0,), company=branch)
        moves = (parent_invoice | branch_invoice).with_env(env)
        env["account.payment.register"].with_context(
            active_model="account.move", active_ids=moves[1].ids,
        ).create({"payment_date": "2025-06-10", "amount": 50.0})._create_payments()
        self.push()
        self.assertEqual(moves.mapped("xero_state"), ["sent", "sent"], moves.mapped("xero_error"))
        rec = self.env["xero.reconcile"].create(
            {"connection_id": self.connection.id, "date": "2025-12-31"})
        rec.action_compare()
        self.assertEqual(rec.state, "done", rec.error)
        self.assertEqual(
            [(l.xero_account_id.code, l.odoo_balance, l.xero_balance)
             for l in rec.line_ids if l.difference], [],
            "the branch's invoice and payment are in Xero: no difference")
        receivable = rec.line_ids.filtered(lambda l: l.xero_account_id.code == "610")
        self.assertAlmostEqual(receivable.odoo_balance,
                               parent_invoice.amount_total + branch_invoice.amount_total - 50.0)

    def test_receivable_not_in_the_map_counts_in_xeros_accounts_receivable(self):
        # Xero books every invoice's receivable in its Accounts Receivable,
        # whatever Odoo's receivable account (a branch's own, a partner's):
        # found by tools/odoo-scenarios on Odoo's payment register tests.
        receivable = self.env["account.account"].create({
            "name": "Receivable (second)", "code": "121099",
            "account_type": "asset_receivable", "reconcile": True})
        self.partner_b.property_account_receivable_id = receivable
        invoice = self.make_invoice(amounts=(300.0,), partner=self.partner_b)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        rec = self.env["xero.reconcile"].create(
            {"connection_id": self.connection.id, "date": "2025-12-31"})
        rec.action_compare()
        self.assertEqual(
            [(l.xero_account_id.code, l.odoo_balance, l.xero_balance)
             for l in rec.line_ids if l.difference], [])
