"""Trust transactions' jobs sent to Xero: bank transactions, manual
journals and bank transfers, each checked first (posted, its original in
Xero), looked up in Xero when in doubt, and sent in Xero's batches. What is
sent is built by ``_xero_trust_values`` (xero_push_trust.py)."""

import hashlib
from datetime import timedelta

from odoo import _, api, models

from ..xero import payloads, payloads_trust
from .xero_push_trust import WaitForXero
from .xero_sync_job import WAIT_DELAY


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    @api.model
    def _selection_res_ref(self):
        return super()._selection_res_ref() + [
            ("account.trust.transaction", _("Trust transaction"))]

    @api.model
    def _xero_deep_link_path(self, operation):
        return {
            "bank_transaction": "/Bank/ViewTransaction.aspx?bankTransactionID=%s",
            "bank_transfer": "/Bank/ViewTransfer.aspx?bankTransferID=%s",
            "manual_journal": "/Journal/View.aspx?invoiceID=%s",
        }.get(operation) or super()._xero_deep_link_path(operation)

    # ------------------------------------------------------------------------
    # Senders
    # ------------------------------------------------------------------------
    def _trust_prepare(self, api, operation):
        """[(job, [values])] ready to send; the others are settled, released
        or blocked here."""
        ready = []
        for job in self:
            tx = job._record()
            if tx is None or tx.state != "posted":
                job._cancel(_("The trust transaction is no longer posted."))
                continue
            if tx.reversed_tx_id and not job.xero_id and not tx._xero_original_job():
                job._cancel(_("%s, which this reverses, never reached Xero.",
                              tx.reversed_tx_id.name))
                continue
            values = job._ready_values(
                operation, lambda tx=tx, job=job: tx._xero_trust_values(job.connection_id, job),
                lambda values, tx=tx, job=job: job._trust_find(api, tx, operation, values))
            if values is not None:
                ready.append((job, values))
        return ready

    def _ready_values(self, operation, build, find):
        """The values this job sends as ``operation`` (``build()`` gives
        ``(operation, values, issues)``), or None when it is settled here:
        released while what it needs is not in Xero yet, blocked by its
        issues, re-queued under the operation it now is (a document that
        changed kind since it was queued), or done when ``find(values)``
        finds, for a job in doubt, what it already made in Xero."""
        self.ensure_one()
        try:
            prepared = self._prepare(build, passthrough=WaitForXero)
        except WaitForXero as exc:
            self._release(error=str(exc.args[0]), delay=WAIT_DELAY)
            return None
        if prepared is None:
            return None
        op, values, issues = prepared
        if issues:
            self._set_blocked("\n".join(issues))
            return None
        if op != operation:
            self.operation = op
            self._release(delay=timedelta(0))
            return None
        if self.in_doubt:
            found = find(values)
            if found:
                self._set_done(found)
                return None
        return values

    def _trust_find(self, api, tx, operation, values):
        """The Xero id(s) of what this job already made, by its Reference."""
        reference = tx._xero_reference(self)
        if operation == "bank_transaction":
            found = [b for b in api.get_bank_transactions(
                where=payloads.where_equals("Reference", reference)) if b.status != "DELETED"]
            ids = []
            for value in values:
                match = [b for b in found if str(getattr(b.type, "value", b.type)) == value.type]
                if not match:
                    return None
                ids.append(match[0].bank_transaction_id)
            return ",".join(str(i) for i in ids)
        if operation == "bank_transfer":
            data = api.call("get_bank_transfers", where=payloads.where_equals("Reference", reference))
            found = getattr(data, "bank_transfers", None) or []
            return str(found[0].bank_transfer_id) if found else None
        data = api.call("get_manual_journals",
                        where=payloads.where_equals("Narration", tx._xero_narration(self)))
        found = [j for j in getattr(data, "manual_journals", None) or []
                 if str(getattr(j.status, "value", j.status)) not in ("DELETED", "VOIDED")]
        return str(found[0].manual_journal_id) if found else None

    def _trust_requests(self, ready, build, method):
        """The requests (see ``_send_requests``) that send ``ready``
        [(job, [values])], at most ``_batch_size()`` elements each; a job's elements
        go in one request. A job whose elements were partly made by an
        earlier try sends only the missing ones."""
        batch = self._batch_size()
        chunk, size = [], 0
        for job, values in ready:
            made = (job.xero_id or "").split(",") if job.xero_id else [""] * len(values)
            todo = [(i, v) for i, v in enumerate(values) if not (made[i:i + 1] or [""])[0]]
            if size + len(todo) > batch and chunk:
                yield self._trust_request(chunk, build, method)
                chunk, size = [], 0
            chunk.append((job, made + [""] * (len(values) - len(made)), todo))
            size += len(todo)
        if chunk:
            yield self._trust_request(chunk, build, method)

    def _trust_request(self, chunk, build, method):
        jobs = self.browse([job.id for job, _m, _t in chunk])
        elements = [build(v) for _job, _made, todo in chunk for _i, v in todo]
        key = jobs._request_key()
        if any(len(todo) < len(made) for _job, made, todo in chunk):
            key = "%s-part-%s" % (key, hashlib.sha256(repr(
                [(job.id, [i for i, _v in todo]) for job, _m, todo in chunk]
            ).encode()).hexdigest()[:12])

        def send(client):
            return getattr(client, method)(elements, key)

        def on_done(results):
            results = iter(results)
            for job, made, todo in chunk:
                errors = []
                for i, _v in todo:
                    result = next(results)
                    if result.ok:
                        made[i] = str(result.xero_id)
                    else:
                        errors.append(result.message or _("Xero refused this element."))
                if errors:
                    job.xero_id = ",".join(made) if any(made) else False
                    job._set_failed("\n".join(errors))
                else:
                    job._set_done(",".join(made))

        return jobs, send, on_done

    def _send_bank_transaction(self, api):
        ready = self._trust_prepare(api, "bank_transaction")
        self._send_requests(api, self._trust_requests(
            ready, payloads_trust.build_bank_transaction, "create_bank_transactions"))

    def _send_manual_journal(self, api):
        ready = self._trust_prepare(api, "manual_journal")
        self._send_requests(api, self._trust_requests(
            ready, payloads_trust.build_manual_journal, "create_manual_journals"))

    def _send_bank_transfer(self, api):
        self._send_bank_transfers(api, self._trust_prepare(api, "bank_transfer"))

    def _send_bank_transfers(self, api, ready):
        """Send ``ready`` [(job, [values])] (trust transactions or journal
        entries), one BankTransfer a request, each recorded as it comes."""
        for job, values in ready:
            job._budget_request()
            result = api.create_bank_transfer(
                payloads_trust.build_bank_transfer(values[0]), job._request_key())
            if result.ok:
                job._set_done(str(result.xero_id))
            else:
                job._set_failed(result.message or _("Xero refused the bank transfer."))
            self._commit()
