from collections import defaultdict

import psycopg2.errors

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_compare, formatLang

from ..senders import ENTRY_OPERATIONS
from ..xero import payloads
from .xero_document_mixin import XERO_WRITE_CONTEXT

XERO_TYPES = {
    "out_invoice": "ACCREC",
    "in_invoice": "ACCPAY",
    "out_refund": "ACCRECCREDIT",
    "in_refund": "ACCPAYCREDIT",
}
# The jobs a move's Xero fields show: the document's own, and an entry's
# Xero payments of the invoices it settles (account_move_settlement.py).
DOCUMENT_OPERATIONS = ("invoice", "credit_note", "void", *ENTRY_OPERATIONS)
SETTLEMENT_OPERATIONS = ("payment", "delete_payment")
# What takes a payment or allocation off a document in Xero, in the push's
# order (senders/__init__.py): a document updated in place waits for them.
UNDO_BEFORE_UPDATE = ("delete_payment", "delete_allocation", "delete_deposit_allocation")


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
        if self.move_type == "entry":
            # A journal entry's own job (account_move_entry.py), else the
            # first Xero payment of a settlement (account_move_settlement.py).
            return self._xero_entry_url() or self._xero_settlement_url()
        if not self.xero_id:
            return False
        operation = "credit_note" if self.move_type in ("out_refund", "in_refund") else "invoice"
        if self.move_type in ("in_invoice", "in_refund"):
            operation += "_ap"
        connection = self.env["xero.connection"]._get_for_company(
            self.company_id, raise_if_missing=False)
        return self.env["xero.sync.job"]._xero_deep_link(operation, self.xero_id, connection)

    # -- how its jobs show on the document ------------------------------------
    def _xero_jobs(self, operations=None):
        """Its jobs of ``operations``; by default those its Xero fields
        show: the document's own (invoice, credit note, journal entry, their
        voids) and, for an entry settling invoices, its Xero payments
        (account_move_settlement.py). A credit note's allocations show on
        it by their notes only."""
        if operations:
            return super()._xero_jobs(operations)
        jobs = super()._xero_jobs(DOCUMENT_OPERATIONS)
        entries = self.filtered(lambda m: m.move_type == "entry")
        if not entries:
            return jobs
        return (jobs | self.env["xero.sync.job"]._jobs_of(
            entries, SETTLEMENT_OPERATIONS)).sorted("id")

    def _xero_state_vals(self, jobs):
        # A deleted allocation says nothing about the credit note itself.
        vals = super()._xero_state_vals(jobs.filtered(
            lambda j: not (j.operation == "delete_allocation" and j.state == "done")))
        # One of a settlement's Xero payments deleted while another is live: still sent.
        done = jobs.filtered(lambda j: j.state == "done")
        if vals["xero_state"] == "voided" and vals.get("xero_id") \
                and done[-1].operation == "delete_payment":
            vals["xero_state"] = "sent"
        return vals

    def _xero_ids_vals(self, jobs):
        """An entry settling several invoices is one Xero payment per
        invoice: the live ones, comma separated (as for account.payment).
        A credit note's Xero id is its own, not an AllocationID."""
        payments = jobs.filtered(lambda j: j.operation in SETTLEMENT_OPERATIONS)
        if self.move_type == "entry" and payments:
            return payments._live_payments_vals()
        return super()._xero_ids_vals(jobs.filtered(
            lambda j: j.operation not in ("allocation", "delete_allocation")))

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
        conn = self._xero_company_connection(memo)
        if not conn:
            return Connection
        if self.is_sale_document() and not conn.sync_sales_invoices:
            return Connection
        if self.is_purchase_document() and not conn.sync_supplier_invoices:
            return Connection
        doc_date = self.invoice_date or self.date
        if conn.sync_from_date and doc_date and doc_date < conn.sync_from_date:
            return Connection
        return conn

    def _xero_company_connection(self, memo=None):
        """The active connection of this move's company (its root's first),
        or an empty record. ``memo``: {company id: connection} shared by the
        moves of one posting, so a batch looks each company's up once."""
        self.ensure_one()
        Connection = self.env["xero.connection"].sudo()
        memo = {} if memo is None else memo
        if self.company_id.id not in memo:
            memo[self.company_id.id] = Connection._get_for_company(
                self.company_id.root_id, raise_if_missing=False) \
                or Connection._get_for_company(self.company_id, raise_if_missing=False)
        conn = memo[self.company_id.id]
        return conn if conn and conn.active else Connection

    def _post(self, soft=True):
        posted = super()._post(soft=soft)
        posted._xero_enqueue()
        return posted

    def _xero_enqueue(self):
        """Queue the posted invoices, bills and credit notes, then the
        posted journal entries (account_move_entry.py), for Xero (same
        transaction, no HTTP); the documents queued."""
        queued = self._xero_enqueue_documents()
        entries = self.filtered(lambda m: m.move_type == "entry" and m.state == "posted")
        if entries:
            entries._xero_enqueue_entries()
        return queued

    def _xero_enqueue_documents(self):
        """Queue the posted invoices, bills and credit notes.

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
            # Xero edits no document holding payments or allocations: the
            # update goes after the deletions the reset queued (in the same
            # push: xero_sync_cron.py, _process_connection).
            deletes = Job.search([
                ("operation", "in", UNDO_BEFORE_UPDATE),
                ("state", "in", ("pending", "sending", "failed", "blocked")),
                "|", ("target_move_id", "=", self.id),
                "&", ("res_model", "=", self._name), ("res_id", "=", self.id)])
            last_delete = deletes.sorted(lambda j: (
                j.state in ("failed", "blocked"), UNDO_BEFORE_UPDATE.index(j.operation), j.id))[-1:]
            Job._enqueue(conn, self, self._xero_operation(), depends_on=last_delete or contact_job,
                         xero_id=last.xero_id)
        else:
            Job._enqueue(conn, self, self._xero_operation(), depends_on=contact_job)

    def button_draft(self):
        # The matches are taken off first (a deposit's allocations and
        # refunds deleted in Xero), then the document, or the deposit of a
        # payment's move (account_payment_deposit_undo.py).
        res = super().button_draft()
        self._xero_enqueue_void()
        self.origin_payment_id._xero_enqueue_void_deposit()
        return res

    def _xero_enqueue_applications(self):
        """Queue what the reconciliations of these moves mean in Xero
        (account_partial_reconcile.py)."""
        lines = self.line_ids
        (lines.matched_debit_ids | lines.matched_credit_ids)._xero_enqueue_applications()

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
        when still a draft there); never sent yet → nothing to undo. Then
        the journal entries (account_move_entry.py)."""
        self._xero_enqueue_void_documents()
        self.filtered(lambda m: m.move_type == "entry")._xero_enqueue_void_entries()

    def _xero_enqueue_void_documents(self):
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
    # -- "Post to Xero" (xero_document_mixin.action_xero_post) ----------------
    def _xero_post_check(self):
        moves = self.filtered(lambda m: m.move_type in XERO_TYPES)
        entries = self.filtered(lambda m: m.move_type == "entry")
        if not moves and (self - entries):
            raise UserError(_("Only invoices, bills and credit notes go to Xero."))
        for move in moves:
            if move.state != "posted":
                raise UserError(_("%s is not posted.", move.display_name))
            if not move._xero_connection():
                raise UserError(_(
                    "%s does not go to Xero: check the Xero connection, its synchronization "
                    "settings and its 'Sync documents from' date.", move.display_name))
        for move in entries:
            if move.state != "posted":
                raise UserError(_("%s is not posted.", move.display_name))
            if not move._xero_entry_connection():
                raise UserError(_(
                    "%s does not go to Xero: check the Xero connection, its journal entries "
                    "settings and its 'Sync documents from' date.", move.display_name))
        return moves | entries

    def _xero_post_unqueued(self):
        self.ensure_one()
        return self.xero_state in ("not_sent", "voided")

    def _xero_post_ride_along(self):
        """An invoice's payments and allocations, and its contact, that failed."""
        if self.move_type not in XERO_TYPES:
            return
        Job = self.env["xero.sync.job"].sudo()
        Job.search([("target_move_id", "=", self.id),
                    ("state", "in", ("failed", "blocked"))]).action_retry()
        Job._jobs_of(self.commercial_partner_id).filtered(
            lambda j: j.state in ("failed", "blocked")).action_retry()

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
            else:
                system_issue = connection._xero_system_account_issue(line.account_id, xero_account)
                if system_issue:
                    issues.append(system_issue)
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
                tax_issue = xero_account and xero_tax._xero_line_issue(
                    xero_account, label, line.account_id, line.tax_ids)
                if tax_issue:
                    issues.append(tax_issue)
                if self._xero_tax_rate_mismatch(line.tax_ids, xero_tax) is not None:
                    mismatched[line.tax_ids] = xero_tax
            unit = line.price_unit
            if amount_types == "Exclusive" and any(line.tax_ids.mapped("price_include")) \
                    and line.quantity:
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

