"""Trust (client money) transactions.

Law firms hold clients' money in trust (client) bank accounts. Each client's
money is owed back to the client: the firm's books carry it as a liability
(the "Trust liability" account of the seed), one balance per client and trust
bank account, which must never go below zero: money of one client may not
pay for another. A trust transaction is one movement of that money, posted
as one journal entry (and for a transfer to office, the invoice's payment).

Accounts (the company's, Settings > Accounting > Trust accounting; see
res_company.py): T = the trust journal's bank account, L = Trust
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
trust_transfer            two entries, one per trust account (TT =       - amount (from client),
                          Trust transfers): out, in the "from" trust     + amount (to client)
                          journal: Dr TT (from client) / Cr T; in, in
                          the "to" trust journal (may be the same):
                          Dr T' (to client) / Cr TT (to client)
firm_withdrawal           the firm's own money leaves trust for an       recovering paid by
                          office bank account O: Dr O / Cr T, and, per   firm: - amount
                          type, recovering paid by firm: Dr L (client)   (refused below 0);
                          / Cr F (client); interest: Dr T / Cr the       otherwise unchanged
                          interest income account (see
                          account_trust_firm_withdrawal.py)
========================  =============================================  ======================

A client's trust balance (what the firm holds for the client in one trust
account) is the credit balance of Trust liability *and* Trust transfers for
that client in that trust journal: Trust transfers carries the money moved
between clients, matters and trust accounts, exactly as the Xero bank
transactions that mirror them are coded (so Xero's Trust liability + Trust
transfers per contact equals the Odoo ledger). The Trust transfers account
nets to zero over both sides of every transfer.

Posted trust transactions are never deleted nor reset: a mistake is undone
by a *reversing* trust transaction (``_reverse``, through the reversal wizard
of ``action_reverse``, with its date and reason: account_trust_reversal.py),
linked to the one it reverses, whose entries are the original's with debit
and credit swapped (a transfer to office also cancels the invoice's payment:
account_trust_invoice.py). It is checked
like any other: reversing a receipt the client has already spent is refused.

Client money is regulated: no field of a posted trust transaction changes
(its Xero sync state, chatter and activities excepted), and ``state``,
``name``, the entries, the payment and ``reversed_tx_id`` are set only by the
addon's own actions (post, cancel, reset to draft, reverse), whoever writes.
Those actions write in the context ``trust_internal()`` gives: its value is
a Python object, which a context sent by a client (JSON over RPC) cannot
carry. models/account_move_trust.py guards the journal entries, journal
items, reconciliations and invoice payment of trust transactions alike.

Guarded balances (never below zero after posting): the client's trust
balance per trust account, the matter's (account.trust.matter, see
account_trust_matter.py) per trust account, what each client owes the firm
(paid by firm), the firm's own money in each trust account (paid by firm
spends it: without it, it would spend other clients' money), the statutory
deposit held, and the trust bank for a statutory deposit. Each is
serialized by a row lock in ``account_trust_lock`` (see
``_lock_trust_balances``).

Trust accounting is kept in the company currency: a trust bank journal in
another currency is refused with a message.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.models import MAGIC_COLUMNS
from odoo.tools import float_is_zero

TRUST_KINDS = [
    ("receipt", "Receipt into trust"),
    ("payment", "Payment out of trust"),
    ("transfer_to_office", "Transfer to office (pay invoice)"),
    ("paid_by_firm", "Paid by firm"),
    ("firm_reimbursement", "Reimburse firm (paid by firm)"),
    ("statutory_deposit", "Statutory deposit"),
    ("statutory_withdrawal", "Statutory withdrawal"),
    ("bank_transfer", "Transfer between bank accounts"),
    ("trust_transfer", "Trust transfer (client / matter)"),
    ("firm_withdrawal", "Firm withdrawal"),
    ("bank_fee", "Bank fee"),
    ("bank_interest", "Bank interest"),
]
# Kinds that belong to one client (partner on the trust lines).
CLIENT_KINDS = ("receipt", "payment", "transfer_to_office", "paid_by_firm", "firm_reimbursement",
                "trust_transfer")
# Kinds with a second bank journal.
TWO_JOURNAL_KINDS = ("transfer_to_office", "bank_transfer", "trust_transfer", "firm_withdrawal")
# Set by the addon's own actions only (post, cancel, reset to draft, reverse),
# never by a user's write, with their value on a new draft.
SYSTEM_FIELDS = {
    "state": "draft", "name": "/", "move_id": False, "dest_move_id": False,
    "payment_id": False, "reversed_tx_id": False, "is_reversed": False,
    "reversal_reason": False,
}
# Besides the log columns, the mixins' fields may change once posted: the
# Xero sync state, the chatter, the activities. Nothing of the trust record.
POSTED_WRITABLE_MIXINS = ("mail.thread", "mail.activity.mixin", "xero.document.mixin")

TRUST_WRITE_KEY = "account_xero_trust_write"


class _TrustWrite:
    """The value of TRUST_WRITE_KEY in the context of the addon's own writes.
    An object, not a flag: a client's context (JSON over RPC) cannot hold it."""

    __slots__ = ()

    def __repr__(self):
        return "<account_xero trust write>"


TRUST_WRITE = _TrustWrite()


def trust_write_allowed(env):
    """Whether ``env`` is the addon's own, set by ``trust_internal()``."""
    return env.context.get(TRUST_WRITE_KEY) is TRUST_WRITE


def trust_internal(records):
    """``records`` in the context of the addon's own writes: what a user may
    not do on trust records (posting's state, number, entries, the invoice
    payment's undoing) is open there. Keep its use to the write itself."""
    return records.with_context(**{TRUST_WRITE_KEY: TRUST_WRITE})


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
    matter_id = fields.Many2one(
        "account.trust.matter", index="btree_not_null", tracking=True,
        check_company=True, domain="[('partner_id', '=', partner_id)]",
        help="The client's matter (file) this money is held for: trust balances are kept, "
        "and guarded, per client and per matter.")
    memo = fields.Char("Description", tracking=True)
    payee_id = fields.Many2one(
        "res.partner", check_company=True, tracking=True,
        help="Who is paid out of trust on the client's behalf.")
    amount = fields.Monetary(required=True, tracking=True)
    currency_id = fields.Many2one(
        "res.currency", compute="_compute_currency_id", store=True, precompute=True)
    company_currency_id = fields.Many2one(related="company_id.currency_id", string="Company currency")
    journal_id = fields.Many2one(
        "account.journal", "Trust account", required=True, check_company=True, tracking=True,
        domain="[('type', '=', 'bank'), ('is_trust_account', '=', True)]",
        compute="_compute_journal_id", store=True, readonly=False, precompute=True,
        help="The trust (client) bank account the money is in; for a transfer between "
        "bank accounts, the account the money leaves.")
    dest_journal_id = fields.Many2one(
        "account.journal", "To bank account", check_company=True, tracking=True,
        domain="[('type', '=', 'bank'), ('id', '!=', journal_id)]",
        help="Transfer to office: the firm's business bank account that receives the fees. "
        "Transfer between bank accounts: the account the money goes to.")
    invoice_id = fields.Many2one(
        "account.move", check_company=True, tracking=True,
        domain="[('move_type', '=', 'out_invoice'), ('state', '=', 'posted'), "
        "('payment_state', 'in', ('not_paid', 'partial')), "
        "('commercial_partner_id', '=', commercial_partner_id), "
        "('trust_matter_id', 'in', (matter_id, False))]",
        help="The client's invoice this transfer to office pays.")
    commercial_partner_id = fields.Many2one(related="partner_id.commercial_partner_id")
    dest_partner_id = fields.Many2one(
        "res.partner", "To client", index="btree_not_null", tracking=True, check_company=True,
        help="Trust transfer: the client whose trust balance receives the money (the same "
        "client for a transfer between matters or trust accounts).")
    dest_matter_id = fields.Many2one(
        "account.trust.matter", "To matter", index="btree_not_null", tracking=True,
        check_company=True, domain="[('partner_id', '=', dest_partner_id)]",
        help="Trust transfer: the matter the money goes to.")
    move_id = fields.Many2one(
        "account.move", "Journal entry", readonly=True, copy=False, check_company=True,
        index="btree_not_null")
    dest_move_id = fields.Many2one(
        "account.move", "Receiving entry", readonly=True, copy=False, check_company=True,
        index="btree_not_null",
        help="Trust transfer: the entry in the trust account that receives the money.")
    reversed_tx_id = fields.Many2one(
        "account.trust.transaction", "Reversal of", readonly=True, copy=False,
        index="btree_not_null", check_company=True,
        help="The posted trust transaction this one undoes.")
    reversal_ids = fields.One2many(
        "account.trust.transaction", "reversed_tx_id", "Reversals", readonly=True)
    is_reversed = fields.Boolean(
        "Reversed", compute="_compute_is_reversed", store=True,
        help="A posted reversing trust transaction undoes this one.")
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
            if tx.kind == "bank_transfer" or (tx.journal_id and tx.journal_id.is_trust_account):
                continue
            tx.journal_id = self.env["account.journal"].search([
                *self.env["account.journal"]._check_company_domain(tx.company_id),
                ("type", "=", "bank"), ("is_trust_account", "=", True),
            ], limit=1)

    @api.depends("reversal_ids.state")
    def _compute_is_reversed(self):
        for tx in self:
            tx.is_reversed = any(r.state == "posted" for r in tx.reversal_ids)

    @api.depends("partner_id", "journal_id", "currency_id")
    def _compute_client_balance(self):
        for tx in self:
            tx.client_balance = (
                tx._get_client_balance() if tx.partner_id and tx.journal_id else 0.0)

    @api.onchange("invoice_id")
    def _onchange_invoice_id(self):
        if self.invoice_id and self.state == "draft":
            self.amount = self.amount or self.invoice_id.amount_residual
            if not self.matter_id:
                self.matter_id = self.invoice_id._trust_billed_matter()

    @api.onchange("kind")
    def _onchange_kind_office_account(self):
        """What goes to the office goes to the firm's office bank account
        when it has only one."""
        if self.kind in ("transfer_to_office", "firm_withdrawal") and not self.dest_journal_id:
            Journal = self.env["account.journal"]
            offices = Journal.search([*Journal._check_company_domain(self.company_id),
                                      ("type", "=", "bank"), ("is_trust_account", "=", False)],
                                     limit=2)
            if len(offices) == 1:
                self.dest_journal_id = offices

    @api.constrains("kind", "journal_id", "dest_journal_id", "partner_id", "invoice_id",
                    "dest_partner_id", "dest_matter_id", "matter_id")
    def _check_kind_fields(self):
        for tx in self:
            if tx.kind in CLIENT_KINDS and not tx.partner_id:
                raise ValidationError(_("%s: choose the client.", tx._kind_label()))
            if tx.kind != "bank_transfer" and not tx.journal_id.is_trust_account:
                raise ValidationError(_(
                    "%(kind)s: %(journal)s is not a trust (client) bank account.",
                    kind=tx._kind_label(), journal=tx.journal_id.display_name))
            if tx.journal_id.type != "bank":
                raise ValidationError(_("%s is not a bank journal.", tx.journal_id.display_name))
            for journal in tx.journal_id | tx.dest_journal_id:
                if journal.is_trust_account and journal.currency_id \
                        and journal.currency_id != tx.company_id.currency_id:
                    raise ValidationError(_(
                        "Trust accounting is kept in the company currency (%(company)s): trust "
                        "account %(journal)s is in %(currency)s. Use a trust account in "
                        "%(company)s.", company=tx.company_id.currency_id.name,
                        journal=journal.display_name, currency=journal.currency_id.name))
            if tx.kind == "trust_transfer":
                dest = tx._dest_trust_journal()
                if not tx.dest_partner_id:
                    raise ValidationError(_("Trust transfer: choose the client it goes to."))
                if not dest.is_trust_account or dest.type != "bank":
                    raise ValidationError(_(
                        "Trust transfer: %s is not a trust (client) bank account; money goes "
                        "to the office by a transfer to office.", dest.display_name))
                if dest == tx.journal_id and tx.dest_partner_id == tx.partner_id \
                        and tx.dest_matter_id == tx.matter_id:
                    raise ValidationError(_(
                        "Trust transfer: choose another client, matter or trust account to "
                        "transfer to."))
            elif tx.kind in TWO_JOURNAL_KINDS:
                dest = tx.dest_journal_id
                if not dest:
                    raise ValidationError(_("%s: choose the bank account the money goes to.",
                                            tx._kind_label()))
                if dest == tx.journal_id or dest.type != "bank":
                    raise ValidationError(_(
                        "%s: the money must go to another bank account.", tx._kind_label()))
                if tx.kind == "transfer_to_office" and dest.is_trust_account:
                    raise ValidationError(_(
                        "Transfer to office: %s is a trust account; choose the firm's office "
                        "(business) bank account.", dest.display_name))
                if (dest.currency_id or dest.company_id.currency_id) != tx.currency_id:
                    raise ValidationError(_(
                        "%(kind)s: %(a)s and %(b)s are in different currencies.",
                        kind=tx._kind_label(), a=tx.journal_id.display_name,
                        b=dest.display_name))
            if tx.kind == "bank_transfer" and tx.journal_id.is_trust_account:
                raise ValidationError(_(
                    "Money leaves a trust account only for a client: record a payment out of "
                    "trust or a transfer to office instead of a transfer from %s.",
                    tx.journal_id.display_name))
            if tx.kind == "transfer_to_office" and not tx.invoice_id:
                raise ValidationError(_("Transfer to office: choose the invoice it pays."))

    def _dest_trust_journal(self):
        """Trust transfer: the trust account the money goes to (the same one
        when no other is chosen)."""
        return self.dest_journal_id or self.journal_id

    def _kind_label(self):
        return dict(self._fields["kind"]._description_selection(self.env))[self.kind]

    @api.depends("name", "kind", "partner_id")
    def _compute_display_name(self):
        for tx in self:
            if tx.name and tx.name != "/":
                tx.display_name = tx.name
            elif tx.reversed_tx_id:
                tx.display_name = _("Draft reversal of %s", tx.reversed_tx_id.display_name)
            else:
                tx.display_name = _("Draft %s", tx._kind_label())

    # ------------------------------------------------------------------------
    # CRUD
    # ------------------------------------------------------------------------
    @api.model_create_multi
    def create(self, vals_list):
        if not trust_write_allowed(self.env):
            for vals in vals_list:
                set_fields = [fname for fname, empty in SYSTEM_FIELDS.items()
                              if fname in vals and (vals[fname] or False) != empty]
                if set_fields:
                    self._raise_system_fields(set_fields)
        return super().create(vals_list)

    def write(self, vals):
        if not trust_write_allowed(self.env):
            self._check_trust_write(vals)
        return super().write(vals)

    def _check_trust_write(self, vals):
        """Refuse a user's write of a posted transaction, or of what only the
        addon's actions set."""
        locked = set(vals) - self._posted_writable_fields()
        posted = self.filtered(lambda tx: tx.state == "posted")
        if posted and locked:
            raise UserError(_(
                "Posted trust transactions cannot be changed (%(tx)s: %(fields)s): client "
                "money in trust stays as it was posted. To correct it, reverse it instead "
                "(Reverse) and record it again.",
                tx=posted[0].display_name, fields=self._field_labels(locked)))
        system = [fname for fname in SYSTEM_FIELDS if fname in vals]
        if system:
            self._raise_system_fields(system)

    def _raise_system_fields(self, fnames):
        raise UserError(_(
            "%(fields)s of a trust transaction is set only by its Post, Cancel, Reset to "
            "Draft and Reverse buttons: use them instead.", fields=self._field_labels(fnames)))

    def _field_labels(self, fnames):
        return ", ".join(sorted(self._fields[fname].get_description(self.env)["string"]
                                for fname in fnames if fname in self._fields))

    @api.model
    def _posted_writable_fields(self):
        """What may change on a posted trust transaction: the log columns, the
        Xero sync state, the chatter and activities (POSTED_WRITABLE_MIXINS),
        and the date it appeared on the bank statement
        (account_trust_outstanding.py, checked there)."""
        names = set(MAGIC_COLUMNS) | {"bank_statement_date"}
        for mixin in POSTED_WRITABLE_MIXINS:
            if mixin in self.env:
                names.update(self.env[mixin]._fields)
        return names

    @api.ondelete(at_uninstall=False)
    def _unlink_only_draft(self):
        posted = self.filtered(lambda tx: tx.state == "posted")
        if posted:
            raise UserError(_(
                "%s is a posted trust transaction: it is part of the trust records and cannot "
                "be deleted; reverse it instead.", posted[0].display_name))

    def action_post(self):
        """Post: check, number, write the journal entries (and the invoice's
        payment for a transfer to office, cancelled for its reversal)."""
        for tx in self:
            if tx.state != "draft":
                raise UserError(_("Only a draft trust transaction can be posted."))
            if float_is_zero(tx.amount, precision_rounding=tx.currency_id.rounding):
                raise UserError(_("The amount of a trust transaction must be positive."))
            if tx.reversed_tx_id:
                tx._check_reversible()
            elif tx.kind == "transfer_to_office":
                tx._check_invoice()
            tx._check_trust_lock_dates()
            legs = tx._get_move_legs()
            # One by one: each sees the balance the previous ones left.
            tx._check_trust_balance(legs)
            if tx.name == "/":
                trust_internal(tx).name = self.env["ir.sequence"].with_company(
                    tx.company_id).next_by_code(
                    "account.trust.transaction", sequence_date=tx.date) or "/"
            moves = trust_internal(self.env["account.move"]).create(
                [tx._prepare_move_vals(leg) for leg in legs]).with_env(self.env)
            moves.action_post()
            vals = {"move_id": moves[0].id, "state": "posted"}
            if len(moves) > 1:
                vals["dest_move_id"] = moves[1].id
            if tx.kind == "transfer_to_office":
                if tx.reversed_tx_id:
                    tx._unpay_invoice()
                else:
                    vals["payment_id"] = tx._pay_invoice().id
            trust_internal(tx).write(vals)
            tx._check_trust_dates_kept()
        # To Xero when a connection takes trust (xero_push_trust.py; no
        # connection, nothing queued).
        self._xero_enqueue()
        return True

    def action_cancel(self):
        for tx in self:
            if tx.state == "posted":
                raise UserError(_(
                    "%s is posted: a posted trust transaction stays in the trust records; "
                    "reverse it to correct it.", tx.display_name))
        trust_internal(self).write({"state": "cancel"})
        return True

    def action_draft(self):
        trust_internal(self.filtered(lambda tx: tx.state == "cancel")).write({"state": "draft"})
        return True

    def action_open_move(self):
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "account.move",
            "res_id": self.move_id.id,
            "view_mode": "form",
        }
