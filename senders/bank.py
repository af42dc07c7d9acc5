"""What the senders of journal entries and of trust transactions share: a
job may be made of several Xero elements (a trust transfer is two bank
transactions), checked first (``ready_values``), sent in Xero's batches
(``element_requests``) or, for bank transfers, one a request
(``send_transfers``)."""

import hashlib
from datetime import timedelta

from odoo import _

from .base import WAIT_DELAY, Sender, WaitForXero


class BankSender(Sender):
    """Jobs of one operation ("bank_transaction", "manual_journal" or
    "bank_transfer") whose document gives ``[values]``: a subclass says
    how to build each element (``BUILDERS``: operation -> (build, method of
    the client)), how its jobs are prepared (``prepare``: [(job, [values])],
    through ``ready_values``) and how one in doubt is found (``find``);
    ``send()`` hands what ``prepare`` made ready to ``send_ready``."""

    BUILDERS = {}

    def __init__(self, jobs, api):
        super().__init__(jobs, api)
        self.operation = jobs[:1].operation

    def send(self):
        self.send_ready(self.prepare())

    def prepare(self):
        raise NotImplementedError

    def send_ready(self, ready):
        """Send ``ready`` [(job, [values])]: bank transfers one a request,
        the others in Xero's batches."""
        if self.operation == "bank_transfer":
            self.send_transfers(ready)
            return
        build, method = self.BUILDERS[self.operation]
        self.jobs._send_requests(self.api, self.element_requests(ready, build, method))

    def ready_values(self, job, build, find):
        """The values ``job`` sends (``build()`` gives ``(operation, values,
        issues)``), or None when it is settled here: released while what it
        needs is not in Xero yet, blocked by its issues, re-queued under the
        operation it now is (a document that changed kind since it was
        queued), or done when ``find(values)`` finds, for a job in doubt,
        what it already made in Xero."""
        try:
            prepared = job._prepare(build, passthrough=WaitForXero)
        except WaitForXero as exc:
            job._release(error=str(exc.args[0]), delay=WAIT_DELAY)
            return None
        if prepared is None:
            return None
        op, values, issues = prepared
        if issues:
            job._set_blocked("\n".join(issues))
            return None
        if op != self.operation:
            job.operation = op
            job._release(delay=timedelta(0))
            return None
        if job.in_doubt:
            found = find(values)
            if found:
                job._set_done(found)
                return None
        return values

    def element_requests(self, ready, build, method):
        """The requests (see ``_send_requests``) that send ``ready``
        [(job, [values])], at most ``_batch_size()`` elements each; a job's
        elements go in one request. A job whose elements were partly made by
        an earlier try sends only the missing ones."""
        batch = self.jobs._batch_size()
        chunk, size = [], 0
        for job, values in ready:
            made = (job.xero_id or "").split(",") if job.xero_id else [""] * len(values)
            todo = [(i, v) for i, v in enumerate(values) if not (made[i:i + 1] or [""])[0]]
            if size + len(todo) > batch and chunk:
                yield self.element_request(chunk, build, method)
                chunk, size = [], 0
            chunk.append((job, made + [""] * (len(values) - len(made)), todo))
            size += len(todo)
        if chunk:
            yield self.element_request(chunk, build, method)

    def element_request(self, chunk, build, method):
        jobs = self.browse([job for job, _m, _t in chunk])
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

    def send_transfers(self, ready):
        """Send ``ready`` [(job, [values])], one BankTransfer a request, each
        recorded as it comes."""
        build, _method = self.BUILDERS["bank_transfer"]
        for job, values in ready:
            job._budget_request()
            result = self.api.create_bank_transfer(build(values[0]), job._request_key())
            if result.ok:
                job._set_done(str(result.xero_id))
            else:
                job._set_failed(result.message or _("Xero refused the bank transfer."))
            self.commit()
