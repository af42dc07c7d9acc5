"""Lock dates on trust transactions: refused, never moved.

Odoo posts an entry dated in a locked period on the first open date
(account.move ``_post`` and ``_get_accounting_date``); a trust transaction
keeps its date (the trust ledger and Xero read it), so a trust posting dated
on or before any of the company's lock dates (lock everything, tax, sales,
purchases, and the hard lock; res.company ``_get_lock_date_violations``,
with the user's exceptions, account.lock_exception) is refused with the
lock date named, whichever journal it posts in.
"""

from odoo import _, models
from odoo.exceptions import UserError
from odoo.tools.misc import format_date


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    def _check_trust_lock_dates(self):
        """Refuse a posting dated in a period locked for this user."""
        self.ensure_one()
        company = self.company_id
        locks = company._get_lock_date_violations(
            self.date, fiscalyear=True, sale=True, purchase=True, tax=True, hard=True)
        if locks:
            raise UserError(_(
                "%(tx)s is dated %(date)s, in a locked period of %(company)s (%(locks)s): a "
                "trust transaction keeps its date, so it cannot be posted there. Date it after "
                "the lock date, or ask an adviser for a lock date exception.",
                tx=self.display_name, date=format_date(self.env, self.date),
                company=company.name, locks=self.env["res.company"]._format_lock_dates(locks)))

    def _check_trust_dates_kept(self):
        """After posting: every entry (and the invoice payment) on the
        transaction's own date, as the ledger and Xero have it."""
        self.ensure_one()
        moves = self.move_id | self.dest_move_id
        if not self.reversed_tx_id:  # a reversal's payment is the original's, cancelled
            moves |= self.payment_id.move_id
        moved = moves.filtered(lambda m: m.date != self.date)
        if moved:
            raise UserError(_(
                "%(tx)s would be accounted on %(moved)s instead of %(date)s (a lock date): a "
                "trust transaction keeps its date.", tx=self.display_name,
                moved=format_date(self.env, moved[0].date), date=format_date(self.env, self.date)))
