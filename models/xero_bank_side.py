"""Which side reconciles a bank account: Odoo or Xero, never both.

A firm reconciles each bank account in one place. Where Odoo does ("Odoo",
the default, what the push did before payments came back from Xero), Odoo's
bank statement lines on the journal go to Xero (as bank transactions, or as
payments on the invoices they settle: account_move_settlement.py), and a
payment made in Xero on that Xero bank account is not registered in Odoo:
its event fails, naming the journal and the setting (models/xero_payment_import.py).
Where Xero does ("Xero": the bookkeeper matches Xero's bank feed), payments
made in Xero on it are registered in Odoo, and Odoo's bank statement lines on
the journal are not sent: their jobs are blocked, saying why, before any
request (``_xero_block_bank_side``, called by the cron beside the lock dates),
so nothing is lost: set back to Odoo, the journal sends them. Set to Xero,
it has the payments made in Xero that were refused on it read again.
Payments registered in Odoo (``account.payment``) go to Xero on both sides:
the bookkeeper matches them to the feed in Xero.

A trust bank account is always reconciled in Odoo: client money is kept in
Odoo's trust ledger (Actionstep's rule: trust is reconciled in the practice
system), so "Xero" is refused on it.
"""

from odoo import _, api, fields, models
from odoo.exceptions import ValidationError

# The jobs of a bank statement line that reconcile the bank in Xero.
STATEMENT_OPERATIONS = ("bank_transaction", "bank_transfer", "payment")


class AccountJournal(models.Model):
    _inherit = "account.journal"

    xero_bank_reconciled_in = fields.Selection(
        [("odoo", "Odoo"), ("xero", "Xero")], string="Bank reconciled in", default="odoo",
        required=True,
        help="Where this bank account is reconciled with the bank, so that the two never both "
             "do. Odoo: Odoo's bank statement lines on this journal go to Xero; a payment made "
             "in Xero on its Xero bank account is not registered in Odoo. Xero: the bookkeeper "
             "matches Xero's bank feed; payments made in Xero on it are registered in Odoo, and "
             "Odoo's bank statement lines on this journal are not sent. Payments registered in "
             "Odoo go to Xero either way. A trust bank account is reconciled in Odoo.")

    @api.constrains("xero_bank_reconciled_in", "is_trust_account")
    def _check_xero_bank_reconciled_in(self):
        for journal in self:
            if journal.xero_bank_reconciled_in == "xero" and journal.is_trust_account:
                raise ValidationError(_(
                    "%s is a trust bank account: it is reconciled in Odoo, where client money "
                    "is kept in the trust ledger. Set \"Bank reconciled in\" to Odoo.",
                    journal.display_name))

    def write(self, vals):
        res = super().write(vals)
        side = vals.get("xero_bank_reconciled_in")
        if side == "xero":
            self._xero_read_refused_payments_again()
        elif side == "odoo":
            self._xero_send_blocked_statement_lines()
        return res

    def _xero_read_refused_payments_again(self):
        """The events that failed in these journals' companies are read
        again: among them the payments made in Xero that were refused on
        these banks. Not picked by their note's text (a journal renamed
        since would be missed); reading an event again registers nothing
        twice (the unique Xero payment id), and one still refused fails
        again with its message."""
        failed = self.env["xero.webhook.event"].sudo().search([
            ("state", "=", "failed"),
            ("company_id", "child_of", self.company_id.root_id.ids)])
        if failed:
            failed.write({"state": "received"})
            failed._trigger_pull()

    def _xero_send_blocked_statement_lines(self):
        """The statement lines of these journals blocked while their bank
        was reconciled in Xero go now."""
        Job = self.env["xero.sync.job"].sudo()
        jobs = Job.search([("state", "=", "blocked"), ("res_model", "=", "account.move"),
                           ("operation", "in", STATEMENT_OPERATIONS),
                           ("company_id", "child_of", self.company_id.root_id.ids)])
        moves = self.env["account.move"].sudo().browse(jobs.mapped("res_id")).exists()
        mine = set(moves.filtered(lambda m: m.statement_line_id and m.journal_id in self).ids)
        jobs = jobs.filtered(lambda j: j.res_id in mine)
        if jobs:
            jobs._reset_to_pending()
            jobs.write({"error": False})
            jobs._update_records()
            Job._trigger_cron()


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    def action_xero_bank_journals(self):
        """The company's bank and cash journals, and where each is
        reconciled (the configuration page's "Banks": set it there)."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("Bank reconciled in"),
            "res_model": "account.journal",
            "view_mode": "list",
            "views": [(self.env.ref("account_xero.account_journal_view_list_xero_bank_side").id,
                       "list")],
            "domain": [("type", "in", ("bank", "cash")), ("is_trust_account", "=", False),
                       ("company_id", "child_of", self.company_id.id)],
            "target": "new",
        }


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    def _xero_block_bank_side(self):
        """Block the jobs of ``self`` that send a bank statement line of a
        journal whose bank is reconciled in Xero; return them."""
        blocked = self.browse()
        for job in self.filtered(lambda j: j.res_model == "account.move"
                                 and j.operation in STATEMENT_OPERATIONS):
            move = job._record()
            if move is None or not move.statement_line_id \
                    or move.journal_id.xero_bank_reconciled_in != "xero":
                continue
            job._set_blocked(_(
                "%(move)s is a bank statement line of %(journal)s, whose bank is reconciled in "
                "Xero (the journal's \"Bank reconciled in\"): Odoo's statement lines on it are "
                "not sent, so that the bank is not reconciled twice. The bookkeeper matches "
                "Xero's bank feed, and the payments made there come back to Odoo. To send "
                "Odoo's statement lines instead, set \"Bank reconciled in\" to Odoo on the "
                "journal: they are then sent.",
                move=move.name, journal=move.journal_id.display_name))
            blocked |= job
        return blocked
