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

import re
from collections import defaultdict
from datetime import timedelta

from odoo import SUPERUSER_ID, _, api, models
from odoo.exceptions import AccessError, ValidationError

from ..xero import payloads

# Xero's ids are GUIDs (e.g. "InvoiceID": "uuid" in Xero's OpenAPI spec,
# xero_accounting.yaml). A trust job made of several Xero objects stores
# their ids comma separated, an element not made yet as "" (see
# ``_trust_request``).
GUID = re.compile(r"^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$")

# What the code enqueues: the document model of each operation.
JOB_OPERATIONS = {
    "res.partner": ("contact",),
    "account.move": ("invoice", "credit_note", "allocation", "void"),
    "account.payment": ("payment", "delete_payment"),
    "account.trust.transaction": ("bank_transaction", "bank_transfer", "manual_journal"),
}


def valid_xero_id(value):
    """A Xero id as the engine stores it: a GUID, or GUIDs comma separated
    (some not made yet, empty), at least one of them present."""
    parts = (value or "").split(",")
    return any(parts) and all(not part or GUID.match(part) for part in parts)


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

    @api.model_create_multi
    def create(self, vals_list):
        self._xero_check_engine()
        return super().create(vals_list)

    def write(self, vals):
        self._xero_check_engine()
        return super().write(vals)

    def unlink(self):
        self._xero_check_engine()
        return super().unlink()

    def _process(self):
        # The push works as the engine whoever runs the cron (its user is
        # root by default, but an administrator may set another one).
        return super(XeroSyncJob, self.sudo())._process()

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
            if job.res_model in JOB_OPERATIONS and job.res_model in self.env:
                ids_by_model[job.res_model].add(job.res_id)
        existing = {model: self.env[model].sudo().browse(list(ids)).exists()
                    for model, ids in ids_by_model.items()}
        for job in self:
            operations = JOB_OPERATIONS.get(job.res_model)
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

    # ------------------------------------------------------------------------
    # A document deleted after it was reset: its void still goes
    # ------------------------------------------------------------------------
    def _send_void(self, api):
        """A draft deleted in Odoo after it was sent (reset, then deleted)
        is voided in Xero all the same: its void job outlives it (jobs
        point at documents by model and id). What the document told about
        itself (credit note or not, its number) is read from Xero."""
        gone = self.filtered(lambda j: j.res_model == "account.move" and j._record() is None
                             and (j.xero_id or j.depends_on_job_id.xero_id))
        for job in gone:
            job._send_void_of_deleted(api)
            self._commit()
        return super(XeroSyncJob, self - gone)._send_void(api) if self - gone else None

    def _send_void_of_deleted(self, api):
        self.ensure_one()
        if not self.xero_id:
            self.xero_id = self.depends_on_job_id.xero_id
        sent = self.search([
            ("res_model", "=", self.res_model), ("res_id", "=", self.res_id),
            ("operation", "in", ("invoice", "credit_note")), ("xero_id", "=", self.xero_id),
        ], order="version desc, id desc", limit=1)
        credit_note = (sent or self.depends_on_job_id).operation == "credit_note"
        if self.search_count([("operation", "=", "delete_payment"),
                              ("target_move_id", "=", self.res_id),
                              ("state", "in", ("pending", "sending"))], limit=1):
            self._release(error=_("Waiting for its payments to be deleted in Xero."),
                          delay=timedelta(seconds=30))
            return
        guid = 'Guid("%s")' % self.xero_id
        if credit_note:
            docs = api.get_credit_notes(where="CreditNoteID==%s" % guid)
        else:
            docs = api.get_invoices(where="InvoiceID==%s" % guid)
        if not docs or docs[0].status in ("VOIDED", "DELETED"):
            self._set_done()
            return
        doc = docs[0]
        held = (doc.payments or []) + (getattr(doc, "allocations", None) or [])
        paid = (getattr(doc, "amount_paid", 0) or 0) + (getattr(doc, "amount_credited", 0) or 0)
        if held or paid:
            number = getattr(doc, "credit_note_number", None) if credit_note \
                else getattr(doc, "invoice_number", None)
            self._set_blocked(_(
                "Xero holds payments or allocations on %(doc)s (deleted in Odoo), so it cannot "
                "be voided there. Delete them in Xero, then retry.", doc=number or self.xero_id))
            return
        delete = doc.status in ("DRAFT", "SUBMITTED")
        update = payloads.build_void(
            "credit_note" if credit_note else "invoice", self.xero_id, delete=delete)
        if credit_note:
            result = api.update_credit_note(self.xero_id, update, self._request_key())
        else:
            result = api.update_invoice(self.xero_id, update, self._request_key())
        if result.ok:
            self._set_done()
        else:
            self._set_failed(result.message)
