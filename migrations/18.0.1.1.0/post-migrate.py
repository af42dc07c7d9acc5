"""18.0.1.1.0, after the module's update: the push engine as a registry of senders.

The operations and their document models are unchanged, so jobs pending or
failed go on under the new table as they are. Single-column indexes of the
sync jobs that earlier versions made and nothing reads (a handful of
distinct values, or covered by the indexes of ``xero.sync.job.init``): Odoo
keeps an index a field no longer declares, so they are dropped here, once,
rather than at every start."""

from odoo.tools import SQL

STALE_INDEX_COLUMNS = ("connection_id", "company_id", "res_model", "operation", "state",
                       "next_try_at", "idempotency_key")


def migrate(cr, version):
    for column in STALE_INDEX_COLUMNS:
        cr.execute(SQL("DROP INDEX IF EXISTS %s",
                       SQL.identifier("xero_sync_job__%s_index" % column)))
