"""Journal entries (``account.move`` of type "entry"): a miscellaneous entry
as a manual journal, a bank or cash entry as a bank transaction, a transfer
between two bank accounts as a bank transfer (which one: the entry's
``_xero_entry_values``, models/account_move_entry.py). A bank or cash entry
that settles invoices goes as payments on them instead (payment.py): its
own job makes nothing in Xero."""

from odoo import _

from ..xero import payloads, payloads_bank, payloads_move
from .bank import BankSender


class EntrySender(BankSender):
    """"manual_journal", "bank_transaction" and "bank_transfer" of a journal entry."""

    BUILDERS = {
        "bank_transaction": (payloads_move.build_entry_bank_transaction, "create_bank_transactions"),
        "manual_journal": (payloads_move.build_entry_manual_journal, "create_manual_journals"),
        "bank_transfer": (payloads_bank.build_bank_transfer, "create_bank_transfer"),
    }

    def prepare(self):
        """[(job, [values])] ready to send; the others are settled, released
        or blocked here."""
        ready = []
        for job in self.jobs:
            move = job._record()
            if move is None or move.state != "posted":
                job._cancel(_("The journal entry is no longer posted."))
                continue
            if move._xero_on_suspense():
                # Its reconciliation undone since it was queued (a settlement
                # taken off its invoice first: account_move_settlement.py).
                job._cancel(_("The bank statement line is not reconciled: nothing to send yet."))
                continue
            if move._xero_settlement_lines() is not None:
                self.settle(job, move)
                continue
            values = self.ready_values(
                job, lambda move=move, job=job: move._xero_entry_values(job.connection_id, job),
                lambda _values, job=job: self.find(job))
            if values is not None:
                ready.append((job, values))
        return ready

    def settle(self, job, move):
        """An entry that settles invoices: its payments go to Xero (each a
        "payment" job), the entry itself is set aside, or blocked when part
        of it on receivable / payable is matched with no invoice."""
        unmatched = move._xero_settlement_unmatched()
        if unmatched:
            job._set_blocked(_(
                "%(amount)s of %(move)s on receivable / payable is matched with no invoice or "
                "bill. Xero keeps Accounts Receivable / Payable as the sum of its invoices and "
                "bills: money in or out goes there only as a payment on one. Match it with "
                "them (each match goes to Xero as a payment), or record it on another "
                "account.",
                amount=move.company_currency_id.format(unmatched), move=move.name))
        else:
            job._cancel(_("Goes to Xero as a payment on each invoice or bill it settles."))
        move._xero_refresh_state()
        self.commit()

    def find(self, job):
        """The Xero id of what this job already made, by the ``[key]`` its
        Reference (Narration for a manual journal) carries."""
        job._budget_request()
        clause = "[%s]" % job.idempotency_key
        if self.operation == "bank_transaction":
            found = [b for b in self.api.get_bank_transactions(
                where=payloads.where_contains("Reference", clause))
                if self.status(b) != "DELETED"]
            return str(found[0].bank_transaction_id) if found else None
        if self.operation == "bank_transfer":
            data = self.api.call("get_bank_transfers",
                                 where=payloads.where_contains("Reference", clause))
            found = [t for t in getattr(data, "bank_transfers", None) or []
                     if self.status(t) != "DELETED"]
            return str(found[0].bank_transfer_id) if found else None
        data = self.api.call("get_manual_journals",
                             where=payloads.where_contains("Narration", clause))
        found = [j for j in getattr(data, "manual_journals", None) or []
                 if self.status(j) not in ("DELETED", "VOIDED")]
        return str(found[0].manual_journal_id) if found else None


# What a journal entry makes in Xero by itself (its void undoes one of these).
ENTRY_OPERATIONS = tuple(EntrySender.BUILDERS)
