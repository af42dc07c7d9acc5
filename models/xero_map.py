"""The three maps of the Xero Integration Configuration page.

GL account map (Odoo account → Xero account), GST / Sales Tax / VAT map
(Odoo tax → Xero input and output tax rates) and currency map (Odoo currency
→ Xero currency), one row per Odoo record and connection. The push engine
reads them through ``xero.connection._map_account`` / ``_map_tax`` /
``_map_currency``, which build one dictionary per connection, cached until a map changes.
"""

from odoo import api, fields, models
from odoo.exceptions import ValidationError
from odoo.tools import ormcache


class XeroMapMixin(models.AbstractModel):
    """Common part of the map rows: connection, company, cache invalidation."""

    _name = "xero.map.mixin"
    _description = "Xero Map Row"

    connection_id = fields.Many2one(
        "xero.connection", "Xero Connection", required=True, ondelete="cascade", index=True)
    company_id = fields.Many2one(related="connection_id.company_id", store=True, index=True)
    # Set by "Suggest mapping" (models/xero_mapping_suggest.py) on the rows it
    # proposes; any other write of the row (the admin edits it or confirms
    # the suggestions) clears it.
    suggested = fields.Boolean(
        readonly=True, copy=False,
        help="Proposed by Suggest mapping and not yet reviewed: edit the row or confirm "
             "the suggestions.")
    suggested_by = fields.Selection(
        [("code", "Suggested: same code"), ("name", "Suggested: same name"),
         ("similar", "Suggested: similar name"),
         ("receivable", "Suggested: Xero's Accounts Receivable"),
         ("payable", "Suggested: Xero's Accounts Payable"),
         ("tax", "Suggested: Xero's tax account"),
         ("fx", "Suggested: Xero's currency gains account"),
         ("retained", "Suggested: Xero's retained earnings account"),
         ("rounding", "Suggested: Xero's rounding account"),
         ("historical", "Suggested: Xero's historical adjustment account"),
         ("meaning", "Suggested: same meaning"),
         ("account_type", "Suggested: Odoo's account type"),
         ("rate", "Suggested: same rate"), ("currency", "Suggested: same code")],
        "Suggestion", readonly=True, copy=False)
    # Why, in words, when the rule alone does not say it ("mobile phones
    # are telephone costs"); cleared with the flag.
    suggested_note = fields.Char("Why", readonly=True, copy=False)

    @api.model_create_multi
    def create(self, vals_list):
        rows = super().create(vals_list)
        rows._maps_changed(rows.connection_id)
        return rows

    def write(self, vals):
        connections = self.connection_id
        if "suggested" not in vals and any(self.mapped("suggested")):
            vals = {**vals, "suggested": False, "suggested_by": False, "suggested_note": False}
        res = super().write(vals)
        self._maps_changed(connections | self.connection_id)
        return res

    def unlink(self):
        connections = self.connection_id
        res = super().unlink()
        self._maps_changed(connections)
        return res

    def _maps_changed(self, connections):
        """A map changed: the maps' cache goes, and the last Check mapping's
        report is marked stale until the mapping is checked again."""
        self.env["xero.connection"]._invalidate_maps_cache()
        checked = connections.sudo().filtered(lambda c: c.mapping_checked_at and not c.mapping_stale)
        if checked:
            checked.mapping_stale = True

    def _check_xero_connection(self, fnames):
        """The Xero records of a row must come from the row's connection."""
        for row in self.sudo():
            for fname in fnames:
                xero_record = row[fname]
                if xero_record and xero_record.connection_id != row.connection_id:
                    raise ValidationError(self.env._(
                        "%(xero)s belongs to another Xero connection than %(conn)s.",
                        xero=xero_record.display_name, conn=row.connection_id.display_name,
                    ))


class XeroAccountMap(models.Model):
    _name = "xero.account.map"
    _inherit = ["xero.map.mixin"]
    _description = "Xero GL Account Map"
    _order = "connection_id, account_code, id"
    _check_company_auto = True

    account_id = fields.Many2one(
        "account.account", "Odoo account", required=True, ondelete="cascade",
        check_company=True, domain="[('deprecated', '=', False)]")
    account_code = fields.Char(related="account_id.code", store=True)
    account_type = fields.Selection(related="account_id.account_type", string="Odoo type")
    xero_account_id = fields.Many2one(
        "xero.account", "Xero account", required=True, ondelete="restrict",
        domain="[('connection_id', '=', connection_id)]")

    _sql_constraints = [
        ("account_uniq", "unique(connection_id, account_id)",
         "An Odoo account can be mapped once per Xero connection."),
    ]

    @api.constrains("connection_id", "xero_account_id")
    def _check_xero_account_connection(self):
        self._check_xero_connection(["xero_account_id"])


class XeroTaxMap(models.Model):
    _name = "xero.tax.map"
    _inherit = ["xero.map.mixin"]
    _description = "Xero Tax Map"
    _order = "connection_id, id"
    _check_company_auto = True

    tax_id = fields.Many2one(
        "account.tax", "Odoo tax", required=True, ondelete="cascade", check_company=True)
    type_tax_use = fields.Selection(related="tax_id.type_tax_use", string="Tax use")
    xero_input_tax_id = fields.Many2one(
        "xero.tax.rate", "Xero input tax", ondelete="restrict",
        domain="[('connection_id', '=', connection_id)]",
        help="Tax paid on purchases: used when the tax is on a supplier invoice.")
    xero_output_tax_id = fields.Many2one(
        "xero.tax.rate", "Xero output tax", ondelete="restrict",
        domain="[('connection_id', '=', connection_id)]",
        help="Tax on sales: used when the tax is on a sales invoice.")

    _sql_constraints = [
        ("tax_uniq", "unique(connection_id, tax_id)",
         "An Odoo tax can be mapped once per Xero connection."),
    ]

    @api.constrains("connection_id", "xero_input_tax_id", "xero_output_tax_id")
    def _check_xero_tax_connection(self):
        self._check_xero_connection(["xero_input_tax_id", "xero_output_tax_id"])


class XeroCurrencyMap(models.Model):
    _name = "xero.currency.map"
    _inherit = ["xero.map.mixin"]
    _description = "Xero Currency Map"
    _order = "connection_id, id"

    currency_id = fields.Many2one(
        "res.currency", "Odoo currency", required=True, ondelete="cascade")
    xero_currency_id = fields.Many2one(
        "xero.currency", "Xero currency", required=True, ondelete="restrict",
        domain="[('connection_id', '=', connection_id)]")

    _sql_constraints = [
        ("currency_uniq", "unique(connection_id, currency_id)",
         "An Odoo currency can be mapped once per Xero connection."),
    ]

    @api.constrains("connection_id", "xero_currency_id")
    def _check_xero_currency_connection(self):
        self._check_xero_connection(["xero_currency_id"])


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    # ------------------------------------------------------------------------
    # Map lookups (used by the push engine)
    # ------------------------------------------------------------------------
    @api.model
    def _invalidate_maps_cache(self):
        self.env.registry.clear_cache()

    def _get_maps(self):
        """The connection's maps as plain ids, built once and cached.

        ``{"accounts": {account.account id: xero.account id},
           "taxes": {account.tax id: (input xero.tax.rate id, output id)},
           "currencies": {res.currency id: xero.currency id}}``

        Three queries per connection until a map row changes (the registry
        cache, which Odoo drops on rollback and propagates to other workers).
        The dictionaries are shared: read them, never change them.
        """
        self.ensure_one()
        return self._get_maps_cached(self.id)

    @api.model
    @ormcache("connection_id")
    def _get_maps_cached(self, connection_id):
        env = self.env(su=True)
        domain = [("connection_id", "=", connection_id)]
        accounts = env["xero.account.map"].search_fetch(domain, ["account_id", "xero_account_id"])
        taxes = env["xero.tax.map"].search_fetch(
            domain, ["tax_id", "xero_input_tax_id", "xero_output_tax_id"])
        currencies = env["xero.currency.map"].search_fetch(
            domain, ["currency_id", "xero_currency_id"])
        return {
            "accounts": {row.account_id.id: row.xero_account_id.id for row in accounts},
            "taxes": {
                row.tax_id.id: (row.xero_input_tax_id.id, row.xero_output_tax_id.id)
                for row in taxes
            },
            "currencies": {row.currency_id.id: row.xero_currency_id.id for row in currencies},
        }

    def _map_account(self, account):
        """The Xero account the Odoo ``account`` is mapped to, or an empty record."""
        xero_id = self._get_maps()["accounts"].get(account.id)
        return self.env["xero.account"].browse(xero_id or [])

    def _map_tax(self, tax, direction):
        """The Xero tax rate of ``tax`` for ``direction`` 'input' (purchases) or
        'output' (sales), or an empty record."""
        if direction not in ("input", "output"):
            raise ValueError(f"direction must be 'input' or 'output', not {direction!r}")
        input_id, output_id = self._get_maps()["taxes"].get(tax.id, (None, None))
        xero_id = input_id if direction == "input" else output_id
        return self.env["xero.tax.rate"].browse(xero_id or [])

    def _map_currency(self, currency):
        """The Xero currency the Odoo ``currency`` is mapped to, or an empty record."""
        xero_id = self._get_maps()["currencies"].get(currency.id)
        return self.env["xero.currency"].browse(xero_id or [])
