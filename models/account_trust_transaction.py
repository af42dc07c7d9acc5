"""Trust (client money) transactions.

Law firms hold clients' money in trust (client) bank accounts. Each client's
money is owed back to the client: the firm's books carry it as a liability
(the "Trust liability" account of the seed), one balance per client and trust
bank account, which must never go below zero: money of one client may not
pay for another. A trust transaction is one movement of that money, posted
as one journal entry (and for a transfer to office, the invoice's payment).

Accounts (set on the company's Xero connection, the Xero Integration
Configuration page): T = the trust journal's bank account, L = Trust
liability, F = Trust paid by firm, S = Statutory deposit account, O = an
office (business) bank journal's account.

========================  =============================================  ======================
kind                      journal entry (in the trust journal unless     client trust balance
                          said otherwise)
========================  =============================================  ======================
receipt                   Dr T / Cr L (client)                           + amount
payment                   Dr L (client) / Cr T                           - amount (refused below 0)
transfer_to_office        Dr L (client) / Cr T, and a customer payment   - amount (refused below 0)
                          of the invoice on the office journal
                          (Dr outstanding receipts / Cr receivable),
                          reconciled with the invoice
paid_by_firm              Dr F (client) / Cr T: the firm's own money in  unchanged: the client
                          trust pays for the client before the client's  owes the firm
                          funds arrive
firm_reimbursement        Dr L (client) / Cr F (client): the client's    - amount (refused below 0)
                          funds, once received, repay the firm
statutory_deposit         Dr S / Cr T                                    unchanged (trust money
statutory_withdrawal      Dr T / Cr S                                    still, held elsewhere)
bank_transfer             Dr O (to) / Cr O (from), in the "from"         not a trust movement
                          journal: the firm's own money between its
                          bank accounts (into trust, e.g. to fund paid
                          by firm; never out of trust)
========================  =============================================  ======================
"""

import zlib

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, float_compare, float_is_zero

TRUST_KINDS = [
    ("receipt", "Receipt into trust"),
    ("payment", "Payment out of trust"),
    ("transfer_to_office", "Transfer to office (pay invoice)"),
    ("paid_by_firm", "Paid by firm"),
    ("firm_reimbursement", "Reimburse firm (paid by firm)"),
    ("statutory_deposit", "Statutory deposit"),
    ("statutory_withdrawal", "Statutory withdrawal"),
    ("bank_transfer", "Transfer between bank accounts"),
]
# Kinds that belong to one client (partner on the trust lines).
CLIENT_KINDS = ("receipt", "payment", "transfer_to_office", "paid_by_firm", "firm_reimbursement")
# Kinds that take money of the client's trust balance: refused when it would go negative.
DEBIT_CLIENT_KINDS = ("payment", "transfer_to_office", "firm_reimbursement")
# Kinds with a second bank journal.
TWO_JOURNAL_KINDS = ("transfer_to_office", "bank_transfer")
# First key of the advisory locks that serialize spending one trust balance.
TRUST_LOCK_NAMESPACE = zlib.crc32(b"account.trust.transaction") % 2**31


class AccountTrustTransaction(models.Model):
    _name = "account.trust.transaction"
    _description = "Trust Transaction"
    _inherit = ["mail.thread", "mail.activity.mixin"]
    _order = "date desc, id desc"
    _check_company_auto = True

    name = fields.Char(
        "Number", required=True, readonly=True, copy=False, default="/", index="trigram")
    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company, index=True)
    kind = fields.Selection(
        TRUST_KINDS, "Type", required=True, default="receipt", tracking=True)
    state = fields.Selection(
        [("draft", "Draft"), ("posted", "Posted"), ("cancel", "Cancelled")],
        default="draft", required=True, readonly=True, copy=False, tracking=True, index=True)
    date = fields.Date(required=True, default=fields.Date.context_today, tracking=True)
    partner_id = fields.Many2one(
        "res.partner", "Client", index=True, tracking=True, check_company=True,
        help="The client whose money this is: the trust ledger is kept per client.")
    matter_ref = fields.Char(
        "Matter", tracking=True, help="The matter (file) reference this money is held for.")
    memo = fields.Char("Description")
    payee_id = fields.Many2one(
        "res.partner", "Payee", check_company=True,
        help="Who is paid out of trust on the client's behalf.")
    amount = fields.Monetary(required=True, tracking=True)
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True, precompute=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id")
    journal_id = fields.Many2one(
        "account.journal", "Trust account", required=True, check_company=True, tracking=True,
        domain="[('type', '=', 'bank'), ('xero_is_trust', '=', True)]",
        compute="_compute_journal_id", store=True, readonly=False, precompute=True,
        help="The trust (client) bank account the money is in; for a transfer between "
        "bank accounts, the account the money leaves.")
    dest_journal_id = fields.Many2one(
        "account.journal", "To bank account", check_company=True, tracking=True,
        domain="[('type', '=', 'bank'), ('id', '!=', journal_id)]",
        help="Transfer to office: the firm's business bank account that receives the fees. "
        "Transfer between bank accounts: the account the money goes to.")
    invoice_id = fields.Many2one(
        "account.move", "Invoice", check_company=True, tracking=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('payment_state', 'in', ('not_paid', 'partial')), "
        "('commercial_partner_id', '=', commercial_partner_id)]",
        help="The client's invoice this transfer to office pays.")
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    move_id = fields.Many2one(
        "account.move", "Journal entry", readonly=True, copy=False, check_company=True,
        index="btree_not_null")
    payment_id = fields.Many2one(
        "account.payment", "Invoice payment", readonly=True, copy=False, check_company=True,
        index="btree_not_null")
    client_balance = fields.Monetary(
        "Client trust balance", compute="_compute_client_balance",
        help="The client's balance in this trust account, posted transactions only.")

    _sql_constraints = [
        ("amount_positive", "CHECK(amount > 0)", "The amount of a trust transaction must be positive."),
    ]

    # ------------------------------------------------------------------------
    # Computes and constraints
    # ------------------------------------------------------------------------
    @api.depends("journal_id", "company_id")
    def _compute_currency_id(self):
        for tx in self:
            tx.currency_id = tx.journal_id.currency_id or tx.company_id.currency_id

    @api.depends("kind", "company_id")
    def _compute_journal_id(self):
        for tx in self:
            if tx.kind == "bank_transfer" or (tx.journal_id and tx.journal_id.xero_is_trust):
                continue
            tx.journal_id = self.env["account.journal"].search([
                *self.env["account.journal"]._check_company_domain(tx.company_id),
                ("type", "=", "bank"), ("xero_is_trust", "=", True),
            ], limit=1)

    @api.depends("partner_id", "journal_id", "currency_id")
    def _compute_client_balance(self):
        for tx in self:
            tx.client_balance = (
                tx._get_client_balance() if tx.partner_id and tx.journal_id else 0.0)

    @api.onchange("invoice_id")
    def _onchange_invoice_id(self):
        if self.invoice_id and self.state == "draft":
            self.amount = self.amount or self.invoice_id.amount_residual
            self.matter_ref = self.matter_ref or self.invoice_id.ref

    @api.constrains("kind", "journal_id", "dest_journal_id", "partner_id", "invoice_id")
    def _check_kind_fields(self):
        for tx in self:
            if tx.kind in CLIENT_KINDS and not tx.partner_id:
                raise ValidationError(_("%s: choose the client.", tx._kind_label()))
            if tx.kind != "bank_transfer" and not tx.journal_id.xero_is_trust:
                raise ValidationError(_(
                    "%(kind)s: %(journal)s is not a trust (client) bank account.",
                    kind=tx._kind_label(), journal=tx.journal_id.display_name))
            if tx.journal_id.type != "bank":
                raise ValidationError(_("%s is not a bank journal.", tx.journal_id.display_name))
            if tx.kind in TWO_JOURNAL_KINDS:
                dest = tx.dest_journal_id
                if not dest:
                    raise ValidationError(_("%s: choose the bank account the money goes to.",
                                            tx._kind_label()))
                if dest == tx.journal_id or dest.type != "bank":
                    raise ValidationError(_(
                        "%s: the money must go to another bank account.", tx._kind_label()))
                if tx.kind == "transfer_to_office" and dest.xero_is_trust:
                    raise ValidationError(_(
                        "Transfer to office: %s is a trust account; choose the firm's office "
                        "(business) bank account.", dest.display_name))
                if (dest.currency_id or dest.company_id.currency_id) != tx.currency_id:
                    raise ValidationError(_(
                        "%(kind)s: %(a)s and %(b)s are in different currencies.",
                        kind=tx._kind_label(), a=tx.journal_id.display_name,
                        b=dest.display_name))
            if tx.kind == "bank_transfer" and tx.journal_id.xero_is_trust:
                raise ValidationError(_(
                    "Money leaves a trust account only for a client: record a payment out of "
                    "trust or a transfer to office instead of a transfer from %s.",
                    tx.journal_id.display_name))
            if tx.kind == "transfer_to_office" and not tx.invoice_id:
                raise ValidationError(_("Transfer to office: choose the invoice it pays."))

    def _kind_label(self):
        return dict(self._fields["kind"]._description_selection(self.env))[self.kind]

    @api.depends("name", "kind", "partner_id")
    def _compute_display_name(self):
        for tx in self:
            if tx.name and tx.name != "/":
                tx.display_name = tx.name
            else:
                tx.display_name = _("Draft %s", tx._kind_label())

    # ------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------
    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        if any(tx.state == "posted" for tx in self):
            raise UserError(_(
                "A posted trust transaction is part of the trust records and cannot be "
                "deleted."))

    # ------------------------------------------------------------------------
    # Trust accounts and balances
    # ------------------------------------------------------------------------
    def _get_trust_settings(self):
        """The company's Xero connection, which carries the trust accounts."""
        self.ensure_one()
        conn = self.env["xero.connection"].sudo().with_context(active_test=False).search(
            [("company_id", "=", self.company_id.id)], limit=1)
        if not conn:
            raise UserError(_(
                "Set the trust accounts of %s (Accounting > Configuration > Xero) before "
                "recording trust transactions.", self.company_id.name))
        return conn

    def _get_trust_account(self, fname):
        """The account of ``fname`` on the Xero connection, or a UserError naming it."""
        conn = self._get_trust_settings()
        account = conn[fname].sudo(False).with_env(self.env)
        if not account:
            label = conn._fields[fname].get_description(self.env)["string"]
            raise UserError(_(
                "%(kind)s needs the %(label)s account: set it on the Xero configuration of "
                "%(company)s.", kind=self._kind_label(), label=label,
                company=self.company_id.name))
        return account

    @api.model
    def _get_balances(self, account, partner=None, journal=None, currency=None,
                      group_by=("partner_id", "journal_id")):
        """Posted balances of ``account`` (credit minus debit, in the line
        currency), grouped by ``group_by``: {(partner_id, journal_id): amount}."""
        domain = [("account_id", "=", account.id), ("parent_state", "=", "posted")]
        if partner is not None:
            domain.append(("partner_id", "=", partner.id))
        if journal is not None:
            domain.append(("journal_id", "=", journal.id))
        if currency is not None:
            domain.append(("currency_id", "=", currency.id))
        groups = self.env["account.move.line"].sudo()._read_group(
            domain, list(group_by), ["amount_currency:sum"])
        return {
            tuple(rec.id for rec in row[:-1]): -row[-1]
            for row in groups
        }

    def _get_client_balance(self):
        """What this client holds in this trust account (posted), in the
        transaction's currency."""
        self.ensure_one()
        conn = self.env["xero.connection"].sudo().search(
            [("company_id", "=", self.company_id.id)], limit=1)
        if not conn.trust_liability_account_id:
            return 0.0
        balances = self._get_balances(
            conn.trust_liability_account_id, self.partner_id, self.journal_id, self.currency_id)
        return sum(balances.values())

    def _lock_trust_balance(self, *keys):
        """Serialize transactions that read then spend one balance, until
        the end of the database transaction (two payments posted at once
        could each see enough money otherwise)."""
        for key in keys:
            self.env.cr.execute(SQL(
                "SELECT pg_advisory_xact_lock(%s, %s)", TRUST_LOCK_NAMESPACE, key % 2**31))

    def _check_trust_balance(self):
        """Refuse a transaction that would overdraw what it spends from: the
        client's trust balance (trust rules forbid paying a client's costs
        with another client's money; record it as paid by firm instead), the
        paid-by-firm amount the client owes, the trust bank account for a
        statutory deposit, the statutory deposit for a withdrawal."""
        for tx in self:
            rounding = tx.currency_id.rounding
            if tx.kind in DEBIT_CLIENT_KINDS:
                tx._lock_trust_balance(tx.partner_id.id * 100003 + tx.journal_id.id)
                balance = tx._get_client_balance()
                if float_compare(tx.amount, balance, precision_rounding=rounding) > 0:
                    raise UserError(_(
                        "%(kind)s %(name)s would overdraw the trust balance of %(client)s in "
                        "%(journal)s: the balance is %(balance)s and the amount %(amount)s. "
                        "Trust money of one client cannot pay for another; if the firm pays "
                        "for the client before the funds arrive, record it as Paid by firm.",
                        kind=tx._kind_label(), name=tx.display_name,
                        client=tx.partner_id.display_name, journal=tx.journal_id.name,
                        balance=tx._format(balance), amount=tx._format(tx.amount)))
            if tx.kind == "firm_reimbursement":
                account = tx._get_trust_account("trust_paid_by_firm_account_id")
                owed = -sum(tx._get_balances(
                    account, tx.partner_id, currency=tx.currency_id).values())
                if float_compare(tx.amount, owed, precision_rounding=rounding) > 0:
                    raise UserError(_(
                        "%(client)s owes the firm %(owed)s paid by firm; the reimbursement of "
                        "%(amount)s is more than that.", client=tx.partner_id.display_name,
                        owed=tx._format(owed), amount=tx._format(tx.amount)))
            if tx.kind == "statutory_deposit":
                bank = tx.journal_id.default_account_id
                tx._lock_trust_balance(-tx.journal_id.id)
                available = -sum(tx._get_balances(
                    bank, journal=None, currency=tx.currency_id, group_by=()).values())
                if float_compare(tx.amount, available, precision_rounding=rounding) > 0:
                    raise UserError(_(
                        "The statutory deposit of %(amount)s is more than %(journal)s holds "
                        "(%(available)s).", amount=tx._format(tx.amount),
                        journal=tx.journal_id.name, available=tx._format(available)))
            if tx.kind == "statutory_withdrawal":
                account = tx._get_trust_account("statutory_deposit_account_id")
                held = -sum(tx._get_balances(
                    account, currency=tx.currency_id, group_by=()).values())
                if float_compare(tx.amount, held, precision_rounding=rounding) > 0:
                    raise UserError(_(
                        "The statutory deposit account holds %(held)s; %(amount)s cannot be "
                        "withdrawn.", held=tx._format(held), amount=tx._format(tx.amount)))

    def _format(self, amount):
        return self.currency_id.format(amount)

    # ------------------------------------------------------------------------
    # Posting
    # ------------------------------------------------------------------------
    def _get_move_lines(self):
        """[(account, partner, signed amount in the transaction currency, label)]:
        positive = debit."""
        self.ensure_one()
        trust_bank = self.journal_id.default_account_id
        if not trust_bank:
            raise UserError(_("Journal %s has no bank account.", self.journal_id.display_name))
        client = self.partner_id
        label = self._get_label()
        amount = self.amount
        kind = self.kind
        if kind == "receipt":
            liability = self._get_trust_account("trust_liability_account_id")
            return [(trust_bank, client, amount, label), (liability, client, -amount, label)]
        if kind in ("payment", "transfer_to_office"):
            liability = self._get_trust_account("trust_liability_account_id")
            return [(liability, client, amount, label), (trust_bank, client, -amount, label)]
        if kind == "paid_by_firm":
            pbf = self._get_trust_account("trust_paid_by_firm_account_id")
            return [(pbf, client, amount, label), (trust_bank, client, -amount, label)]
        if kind == "firm_reimbursement":
            liability = self._get_trust_account("trust_liability_account_id")
            pbf = self._get_trust_account("trust_paid_by_firm_account_id")
            return [(liability, client, amount, label), (pbf, client, -amount, label)]
        if kind == "statutory_deposit":
            sda = self._get_trust_account("statutory_deposit_account_id")
            return [(sda, client, amount, label), (trust_bank, client, -amount, label)]
        if kind == "statutory_withdrawal":
            sda = self._get_trust_account("statutory_deposit_account_id")
            return [(trust_bank, client, amount, label), (sda, client, -amount, label)]
        if kind == "bank_transfer":
            dest = self.dest_journal_id.default_account_id
            if not dest:
                raise UserError(_("Journal %s has no bank account.",
                                  self.dest_journal_id.display_name))
            return [(dest, client, amount, label), (trust_bank, client, -amount, label)]
        raise UserError(_("Unknown trust transaction type %s.", kind))

    def _get_label(self):
        self.ensure_one()
        parts = [self._kind_label()]
        if self.partner_id:
            parts.append(self.partner_id.display_name)
        if self.matter_ref:
            parts.append(_("matter %s", self.matter_ref))
        if self.payee_id:
            parts.append(_("to %s", self.payee_id.display_name))
        if self.invoice_id:
            parts.append(self.invoice_id.name)
        if self.memo:
            parts.append(self.memo)
        return " – ".join(parts)

    def _prepare_move_vals(self):
        self.ensure_one()
        company = self.company_id
        lines = []
        for account, partner, amount, label in self._get_move_lines():
            balance = self.currency_id._convert(
                amount, company.currency_id, company, self.date)
            lines.append(fields.Command.create({
                "account_id": account.id,
                "partner_id": partner.id or False,
                "name": label,
                "currency_id": self.currency_id.id,
                "amount_currency": amount,
                "balance": balance,
            }))
        return {
            "move_type": "entry",
            "journal_id": self.journal_id.id,
            "company_id": company.id,
            "date": self.date,
            "ref": " ".join(filter(None, [self.name, self.matter_ref])),
            "trust_transaction_id": self.id,
            "line_ids": lines,
        }

    def action_post(self):
        """Post: check, number, write the journal entry (and the invoice's
        payment for a transfer to office)."""
        for tx in self:
            if tx.state != "draft":
                raise UserError(_("Only a draft trust transaction can be posted."))
            if float_is_zero(tx.amount, precision_rounding=tx.currency_id.rounding):
                raise UserError(_("The amount of a trust transaction must be positive."))
            if tx.kind == "transfer_to_office":
                tx._check_invoice()
            # One by one: each sees the balance the previous ones left.
            tx._check_trust_balance()
            if tx.name == "/":
                tx.name = self.env["ir.sequence"].with_company(tx.company_id).next_by_code(
                    "account.trust.transaction", sequence_date=tx.date) or "/"
            move = self.env["account.move"].create(tx._prepare_move_vals())
            move.action_post()
            vals = {"move_id": move.id, "state": "posted"}
            if tx.kind == "transfer_to_office":
                vals["payment_id"] = tx._pay_invoice().id
            tx.write(vals)
        self._after_post()
        return True

    def _after_post(self):
        """Hook: the Xero push (models/xero_sync_job_trust.py) enqueues here."""
        return True

    def _check_invoice(self):
        self.ensure_one()
        invoice = self.invoice_id
        if invoice.move_type != "out_invoice" or invoice.state != "posted":
            raise UserError(_("Transfer to office pays a posted customer invoice; %s is not one.",
                              invoice.display_name))
        if invoice.commercial_partner_id != self.partner_id.commercial_partner_id:
            raise UserError(_(
                "Invoice %(invoice)s is for %(partner)s, not for %(client)s: trust money "
                "pays only its own client's invoices.", invoice=invoice.name,
                partner=invoice.partner_id.display_name, client=self.partner_id.display_name))
        if invoice.currency_id != self.currency_id:
            raise UserError(_(
                "Invoice %(invoice)s is in %(a)s and the trust account in %(b)s.",
                invoice=invoice.name, a=invoice.currency_id.name, b=self.currency_id.name))
        if float_compare(self.amount, invoice.amount_residual,
                         precision_rounding=self.currency_id.rounding) > 0:
            raise UserError(_(
                "Invoice %(invoice)s has %(due)s left to pay; transfer no more than that "
                "from trust.", invoice=invoice.name,
                due=self._format(invoice.amount_residual)))

    def _pay_invoice(self):
        """The invoice's customer payment into the office journal, reconciled
        with the invoice (Odoo's register-payment wizard)."""
        self.ensure_one()
        wizard = self.env["account.payment.register"].with_context(
            active_model="account.move", active_ids=self.invoice_id.ids,
        ).create({
            "journal_id": self.dest_journal_id.id,
            "amount": self.amount,
            "currency_id": self.currency_id.id,
            "payment_date": self.date,
            "communication": " ".join(filter(None, [
                self.invoice_id.payment_reference or self.invoice_id.name,
                _("(from trust %s)", self.name)])),
            "payment_difference_handling": "open",
        })
        payment = wizard._create_payments()
        payment.trust_transaction_id = self.id
        return payment

    def action_cancel(self):
        for tx in self:
            if tx.state == "posted":
                raise UserError(_(
                    "%s is posted: a posted trust transaction stays in the trust records; "
                    "record the opposite transaction to correct it.", tx.display_name))
        self.write({"state": "cancel"})
        return True

    def action_draft(self):
        self.filtered(lambda tx: tx.state == "cancel").write({"state": "draft"})
        return True

    def action_open_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }


class AccountMove(models.Model):
    _inherit = "account.move"

    trust_transaction_id = fields.Many2one(
        "account.trust.transaction", "Trust transaction", readonly=True, copy=False,
        index="btree_not_null")

    def button_draft(self):
        posted = self.filtered(
            lambda m: m.trust_transaction_id.state == "posted"
            and m.trust_transaction_id.move_id == m)
        if posted:
            raise UserError(_(
                "%s is the journal entry of a posted trust transaction: record the opposite "
                "transaction to correct it.", posted[0].display_name))
        return super().button_draft()


class AccountPayment(models.Model):
    _inherit = "account.payment"

    trust_transaction_id = fields.Many2one(
        "account.trust.transaction", "Paid from trust", readonly=True, copy=False,
        index="btree_not_null")
