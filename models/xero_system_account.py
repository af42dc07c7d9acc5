"""Xero's system accounts on the connection: the check every payload makes
of the Xero account a line goes to, read from the one table of
xero/system_accounts.py (what each system account may take, and its
sources)."""

from odoo import models

from ..xero import system_accounts


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    def _xero_system_account_issue(self, account, xero):
        """Why a line of an invoice, a bank transaction or a manual journal on
        Odoo's ``account`` cannot go to Xero's ``xero`` (one of Xero's system
        accounts that takes none), naming both and what to map instead; or
        None."""
        system = xero.system_account if xero else None
        if system_accounts.takes_lines(system):
            return None
        row = system_accounts.BY_CODE[system]
        return self.env._(
            "Account %(account)s is mapped to Xero's %(xero)s, one of Xero's system accounts "
            "(%(name)s), on which Xero takes no line of an invoice, a bank transaction or a "
            "manual journal. Record it as %(instead)s.",
            account=account.display_name, xero=xero.display_name, name=row.name,
            instead=row.instead)
