"""Journal entries through the push engine: the configuration, the senders
of their jobs, the look-up of a job in doubt and the void of a reset entry.

The operations "manual_journal", "bank_transaction" and "bank_transfer" are
shared with trust transactions (xero_push_trust.py): a claim groups jobs by
operation, so each sender splits its group by model and sends the entries'
jobs here; the trust transactions' go on as before.

Undoing (an entry reset to draft): its manual journal is VOIDED, its bank
transaction DELETED, its bank transfer deleted (deleteBankTransfer, POST
/BankTransfers/{id} with Status DELETED, in Xero's OpenAPI spec). Xero
refuses to delete a bank transaction that is reconciled there: such a job is
blocked with what to do.
"""

from odoo import _, fields, models

from ..xero import payloads, payloads_move
from .account_move_entry import ENTRY_OPERATIONS


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    sync_entries = fields.Boolean(
        "Journal entries", default=True,
        help="Miscellaneous entries (accruals, depreciation, payroll, adjustments) are posted to "
             "Xero as manual journals; bank and cash entries that are not payments (bank fees, "
             "interest, tax payments) as bank transactions, transfers between two bank accounts "
             "as bank transfers. Invoices, payments and trust entries go their own way.")
    entry_journal_ids = fields.Many2many(
        "account.journal", "xero_connection_entry_journal_rel", "connection_id", "journal_id",
        "Journals sent to Xero",
        domain="[('xero_is_trust', '=', False)]",
        help="The journals whose entries go to Xero. Leave empty for all of them.")
    entry_exclude_fx = fields.Boolean(
        "Leave out exchange differences", default=True,
        help="The entries of the exchange difference journal are not sent: Xero computes its "
             "own realised gains and losses on payments, and its own revaluations.")
    entry_exclude_tax_closing = fields.Boolean(
        "Leave out tax closing entries", default=True,
        help="An entry (not in a bank journal) whose items are all on tax accounts is not sent: "
             "Xero keeps the tax in its GST / VAT account and settles it with its own return.")


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    def _split_entries(self):
        entries = self.filtered(lambda j: j.res_model == "account.move")
        return entries, self - entries

    # ------------------------------------------------------------------------
    # Senders: entries here, trust transactions as before
    # ------------------------------------------------------------------------
    def _send_bank_transaction(self, api):
        entries, others = self._split_entries()
        res = super(XeroSyncJob, others)._send_bank_transaction(api) if others else None
        if entries:
            ready = entries._entry_prepare(api, "bank_transaction")
            self._send_requests(api, self._trust_requests(
                ready, payloads_move.build_entry_bank_transaction, "create_bank_transactions"))
        return res

    def _send_manual_journal(self, api):
        entries, others = self._split_entries()
        res = super(XeroSyncJob, others)._send_manual_journal(api) if others else None
        if entries:
            ready = entries._entry_prepare(api, "manual_journal")
            self._send_requests(api, self._trust_requests(
                ready, payloads_move.build_entry_manual_journal, "create_manual_journals"))
        return res

    def _send_bank_transfer(self, api):
        entries, others = self._split_entries()
        res = super(XeroSyncJob, others)._send_bank_transfer(api) if others else None
        if entries:
            entries._send_bank_transfers(api, entries._entry_prepare(api, "bank_transfer"))
        return res

    def _entry_prepare(self, api, operation):
        """[(job, [values])] ready to send; the others are settled, released
        or blocked here."""
        ready = []
        for job in self:
            move = job._record()
            if move is None or move.state != "posted":
                job._cancel(_("The journal entry is no longer posted."))
                continue
            values = job._ready_values(
                operation, lambda move=move, job=job: move._xero_entry_values(job.connection_id, job),
                lambda _values, job=job: job._entry_find(api, operation))
            if values is not None:
                ready.append((job, values))
        return ready

    def _entry_find(self, api, operation):
        """The Xero id of what this job already made, by the ``[key]`` its
        Reference (Narration for a manual journal) carries."""
        self.ensure_one()
        self._budget_request()
        clause = "[%s]" % self.idempotency_key
        if operation == "bank_transaction":
            found = [b for b in api.get_bank_transactions(
                where=payloads.where_contains("Reference", clause))
                if str(getattr(b.status, "value", b.status)) != "DELETED"]
            return str(found[0].bank_transaction_id) if found else None
        if operation == "bank_transfer":
            data = api.call("get_bank_transfers",
                            where=payloads.where_contains("Reference", clause))
            found = [t for t in getattr(data, "bank_transfers", None) or []
                     if str(getattr(t.status, "value", t.status) or "") != "DELETED"]
            return str(found[0].bank_transfer_id) if found else None
        data = api.call("get_manual_journals", where=payloads.where_contains("Narration", clause))
        found = [j for j in getattr(data, "manual_journals", None) or []
                 if str(getattr(j.status, "value", j.status)) not in ("DELETED", "VOIDED")]
        return str(found[0].manual_journal_id) if found else None

    # ------------------------------------------------------------------------
    # Void of a reset entry
    # ------------------------------------------------------------------------
    def _send_void(self, api):
        entries = self.filtered(lambda j: j.res_model == "account.move"
                                and j.depends_on_job_id.operation in ENTRY_OPERATIONS)
        res = super(XeroSyncJob, self - entries)._send_void(api) if self - entries else None
        for job in entries:
            if not job.xero_id and job.depends_on_job_id.xero_id:
                job.xero_id = job.depends_on_job_id.xero_id
            if not job.xero_id:
                job._cancel(_("Nothing of it reached Xero."))
                continue
            job._budget_request()
            sender = {
                "manual_journal": job._void_manual_journal,
                "bank_transaction": job._void_bank_transaction,
                "bank_transfer": job._void_bank_transfer,
            }[job.depends_on_job_id.operation]
            result = sender(api)
            if result is None:
                pass  # settled by the sender
            elif result.ok:
                job._set_done()
            else:
                job._set_failed(result.message)
            self._commit()
        return res

    def _void_manual_journal(self, api):
        data = api.call("get_manual_journal", self.xero_id)
        found = getattr(data, "manual_journals", None) or []
        status = str(getattr(found[0].status, "value", found[0].status)) if found else None
        if not found or status in ("VOIDED", "DELETED"):
            self._set_done()
            return None
        return api.update_manual_journal(
            self.xero_id, payloads_move.build_void_manual_journal(self.xero_id, found[0].narration),
            self._request_key())

    def _void_bank_transaction(self, api):
        found = api.get_bank_transactions(
            where=payloads.where_guid("BankTransactionID", self.xero_id))
        status = str(getattr(found[0].status, "value", found[0].status)) if found else None
        if not found or status == "DELETED":
            self._set_done()
            return None
        if found[0].is_reconciled:
            self._set_blocked(_(
                "The bank transaction is reconciled in Xero, which then refuses to delete it. "
                "Unreconcile it in Xero, then retry."))
            return None
        bt = found[0]
        return api.update_bank_transaction(
            self.xero_id, payloads_move.build_delete_bank_transaction(
                self.xero_id, str(getattr(bt.type, "value", bt.type)),
                str(bt.bank_account.account_id)),
            self._request_key())

    def _void_bank_transfer(self, api):
        data = api.call("get_bank_transfer", self.xero_id)
        found = getattr(data, "bank_transfers", None) or []
        status = str(getattr(found[0].status, "value", found[0].status) or "") if found else None
        if not found or status == "DELETED":
            self._set_done()
            return None
        return api.delete_bank_transfer(
            self.xero_id, payloads_move.build_delete_bank_transfer(), self._request_key())
