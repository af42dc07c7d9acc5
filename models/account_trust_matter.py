"""Matters: the client files trust money is held for.

A matter belongs to one client (partner) of one company and has a
reference unique in the company. Every trust transaction that moves a
client's money (CLIENT_KINDS) is for a matter of that client, and a trust
transfer goes to a matter of the receiving client. The journal items of a
trust transaction carry its matter (``account.move.line.trust_matter_id``,
set by posting and never changed afterwards, see account_move_trust.py): a
matter's balance is the credit balance of Trust liability and Trust transfers
on its items, and, like the client's, is guarded per trust account (see
account_trust_balance.py): money held for one matter never pays for another.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError

from .account_trust_transaction import CLIENT_KINDS


class AccountTrustMatter(models.Model):
    _name = "account.trust.matter"
    _description = "Trust Matter"
    _inherit = ["mail.thread"]
    _order = "reference, id"
    _check_company_auto = True
    _rec_names_search = ["reference", "name", "partner_id"]

    name = fields.Char("Matter", required=True, tracking=True,
                       help="What the matter is about, e.g. Purchase of 12 High Street.")
    reference = fields.Char(
        required=True, tracking=True, index="trigram", copy=False,
        help="The matter (file) reference, unique in the company.")
    partner_id = fields.Many2one(
        "res.partner", "Client", required=True, index=True, tracking=True,
        check_company=True, help="The client whose money is held in trust for this matter.")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True)
    analytic_account_id = fields.Many2one(
        "account.analytic.account", "Analytic account", check_company=True, tracking=True)
    active = fields.Boolean(default=True, tracking=True)
    currency_id = fields.Many2one(related="company_id.currency_id", string="Currency")
    balance = fields.Monetary(
        "Trust balance", compute="_compute_balance",
        help="What the firm holds in trust for this matter (posted transactions, all trust "
        "accounts).")
    transaction_ids = fields.One2many(
        "account.trust.transaction", "matter_id", "Trust transactions", readonly=True)
    transaction_count = fields.Integer(compute="_compute_transaction_count")

    _sql_constraints = [
        ("reference_company_uniq", "unique(company_id, reference)",
         "A matter reference is used once in a company."),
    ]

    @api.depends("reference", "name")
    def _compute_display_name(self):
        for matter in self:
            matter.display_name = " – ".join(filter(None, [matter.reference, matter.name]))

    def _compute_balance(self):
        balances = {}
        Line = self.env["account.move.line"].sudo()
        for company in self.company_id:
            accounts = company.sudo().trust_liability_account_id \
                | company.sudo().trust_transfer_account_id
            if not accounts:
                continue
            matters = self.filtered(lambda m, c=company: m.company_id == c and m.id)
            for matter, balance in Line._read_group([
                    ("parent_state", "=", "posted"), ("account_id", "in", accounts.ids),
                    ("trust_matter_id", "in", matters.ids)],
                    ["trust_matter_id"], ["balance:sum"]):
                balances[matter.id] = -balance
        for matter in self:
            matter.balance = balances.get(matter.id, 0.0)

    def _compute_transaction_count(self):
        Tx = self.env["account.trust.transaction"]
        for matter in self:
            matter.transaction_count = Tx.search_count(
                ["|", ("matter_id", "=", matter.id), ("dest_matter_id", "=", matter.id)]
            ) if matter.id else 0

    # ------------------------------------------------------------------------
    # Integrity: a matter with trust records keeps its client and company
    # ------------------------------------------------------------------------
    def _has_trust_records(self):
        self.ensure_one()
        return bool(self.env["account.trust.transaction"].sudo().search_count(
            ["|", ("matter_id", "=", self.id), ("dest_matter_id", "=", self.id)], limit=1)
            or self.env["account.move.line"].sudo().search_count(
                [("trust_matter_id", "=", self.id)], limit=1))

    def write(self, vals):
        # The analytic account is the matter's tracking in Xero: what its
        # transactions, and so their reversals, were sent with.
        for fname in ("partner_id", "company_id", "analytic_account_id"):
            if fname not in vals:
                continue
            for matter in self:
                if matter[fname].id != (vals[fname] or False) and matter._has_trust_records():
                    raise UserError(_(
                        "Matter %(matter)s has trust transactions: its %(field)s stays as "
                        "it is. Open a new matter instead.", matter=matter.display_name,
                        field=self._fields[fname].get_description(self.env)["string"]))
        if "active" in vals and not vals["active"]:
            Tx = self.env["account.trust.transaction"]
            for matter in self.filtered("active"):
                balance = Tx._get_matter_balance(matter)
                if not matter.currency_id.is_zero(balance):
                    raise UserError(_(
                        "Matter %(matter)s still holds %(balance)s in trust: pay it out or "
                        "transfer it to another matter before archiving it.",
                        matter=matter.display_name, balance=matter.currency_id.format(balance)))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_trust_records(self):
        for matter in self:
            if matter._has_trust_records():
                raise UserError(_(
                    "Matter %s has trust transactions and stays in the trust records: archive "
                    "it instead.", matter.display_name))

    # ------------------------------------------------------------------------
    # Smart buttons
    # ------------------------------------------------------------------------
    def action_open_transactions(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_xero.account_trust_transaction_action")
        action["domain"] = ["|", ("matter_id", "=", self.id), ("dest_matter_id", "=", self.id)]
        action["context"] = {
            "default_matter_id": self.id, "default_partner_id": self.partner_id.id,
            "default_company_id": self.company_id.id,
        }
        return action

    def action_open_ledger(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id(
            "account_xero.account_trust_ledger_action")
        action["domain"] = [("matter_id", "=", self.id)]
        action["context"] = {"search_default_group_journal": 1}
        return action


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    matter_balance = fields.Monetary(
        "Matter trust balance", compute="_compute_matter_balance",
        help="The matter's balance in this trust account, posted transactions only.")

    @api.depends("matter_id", "journal_id", "currency_id")
    def _compute_matter_balance(self):
        for tx in self:
            tx.matter_balance = tx._get_matter_balance(tx.matter_id, tx.journal_id) \
                if tx.matter_id and tx.journal_id else 0.0

    @api.onchange("matter_id")
    def _onchange_matter_id(self):
        for tx in self:
            if tx.matter_id and tx.matter_id.partner_id != tx.partner_id:
                tx.partner_id = tx.matter_id.partner_id

    @api.onchange("partner_id")
    def _onchange_partner_id_matter(self):
        for tx in self:
            if tx.matter_id and tx.matter_id.partner_id != tx.partner_id:
                tx.matter_id = False

    @api.onchange("dest_partner_id")
    def _onchange_dest_partner_id_matter(self):
        for tx in self:
            if tx.dest_matter_id and tx.dest_matter_id.partner_id != tx.dest_partner_id:
                tx.dest_matter_id = False

    @api.onchange("dest_matter_id")
    def _onchange_dest_matter_id(self):
        for tx in self:
            if tx.dest_matter_id and tx.dest_matter_id.partner_id != tx.dest_partner_id:
                tx.dest_partner_id = tx.dest_matter_id.partner_id

    @api.constrains("kind", "withdrawal_type", "partner_id", "matter_id", "dest_partner_id",
                    "dest_matter_id")
    def _check_matter(self):
        """Client money is held per matter: a transaction of a client is for
        one of the client's matters (and a trust transfer goes to one of the
        receiving client's)."""
        for tx in self:
            # Paid by firm recovered is the client's money leaving trust: the
            # matter's balance goes down with the client's.
            recovery = tx.kind == "firm_withdrawal" and tx.withdrawal_type == "paid_by_firm"
            if tx.kind not in CLIENT_KINDS and not recovery:
                if tx.matter_id or tx.dest_matter_id:
                    raise ValidationError(_(
                        "%s moves no client's money: it has no matter.", tx._kind_label()))
                continue
            if not tx.matter_id:
                raise ValidationError(_("%s: choose the client's matter.", tx._kind_label()))
            if tx.matter_id.partner_id != tx.partner_id:
                raise ValidationError(_(
                    "Matter %(matter)s is a matter of %(owner)s, not of %(client)s.",
                    matter=tx.matter_id.display_name,
                    owner=tx.matter_id.partner_id.display_name,
                    client=tx.partner_id.display_name))
            if tx.kind != "trust_transfer":
                if tx.dest_matter_id:
                    raise ValidationError(_(
                        "%s: only a trust transfer goes to another matter.", tx._kind_label()))
                continue
            if not tx.dest_matter_id:
                raise ValidationError(_("Trust transfer: choose the matter it goes to."))
            if tx.dest_matter_id.partner_id != tx.dest_partner_id:
                raise ValidationError(_(
                    "Trust transfer: matter %(matter)s is a matter of %(owner)s, not of "
                    "%(client)s.", matter=tx.dest_matter_id.display_name,
                    owner=tx.dest_matter_id.partner_id.display_name,
                    client=tx.dest_partner_id.display_name))


class AccountMoveLine(models.Model):
    _inherit = "account.move.line"

    trust_matter_id = fields.Many2one(
        "account.trust.matter", "Trust matter", readonly=True, copy=False,
        index="btree_not_null",
        help="The matter whose trust money this journal item moves.")
