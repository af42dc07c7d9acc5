"""Uninstalling the addon would destroy the trust records.

The trust transactions and matters are this addon's models: uninstalling it
drops their tables (ir.model.data's _module_data_uninstall), and the
``@api.ondelete(at_uninstall=False)`` guards that keep posted trust records
from being deleted do not run at uninstall (Odoo skips them there by design).
The journal entries would stay, without their client matters and the trust
transactions that explain them: the records a regulator asks for (NZ reg
12, SRA rule 8) would be gone without a word.

So uninstalling is refused, before anything is marked for removal, while
posted trust transactions exist, whether the addon is uninstalled itself or
as a module depending on one uninstalled (Accounting, Invoicing...). An
``uninstall_hook`` cannot refuse (it runs after the removal is decided, in
the registry's reload), and a refusal in ``module_uninstall`` would leave the
module "to remove" and break every later start of the database; so the
refusal is in the buttons that decide it: the Apps' Uninstall (its
confirmation wizard), ``button_immediate_uninstall`` and ``button_uninstall``
(what every path, RPC included, goes through).
"""

from odoo import _, models
from odoo.exceptions import UserError

ADDON = "account_xero"


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def _account_xero_check_trust_records(self):
        """Refuse if uninstalling ``self`` removes this addon while posted
        trust records exist."""
        names = set((self | self.downstream_dependencies()).mapped("name"))
        if ADDON not in names:
            return
        Tx = self.env["account.trust.transaction"].sudo().with_context(active_test=False)
        posted = Tx.search_count([("state", "=", "posted")])
        if not posted:
            return
        matters = self.env["account.trust.matter"].sudo().with_context(
            active_test=False).search_count([])
        raise UserError(_(
            "Xero Connector cannot be uninstalled: it holds the trust (client money) records, "
            "%(posted)s posted trust transactions and %(matters)s matters, which uninstalling "
            "would delete for good, while the rules for client money require them kept for "
            "years. To keep them, keep the addon installed: trust accounting needs no Xero "
            "connection (turn off Trust transactions in the Xero connection, or disconnect "
            "Xero). Before retiring the database, export the trust ledgers (Accounting > Trust "
            "> Export Trust Ledgers) and the reports (Trust Reconciliation, client ledger "
            "statements) and keep a backup of the database.",
            posted=posted, matters=matters))

    def button_uninstall_wizard(self):
        self._account_xero_check_trust_records()
        return super().button_uninstall_wizard()

    def button_immediate_uninstall(self):
        self._account_xero_check_trust_records()
        return super().button_immediate_uninstall()

    def button_uninstall(self):
        self._account_xero_check_trust_records()
        return super().button_uninstall()
