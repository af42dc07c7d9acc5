"""The journal entries of a trust transaction: the legs of each kind (see
the table in account_trust_transaction.py), their reversal, labels and the
entry values posted."""

from odoo import _, fields, models
from odoo.exceptions import UserError


# Kinds whose legs are written in their own file: kind → method.
KIND_LEGS = {
    "firm_withdrawal": "_get_firm_withdrawal_legs",  # account_trust_firm_withdrawal.py
    "bank_fee": "_get_bank_legs",  # account_trust_bank.py
    "bank_interest": "_get_bank_legs",
}


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    def _get_move_lines(self):
        """[(account, partner, signed amount in the transaction currency, label)]
        of the (first) journal entry: positive = debit."""
        return self._get_move_legs()[0][2]

    def _get_move_legs(self):
        """[(journal, matter, [(account, partner, signed amount, label)])]:
        the journal entries this transaction posts, one per trust account it
        touches (two for a trust transfer); matter is the account.trust.matter
        whose money the entry moves (or an empty record), set on its journal
        items. A reversal posts the entries of the transaction it reverses,
        debit and credit swapped."""
        self.ensure_one()
        if self.reversed_tx_id:
            return self._get_reversal_legs()
        if self.kind in KIND_LEGS:
            return getattr(self, KIND_LEGS[self.kind])()
        trust_bank = self.journal_id.default_account_id
        if not trust_bank:
            raise UserError(_("Journal %s has no bank account.", self.journal_id.display_name))
        client = self.partner_id
        label = self._get_label()
        amount = self.amount
        kind = self.kind

        def one(*lines):
            return [(self.journal_id, self.matter_id, list(lines))]

        if kind == "receipt":
            liability = self._get_trust_account("trust_liability_account_id")
            return one((trust_bank, client, amount, label), (liability, client, -amount, label))
        if kind in ("payment", "transfer_to_office"):
            liability = self._get_trust_account("trust_liability_account_id")
            return one((liability, client, amount, label), (trust_bank, client, -amount, label))
        if kind == "paid_by_firm":
            pbf = self._get_trust_account("trust_paid_by_firm_account_id")
            return one((pbf, client, amount, label), (trust_bank, client, -amount, label))
        if kind == "firm_reimbursement":
            liability = self._get_trust_account("trust_liability_account_id")
            pbf = self._get_trust_account("trust_paid_by_firm_account_id")
            return one((liability, client, amount, label), (pbf, client, -amount, label))
        if kind == "statutory_deposit":
            sda = self._get_trust_account("statutory_deposit_account_id")
            return one((sda, client, amount, label), (trust_bank, client, -amount, label))
        if kind == "statutory_withdrawal":
            sda = self._get_trust_account("statutory_deposit_account_id")
            return one((trust_bank, client, amount, label), (sda, client, -amount, label))
        if kind == "bank_transfer":
            dest = self.dest_journal_id.default_account_id
            if not dest:
                raise UserError(_("Journal %s has no bank account.",
                                  self.dest_journal_id.display_name))
            return one((dest, client, amount, label), (trust_bank, client, -amount, label))
        if kind == "trust_transfer":
            transfers = self._get_trust_account("trust_transfer_account_id")
            dest_journal = self._dest_trust_journal()
            dest_bank = dest_journal.default_account_id
            if not dest_bank:
                raise UserError(_("Journal %s has no bank account.", dest_journal.display_name))
            to = self.dest_partner_id
            return [
                (self.journal_id, self.matter_id, [
                    (transfers, client, amount, label), (trust_bank, client, -amount, label)]),
                (dest_journal, self.dest_matter_id, [
                    (dest_bank, to, amount, label), (transfers, to, -amount, label)]),
            ]
        raise UserError(_("Unknown trust transaction type %s.", kind))

    def _get_reversal_legs(self):
        original = self.reversed_tx_id
        label = self._get_label()
        legs = []
        for move, matter in ((original.move_id, original.matter_id),
                             (original.dest_move_id, original.dest_matter_id)):
            if move:
                legs.append((move.journal_id, matter, [
                    (line.account_id, line.partner_id, -line.amount_currency, label)
                    for line in move.line_ids]))
        return legs

    def _get_label(self):
        self.ensure_one()
        kind = self._kind_label()
        if self.kind == "firm_withdrawal" and self.withdrawal_type:
            what = dict(self._fields["withdrawal_type"]._description_selection(self.env))
            kind = "%s (%s)" % (kind, what[self.withdrawal_type])
        parts = [kind]
        if self.reversed_tx_id:
            parts.insert(0, _("Reversal of %s", self.reversed_tx_id.name))
        if self.partner_id:
            parts.append(self.partner_id.display_name)
        if self.matter_id:
            parts.append(_("matter %s", self.matter_id.reference))
        if self.kind == "trust_transfer":
            parts.append(_("to %s", " ".join(filter(None, [
                self.dest_partner_id.display_name,
                self.dest_matter_id and _("matter %s", self.dest_matter_id.reference),
                self._dest_trust_journal() != self.journal_id
                and self._dest_trust_journal().name]))))
        if self.payee_id:
            parts.append(_("to %s", self.payee_id.display_name))
        if self.invoice_id:
            parts.append(self.invoice_id.name)
        if self.memo:
            parts.append(self.memo)
        if self.reversed_tx_id and self.reversal_reason:
            parts.append(self.reversal_reason)
        return " – ".join(parts)

    def _prepare_move_vals(self, leg=None):
        self.ensure_one()
        journal, matter, move_lines = leg or self._get_move_legs()[0]
        company = self.company_id
        lines = []
        for account, partner, amount, label in move_lines:
            balance = self.currency_id._convert(
                amount, company.currency_id, company, self.date)
            lines.append(fields.Command.create({
                "account_id": account.id,
                "partner_id": partner.id or False,
                "name": label,
                "currency_id": self.currency_id.id,
                "amount_currency": amount,
                "balance": balance,
                "trust_matter_id": matter.id or False,
            }))
        ref = " ".join(filter(None, [self.name, matter.reference]))
        if self.reversed_tx_id:
            ref = " – ".join(filter(None, [
                ref, _("Reversal of %s", self.reversed_tx_id.name), self.reversal_reason]))
        return {
            "move_type": "entry",
            "journal_id": journal.id,
            "company_id": company.id,
            "date": self.date,
            "ref": ref,
            "trust_transaction_id": self.id,
            "line_ids": lines,
        }

