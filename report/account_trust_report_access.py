"""Who may print client money: trust users, for records of their companies.

The trust reports read figures other users may not (the reconciliation with
sudo; all of them clients' balances), and Odoo renders a report for whoever
calls its URL (web/controllers/report.py; an ir.actions.report's groups only
hide it from menus). So each trust report checks here, whatever the caller.
"""

from odoo import _
from odoo.exceptions import AccessError


def check_trust_report_access(env, records):
    """Raise AccessError unless ``env``'s user is a trust user who may read
    ``records`` (record rules: their companies). Superuser code passes."""
    if env.su:
        return
    if not env.user.has_group("account_xero.group_trust_user"):
        raise AccessError(_(
            "Only trust users can print client money reports: ask an administrator for "
            "the Trust access right."))
    records.check_access("read")
