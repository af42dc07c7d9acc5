""""Reconcile with Xero" lists the documents changed in Xero after Odoo sent
them (account_move_xero_changes.py): a difference the balances may not show
(a line moved between two accounts of the same total, a date in the same
period) is still in front of the accountant."""

from odoo import Command, _, fields, models


class XeroReconcile(models.Model):
    _inherit = "xero.reconcile"

    changed_move_ids = fields.Many2many(
        "account.move", string="Changed in Xero", compute="_compute_changed_move_ids",
        help="Documents Odoo sent that were voided, deleted or edited in Xero since.")
    changed_move_count = fields.Integer(compute="_compute_changed_move_count")

    def _xero_changed_moves(self):
        self.ensure_one()
        company = self.connection_id.company_id
        if not company:
            return self.env["account.move"]
        return self.env["account.move"].sudo().search([
            ("company_id", "child_of", company.id), ("xero_change_note", "!=", False)])

    def _compute_changed_move_ids(self):
        for rec in self:
            rec.changed_move_ids = [Command.set(rec._xero_changed_moves().ids)]

    def _compute_changed_move_count(self):
        for rec in self:
            rec.changed_move_count = len(rec._xero_changed_moves())

    def action_open_changed_moves(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window", "res_model": "account.move",
            "name": _("Changed in Xero"), "view_mode": "list,form",
            "domain": [("id", "in", self.changed_move_ids.ids)],
        }
