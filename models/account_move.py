from collections import defaultdict

import psycopg2.errors
from markupsafe import escape

from odoo import SUPERUSER_ID, _, api, fields, models
from odoo.exceptions import AccessError, UserError
from odoo.tools import float_compare, formatLang

from ..xero import payloads

XERO_STATES = [
    ("not_sent", "Not sent"),
    ("queued", "Queued"),
    ("sent", "Sent"),
    ("failed", "Failed"),
    ("blocked", "Blocked"),  # a missing mapping, or Xero holding payments: the error says
    ("voided", "Voided in Xero"),
]

# Writing the Xero fields of a posted move or payment touches nothing of
# its accounting.
XERO_WRITE_CONTEXT = {
    "skip_invoice_sync": True,
    "check_move_validity": False,
    "skip_is_manually_modified": True,
    "tracking_disable": True,
}

# The Xero fields of a document: written by the push engine only (through
# ``sudo()``, see ``_xero_refresh_state``), never by a user's write.
XERO_FIELDS = ("xero_state", "xero_id", "xero_error", "xero_warning", "xero_sent_at")

XERO_TYPES = {
    "out_invoice": "ACCREC",
    "in_invoice": "ACCPAY",
    "out_refund": "ACCRECCREDIT",
    "in_refund": "ACCPAYCREDIT",
}


class XeroDocumentMixin(models.AbstractModel):
    """Xero fields shown on invoices, bills, credit notes and payments."""

    _name = "xero.document.mixin"
    _description = "Xero Document"

    xero_state = fields.Selection(
        XERO_STATES, "Xero state", default="not_sent", copy=False, readonly=True, index=True,
        tracking=False)
    xero_id = fields.Char("Xero ID", copy=False, readonly=True)
    xero_error = fields.Text("Xero error", copy=False, readonly=True)
    xero_warning = fields.Text(
        "Xero warning", copy=False, readonly=True,
        help="What Xero said when it accepted this document, in its own words.")
    xero_sent_at = fields.Datetime("Sent to Xero", copy=False, readonly=True)
    xero_job_count = fields.Integer(compute="_compute_xero_job_count")

    # ------------------------------------------------------------------------
    # Engine only
    # ------------------------------------------------------------------------
    @api.model
    def _xero_check_fields_write(self, vals, create=False):
        """A user's write (or import) of the Xero fields is refused: they say
        what Xero holds, and the engine acts on them (a payment goes to the
        document's Xero id). At creation the defaults pass."""
        if self.env.su:
            return
        fnames = [f for f in XERO_FIELDS if f in vals]
        if create:
            fnames = [f for f in fnames if vals[f] and not (f == "xero_state"
                                                              and vals[f] == "not_sent")]
        if fnames:
            raise AccessError(_(
                "The Xero fields (%(fields)s) are kept by the Xero push: they cannot be "
                "written by hand.", fields=", ".join(fnames)))

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            self._xero_check_fields_write(vals, create=True)
        return super().create(vals_list)

    def write(self, vals):
        self._xero_check_fields_write(vals)
        return super().write(vals)

    def _xero_check_post_access(self):
        """"Post to Xero" (buttons, list action, RPC): for the group "Xero:
        post documents", on documents the user may read."""
        if self.env.uid != SUPERUSER_ID and not self.env.user.has_group(
                "account_xero.group_xero_user"):
            raise AccessError(_(
                "Only users of the group \"Xero: post documents\" can post to Xero."))
        if not self.env.su:
            self.check_access("read")

    def _compute_xero_job_count(self):
        groups = self.env["xero.sync.job"].sudo()._read_group(
            [("res_model", "=", self._name), ("res_id", "in", self.ids)], ["res_id"], ["__count"])
        counts = dict(groups)
        for record in self:
            record.xero_job_count = counts.get(record.id, 0)

    def _xero_jobs(self, operations=None):
        return self.env["xero.sync.job"]._jobs_of(self, operations)

    def _xero_refresh_state(self, notes=None):
        """Reflect these records' jobs on their Xero fields, in one read of
        the jobs and one write per distinct change. ``notes``: {record id:
        job just done}; those records get a chatter note (logged in one go)."""
        jobs_by_record = defaultdict(lambda: self.env["xero.sync.job"])
        for job in self._xero_jobs():
            if job.state != "cancelled":
                jobs_by_record[job.res_id] |= job
        changes = defaultdict(lambda: self.browse())
        for record in self:
            vals = record._xero_state_vals(jobs_by_record[record.id])
            changed = {k: v for k, v in vals.items() if record[k] != v}
            if changed:
                changes[tuple(sorted(changed.items()))] |= record
        for changed, records in changes.items():
            # Our own fields only: skip account.move's line synchronisation,
            # balance check and "manually modified" flag (most of the
            # push's Odoo-side time before, see bench/).
            # As the engine: the user's own write of these fields is refused.
            records.sudo().with_context(**XERO_WRITE_CONTEXT).write(dict(changed))
        bodies = {
            record.id: record._xero_note_body(notes[record.id])
            for record in self
            if notes and record.id in notes and notes[record.id].state == "done"
        }
        if bodies and hasattr(self, "_message_log_batch"):
            # Logged notes: no followers to notify, a fraction of message_post's cost.
            self._message_log_batch(bodies=bodies, message_type="comment")

    def _xero_state_vals(self, jobs):
        """The Xero fields that ``jobs`` (this record's, not cancelled) imply."""
        vals = {"xero_error": False, "xero_warning": False}
        states = set(jobs.mapped("state"))
        if "failed" in states:
            vals["xero_state"] = "failed"
            vals["xero_error"] = jobs.filtered(lambda j: j.state == "failed")[-1].error
        elif "blocked" in states:
            vals["xero_state"] = "blocked"
            vals["xero_error"] = jobs.filtered(lambda j: j.state == "blocked")[-1].error
        elif states & {"pending", "sending"}:
            vals["xero_state"] = "queued"
            waiting = jobs.filtered(lambda j: j.state == "pending" and j.error)
            vals["xero_error"] = waiting[-1:].error or False
        elif "done" in states:
            last = jobs.filtered(lambda j: j.state == "done")[-1]
            vals["xero_warning"] = last.warning or False
            vals["xero_state"] = "voided" if last.operation in ("void", "delete_payment") \
                else "sent"
        else:
            vals["xero_state"] = "not_sent"
        vals.update(self._xero_ids_vals(jobs))
        return vals

    def _xero_ids_vals(self, jobs):
        done = jobs.filtered(lambda j: j.state == "done" and j.operation != "void"
                             and j.operation != "delete_payment" and j.xero_id)
        if not done:
            return {}
        return {"xero_id": done[-1].xero_id, "xero_sent_at": done[-1].sent_at}

    def _xero_note_body(self, job):
        if job.operation in ("void", "delete_payment"):
            body = _("Voided in Xero.") if job.operation == "void" else \
                _("Payment deleted in Xero (%s).", job.xero_id)
        else:
            body = _("Sent to Xero (%(what)s, Xero ID %(id)s).",
                     what=dict(job._fields["operation"]._description_selection(self.env)).get(
                         job.operation),
                     id=job.xero_id)
        return escape(body)

    def _xero_url(self):
        self.ensure_one()
        return False

    def action_xero_open_jobs(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("account_xero.xero_sync_job_action")
        action["domain"] = [("res_model", "=", self._name), ("res_id", "=", self.id)]
        action["context"] = {"create": False}
        return action

    def action_xero_open_in_xero(self):
        self.ensure_one()
        url = self._xero_url()
        if not url:
            raise UserError(_("This document is not in Xero yet."))
        return {"type": "ir.actions.act_url", "url": url, "target": "new"}


class AccountMove(models.Model):
    _name = "account.move"
    _inherit = ["account.move", "xero.document.mixin"]

    xero_url = fields.Char("Xero link", compute="_compute_xero_url")

    @api.depends("xero_id", "move_type")
    def _compute_xero_url(self):
        for move in self:
            move.xero_url = move._xero_url()

    def _xero_url(self):
        self.ensure_one()
        if not self.xero_id:
            return False
        operation = "credit_note" if self.move_type in ("out_refund", "in_refund") else "invoice"
        if self.move_type in ("in_invoice", "in_refund"):
            operation += "_ap"
        connection = self.env["xero.connection"]._get_for_company(
            self.company_id, raise_if_missing=False)
        return self.env["xero.sync.job"]._xero_deep_link(operation, self.xero_id, connection)

    def _xero_jobs(self, operations=None):
        return super()._xero_jobs(operations or ("invoice", "credit_note", "void"))

    # ------------------------------------------------------------------------
    # What goes, and when
    # ------------------------------------------------------------------------
    def _xero_type(self):
        return XERO_TYPES.get(self.move_type)

    def _xero_operation(self):
        return "credit_note" if self.move_type in ("out_refund", "in_refund") else "invoice"

    def _xero_connection(self, memo=None):
        """The connection that takes this document, or an empty record.
        ``memo``: {company id: connection} shared by the documents of one
        posting, so a batch looks each company's connection up once."""
        self.ensure_one()
        Connection = self.env["xero.connection"].sudo()
        if self.move_type not in XERO_TYPES:
            return Connection
        memo = {} if memo is None else memo
        if self.company_id.id not in memo:
            memo[self.company_id.id] = Connection._get_for_company(
                self.company_id.root_id, raise_if_missing=False) \
                or Connection._get_for_company(self.company_id, raise_if_missing=False)
        conn = memo[self.company_id.id]
        if not conn or not conn.active:
            return Connection
        if self.is_sale_document() and not conn.sync_sales_invoices:
            return Connection
        if self.is_purchase_document() and not conn.sync_supplier_invoices:
            return Connection
        doc_date = self.invoice_date or self.date
        if conn.sync_from_date and doc_date and doc_date < conn.sync_from_date:
            return Connection
        return conn

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._xero_enqueue()
        return posted

    def _xero_enqueue(self):
        """Queue the posted documents for Xero (same transaction, no HTTP).

        Posting is the user's time: documents never queued before (the
        common case) are queued for the whole batch in a few statements
        (their connections, their jobs, their contacts' bindings and jobs
        read once; their jobs created together); a document posted again
        goes through ``_xero_enqueue_one``."""
        Job = self.env["xero.sync.job"].sudo()
        memo = {}
        by_conn = defaultdict(lambda: self.browse())
        for move in self.filtered(lambda m: m.state == "posted" and m.move_type in XERO_TYPES):
            conn = move._xero_connection(memo)
            if conn:
                by_conn[conn] |= move
        queued = self.browse()
        # Documents with no job of any kind before this one: a single pending
        # job, so their Xero fields are known without reading it back.
        first = self.browse()
        for conn, moves in by_conn.items():
            jobs_before = defaultdict(set)
            for job in Job.search_fetch([("res_model", "=", "account.move"), ("res_id", "in", moves.ids)],
                                        ["res_id", "operation"]):
                jobs_before[job.res_id].add(job.operation)
            known = {res_id for res_id, operations in jobs_before.items()
                     if operations & {"invoice", "credit_note", "void"}}
            for move in moves.filtered(lambda m: m.id in known):
                move._xero_enqueue_one(conn)
            fresh = moves.filtered(lambda m: m.id not in known)
            contact_jobs = fresh.commercial_partner_id._xero_enqueue_contacts(conn)
            rows = [(conn, move, move._xero_operation(), contact_jobs.get(move.commercial_partner_id.id, Job))
                    for move in fresh]
            if not rows:
                queued |= moves
                continue
            try:
                with self.env.cr.savepoint(flush=False):
                    Job._create_fresh(rows)
                first |= fresh.filtered(lambda m: m.id not in jobs_before)
            except psycopg2.errors.UniqueViolation:
                # Another transaction queued some of them meanwhile: one by one.
                for move in fresh:
                    move._xero_enqueue_one(conn)
            queued |= moves
        (queued - first)._xero_refresh_state()
        first._xero_refresh_state_queued()
        return queued

    def _xero_refresh_state_queued(self):
        """``_xero_refresh_state`` for documents whose only job is the
        pending one just created: queued, no error, no Xero id yet (what
        ``_xero_state_vals`` gives for such a job), without reading it back."""
        vals = {"xero_state": "queued", "xero_error": False, "xero_warning": False}
        todo = self.filtered(lambda m: any(m[k] != v for k, v in vals.items()))
        if todo:
            todo.sudo().with_context(**XERO_WRITE_CONTEXT).write(vals)

    def _xero_enqueue_one(self, conn):
        """Queue this document, posted before (a job of it exists)."""
        self.ensure_one()
        Job = self.env["xero.sync.job"].sudo()
        contact_job = self.commercial_partner_id._xero_enqueue_contact(conn)
        last = Job._jobs_of(self, ("invoice", "credit_note"))[-1:]
        void = Job._jobs_of(self, ("void",)).filtered(lambda j: j.state != "cancelled")[-1:]
        if last.state == "done" and void.state == "pending" and void.version == last.version:
            # Reset and posted again before the void went: update the Xero
            # document in place instead of voiding it and making a new one.
            void._cancel(_("Posted again before the void was sent."))
            Job._enqueue(conn, self, self._xero_operation(), depends_on=contact_job,
                         xero_id=last.xero_id)
        else:
            Job._enqueue(conn, self, self._xero_operation(), depends_on=contact_job)

    def button_draft(self):
        res = super().button_draft()
        self._xero_enqueue_void()
        return res

    @api.ondelete(at_uninstall=False)
    def _unlink_except_xero_payment_deletes(self):
        """A deleted document's void still goes to Xero (the job outlives
        it), but its payments' deletions hang on it (``target_move_id``,
        deleted with it): they must have reached Xero first."""
        busy = self.env["xero.sync.job"].sudo().search([
            ("target_move_id", "in", self.ids), ("operation", "=", "delete_payment"),
            ("state", "in", ("pending", "sending", "failed", "blocked")),
        ], limit=1)
        if busy:
            raise UserError(_(
                "%(move)s cannot be deleted yet: its payments are still to be deleted in Xero "
                "(%(job)s). Delete it once that is done.",
                move=busy.target_move_id.display_name, job=busy.display_name))

    def _xero_enqueue_void(self):
        """A reset or cancelled document leaves Xero: voided there (deleted
        when still a draft there); never sent yet → nothing to undo."""
        Job = self.env["xero.sync.job"].sudo()
        for move in self.filtered(lambda m: m.move_type in XERO_TYPES):
            last = Job._jobs_of(move, ("invoice", "credit_note"))[-1:]
            if not last or last.state == "cancelled":
                continue
            if last.state in ("pending", "failed", "blocked"):
                last._cancel(_("Reset to draft before it reached Xero."))
            else:  # done, or being sent right now
                Job._enqueue(last.connection_id, move, "void", version=last.version,
                             depends_on=last, xero_id=last.xero_id)
            move._xero_refresh_state()

    # ------------------------------------------------------------------------
    # Actions
    # ------------------------------------------------------------------------
    def action_xero_post(self):
        """Post to Xero now: queue what is not queued yet and wake the cron."""
        self._xero_check_post_access()
        Job = self.env["xero.sync.job"].sudo()
        moves = self.filtered(lambda m: m.move_type in XERO_TYPES)
        if not moves:
            raise UserError(_("Only invoices, bills and credit notes go to Xero."))
        for move in moves:
            if move.state != "posted":
                raise UserError(_("%s is not posted.", move.display_name))
            if not move._xero_connection():
                raise UserError(_(
                    "%s does not go to Xero: check the Xero connection, its synchronization "
                    "settings and its 'Sync documents from' date.", move.display_name))
        for move in moves:
            jobs = Job._jobs_of(move).filtered(lambda j: j.state in ("failed", "blocked"))
            if jobs:
                jobs.action_retry()
            elif move.xero_state in ("not_sent", "voided"):
                move._xero_enqueue()
            # Payments and allocations that failed ride along.
            Job.search([("target_move_id", "=", move.id),
                        ("state", "in", ("failed", "blocked"))]).action_retry()
            contact_jobs = Job._jobs_of(move.commercial_partner_id).filtered(
                lambda j: j.state in ("failed", "blocked"))
            contact_jobs.action_retry()
        moves._xero_refresh_state()
        Job._trigger_cron()
        return True

    # ------------------------------------------------------------------------
    # Values for the payload builders
    # ------------------------------------------------------------------------
    def _xero_reconciled_amount(self, other, company_currency=False):
        """What ``other`` settles of this move, in this move's currency (or
        the company's), from the partial reconciliations between them."""
        self.ensure_one()
        amount = 0.0
        lines = self.line_ids
        for partial in lines.matched_debit_ids | lines.matched_credit_ids:
            debit_move = partial.debit_move_id.move_id
            credit_move = partial.credit_move_id.move_id
            if not (debit_move == self and credit_move in other
                    or credit_move == self and debit_move in other):
                continue
            if company_currency:
                amount += partial.amount
            elif debit_move == self:
                amount += partial.debit_amount_currency
            else:
                amount += partial.credit_amount_currency
        return self.currency_id.round(amount) if not company_currency else \
            self.company_currency_id.round(amount)

    def _xero_invoice_number(self):
        """The InvoiceNumber (CreditNoteNumber) this document has in Xero:
        Odoo's number for sales documents; for bills and supplier credit
        notes the supplier's reference (``ref``), else Odoo's number. Xero
        reads no Reference on those (Invoice.Reference / CreditNote.Reference
        in Xero's OpenAPI spec: "ACCREC only", "ACCRECCREDIT only"), so the
        supplier's number is what identifies a bill there. Look-ups of a
        document in Xero by number go through this."""
        self.ensure_one()
        if self.is_purchase_document(include_receipts=False) and self.ref:
            return self.ref.strip()[:255] or self.name
        return self.name

    @api.model
    def _xero_tax_rate_mismatch(self, tax, xero_tax):
        """Odoo's rate of ``tax`` when Xero's tax ``xero_tax`` computes
        another one (percent taxes; other kinds are not compared), else None."""
        if not tax or not xero_tax or tax.amount_type != "percent":
            return None
        # Xero keeps rates to 4 decimals (TaxRate.EffectiveRate in its OpenAPI spec).
        if float_compare(tax.amount, xero_tax.effective_rate or 0.0, precision_digits=4):
            return tax.amount
        return None

    def _xero_document_values(self, connection):
        """(payloads.DocumentValues, [issues]): the document as Xero takes it,
        or what is missing in the maps (named, so the user can fix it)."""
        self.ensure_one()
        issues = []
        sale = self.is_sale_document()
        direction = "output" if sale else "input"
        xero_taxes = connection.xero_tax_rate_ids
        no_tax = xero_taxes.filtered(lambda t: t.tax_type == "NONE")[:1] or xero_taxes.filtered(
            lambda t: not t.effective_rate and t.xero_status == "ACTIVE")[:1]
        no_tax_type = no_tax.tax_type or "NONE"

        lines = self.invoice_line_ids.filtered(lambda l: l.display_type == "product")
        taxes = lines.tax_ids
        if not taxes:
            amount_types = "NoTax"
        elif all(tax.price_include for tax in taxes):
            amount_types = "Inclusive"
        else:
            amount_types = "Exclusive"

        line_values = []
        mismatched = {}  # Odoo tax -> Xero tax whose rate differs from Odoo's
        for line in lines:
            label = line.name or line.product_id.display_name or _("Line")
            xero_account = connection._map_account(line.account_id)
            if not xero_account or not xero_account.code:
                issues.append(_("Account %(account)s (line \"%(line)s\") has no Xero account "
                                "with a code in the GL account map.",
                                account=line.account_id.display_name, line=label))
            tax_type, rate = no_tax_type, 0.0
            if len(line.tax_ids) > 1:
                issues.append(_("Line \"%(line)s\" has several taxes (%(taxes)s); Xero takes one "
                                "tax per line.", line=label,
                                taxes=", ".join(line.tax_ids.mapped("name"))))
            elif line.tax_ids:
                xero_tax = connection._map_tax(line.tax_ids, direction)
                if not xero_tax:
                    issues.append(_("Tax %(tax)s has no Xero %(dir)s tax in the GST / Sales Tax "
                                    "/ VAT map.", tax=line.tax_ids.display_name,
                                    dir=_("output") if sale else _("input")))
                tax_type, rate = xero_tax.tax_type, xero_tax.effective_rate
                if self._xero_tax_rate_mismatch(line.tax_ids, xero_tax) is not None:
                    mismatched[line.tax_ids] = xero_tax
            unit = line.price_unit
            if amount_types == "Exclusive" and line.tax_ids.price_include and line.quantity:
                # Mixed inclusive/exclusive taxes: Xero takes one mode per document.
                factor = line.quantity * (1 - (line.discount or 0.0) / 100.0)
                unit = line.price_subtotal / factor if factor else 0.0
            line_values.append(payloads.LineValues(
                description=label,
                quantity=line.quantity,
                unit_amount=unit,
                account_code=xero_account.code,
                tax_type=tax_type if amount_types != "NoTax" else None,
                tax_rate=rate or 0.0,
                discount=line.discount or 0.0,
                tracking=connection._xero_tracking(line, issues, label=label),
            ))

        company_currency = self.company_currency_id
        currency_code, currency_rate = None, None
        xero_currency = connection._map_currency(self.currency_id)
        if self.currency_id != company_currency:
            if not xero_currency:
                issues.append(_("Currency %s is not in the currency map.", self.currency_id.name))
            currency_code = xero_currency.code or self.currency_id.name
            currency_rate = self.invoice_currency_rate or None
        else:
            currency_code = xero_currency.code or self.currency_id.name

        contact = self.commercial_partner_id._xero_binding(connection)
        if not contact.xero_id:
            issues.append(_("Contact %s is not in Xero yet.", self.commercial_partner_id.display_name))

        rounding = connection.xero_account_ids.filtered(
            lambda a: a.system_account == "ROUNDING" and a.code)[:1]
        values = payloads.DocumentValues(
            type=self._xero_type(),
            contact_id=contact.xero_id,
            number=self._xero_invoice_number(),
            date=self.invoice_date or self.date,
            due_date=self.invoice_date_due,
            line_amount_types=amount_types,
            lines=line_values,
            total=self.amount_total,
            reference=self.ref or None,
            url="%s/odoo/account.move/%d" % (self.get_base_url(), self.id),
            currency_code=currency_code,
            currency_rate=currency_rate,
            rounding_account_code=rounding.code or None,
            no_tax_type=no_tax_type,
        )
        # A tax whose Xero rate is not Odoo's would put the tax in the wrong
        # box of the GST/VAT return (and the difference under Rounding):
        # the mapping must change, not the amounts.
        for tax, xero_tax in mismatched.items():
            issues.append(_(
                "Tax %(tax)s is %(rate)s%% in Odoo but its Xero %(dir)s tax %(xero)s is "
                "%(xero_rate)s%%: Xero would compute another tax. Map it to a Xero tax of the "
                "same rate.", tax=tax.display_name, rate=formatLang(self.env, tax.amount),
                dir=_("output") if sale else _("input"), xero=xero_tax.display_name,
                xero_rate=formatLang(self.env, xero_tax.effective_rate or 0.0)))
        if not issues:
            diff = payloads.rounding_difference(values)
            if diff and not payloads.rounding_within_tolerance(values):
                # Only per-line rounding goes on a Rounding line (a cent a line).
                issues.append(_(
                    "Xero's total would differ from Odoo's by %(diff)s, more than per-line "
                    "rounding explains (%(tolerance)s): check the taxes' Xero mapping.",
                    diff=diff, tolerance=payloads.rounding_tolerance(values)))
            elif diff and not rounding:
                issues.append(_("Xero's total would differ from Odoo's by %(diff)s and the Xero "
                                "organisation has no Rounding account for the difference.",
                                diff=diff))
        return values, issues

