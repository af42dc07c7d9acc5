"""Integrity of the outbox: only the push engine writes sync jobs.

A sync job tells the cron what to do in Xero, and with which Xero id: a
void or delete-payment job carrying a chosen ``xero_id`` would void or delete
any document of the Xero organisation. So jobs are created, written and
deleted by the engine only, which always works through ``sudo()`` (the
``_enqueue``/``_jobs_of`` helpers, the document hooks) or as the cron's
superuser; the raw SQL of the claim and the lease recovery does not reach
the ORM at all. A user's part is Retry and Ignore (``action_retry``,
``action_ignore``), which check the group on the server and then act
through ``sudo()``.

No context key opens the door: a context is the client's to choose over
RPC, ``env.su`` is not.
"""

from collections import defaultdict

from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError, ValidationError

from ..senders import MODEL_OPERATIONS
from ..xero import payloads


def valid_xero_id(value):
    """A Xero id as the engine stores it: a GUID (Xero's ids are: "InvoiceID":
    "uuid" in Xero's OpenAPI spec, xero_accounting.yaml), or GUIDs comma
    separated (a trust job made of several Xero objects; one not made yet is
    empty: see senders/bank.py), at least one of them present."""
    parts = (value or "").split(",")
    return any(parts) and all(not part or payloads.GUID.match(part) for part in parts)


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    # ------------------------------------------------------------------------
    # Engine only
    # ------------------------------------------------------------------------
    @api.model
    def _xero_check_engine(self):
        if not self.env.su:
            raise AccessError(_(
                "Xero sync jobs are kept by the Xero push itself: use Retry or Ignore, "
                "or Post to Xero on the document."))

    # create: xero_sync_job.py checks the same first.
    def write(self, vals):
        self._xero_check_engine()
        return super().write(vals)

    def unlink(self):
        self._xero_check_engine()
        return super().unlink()

    def _xero_check_user_action(self):
        """Retry and Ignore: for the group "Xero: post documents", on the
        jobs of the user's companies (the record rules), whoever calls."""
        if self.env.uid != SUPERUSER_ID and not self.env.user.has_group(
                "account_xero.group_xero_user"):
            raise AccessError(_(
                "Only users of the group \"Xero: post documents\" can retry or ignore "
                "Xero sync jobs."))
        if not self.env.su:
            self.check_access("read")

    # ------------------------------------------------------------------------
    # Constraints
    # ------------------------------------------------------------------------
    @api.constrains("res_model", "res_id", "operation", "connection_id", "target_move_id")
    def _check_xero_document(self):
        # One existence check per model for the whole batch of jobs.
        ids_by_model = defaultdict(set)
        for job in self:
            if job.res_model in MODEL_OPERATIONS and job.res_model in self.env:
                ids_by_model[job.res_model].add(job.res_id)
        existing = {model: self.env[model].sudo().browse(list(ids)).exists()
                    for model, ids in ids_by_model.items()}
        for job in self:
            operations = MODEL_OPERATIONS.get(job.res_model)
            if not operations or job.res_model not in self.env:
                raise ValidationError(_(
                    "%(model)s is not a document the Xero push sends.", model=job.res_model))
            if job.operation not in operations:
                raise ValidationError(_(
                    "A %(model)s document is not sent to Xero as \"%(operation)s\".",
                    model=job.res_model, operation=job.operation))
            found = existing[job.res_model]
            record = found.browse(job.res_id).with_prefetch(found._prefetch_ids) \
                if job.res_id in found._ids else None
            if not record:
                raise ValidationError(_(
                    "The document %(model)s,%(id)s does not exist.",
                    model=job.res_model, id=job.res_id))
            company = job.connection_id.company_id
            for doc in (record, job.target_move_id.sudo()):
                if doc and not self._xero_same_company(doc, company):
                    raise ValidationError(_(
                        "%(doc)s belongs to %(doc_company)s, not to %(company)s, the company "
                        "of the Xero connection.", doc=doc.display_name,
                        doc_company=doc.company_id.display_name, company=company.display_name))

    @api.model
    def _xero_same_company(self, record, company):
        """Whether ``record`` may go through ``company``'s connection: a
        document of the company or of one of its branches (documents of a
        branch go through the root's connection, see ``_xero_connection``);
        a contact also when shared (no company) or of a parent company."""
        doc_company = record.company_id if "company_id" in record._fields else False
        if not doc_company:
            return record._name == "res.partner"
        if company in doc_company.parent_ids:
            return True
        return record._name == "res.partner" and doc_company in company.parent_ids

    @api.constrains("xero_id")
    def _check_xero_id(self):
        for job in self:
            if job.xero_id and not valid_xero_id(job.xero_id):
                raise ValidationError(_(
                    "%(id)s is not a Xero id (Xero's ids are GUIDs).", id=job.xero_id))

    @api.constrains("res_model", "res_id", "operation")
    def _check_xero_entry_payment(self):
        """Payments of a journal entry only (a bank entry settling an
        invoice: account_move_settlement.py), never of an invoice: a
        delete-payment job on any move would delete any payment of the
        Xero organisation."""
        for job in self.filtered(lambda j: j.res_model == "account.move"
                                 and j.operation in ("payment", "delete_payment")):
            move = self.env["account.move"].sudo().browse(job.res_id).exists()
            if move and move.move_type != "entry":
                raise ValidationError(_(
                    "A %(model)s document is not sent to Xero as \"%(operation)s\".",
                    model=job.res_model, operation=job.operation))
