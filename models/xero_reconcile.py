"""Reconcile with Xero: Odoo's balances against Xero's Trial Balance.

One ``xero.reconcile`` per comparison (a connection, an as-at date); its
lines are one per Xero account: the balance of the Odoo accounts that reach
it, Xero's YTD balance from Reports/TrialBalance, the difference, and the
documents that explain it (``xero.reconcile.item``): posted in Odoo but not
sent, still queued, failed, blocked, voided in Xero, or sent with another
total than Odoo's.

Odoo's side is worked out as Xero books what the connector sends:

- a line of an Odoo account goes to the Xero account the GL account map
  gives it;
- the tax lines of invoices, bills and credit notes go to Xero's GST system
  account (Xero books the tax of a document's lines there, whatever Odoo
  account holds it);
- exchange differences (Odoo's exchange difference journal, on its
  currency exchange gain and loss accounts) go to Xero's Realised Currency
  Gains, where Xero books the difference of rates between a document and
  its payment;
- on a bank or cash journal, the lines of its outstanding receipts and
  payments accounts go to the Xero account of the journal's bank account
  (the account a payment is sent to, see ``_xero_payment_values``), so a
  payment and its bank statement match stay on one line;
- a payment Xero holds as a prepayment is on the Deposits account until
  it is allocated or refunded (``xero_reconcile_deposits.py``);
- Xero's YTD balance of a revenue or expense account starts with the
  financial year (the organisation's FinancialYearEndDay/Month, read from
  Xero at each comparison); what came before is in Retained Earnings
  (help.xero.com/nz/Report_TrialBalance), and Odoo's lines are split the
  same way.

Every call to Xero happens in ``action_compare`` (a button) or the daily
cron, never in a compute.
"""

import logging
from collections import defaultdict
from datetime import date as date_cls, timedelta

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import SQL, float_is_zero

from ..xero.errors import XeroAuthError, XeroError

_logger = logging.getLogger(__name__)

PROFIT_AND_LOSS = ("REVENUE", "EXPENSE")
# Xero's granular scope for the Trial Balance (apps created since March 2026).
REPORT_SCOPE = "accounting.reports.trialbalance.read"
INVOICE_TYPES = ("out_invoice", "out_refund", "in_invoice", "in_refund")
REASONS = [
    ("not_sent", "Not sent to Xero"),
    ("queued", "Queued"),
    ("failed", "Failed"),
    ("blocked", "Blocked"),
    ("voided", "Voided in Xero"),
    ("different", "Sent, Xero's total differs"),
]
ITEMS_PER_LINE = 200  # the largest documents kept per line; the rest are counted
TOTALS_CHECKED = 200  # sent documents whose Xero total is read, per comparison
WHERE_BUDGET = 2500  # characters of one look-up's where clause
KEEP_CRON_DAYS = 60  # daily checks older than this are removed


def _financial_year_start(day, month, as_at):
    """The first day of the financial year of ``as_at`` ending each year on
    ``day``/``month`` (Xero's FinancialYearEndDay/Month)."""
    month = int(month or 12)
    day = int(day or 31)

    def year_end(year):
        last = (date_cls(year + (month == 12), month % 12 + 1, 1) - timedelta(days=1)).day
        return date_cls(year, month, min(day, last))

    end = year_end(as_at.year)
    if as_at > end:
        return end + timedelta(days=1)
    return year_end(as_at.year - 1) + timedelta(days=1)


class XeroReconcile(models.Model):
    _name = "xero.reconcile"
    _description = "Reconcile with Xero"
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(compute="_compute_name")
    connection_id = fields.Many2one(
        "xero.connection", "Xero connection", required=True, ondelete="cascade", index=True,
        default=lambda self: self.env["xero.connection"]._get_for_company(raise_if_missing=False))
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    currency_id = fields.Many2one(related="company_id.currency_id")
    date = fields.Date("As at", required=True, default=fields.Date.context_today)
    origin = fields.Selection(
        [("manual", "Compare"), ("cron", "Daily check")], default="manual", required=True,
        readonly=True)
    state = fields.Selection(
        [("draft", "Not compared"), ("done", "Compared"), ("error", "Xero not read")],
        default="draft", required=True, readonly=True, copy=False)
    compared_at = fields.Datetime(readonly=True, copy=False)
    fiscal_year_start = fields.Date(
        "Xero's financial year from", readonly=True, copy=False,
        help="Revenue and expense accounts are compared from this date (Xero's year to date); "
             "what came before is in Retained Earnings.")
    error = fields.Text(readonly=True, copy=False)
    line_ids = fields.One2many("xero.reconcile.line", "reconcile_id", "Accounts", readonly=True)
    difference_count = fields.Integer("Accounts that differ", readonly=True, copy=False)
    total_difference = fields.Monetary(
        "Total difference", readonly=True, copy=False,
        help="The sum of the accounts' differences, without their signs.")
    unexplained_total = fields.Monetary(
        "Unexplained", readonly=True, copy=False,
        help="What no document explains, summed over the accounts without signs.")
    summary = fields.Char(readonly=True, copy=False)

    @api.depends("connection_id", "date")
    def _compute_name(self):
        for rec in self:
            rec.name = _("%(conn)s as at %(date)s", conn=rec.connection_id.display_name or "",
                         date=fields.Date.to_string(rec.date) if rec.date else "")

    # ------------------------------------------------------------------------
    # Button and cron
    # ------------------------------------------------------------------------
    def action_compare(self):
        """Button "Compare": read Xero's Trial Balance as at the date and
        store one line per account."""
        for rec in self:
            rec.check_access("write")
            rec.sudo()._compare()
        return True

    @api.model
    def _cron_check(self):
        """Daily: compare every connected organisation as at today and flag
        drift on its connection. A connection Xero does not answer for is
        noted and the others go on."""
        conns = self.env["xero.connection"].sudo().search([("state", "=", "connected")])
        for conn in conns:
            rec = self.sudo().create({
                "connection_id": conn.id, "origin": "cron",
                "date": fields.Date.context_today(self.with_company(conn.company_id)),
            })
            try:
                with self.env.cr.savepoint():
                    rec._compare(raise_errors=False)
            except Exception:
                _logger.exception("Xero connection %s: the daily comparison failed", conn.id)
        limit = fields.Datetime.now() - timedelta(days=KEEP_CRON_DAYS)
        self.sudo().search([("origin", "=", "cron"), ("create_date", "<", limit)]).unlink()

    # ------------------------------------------------------------------------
    # The comparison
    # ------------------------------------------------------------------------
    def _compare(self, raise_errors=True):
        self.ensure_one()
        conn = self.connection_id.sudo()
        company_currency = self.company_id.currency_id
        try:
            if conn.xero_base_currency and conn.xero_base_currency != company_currency.name:
                raise UserError(_(
                    "Xero reports in %(xero)s and %(company)s keeps its books in %(odoo)s: the "
                    "balances cannot be compared.", xero=conn.xero_base_currency,
                    company=self.company_id.name, odoo=company_currency.name))
            client = conn._xero_accounting_client()
            org = client.get_organisation()
            fy_start = _financial_year_start(
                getattr(org, "financial_year_end_day", None),
                getattr(org, "financial_year_end_month", None), self.date)
            trial_balance = client.get_trial_balance(self.date)
        except (XeroError, UserError) as exc:
            message = exc.message if isinstance(exc, XeroError) else exc.args[0]
            if isinstance(exc, XeroAuthError) and REPORT_SCOPE not in (conn.scopes or "").split():
                message = _(
                    "%(message)s The connection's scopes lack %(scope)s, which Xero's Trial "
                    "Balance needs: add it and connect again.", message=message, scope=REPORT_SCOPE)
            self.write({"state": "error", "error": message, "compared_at": fields.Datetime.now()})
            if raise_errors:
                raise UserError(_("Xero's Trial Balance could not be read: %s", message)) from exc
            return
        odoo_total, odoo_accounts = self._odoo_balances(fy_start)
        XeroAccount = self.env["xero.account"].with_context(active_test=False)
        known = XeroAccount.search([("connection_id", "=", conn.id)])
        by_xero_id = {a.xero_id.lower(): a for a in known}
        by_code = {a.code: a for a in known if a.code}
        xero = {}
        for xero_id, values in trial_balance.items():
            # By AccountID; by code when Xero's ids are not the ones last
            # refreshed (the report names the account "Name (Code)").
            account = by_xero_id.get(xero_id) or by_code.get(values.get("code"))
            if account:
                xero[account.id] = xero.get(account.id, 0) + values["balance"]
        mapped_from = defaultdict(set)
        for row in conn.account_map_ids:
            mapped_from[row.xero_account_id.id].add(row.account_id.id)
        for xero_account_id, account_id in odoo_accounts:
            mapped_from[xero_account_id].add(account_id)
        rounding = company_currency.rounding
        lines = []
        for xero_account_id in set(odoo_total) | set(xero):
            odoo_balance = company_currency.round(odoo_total.get(xero_account_id, 0.0))
            xero_balance = float(xero.get(xero_account_id, 0))
            if float_is_zero(odoo_balance, precision_rounding=rounding) \
                    and float_is_zero(xero_balance, precision_rounding=rounding):
                continue
            lines.append({
                "xero_account_id": xero_account_id,
                "odoo_account_ids": [(6, 0, sorted(mapped_from.get(xero_account_id, ())))],
                "odoo_balance": odoo_balance,
                "xero_balance": xero_balance,
                "difference": company_currency.round(odoo_balance - xero_balance),
            })
        self.line_ids.unlink()
        self.write({
            "state": "done", "error": False, "compared_at": fields.Datetime.now(),
            "fiscal_year_start": fy_start, "line_ids": [(0, 0, vals) for vals in lines],
        })
        differing = self.line_ids.filtered(
            lambda l: not float_is_zero(l.difference, precision_rounding=rounding))
        if differing:
            targets = set(differing.xero_account_id.ids)
            moves = self._odoo_moves(fy_start, targets, {
                account_id for target, account_id in odoo_accounts if target in targets})
            self._explain(differing, moves, client)
        self._summarize()

    def _odoo_balances(self, fy_start):
        """Odoo's balances by Xero account, as Xero books what is sent:
        ({xero.account id: balance}, {(xero.account id, account id): balance})."""
        target_of = self._xero_target_function(fy_start)
        total = defaultdict(float)
        accounts = defaultdict(float)
        for account_id, journal_id, prior, is_tax, balance in self._odoo_rows(fy_start):
            target = target_of(account_id, journal_id, prior, is_tax)
            if target:
                total[target] += balance
                accounts[(target, account_id)] += balance
        for _move_id, account_id, target, amount in self._deposit_rows(fy_start, target_of):
            total[target] += amount
            accounts[(target, account_id)] += amount
        return total, accounts

    def _odoo_moves(self, fy_start, targets, account_ids):
        """{xero.account id: {move id: balance}} for the Xero accounts
        ``targets``, read from the lines of ``account_ids`` (the drill-down
        reads journal entries only for the accounts that differ)."""
        target_of = self._xero_target_function(fy_start)
        moves = defaultdict(lambda: defaultdict(float))
        if not account_ids:
            return moves
        for move_id, account_id, journal_id, prior, is_tax, balance in self._odoo_rows(
                fy_start, account_ids=account_ids):
            target = target_of(account_id, journal_id, prior, is_tax)
            if target in targets:
                moves[target][move_id] += balance
        for move_id, _account_id, target, amount in self._deposit_rows(fy_start, target_of):
            if target in targets:
                moves[target][move_id] += amount
        return moves

    def _companies(self):
        """The company and its branches: the push sends a branch's documents
        through its root company's connection, so they are in that
        organisation's books."""
        return self.env["res.company"].sudo().search([("id", "child_of", self.company_id.id)])

    def _odoo_rows(self, fy_start, account_ids=None):
        """The posted lines up to the date, summed by account, journal,
        before the financial year or not, tax line of an invoice or not (and
        by journal entry when ``account_ids`` narrows them)."""
        self.env["account.move.line"].flush_model()
        by_move = account_ids is not None
        self.env.cr.execute(SQL(
            """
            SELECT %(move)s aml.account_id, aml.journal_id, aml.date < %(fy_start)s,
                   aml.display_type = 'tax' AND am.move_type IN %(invoice_types)s,
                   SUM(aml.balance)
              FROM account_move_line aml
              JOIN account_move am ON am.id = aml.move_id
             WHERE aml.company_id IN %(companies)s
               AND aml.parent_state = 'posted'
               AND aml.date <= %(date)s
               %(accounts)s
          GROUP BY %(group_by)s
            """,
            move=SQL("aml.move_id,") if by_move else SQL(""),
            group_by=SQL("1, 2, 3, 4, 5") if by_move else SQL("1, 2, 3, 4"),
            accounts=SQL("AND aml.account_id IN %s", tuple(account_ids)) if by_move else SQL(""),
            fy_start=fy_start, invoice_types=INVOICE_TYPES, companies=tuple(self._companies().ids),
            date=self.date,
        ))
        return self.env.cr.fetchall()

    def _xero_target_function(self, fy_start):
        """A function (account id, journal id, before the financial year,
        tax line of an invoice) -> the xero.account id Xero books that line
        in, or None when nothing of it can be in Xero (not mapped)."""
        conn = self.connection_id.sudo()
        company = self.company_id
        maps = conn._get_maps()["accounts"]
        XeroAccount = self.env["xero.account"].with_context(active_test=False)
        system = {a.system_account: a.id for a in XeroAccount.search(
            [("connection_id", "=", conn.id),
             ("system_account", "in", ("GST", "RETAINEDEARNINGS", "REALISEDCURRENCYGAIN",
                                       "DEBTORS", "CREDITORS"))])}
        gst, retained = system.get("GST"), system.get("RETAINEDEARNINGS")
        # Xero books every invoice's and payment's receivable (payable) in its
        # Accounts Receivable (Payable), whatever Odoo's account: a branch's
        # own, a partner's second one, mapped or not.
        Account = self.env["account.account"].sudo().with_context(active_test=False)
        by_type = {}
        for account_type, system_account in (("asset_receivable", "DEBTORS"),
                                             ("liability_payable", "CREDITORS")):
            if system.get(system_account):
                for account_id in Account.search([("account_type", "=", account_type)]).ids:
                    by_type[account_id] = system[system_account]
        # Exchange differences: Xero books them in Realised Currency Gains.
        fx_journal = company.currency_exchange_journal_id.id
        fx_accounts = {company.income_currency_exchange_account_id.id,
                       company.expense_currency_exchange_account_id.id} - {False}
        realised = system.get("REALISEDCURRENCYGAIN")
        profit_and_loss = set(XeroAccount.search(
            [("connection_id", "=", conn.id), ("account_class", "in", PROFIT_AND_LOSS)]).ids)
        # Bank and cash journals: their outstanding accounts go with the bank.
        outstanding = {}
        journals = self.env["account.journal"].sudo().search([
            *self.env["account.journal"]._check_company_domain(self._companies()),
            ("type", "in", ("bank", "cash"))])
        # A payment method line without an account uses the chart's
        # outstanding account (account.payment._get_outstanding_account):
        # the accounts the journal's payments did use count too.
        self.env["account.payment"].flush_model(["journal_id", "outstanding_account_id"])
        used = defaultdict(set)
        if journals:
            self.env.cr.execute(SQL(
                """SELECT DISTINCT journal_id, outstanding_account_id FROM account_payment
                    WHERE journal_id IN %s AND outstanding_account_id IS NOT NULL""",
                tuple(journals.ids)))
            for journal_id, account_id in self.env.cr.fetchall():
                used[journal_id].add(account_id)
        for journal in journals:
            bank = maps.get(journal.default_account_id.id)
            if bank:
                accounts = (journal.inbound_payment_method_line_ids
                            | journal.outbound_payment_method_line_ids).payment_account_id
                outstanding[journal.id] = (set(accounts.ids) | used[journal.id], bank)

        def target_of(account_id, journal_id, prior, is_tax):
            if is_tax and gst:
                target = gst
            elif realised and journal_id == fx_journal and account_id in fx_accounts:
                target = realised
            elif journal_id in outstanding and account_id in outstanding[journal_id][0]:
                target = outstanding[journal_id][1]
            elif account_id in by_type:
                target = by_type[account_id]
            else:
                target = maps.get(account_id)
            if target and prior and target in profit_and_loss and retained:
                target = retained
            return target

        return target_of

    # ------------------------------------------------------------------------
    # The drill-down
    # ------------------------------------------------------------------------
    def _explain(self, lines, moves_by_account, client):
        """Store, on each differing line, the documents that explain it."""
        currency = self.company_id.currency_id
        move_ids = set()
        for line in lines:
            move_ids.update(moves_by_account.get(line.xero_account_id.id, {}))
        move_ids.discard(None)
        documents = self._with_exchange_sources(self._move_documents(move_ids))
        sent = {}
        for line in lines:
            for move_id, amount in moves_by_account.get(line.xero_account_id.id, {}).items():
                doc = documents.get(move_id)
                if doc and doc["reason"] is None and doc["xero_id"] and doc["kind"] and \
                        not currency.is_zero(amount):
                    sent[move_id] = doc
        totals = self._xero_totals(list(sent.values())[:TOTALS_CHECKED], client)
        Item = self.env["xero.reconcile.item"].sudo()
        for line in lines:
            items = []
            for move_id, amount in moves_by_account.get(line.xero_account_id.id, {}).items():
                doc = documents.get(move_id)
                if doc is None or currency.is_zero(amount):
                    continue
                reason, error = doc["reason"], doc["error"]
                if reason is None:
                    xero_total = totals.get(doc["xero_id"])
                    if xero_total is None or abs(xero_total - doc["total"]) < 0.005:
                        continue
                    reason = "different"
                    error = _("Xero's total is %(xero)s, Odoo's %(odoo)s.",
                              xero=xero_total, odoo=doc["total"])
                    # Its share of this account, as Xero's total differs from Odoo's.
                    amount = amount * (doc["total"] - xero_total) / doc["total"] \
                        if doc["total"] else amount
                items.append({
                    "line_id": line.id, "move_id": move_id, "res_model": doc["res_model"],
                    "res_id": doc["res_id"], "reason": reason, "error": error,
                    "amount": currency.round(amount),
                })
            items.sort(key=lambda vals: -abs(vals["amount"]))
            Item.create(items[:ITEMS_PER_LINE])
            line.write({
                "explained": currency.round(sum(vals["amount"] for vals in items)),
                "item_total_count": len(items),
            })

    def _move_documents(self, move_ids):
        """{move id: {"res_model", "res_id", "reason", "error", "xero_id",
        "kind", "total"}}: the document each journal entry is the entry of
        (the payment, the trust transaction or the move itself) and why it
        is not (or not as it is) in Xero; reason None when it was sent."""
        if not move_ids:
            return {}
        self.env.cr.execute(SQL(
            """
            SELECT am.id, am.move_type, am.xero_state, am.xero_error, am.xero_id,
                   am.amount_total, am.origin_payment_id, ap.xero_state, ap.xero_error,
                   am.trust_transaction_id, ap.xero_id, ap.amount,
                   ap.currency_id = rc.currency_id AND NOT EXISTS (
                       SELECT 1 FROM xero_sync_job j
                        WHERE j.res_model = 'account.payment' AND j.res_id = ap.id
                          AND j.operation = 'deposit' AND j.state = 'done')
              FROM account_move am
              JOIN res_company rc ON rc.id = am.company_id
         LEFT JOIN account_payment ap ON ap.id = am.origin_payment_id
             WHERE am.id IN %s
            """, tuple(move_ids)))
        rows = self.env.cr.fetchall()
        trust_ids = {row[9] for row in rows if row[9] and not row[6]}
        trust_states = defaultdict(set)
        trust_errors = {}
        if trust_ids:
            self.env.cr.execute(SQL(
                """
                SELECT res_id, state, error FROM xero_sync_job
                 WHERE res_model = 'account.trust.transaction' AND res_id IN %s
                   AND connection_id = %s AND state != 'cancelled'
              ORDER BY id
                """, tuple(trust_ids), self.connection_id.id))
            for res_id, state, error in self.env.cr.fetchall():
                trust_states[res_id].add(state)
                if error:
                    trust_errors[res_id] = error
        reasons = {"not_sent": "not_sent", "queued": "queued", "failed": "failed",
                   "blocked": "blocked", "voided": "voided", "sent": None}
        out = {}
        for (move_id, move_type, move_state, move_error, xero_id, total, payment_id,
             payment_state, payment_error, trust_id, payment_xero_id, payment_amount,
             base_currency) in rows:
            if payment_id:
                # Its Xero payments (one per document paid, comma separated),
                # read back as an invoice's total is; in the base currency
                # only (Xero's Amount is in the document's currency), and not
                # a deposit (its Xero id is a prepayment's or overpayment's).
                out[move_id] = {"res_model": "account.payment", "res_id": payment_id,
                                "reason": reasons.get(payment_state or "not_sent"),
                                "error": payment_error,
                                "xero_id": (payment_xero_id or "").lower() or None,
                                "kind": "Payments" if base_currency else None,
                                "total": payment_amount or 0.0}
            elif trust_id:
                states = trust_states.get(trust_id, set())
                reason = next((r for r, s in (("failed", "failed"), ("blocked", "blocked"),
                                              ("queued", "pending"), ("queued", "sending"))
                               if s in states), None)
                if reason is None and "done" not in states:
                    reason = "not_sent"
                out[move_id] = {"res_model": "account.trust.transaction", "res_id": trust_id,
                                "reason": reason, "error": trust_errors.get(trust_id),
                                "xero_id": None, "kind": None, "total": 0.0}
            else:
                kind = None
                if move_type in ("out_invoice", "in_invoice"):
                    kind = "Invoices"
                elif move_type in ("out_refund", "in_refund"):
                    kind = "CreditNotes"
                out[move_id] = {"res_model": "account.move", "res_id": move_id,
                                "reason": reasons.get(move_state or "not_sent"),
                                "error": move_error, "xero_id": (xero_id or "").lower() or None,
                                "kind": kind, "total": total or 0.0}
        return out

    def _xero_totals(self, documents, client):
        """{Xero id: total in Xero (0 when voided or deleted)} of sent
        invoices, credit notes and payments (a payment's amount), read by id
        in a few look-ups."""
        totals = {}
        for kind, id_field, method in (("Invoices", "InvoiceID", client.get_invoices),
                                       ("CreditNotes", "CreditNoteID", client.get_credit_notes),
                                       ("Payments", "PaymentID", client.get_payments)):
            ids = [x for d in documents if d["kind"] == kind for x in d["xero_id"].split(",")]
            clauses, size = [], 0
            chunks = []
            for xero_id in ids:
                clause = '%s==Guid("%s")' % (id_field, xero_id)
                if clauses and size + len(clause) + 4 > WHERE_BUDGET:
                    chunks.append(clauses)
                    clauses, size = [], 0
                clauses.append(clause)
                size += len(clause) + 4
            if clauses:
                chunks.append(clauses)
            for chunk in chunks:
                try:
                    found = method(where=" OR ".join(chunk))
                except XeroError as exc:
                    _logger.info("Xero totals not read for the comparison: %s", exc.message)
                    return totals
                # Asked for and not answered: Xero holds nothing of it (a
                # chunk's ids are fewer than a page of Xero's answer).
                for clause in chunk:
                    totals[clause.split('"')[1].lower()] = 0.0
                for doc in found or []:
                    doc_id = str(getattr(doc, "invoice_id", None)
                                 or getattr(doc, "credit_note_id", None)
                                 or getattr(doc, "payment_id", None) or "").lower()
                    status = getattr(doc, "status", None)
                    status = getattr(status, "value", status)
                    amount = doc.amount if kind == "Payments" else doc.total
                    totals[doc_id] = 0.0 if status in ("VOIDED", "DELETED", "DRAFT", "SUBMITTED") \
                        else float(amount or 0.0)
        # A payment is the sum of its Xero payments (unknown if one was not read).
        for doc in documents:
            if doc["kind"] == "Payments" and "," in doc["xero_id"]:
                parts = [totals.get(x) for x in doc["xero_id"].split(",")]
                if None not in parts:
                    totals[doc["xero_id"]] = sum(parts)
        return totals

    def _summarize(self):
        currency = self.company_id.currency_id
        differing = self.line_ids.filtered(lambda l: not currency.is_zero(l.difference))
        # The sum of the table's Gap column (a signed sum nets to about zero:
        # Odoo's and Xero's balances both add up to zero).
        total = currency.round(sum(differing.mapped("gap")))
        unexplained = currency.round(sum(abs(l.unexplained) for l in differing))
        if not differing:
            summary = _("Odoo and Xero agree on every account as at %s.",
                        fields.Date.to_string(self.date))
        else:
            summary = _(
                "%(count)s account(s) differ as at %(date)s (%(total)s in all, %(unexplained)s "
                "not explained by unsent, failed or different documents).",
                count=len(differing), date=fields.Date.to_string(self.date),
                total=currency.format(total), unexplained=currency.format(unexplained))
        self.write({"difference_count": len(differing), "total_difference": total,
                    "unexplained_total": unexplained, "summary": summary})


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    xero_reconcile_drift = fields.Boolean(related="xero_connection_id.reconcile_drift")
    xero_reconcile_message = fields.Char(related="xero_connection_id.reconcile_message")
    xero_reconcile_checked_at = fields.Datetime(related="xero_connection_id.reconcile_checked_at")
