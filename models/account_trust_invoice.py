"""Transfer to office: trust money pays a client's customer invoice. The
trust transaction checks the invoice (posted, the client's own, billed on
the transaction's matter, in the trust account's currency, no more than is
due), then registers the
invoice's customer payment in the office journal (Odoo's register-payment
wizard) and links it; its reversal cancels that payment, and the invoice is
due again. models/account_move_trust.py keeps that payment from being
changed by hand; in Xero the push engine posts and deletes the payment."""

from odoo import _, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare

from .account_trust_transaction import trust_internal


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    def _check_invoice(self):
        self.ensure_one()
        invoice = self.invoice_id
        if invoice.move_type != "out_invoice" or invoice.state != "posted":
            raise UserError(_("Transfer to office pays a posted customer invoice; %s is not one.",
                              invoice.display_name))
        if invoice.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise UserError(_(
                "Invoice %(invoice)s is for %(partner)s, not for %(client)s: trust money "
                "pays only its own client's invoices.", invoice=invoice.name,
                partner=invoice.partner_id.display_name, client=self.partner_id.display_name))
        billed = invoice._trust_billed_matter()
        if not billed:
            raise UserError(_(
                "Invoice %(invoice)s is billed on no matter: fees leave trust only against "
                "the matter they were billed on. Set the invoice's Matter (or its reference "
                "to the matter's, %(reference)s) and pay it from that matter.",
                invoice=invoice.name, reference=self.matter_id.reference))
        if billed != self.matter_id:
            raise UserError(_(
                "Invoice %(invoice)s is billed on matter %(billed)s, not on %(matter)s: the "
                "money a client holds on one matter pays only that matter's fees. Pay it from "
                "%(billed)s, or transfer the money between matters first (Trust transfer).",
                invoice=invoice.name, billed=billed.display_name,
                matter=self.matter_id.display_name))
        if invoice.currency_id != self.currency_id:
            raise UserError(_(
                "Invoice %(invoice)s is in %(a)s and the trust account in %(b)s.",
                invoice=invoice.name, a=invoice.currency_id.name, b=self.currency_id.name))
        if float_compare(self.amount, invoice.amount_residual,
                         precision_rounding=self.currency_id.rounding) > 0:
            raise UserError(_(
                "Invoice %(invoice)s has %(due)s left to pay; transfer no more than that "
                "from trust.", invoice=invoice.name,
                due=self._format(invoice.amount_residual)))

    def _pay_invoice(self):
        """The invoice's customer payment into the office journal, reconciled
        with the invoice (Odoo's register-payment wizard)."""
        self.ensure_one()
        wizard = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice_id.ids,
        ).create({
            "journal_id": self.dest_journal_id.id,
            "amount": self.amount,
            "currency_id": self.currency_id.id,
            "payment_date": self.date,
            "communication": " ".join(filter(None, [
                self.invoice_id.payment_reference or self.invoice_id.name,
                _("(from trust %s)", self.name)])),
            "payment_difference_handling": "open",
        })
        payment = wizard._create_payments()
        trust_internal(payment).trust_transaction_id = self.id
        return payment

    def _unpay_invoice(self):
        """Reversal of a transfer to office: the original's invoice payment
        is cancelled (kept, unreconciled: the invoice is due again; in Xero
        the push engine deletes its payment)."""
        payment = trust_internal(self.reversed_tx_id.payment_id)
        if payment and payment.state != "canceled":
            payment.action_draft()
            payment.move_id.button_cancel()
            payment.state = "canceled"
        trust_internal(self).payment_id = payment.id


class AccountMove(models.Model):
    _inherit = "account.move"

    trust_matter_id = fields.Many2one(
        "account.trust.matter", "Matter", check_company=True, tracking=True,
        index="btree_not_null",
        domain="[('partner_id.commercial_partner_id', '=', commercial_partner_id)]",
        help="The client's matter (file) these fees are billed on: only that matter's money "
        "in trust pays them (a transfer to office). Empty: the matter whose reference is "
        "the invoice's reference.")

    def _trust_billed_matter(self):
        """The matter this customer invoice bills: its Matter, or else the
        client's matter whose reference is the invoice's reference."""
        self.ensure_one()
        if self.trust_matter_id or not self.ref:
            return self.trust_matter_id
        return self.env["account.trust.matter"].search([
            ("company_id", "=", self.company_id.id), ("reference", "=", self.ref),
            ("partner_id.commercial_partner_id", "=", self.commercial_partner_id.id)], limit=1)

    def write(self, vals):
        if "trust_matter_id" in vals:
            paid = self.env["account.trust.transaction"].sudo().search([
                ("invoice_id", "in", self.ids), ("state", "=", "posted")], limit=1)
            if paid and paid.invoice_id.trust_matter_id.id != (vals["trust_matter_id"] or False):
                raise UserError(_(
                    "Invoice %(invoice)s was paid from trust (%(tx)s): the matter it was "
                    "billed on stays.", invoice=paid.invoice_id.name, tx=paid.name))
        return super().write(vals)


class AccountPayment(models.Model):
    _inherit = "account.payment"

    trust_transaction_id = fields.Many2one(
        "account.trust.transaction", "Paid from trust", readonly=True, copy=False,
        index="btree_not_null")
