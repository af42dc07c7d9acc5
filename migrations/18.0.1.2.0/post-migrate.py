"""18.0.1.2.0, after the module's update: the pace of each organisation is
shared by every process through ``xero_tenant_pace`` (one row per tenant,
written on its own connection at each call: models/xero_tenant_pace.py).
The table before it, written by the push, the pull and the poll at the end
of their calls in their own transactions, holds nothing a process needs a
minute on: dropped."""

from odoo.tools import SQL


def migrate(cr, version):
    cr.execute(SQL("DROP TABLE IF EXISTS xero_connection_pace"))
