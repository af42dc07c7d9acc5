"""Trust transactions (``account.trust.transaction``): bank transactions,
manual journals and bank transfers, each checked first (posted, its
original in Xero), looked up in Xero when in doubt, and sent in Xero's
batches. What is sent is built by the transaction's ``_xero_trust_values``
(models/xero_push_trust.py): the only bridge between trust accounting and
Xero."""

from odoo import _

from ..xero import payloads, payloads_bank, payloads_trust
from .bank import BankSender


class TrustSender(BankSender):
    """"bank_transaction", "manual_journal" and "bank_transfer" of a trust transaction."""

    BUILDERS = {
        "bank_transaction": (payloads_trust.build_bank_transaction, "create_bank_transactions"),
        "manual_journal": (payloads_trust.build_manual_journal, "create_manual_journals"),
        "bank_transfer": (payloads_bank.build_bank_transfer, "create_bank_transfer"),
    }

    def prepare(self):
        """[(job, [values])] ready to send; the others are settled, released
        or blocked here."""
        ready = []
        for job in self.jobs:
            tx = job._record()
            if tx is None or tx.state != "posted":
                job._cancel(_("The trust transaction is no longer posted."))
                continue
            if tx.reversed_tx_id and not job.xero_id and not tx._xero_original_job():
                job._cancel(_("%s, which this reverses, never reached Xero.",
                              tx.reversed_tx_id.name))
                continue
            values = self.ready_values(
                job, lambda tx=tx, job=job: tx._xero_trust_values(job.connection_id, job),
                lambda values, tx=tx, job=job: self.find(job, tx, values))
            if values is not None:
                ready.append((job, values))
        return ready

    def find(self, job, tx, values):
        """The Xero id(s) of what this job already made, by its Reference."""
        api = self.api
        reference = tx._xero_reference(job)
        if self.operation == "bank_transaction":
            found = [b for b in api.get_bank_transactions(
                where=payloads.where_equals("Reference", reference)) if b.status != "DELETED"]
            ids = []
            for value in values:
                match = [b for b in found if str(getattr(b.type, "value", b.type)) == value.type]
                if not match:
                    return None
                ids.append(match[0].bank_transaction_id)
            return ",".join(str(i) for i in ids)
        if self.operation == "bank_transfer":
            data = api.call("get_bank_transfers", where=payloads.where_equals("Reference", reference))
            found = getattr(data, "bank_transfers", None) or []
            return str(found[0].bank_transfer_id) if found else None
        data = api.call("get_manual_journals",
                        where=payloads.where_equals("Narration", tx._xero_narration(job)))
        found = [j for j in getattr(data, "manual_journals", None) or []
                 if self.status(j) not in ("DELETED", "VOIDED")]
        return str(found[0].manual_journal_id) if found else None
