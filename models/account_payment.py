from odoo import _, api, fields, models

from .account_payment_deposit import DEPOSIT_OPERATIONS

# The jobs of a payment: its Xero Payments (one per document it pays), and
# when it is a deposit, the deposit's (account_payment_deposit.py,
# account_payment_deposit_undo.py).
PAYMENT_OPERATIONS = ("payment", "delete_payment")
PAYMENT_JOB_OPERATIONS = PAYMENT_OPERATIONS + DEPOSIT_OPERATIONS + ("void_deposit",)


class AccountPayment(models.Model):
    _name = "account.payment"
    _inherit = ["account.payment", "xero.document.mixin"]

    xero_url = fields.Char("Xero link", compute="_compute_xero_url")

    @api.depends("xero_id", "company_id")
    def _compute_xero_url(self):
        Job = self.env["xero.sync.job"]
        Connection = self.env["xero.connection"]
        for payment in self:
            payment.xero_url = payment.xero_id and Job._xero_deep_link(
                "payment", payment.xero_id,
                Connection._get_for_company(payment.company_id, raise_if_missing=False))
        # A deposit links to its bank transaction (account_payment_deposit.py).
        self._xero_set_deposit_urls()

    def _xero_url(self):
        self.ensure_one()
        return self.xero_url

    # -- how its jobs show on the payment --------------------------------------
    def _xero_jobs(self, operations=None):
        return super()._xero_jobs(operations or PAYMENT_JOB_OPERATIONS)

    def _xero_ids_vals(self, jobs):
        """A deposit's id is its prepayment's (overpayment's), a refund of
        a deposit's its Payments' (account_payment_deposit.py); a payment
        applied to several documents is one Xero payment per document: the
        live ones, comma separated."""
        return self._xero_deposit_ids_vals(jobs) or jobs.filtered(
            lambda j: j.operation not in DEPOSIT_OPERATIONS)._live_payments_vals()

    def _xero_refund_unmatched(self):
        """Why money given back (a refund to a customer, or from a supplier)
        cannot go to Xero as it is, or False. Xero takes it only as Payments
        on credit notes (or on a deposit), each no more than the note: a part
        matched to nothing would leave Odoo's bank and never Xero's."""
        self.ensure_one()
        if self.state in ("draft", "canceled") or not self.move_id \
                or not self._xero_is_refund() or not self._xero_is_open():
            return False
        open_part = abs(sum(self._xero_deposit_lines().mapped("amount_residual")))
        return _(
            "%(amount)s of %(payment)s is matched to no credit note: Xero takes money given back "
            "only as payments on credit notes or deposits, so its bank would show less than "
            "Odoo's. Match it with a credit note or a deposit (or reset the payment and correct "
            "its amount), then Retry.",
            amount=self.company_currency_id.format(open_part), payment=self.display_name)

    def _xero_refund_connection(self):
        """The connection that would send this refund's Payments, or an empty record."""
        self.ensure_one()
        Connection = self.env["xero.connection"].sudo()
        conn = Connection._get_for_company(self.company_id.root_id, raise_if_missing=False) \
            or Connection._get_for_company(self.company_id, raise_if_missing=False)
        customer = self.partner_type == "customer"
        if not conn or not conn.active or not (
                conn.sync_sales_invoices if customer else conn.sync_supplier_invoices):
            return Connection
        if conn.sync_from_date and self.date and self.date < conn.sync_from_date:
            return Connection
        return conn

    def _xero_state_vals(self, jobs):
        # A deleted allocation says nothing about the deposit itself.
        vals = super()._xero_state_vals(jobs.filtered(
            lambda j: not (j.operation == "delete_deposit_allocation" and j.state == "done")))
        # Money given back that Xero holds nothing of (never matched, or its
        # Payments deleted with the credit note it paid): blocked, saying
        # why, instead of "Not sent" or "Voided" with nothing to do.
        if vals["xero_state"] in ("not_sent", "voided") and not vals.get("xero_id") \
                and self._xero_refund_unmatched() and self._xero_refund_connection():
            vals["xero_state"] = "blocked"
            vals["xero_error"] = self._xero_refund_unmatched()
        # Deleting one of several Xero payments (one per document paid)
        # leaves the payment sent while another is still live.
        if vals["xero_state"] == "voided" and vals.get("xero_id"):
            vals["xero_state"] = "sent"
        # A deposit deleted in Xero (account_payment_deposit_undo.py).
        done = jobs.filtered(lambda j: j.state == "done")
        if vals.get("xero_state") == "sent" and done and done[-1].operation == "void_deposit":
            vals["xero_state"] = "voided"
        return vals

    def _xero_note_body(self, job):
        if job.operation == "void_deposit":
            return _("Deposit deleted in Xero (%s).", job.xero_id)
        if job.operation == "delete_deposit_allocation":
            return _("Allocation on %(invoice)s deleted in Xero (%(id)s).",
                     invoice=job.target_move_id.name, id=job.xero_id)
        if job.operation == "deposit":
            return _("Sent to Xero as a %(kind)s (Xero ID %(id)s).",
                     kind=dict(job._fields["deposit_kind"]._description_selection(self.env)).get(
                         job.deposit_kind, ""), id=job.xero_id)
        return super()._xero_note_body(job)

    def _xero_payment_reference(self, job):
        """The payment's Reference in Xero; it carries the job's key, so a
        payment in doubt is found again by it."""
        return "%s [%s]" % (self.name or self.memo or "", job.idempotency_key)

    def _xero_currency_rate(self, target):
        """Xero's CurrencyRate of this payment on the foreign-currency
        document ``target``: units of the document's currency per unit of
        the base currency (Xero's convention, as for the invoice's rate), at
        the rate Odoo booked the payment at, i.e. its own counterpart line
        (amount in the payment currency / amount in company currency). Xero
        then books the same realised gain or loss as Odoo's exchange
        difference. Rounded to Xero's 6 decimals by the builder."""
        self.ensure_one()
        if self.move_id and self.currency_id == target.currency_id:
            _liquidity, counterpart, _writeoff = self._seek_for_lines()
            lines = counterpart.filtered(lambda l: l.currency_id == target.currency_id) \
                or counterpart
            balance = sum(lines.mapped("balance"))
            amount_currency = sum(lines.mapped("amount_currency"))
            if balance and amount_currency:
                return abs(amount_currency) / abs(balance)
        # Paid in another currency than the document's: the rate at which
        # the reconciliation settled it.
        company_amount = target._xero_reconciled_amount(self.move_id, company_currency=True)
        total = target._xero_reconciled_amount(self.move_id)
        return abs(total) / abs(company_amount) if company_amount else None

    def _xero_bank_account(self, connection, issues):
        """The Xero account of this payment's bank journal (or of its
        outstanding account), as payments and deposits go; None, with an
        issue, when it has none."""
        self.ensure_one()
        bank_account = self.journal_id.default_account_id
        xero_bank = connection._map_account(bank_account)
        if not xero_bank and self.outstanding_account_id:
            xero_bank = connection._map_account(self.outstanding_account_id)
        if not xero_bank:
            issues.append(_("Bank account %(account)s (journal %(journal)s) has no Xero account "
                            "in the GL account map.", account=bank_account.display_name,
                            journal=self.journal_id.display_name))
        return xero_bank

    def _xero_payment_values(self, connection, target):
        """(kwargs of payloads.build_payment, [issues]) for the part of this
        payment applied to ``target``; paid from trust, from the Trust
        liability account (xero_push_trust.py)."""
        self.ensure_one()
        issues = []
        xero_account = self._xero_bank_account(connection, issues)
        if self._xero_refund_unmatched():
            issues.append(self._xero_refund_unmatched())
        amount = target._xero_reconciled_amount(self.move_id) if self.move_id else 0.0
        # What earlier versions already sent (and were not deleted) stays in Xero.
        sent = self.env["xero.sync.job"].sudo()._payments_sent(self, target)
        amount = target.currency_id.round(amount - sent)
        rate = None
        if target.currency_id != target.company_currency_id and amount:
            rate = self._xero_currency_rate(target)
        values = {
            "amount": amount,
            "payment_date": self.date,
            "account_code": xero_account.code or None,
            "account_id": xero_account.xero_id or None,
            "currency_rate": rate,
            "bank_amount": connection._xero_payment_bank_amount(
                target, xero_account, amount,
                self._seek_for_lines()[0] if self.move_id else self.env["account.move.line"],
                issues, self.display_name),
        }
        return self._xero_trust_payment_values(connection, target, values, issues)

    # -- "Post to Xero" (xero_document_mixin.action_xero_post) ----------------
    def _xero_post_unqueued(self):
        """Never queued, or all its jobs set aside (ignored, or made for a
        Xero organisation the connection no longer uses)."""
        self.ensure_one()
        return not self.env["xero.sync.job"].sudo()._jobs_of(self).filtered(
            lambda j: j.state != "cancelled")

    def _xero_post_enqueue(self):
        self.move_id._xero_enqueue_applications()
