"""Bank and cash entries that settle invoices and bills, to Xero as Payments.

A bank statement line reconciled with a customer invoice or a vendor bill
(its suspense item put on the receivable / payable account and matched), or
a bank or cash entry matched by hand with one, is no account.payment, but it
is what Xero calls a Payment: money in or out of the bank account against an
invoice. Xero takes no journal to Accounts Receivable / Payable (they are the
sum of its invoices and bills), so such an entry goes, like a payment, as one
Xero Payment per invoice or bill it settles (the amount of their partial
reconciliations): Invoice + Account (the journal's mapped Xero bank account)
+ Amount + Date + Reference, once the invoice is in Xero
(https://developer.xero.com/documentation/api/accounting/payments). The
invoice is then PAID in Xero and the bank balance agrees.

The entry itself makes nothing else in Xero: a "settlement" (all its items
on the journal's bank account and on receivable / payable accounts) has its
entry job (queued on posting, or on its first match for a statement line,
which was on the suspense account when posted) set aside when all of it is
matched, and blocked, naming the amount, when part of it is matched with no
invoice or bill (Xero would have nowhere to put it); a new match looks again.
Unmatching deletes the Xero payment. The payments go whatever the "Journal
entries" option (like account.payment's); an entry on receivable / payable
with other items too (a bank fee) still goes as a bank transaction, which
Xero's Accounts Receivable / Payable refuse: it is blocked with that reason,
its matches still go as payments.
"""

from odoo import api, models

from .account_move_entry import BANK_JOURNAL_TYPES

SETTLEMENT_ACCOUNT_TYPES = ("asset_receivable", "liability_payable")


class AccountMove(models.Model):
    _inherit = "account.move"

    # How its jobs show on the entry: account_move.py (_xero_jobs,
    # _xero_state_vals, _xero_ids_vals, _xero_url).
    def _xero_settlement_url(self):
        """The link to the first of this entry's Xero payments, or False."""
        if not self.xero_id:
            return False
        return self.env["xero.sync.job"]._xero_deep_link(
            "payment", self.xero_id.split(",")[0],
            self.env["xero.connection"]._get_for_company(self.company_id, raise_if_missing=False))

    def _xero_is_bank_settler(self):
        """A journal entry of its own in a bank or cash journal: what it
        matches with an invoice or a bill is a Xero Payment."""
        self.ensure_one()
        return (self.state == "posted" and self._xero_is_entry()
                and self.journal_id.type in BANK_JOURNAL_TYPES)

    def _xero_settlement_lines(self):
        """Its items on receivable / payable accounts when it is a
        settlement (only those and the bank account's), else None."""
        self.ensure_one()
        if not self._xero_is_bank_settler():
            return None
        lines = self.line_ids.filtered(lambda l: not self.company_currency_id.is_zero(l.balance))
        settling = lines.filtered(lambda l: l.account_id.account_type in SETTLEMENT_ACCOUNT_TYPES)
        bank = lines.filtered(lambda l: l.account_id == self.journal_id.default_account_id)
        if not settling or lines - settling - bank:
            return None
        return settling

    def _xero_settlement_unmatched(self):
        """What of this settlement is matched with no invoice or bill, in the
        company's currency (0.0 when all of it is)."""
        self.ensure_one()
        return self.company_currency_id.round(
            sum(abs(l.amount_residual) for l in self._xero_settlement_lines() or []))

    # -- the values of a Payment (read by senders/payment.py) -----------
    def _xero_payment_reference(self, job):
        """Reference of its Xero payment; it carries the job's key so a
        payment in doubt is found again by it."""
        parts = [self.name] + ([self.ref] if self.ref else [])
        return "%s [%s]" % (" - ".join(parts), job.idempotency_key)

    def _xero_payment_values(self, connection, target):
        """(kwargs of payloads.build_payment, [issues]) of what this entry
        settles of ``target``, less what earlier jobs already sent."""
        self.ensure_one()
        issues = []
        bank = self._xero_bank_ref(connection, self.journal_id, issues)
        amount = target._xero_reconciled_amount(self)
        sent = self.env["xero.sync.job"].sudo()._payments_sent(self, target)
        amount = target.currency_id.round(amount - sent)
        rate = None
        if target.currency_id != target.company_currency_id and amount:
            company_amount = target._xero_reconciled_amount(self, company_currency=True)
            total = target._xero_reconciled_amount(self)
            rate = abs(total) / abs(company_amount) if company_amount else None
        bank_lines = self.line_ids.filtered(
            lambda l: l.account_id == self.journal_id.default_account_id)
        return {
            "amount": amount,
            "payment_date": self.date,
            "account_code": bank.code if bank else None,
            "account_id": bank.xero_id if bank else None,
            "currency_rate": rate,
            "bank_amount": connection._xero_payment_bank_amount(
                target, bank, amount, bank_lines, issues, self.name),
        }, issues


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    def _xero_entry_pairs(self):
        """(entry, document) of each partial matching a bank or cash entry
        (not a payment's) with an invoice, bill or credit note."""
        return [(entry, target) for kind, entry, target in self._xero_pairs()
                if kind == "settlement"]

    # Called by account_partial_reconcile.py (create, unlink).
    def _xero_enqueue_settlements(self):
        """Each bank entry matched with an invoice or a bill: a Xero Payment."""
        Job = self.env["xero.sync.job"].sudo()
        touched = self.env["account.move"]
        for entry, target in self._xero_entry_pairs():
            if target.state != "posted":
                continue
            target_job = self._xero_target_job(target)
            if not target_job:
                continue  # the document does not go to Xero
            conn = target_job.connection_id
            if conn.sync_from_date and entry.date < conn.sync_from_date:
                continue
            Job._enqueue_payment_redo(conn, entry, target, target_job,
                                      target._xero_reconciled_amount(entry))
            touched |= entry
        # A settlement's own job checks that all of it is matched (a
        # statement line had none: it was on the suspense account when
        # posted); one blocked for what was not matched yet looks again.
        settlements = touched.filtered(lambda m: m._xero_settlement_lines() is not None)
        if settlements:
            settlements._xero_enqueue_entries()
        touched._xero_refresh_state()

    def _xero_enqueue_settlement_deletes(self):
        """A bank entry taken off an invoice or a bill: its Xero Payment is
        deleted. Returns the entries, for ``_xero_recheck_settlements``
        once the partials are gone."""
        entries = self.env["account.move"]
        for entry, target in self._xero_entry_pairs():
            self._xero_delete_payments(entry, target)
            entries |= entry
        return entries

    @api.model
    def _xero_recheck_settlements(self, entries):
        """Settlements taken off what they settled (an invoice reset or
        cancelled, a match undone), still posted: Odoo's bank keeps the
        money on receivable / payable matched to nothing, which Xero has
        nowhere to put once the payment is deleted there. Their own job
        looks again, and is blocked naming the amount (was set aside and
        showed "Voided", the bank in Xero short of Odoo's with nothing to
        do); matched again, it is set aside again."""
        settlements = entries.exists().filtered(
            lambda m: m._xero_settlement_lines() is not None and m._xero_settlement_unmatched())
        if settlements:
            settlements._xero_enqueue_entries()
