"""Reconcile with Xero, account by account: one line per Xero account (Odoo's
balance, Xero's, the difference and what explains it) and the documents
that explain it. The comparison itself is xero_reconcile.py."""

from odoo import _, api, fields, models

from .xero_reconcile import REASONS


class XeroReconcileLine(models.Model):
    _name = "xero.reconcile.line"
    _description = "Reconcile with Xero: account"
    _order = "reconcile_id, xero_code, id"

    reconcile_id = fields.Many2one(
        "xero.reconcile", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="reconcile_id.company_id", store=True)
    currency_id = fields.Many2one(related="reconcile_id.currency_id")
    xero_account_id = fields.Many2one(
        "xero.account", "Xero account", required=True, readonly=True, ondelete="cascade")
    xero_code = fields.Char(related="xero_account_id.code", store=True, string="Code")
    odoo_account_ids = fields.Many2many(
        "account.account", string="Odoo accounts", readonly=True,
        help="The Odoo accounts whose lines reach this Xero account.")
    odoo_balance = fields.Monetary("Odoo", readonly=True)
    xero_balance = fields.Monetary("Xero", readonly=True)
    difference = fields.Monetary(readonly=True, help="Odoo's balance less Xero's.")
    gap = fields.Monetary(
        compute="_compute_gap", store=True,
        help="The difference without its sign; the comparison's Total difference is their sum.")
    explained = fields.Monetary(
        readonly=True, help="What the documents listed explain of the difference.")
    unexplained = fields.Monetary(compute="_compute_unexplained", store=True)
    item_ids = fields.One2many("xero.reconcile.item", "line_id", "Documents", readonly=True)
    item_total_count = fields.Integer("Documents found", readonly=True)

    @api.depends("difference")
    def _compute_gap(self):
        for line in self:
            line.gap = abs(line.difference)

    @api.depends("difference", "explained")
    def _compute_unexplained(self):
        for line in self:
            line.unexplained = line.currency_id.round(line.difference - line.explained) \
                if line.currency_id else line.difference - line.explained

    def action_open_items(self):
        """The documents that explain this account's difference."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "name": _("%s: documents", self.xero_account_id.display_name),
            "res_model": "xero.reconcile.item",
            "view_mode": "list",
            "domain": [("line_id", "=", self.id)],
            "target": "current",
        }


class XeroReconcileItem(models.Model):
    _name = "xero.reconcile.item"
    _description = "Reconcile with Xero: document"
    _order = "line_id, id"

    line_id = fields.Many2one(
        "xero.reconcile.line", required=True, ondelete="cascade", index=True, readonly=True)
    company_id = fields.Many2one(related="line_id.company_id", store=True)
    currency_id = fields.Many2one(related="line_id.currency_id")
    move_id = fields.Many2one("account.move", "Journal entry", readonly=True, ondelete="cascade")
    date = fields.Date(related="move_id.date")
    res_model = fields.Char(readonly=True)
    res_id = fields.Many2oneReference(model_field="res_model", readonly=True)
    document = fields.Reference(
        selection="_selection_document", compute="_compute_document")
    reason = fields.Selection(REASONS, readonly=True, required=True)
    amount = fields.Monetary(
        readonly=True, help="What the document accounts for in the difference.")
    error = fields.Text("Xero error", readonly=True)

    @api.model
    def _selection_document(self):
        return [("account.move", _("Journal Entry")), ("account.payment", _("Payment")),
                ("account.trust.transaction", _("Trust transaction"))]

    @api.depends("res_model", "res_id")
    def _compute_document(self):
        for item in self:
            item.document = "%s,%s" % (item.res_model, item.res_id) \
                if item.res_model and item.res_id else False

    def action_open_document(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": self.res_model,
            "res_id": self.res_id,
            "view_mode": "form",
            "target": "current",
        }
