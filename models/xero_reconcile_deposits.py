"""Reconcile with Xero: open deposits (prepayments).

A payment sent to Xero as a prepayment (models/account_payment_deposit.py)
is booked by Xero on the connection's Deposits received (paid) account,
not on Accounts Receivable (Payable) where Odoo keeps the receipt; each
allocation to an invoice then moves its amount from that account to
Accounts Receivable (Payable), and each refund takes it back out of it
(xero_sandbox/deposits.py and reports.py, from Xero's help on
prepayments). An overpayment stays on Accounts Receivable (Payable) in
Xero as in Odoo: nothing to move.

Odoo's side is read as Xero books it: the receivable (payable) line of a
payment whose prepayment Xero holds goes to the Deposits account; each of
its matches dated up to the comparison's date moves the matched amount
back to Accounts Receivable (Payable), under the payment's entry for an
invoice (Xero's allocation) and under the refund's entry for money given
back (the refund's own receivable line goes to the Deposits account too).
So an open deposit is no difference, and a match Odoo made that Xero does
not hold yet shows as one, explained by the deposit (or the refund).

Read with one SQL query over the payments' jobs and their matches, not
per payment (a firm's scale, bench/reconcile_scale.py).
"""

from odoo import models
from odoo.tools import SQL

from ..xero import payloads_deposit


class XeroReconcile(models.Model):
    _inherit = "xero.reconcile"

    def _deposit_rows(self, fy_start, target_of):
        """[(move id, account id, xero.account id, amount)]: what moves, on
        Odoo's side, between Accounts Receivable (Payable) and the Deposits
        accounts (the deposit itself on the Deposits account under no
        entry, its matches under the entry that explains them while Xero
        does not hold them)."""
        conn = self.connection_id.sudo()
        received, paid = conn.deposit_received_xero_account_id.id, \
            conn.deposit_paid_xero_account_id.id
        if not (received or paid):
            return []
        for model in ("xero.sync.job", "account.payment", "account.move.line",
                      "account.partial.reconcile"):
            self.env[model].flush_model()
        # The prepayments Xero holds: each payment's latest deposit job done
        # as a prepayment on this connection, not voided since.
        self.env.cr.execute(SQL(
            """
            WITH deposits AS (
                SELECT DISTINCT ON (j.res_id) j.res_id AS payment_id, j.id AS job_id,
                       j.deposit_kind AS kind
                  FROM xero_sync_job j
                 WHERE j.res_model = 'account.payment' AND j.operation = 'deposit'
                   AND j.state = 'done' AND j.connection_id = %(conn)s
              ORDER BY j.res_id, j.version DESC, j.id DESC
            )
            SELECT ap.payment_type = 'inbound', aml.id, aml.move_id, aml.account_id,
                   aml.journal_id, aml.date < %(fy_start)s, aml.balance
              FROM deposits d
              JOIN account_payment ap ON ap.id = d.payment_id
              JOIN account_move_line aml ON aml.move_id = ap.move_id
              JOIN account_account aa ON aa.id = aml.account_id
             WHERE d.kind = %(prepayment)s
               AND NOT EXISTS (SELECT 1 FROM xero_sync_job v
                                WHERE v.operation = 'void_deposit' AND v.state = 'done'
                                  AND v.depends_on_job_id = d.job_id)
               AND aa.account_type IN ('asset_receivable', 'liability_payable')
               AND aml.parent_state = 'posted'
               AND aml.date <= %(date)s
            """,
            conn=conn.id, fy_start=fy_start, prepayment=payloads_deposit.PREPAYMENT,
            date=self.date))
        lines = {}
        rows = []
        for inbound, line_id, move_id, account_id, journal_id, prior, balance in \
                self.env.cr.fetchall():
            deposit = received if inbound else paid
            control = target_of(account_id, journal_id, prior, False)
            if not deposit or not control or deposit == control:
                continue
            lines[line_id] = (move_id, account_id, control, deposit, -1 if balance < 0 else 1)
            # Taken off the payment's entry, on the Deposits account under
            # no entry: Xero holds the deposit as it is (its job is done),
            # so it explains no difference.
            rows += [(move_id, account_id, control, -balance), (None, account_id, deposit, balance)]
        if not lines:
            return rows
        # Their matches up to the date: an invoice's is an allocation (under
        # the deposit's entry), a refund's a payment out of the deposit
        # (under the refund's entry).
        self.env.cr.execute(SQL(
            """
            SELECT CASE WHEN apr.debit_move_id IN %(lines)s THEN apr.debit_move_id
                        ELSE apr.credit_move_id END,
                   other.move_id, apr.amount,
                   (ap.partner_type = 'customer' AND ap.payment_type = 'outbound')
                   OR (ap.partner_type = 'supplier' AND ap.payment_type = 'inbound')
              FROM account_partial_reconcile apr
              JOIN account_move_line other
                ON other.id = CASE WHEN apr.debit_move_id IN %(lines)s THEN apr.credit_move_id
                                   ELSE apr.debit_move_id END
              JOIN account_move am ON am.id = other.move_id
         LEFT JOIN account_payment ap ON ap.id = am.origin_payment_id
             WHERE (apr.debit_move_id IN %(lines)s OR apr.credit_move_id IN %(lines)s)
               AND apr.max_date <= %(date)s
               AND other.parent_state = 'posted'
            """,
            lines=tuple(lines), date=self.date))
        for line_id, other_move_id, amount, is_refund in self.env.cr.fetchall():
            move_id, account_id, control, deposit, sign = lines[line_id]
            if other_move_id == move_id:
                continue
            on_move = other_move_id if is_refund else move_id
            rows += [(on_move, account_id, control, sign * amount),
                     (on_move, account_id, deposit, -sign * amount)]
        return rows
