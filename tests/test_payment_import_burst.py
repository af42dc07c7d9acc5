"""A burst of payments made in Xero: read in a few calls to Xero,
registered together in Odoo (models/xero_payment_register.py), each with
its chatter as one registered by hand, and one payment another worker
registered meanwhile does not hold up the others."""

from unittest.mock import patch

from odoo.tests import tagged

from odoo.addons.account_xero.models.xero_payment_import import XeroWebhookEvent

from .common_inbound import XeroInboundCommon


@tagged("post_install", "-at_install")
class TestPaymentImportBurst(XeroInboundCommon):

    def paid_in_xero(self, *amounts):
        """Invoices sent, each paid in Xero for ``amount`` and told by an event."""
        moves = self.env["account.move"]
        for amount in amounts:
            moves |= self.make_invoice(amounts=(amount,))
        self.push()
        self.paid = {}
        for move in moves:
            self.assertEqual(move.xero_state, "sent", move.xero_error)
            self.paid[move] = self.pay_in_xero_on("Invoice", move.xero_id, 50.0)["PaymentID"].lower()
            self.event("INVOICE", move.xero_id)
        return moves

    def test_many_invoices_paid_in_xero_cost_a_few_calls(self):
        """Xero's 60 calls a minute are shared with the push: the payments
        of twenty invoices told at once are read in one call, not one call
        an invoice (a thousand paid in Xero waited minutes for their turn)."""
        moves = self.paid_in_xero(100.0, 110.0, 120.0, 130.0, 140.0)
        before = len(self.api_requests())
        self.pull()
        reads = [r for r in self.api_requests()[before:] if r["method"] == "GET"]
        self.assertEqual(len([r for r in reads if "/Payments" in r["path"]]), 1, reads)
        self.assertLessEqual(len(reads), 2, reads)
        for move in moves:
            self.assertEqual(len(self.imported(move)), 1)
            self.assertEqual(move.payment_state, "partial")

    def test_a_burst_is_registered_together(self):
        """The payments of the invoices a call read are made, posted and
        matched together (Odoo's steps cost per call far more than per
        payment: one at a time, a burst of 500 paid in Xero took minutes to
        show in Odoo), each with what a payment registered by hand shows:
        posted, matched with its invoice, its chatter."""
        moves = self.paid_in_xero(100.0, 110.0, 120.0, 130.0)
        Move = type(self.env["account.move"])
        creates = []
        original = Move.create

        def spy(records, vals_list):
            entries = [v for v in (vals_list if isinstance(vals_list, list) else [vals_list])
                       if v.get("origin_payment_id")]
            if entries:
                creates.append(len(entries))
            return original(records, vals_list)

        with patch.object(Move, "create", spy):
            self.pull()
        self.assertEqual(creates, [4], "the payments' journal entries made in one go")
        for move in moves:
            payment = self.imported(move)
            self.assertEqual(len(payment), 1)
            self.assertEqual((payment.move_id.state, payment.amount, move.payment_state),
                             ("posted", 50.0, "partial"))
            self.assertIn(payment, move.matched_payment_ids)
            self.assertAlmostEqual(move.amount_residual, move.amount_total - 50.0)
            self.assertIn("Registered from a payment made in Xero",
                          " ".join(payment.message_ids.mapped("body")))
            self.assertIn(payment.name, self.events().filtered(
                lambda e, m=move: e.resource_id == m.xero_id.lower()).note)

    def test_a_payment_registered_meanwhile_does_not_hold_up_the_others(self):
        """Another worker registered the second invoice's Xero payment while
        this call was reading (its transaction committed after this one's
        look-up: the unique (company, Xero payment) constraint refuses the
        insert). Before, the whole call failed and nothing was registered;
        now the first and third invoices are registered, and the second's
        event is left to be read again: still one Odoo payment a Xero payment."""
        first, second, third = self.paid_in_xero(100.0, 110.0, 120.0)
        pid = self.paid[second]
        # What another worker's transaction holds, unseen by this call's look-ups.
        real = XeroWebhookEvent._xero_payment_details

        def details(records, client, docs, moves):
            found = real(records, client, docs, moves)
            other = self.make_invoice(amounts=(50.0,))
            self.pay(other, amount=50.0).write({"xero_import_id": pid})
            return found

        with patch.object(XeroWebhookEvent, "_xero_payment_details", details):
            self.pull()
        self.assertEqual((len(self.imported(first)), len(self.imported(second)),
                          len(self.imported(third))), (1, 0, 1))
        by_move = {e.resource_id: e.state for e in self.events()}
        self.assertEqual(by_move[second.xero_id.lower()], "received")
        self.assertEqual(self.env["account.payment"].search_count([("xero_import_id", "=", pid)]), 1)
