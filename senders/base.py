"""What every sender is: one class per kind of document, serving the jobs of
one (document model, operation) that a cron call claimed together.

The contract (see ``Sender``): ``send()`` sends the group; a sender that
batches builds ``requests()`` (``(jobs, send, on_done)``, as the engine's
``_send_requests`` takes them), reads Xero's answer per element
(``on_ok(job, result)``) and looks up an element in doubt (``find``).
Everything a sender does to a job goes through the job's own methods
(``_set_done``, ``_release``, ``_prepare``...: models/xero_sync_job*.py);
a sender never calls another sender.
"""

from datetime import timedelta

# A job whose dependency (or its document) is not in Xero yet waits this long.
WAIT_DELAY = timedelta(seconds=30)


class WaitForXero(Exception):
    """A prerequisite (a contact) is not in Xero yet: try again later."""


class Sender:
    """Sends ``jobs`` (claimed, "sending", one document model and one
    operation, one connection) through ``api`` (the connection's
    ``AccountingClient``)."""

    def __init__(self, jobs, api):
        self.jobs = jobs
        self.api = api
        self.env = jobs.env
        self.connection = jobs.connection_id

    def send(self):
        """Send the group: by default its ``requests()``, several in flight."""
        self.jobs._send_requests(self.api, self.requests())

    def requests(self):
        """Yield ``(jobs, send, on_done)``, each request built when the
        engine asks for it (see ``_send_requests``)."""
        return iter(())

    # -- helpers every sender may use -------------------------------------
    def browse(self, jobs):
        """The jobs of ``jobs`` (records or ids) as one recordset."""
        return self.jobs.browse([job if isinstance(job, int) else job.id for job in jobs])

    def commit(self):
        self.jobs._commit()

    def batch(self, ready, request):
        """Yield ``request(chunk)`` for ``ready`` in chunks of ``_batch_size()``."""
        size = self.jobs._batch_size()
        for start in range(0, len(ready), size):
            yield request(ready[start:start + size])

    @staticmethod
    def status(obj):
        """Xero's Status of ``obj`` as a string ('' when none)."""
        value = getattr(obj, "status", None)
        return str(getattr(value, "value", value) or "")
