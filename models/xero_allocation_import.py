"""Credit-note allocations made in Xero, reconciled in Odoo.

A credit note Odoo sent, applied in Xero to an invoice Odoo sent (an
Allocation on the credit note: Xero tells of it as a CREDITNOTE UPDATE), is
reconciled in Odoo with that invoice for the allocated amount, on the pull of
the credit note (models/xero_payment_import.py ``_xero_pull_documents``).

What Odoo holds of it is what the push would have held had Odoo made it: a
done "allocation" job of the credit note on the invoice, carrying Xero's
AllocationID and amount, marked "Made in Xero" (never sent). So the push
side needs nothing of its own: a later reconciliation in Odoo sends only
what Xero does not hold yet (``_xero_allocation_amount`` counts the job), and
the reconciliation taken off in Odoo deletes the allocation in Xero
(``_xero_enqueue_unallocate`` deletes the pair's live allocations). The
matches it made carry the AllocationID (``xero_allocation_id``): deleted in
Xero, they are taken off in Odoo.

Exactly once: an allocation is known by its AllocationID (any allocation job
of the credit note holds it, Odoo's own or imported, and so do the matches
it made); the credit note's row is locked while its allocations are
registered, so that a second worker waits, then fails on the row the first
changed (Odoo's repeatable read) and its events are read again later. Never echoed: everything Odoo queues while it
reconciles or unreconciles them is left out (``xero_import`` in the context).
Never twice: an allocation for more than Odoo has open on either document
fails with a message rather than reconcile what is reconciled already.
"""

from odoo import _, api, fields, models
from odoo.tools import SQL

from .xero_import_blocked import ImportBlocked

RECONCILABLE = ("asset_receivable", "liability_payable")
# The invoice types a credit note is applied to.
INVOICE_OF = {"out_refund": "out_invoice", "in_refund": "in_invoice"}


class AccountPartialReconcile(models.Model):
    _inherit = "account.partial.reconcile"

    xero_allocation_id = fields.Char(
        "Allocated in Xero", copy=False, readonly=True, index="btree_not_null",
        help="The Xero allocation (made in Xero) this match registers.")


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    @api.model
    def _prepare_move_line_residual_amounts(self, aml_values, counterpart_currency,
                                            shadowed_aml_values=None, other_aml_values=None):
        """An allocation made in Xero reconciles its amount, not all that is
        open: ``xero_allocation_cap`` in the context, {line id: amount in
        the line's currency}, caps what those lines offer."""
        available = super()._prepare_move_line_residual_amounts(
            aml_values, counterpart_currency, shadowed_aml_values=shadowed_aml_values,
            other_aml_values=other_aml_values)
        cap = (self.env.context.get("xero_allocation_cap") or {}).get(aml_values["aml"].id)
        if cap is None:
            return available
        # Asked again after each partial, with what is left: the cap is
        # for all of them together.
        residual = abs(aml_values["amount_residual_currency"])
        start = aml_values.setdefault("xero_allocation_start", residual)
        allowed = aml_values["aml"].currency_id.round(cap - (start - residual))
        if allowed <= 0:
            return {}
        if not residual or residual <= allowed:
            return available
        ratio = allowed / residual
        return {currency: dict(values, residual=currency.round(values["residual"] * ratio))
                for currency, values in available.items()}


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    made_in_xero = fields.Boolean(
        "Made in Xero", readonly=True, copy=False,
        help="An allocation made in Xero and reconciled in Odoo: recorded here, never sent.")


class XeroWebhookEvent(models.Model):
    _inherit = "xero.webhook.event"

    @api.model
    def _xero_import_allocations(self, conn, note, doc):
        """Reconcile in Odoo the allocations Xero holds on the credit note
        ``note`` (Xero's ``doc``) that Odoo neither made nor registered;
        unreconcile those registered that Xero no longer holds. Returns a
        note ('' when nothing changed), or None to wait (Odoo's own
        allocation of it is queued or in flight)."""
        Job = self.env["xero.sync.job"].sudo()
        jobs = Job._jobs_of(note, ("allocation", "delete_allocation")).filtered(
            lambda j: j.connection_id == conn)
        if jobs.filtered(lambda j: j.state in ("pending", "sending")):
            return None
        held = {str(a.allocation_id).lower(): a for a in (doc.allocations or [])
                if a.allocation_id and not a.is_deleted and a.invoice and a.invoice.invoice_id}
        known, unsure = set(), set()
        for job in jobs.filtered("xero_id"):
            if job.xero_id.lower() == (note.xero_id or "").lower():
                # An older job kept the credit note's id, not the allocation's:
                # the allocations on that invoice may be Odoo's.
                unsure.add(job.target_move_id.id)
            else:
                known.add(job.xero_id.lower())
        # Registered before (its job may have been cleaned up since).
        known |= set(self.env["account.partial.reconcile"].sudo().search(
            [("xero_allocation_id", "in", list(held))]).mapped("xero_allocation_id"))
        notes = []
        new = [(aid, a) for aid, a in held.items() if aid not in known]
        gone = jobs.filtered(lambda j: j.made_in_xero and j.state == "done"
                             and j.xero_id.lower() not in held)
        if not new and not gone:
            return ""
        # One worker at a time registers what this credit note has (a second
        # one waits, then fails on what the first changed: read again later).
        self.env.cr.execute(SQL("SELECT id FROM account_move WHERE id = %s FOR UPDATE", note.id))
        invoices = self._xero_allocation_invoices(conn, note, [a for _aid, a in new])
        for aid, allocation in new:
            invoice = invoices.get(str(allocation.invoice.invoice_id).lower())
            if not invoice:
                notes.append(_("An allocation of %(amount)s of %(note)s in Xero is on an invoice "
                               "Odoo did not send: not reconciled in Odoo.",
                               amount=allocation.amount, note=note.name))
            elif invoice.id not in unsure:
                notes.append(self._xero_register_allocation(conn, note, invoice, aid, allocation))
        for job in gone:
            notes.extend(self._xero_unregister_allocation(conn, note, job))
        return "\n".join(notes)

    @api.model
    def _xero_allocation_invoices(self, conn, note, allocations):
        """{Xero InvoiceID (lower case): invoice Odoo sent} of ``allocations``."""
        ids = {str(a.invoice.invoice_id) for a in allocations}
        if not ids:
            return {}
        invoices = self.env["account.move"].sudo().search([
            ("xero_id", "in", list(ids | {i.lower() for i in ids})),
            ("company_id", "child_of", conn.company_id.id),
            ("move_type", "=", INVOICE_OF.get(note.move_type)), ("state", "=", "posted")])
        return {invoice.xero_id.lower(): invoice for invoice in invoices}

    @api.model
    def _xero_register_allocation(self, conn, note, invoice, aid, allocation):
        amount = note.currency_id.round(float(allocation.amount or 0.0))
        lines = (note | invoice).line_ids.filtered(
            lambda l: l.account_id.account_type in RECONCILABLE and not l.reconciled)
        note_lines = lines.filtered(lambda l: l.move_id == note)
        invoice_lines = (lines - note_lines).filtered(
            lambda l: l.account_id in note_lines.account_id)
        left = min(abs(sum(note_lines.mapped("amount_residual_currency"))),
                   abs(sum(invoice_lines.mapped("amount_residual_currency"))))
        if not note_lines or not invoice_lines or \
                note.currency_id.compare_amounts(amount, left) > 0 or amount <= 0:
            raise ImportBlocked(_(
                "%(note)s was applied to %(invoice)s in Xero for %(amount)s, but Odoo has only "
                "%(left)s of them open to reconcile: check what reconciles them in Odoo, and "
                "make the two agree (taking it off in Odoo or in Xero).",
                note=note.name, invoice=invoice.name, amount=amount,
                left=note.currency_id.round(left)))
        before = (note_lines | invoice_lines).matched_debit_ids | \
            (note_lines | invoice_lines).matched_credit_ids
        lines = (note_lines | invoice_lines).with_context(xero_import=True)
        if note.currency_id.compare_amounts(amount, left) < 0:
            # Part of what is open: capped; capped lines look fully matched to
            # Odoo, which would book the rest as an exchange difference.
            lines = lines.with_context(
                xero_allocation_cap={line.id: amount for line in lines},
                no_exchange_difference=True)
        lines.reconcile()
        partials = ((note_lines | invoice_lines).matched_debit_ids
                    | (note_lines | invoice_lines).matched_credit_ids) - before
        partials.write({"xero_allocation_id": aid})
        self.env["xero.sync.job"].sudo().create({
            "connection_id": conn.id, "res_model": "account.move", "res_id": note.id,
            "operation": "allocation", "target_move_id": invoice.id,
            "version": max(self.env["xero.sync.job"].sudo()._jobs_of(
                note, ("allocation",), target=invoice).mapped("version") or [0]) + 1,
            "state": "done", "made_in_xero": True, "xero_id": aid, "amount": amount,
            "sent_at": fields.Datetime.now(),
        })
        note.message_post(body=_("Applied to %(invoice)s in Xero (%(amount)s): reconciled in "
                                 "Odoo.", invoice=invoice.name, amount=amount))
        return _("%(note)s applied to %(invoice)s in Xero (%(amount)s): reconciled in Odoo.",
                 note=note.name, invoice=invoice.name, amount=amount)

    @api.model
    def _xero_unregister_allocation(self, conn, note, job):
        """The allocation of ``job`` (made in Xero) was deleted there: its
        matches are taken off in Odoo."""
        if job not in note._xero_live_allocations(job.target_move_id, conn):
            return []  # deleted from Odoo (its delete job sent it)
        partials = self.env["account.partial.reconcile"].sudo().search(
            [("xero_allocation_id", "=", job.xero_id)])
        partials.with_context(xero_import=True).unlink()
        job._cancel(_("Deleted in Xero: unreconciled in Odoo."))
        invoice = job.target_move_id
        note.message_post(body=_("Allocation on %s deleted in Xero: unreconciled in Odoo.",
                                 invoice.name))
        return [_("Allocation of %(note)s on %(invoice)s deleted in Xero: unreconciled in Odoo.",
                  note=note.name, invoice=invoice.name)]
