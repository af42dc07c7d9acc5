"""Payments made in Xero, registered in Odoo: the registration itself.

The pull (xero_payment_import.py) decides what Xero holds that Odoo does
not, checks the journal (``_xero_payment_journal``: the bank map read
backwards, the trust rules, the side that reconciles the bank) and hands
the new payments here. They are registered as Odoo's register-payment
wizard registers one: the wizard's values (one wizard an invoice and a
payment: amount, date, journal, memo as Xero has them), then Odoo's own
steps, making, posting and matching the payments, with their chatter and
tracked changes. Only done together for a burst: the payments of all the
invoices a pull call took are made in one ``create``, their journal
entries made and posted in one go, then each matched with its invoice
(Odoo's steps cost per call far more than per payment).

Exactly once still rests on the unique (company, Xero payment) constraint:
a payment another worker registered meanwhile makes the whole batch fail
at its insert; then each invoice is registered alone, in a savepoint of its
own, and only the one that met the constraint is left to be read again
(the next read finds the payment registered, and registers nothing).
"""

import logging

import psycopg2

from odoo import Command, _, api, models
from odoo.exceptions import UserError, ValidationError

from .xero_import_blocked import ImportBlocked

_logger = logging.getLogger(__name__)


class AccountPayment(models.Model):
    _inherit = "account.payment"

    def _prepare_move_line_default_vals(self, write_off_line_vals=None, force_balance=None):
        """A payment made in Xero in another currency is valued at Xero's
        rate (``xero_import_rates`` in the context, by Xero PaymentID: Xero's
        CurrencyRate, units of the payment's currency per unit of the base
        currency, as Odoo's rates), so that the bank holds in Odoo what it
        holds in Xero; the difference with the invoice's rate is Odoo's
        exchange difference, as it is Xero's realised gain or loss."""
        rate = (self.env.context.get("xero_import_rates") or {}).get(self.xero_import_id)
        if rate and not write_off_line_vals and self.currency_id != self.company_id.currency_id:
            force_balance = self.company_id.currency_id.round(self.amount / rate)
        return super()._prepare_move_line_default_vals(
            write_off_line_vals=write_off_line_vals, force_balance=force_balance)


class XeroWebhookEvent(models.Model):
    _inherit = "xero.webhook.event"

    @api.model
    def _xero_register_batch(self, conn, batch):
        """Register the payments planned for several documents: ``batch`` is
        ``[(move, events, notes, planned)]`` (``planned``: [(move, Xero's
        payment, journal)]). All in one go; when that fails, document by
        document. Closes each document's events and returns the moves done."""
        done = self.env["account.move"]
        if not batch:
            return done
        # A savepoint rolled back drops the tracked changes waiting for the
        # commit (Odoo's precommit): those of what was done so far are
        # written now.
        self.env.cr.precommit.run()
        items = [item for _move, _events, _notes, planned in batch for item in planned]
        try:
            with self.env.cr.savepoint():
                registered = self._xero_register_many(conn, items)
        except (UserError, ValidationError, psycopg2.Error) as exc:
            _logger.info("Xero: %d payments made in Xero not registered together (%s); one "
                         "document at a time", len(items), exc)
            registered = None
        for move, events, notes, planned in batch:
            if registered is None:
                self.env.cr.precommit.run()
                try:
                    with self.env.cr.savepoint():
                        mine = self._xero_register_many(conn, planned)
                except psycopg2.IntegrityError:
                    # Registered by another worker meanwhile: read again.
                    _logger.info("Xero: payments on %s registered meanwhile; read again", move.name)
                    continue
                except (UserError, ValidationError) as exc:
                    events._xero_close("failed", "\n".join(notes + [exc.args[0]]))
                    continue
            else:
                mine = registered
            events._xero_close("done", "\n".join(
                filter(None, notes + mine.get(move.id, []))))
            done |= move
        return done

    @api.model
    def _xero_register_many(self, conn, items):
        """Register ``items`` ([(move, Xero's payment, journal)]) as Odoo's
        register-payment wizard does, together. Returns {move id: [notes]}."""
        Register = self.env["account.payment.register"].with_context(
            active_model="account.move", xero_import=True)
        to_process, rates, told = [], {}, []
        wizard = Register
        for move, payment, journal in items:
            pid = str(payment.payment_id).lower()
            if move.currency_id != move.company_id.currency_id and payment.currency_rate:
                rates[pid] = float(payment.currency_rate)
            wizard = Register.with_context(active_ids=move.ids).create({
                "journal_id": journal.id,
                "amount": payment.amount,
                "currency_id": move.currency_id.id,
                "payment_date": payment.date,
                "communication": _("Paid in Xero %s", payment.reference or pid),
                "group_payment": True,
            })
            batch = wizard.batches[0]
            # Linked with its invoice as it is made (the wizard writes the
            # link on the invoice after matching: a write of the invoice,
            # about a sixth of the cost of registering a payment).
            vals = dict(wizard._create_payment_vals_from_wizard(batch),
                        xero_import_id=pid, xero_import_move_id=move.id,
                        invoice_ids=[Command.set(batch["lines"].move_id.ids)])
            if not vals.get("write_off_line_vals") and "force_balance" not in vals:
                # Its journal entry made when it is posted, with the others'.
                vals.pop("write_off_line_vals", None)
            process = {"create_vals": vals, "to_reconcile": batch["lines"], "batch": batch}
            if wizard.writeoff_is_exchange_account and wizard.currency_id == wizard.company_currency_id:
                residual = sum(batch["lines"].mapped("amount_residual_currency"))
                process["rate"] = abs(residual / wizard.amount) if wizard.amount else 0.0
            to_process.append(process)
            told.append((move.id, payment.amount, journal.display_name))
        # Deposits are decided once the payments are matched (wizard/account_payment_register.py).
        wizard = wizard.with_context(xero_import_rates=rates, xero_defer_deposit=True)
        payments = wizard._init_payments(to_process, edit_mode=True)
        wizard._post_payments(to_process, edit_mode=True)
        self._xero_reconcile_together(wizard, to_process)
        payments = payments.with_env(Register.env)  # never queued for Xero (``xero_import``)
        payments._xero_sync_deposit()
        payments._message_log_batch({
            payment.id: self.env._("Registered from a payment made in Xero (%s).", payment.xero_import_id)
            for payment in payments})
        notes = {}
        for (move_id, amount, journal), payment in zip(told, payments):
            notes.setdefault(move_id, []).append(_(
                "Payment %(payment)s registered from Xero (%(amount)s on %(journal)s).",
                payment=payment.name, amount=amount, journal=journal))
        return notes

    @api.model
    def _xero_reconcile_together(self, wizard, to_process):
        """The wizard's matching (``_reconcile_payments``), each payment
        with its invoice, in one reconciliation plan for all of them (Odoo
        matches a plan's pairs together, each apart); the payments are
        linked with their invoices already (``invoice_ids``). A payment
        matched at a forced rate (a write-off to the exchange account) is
        matched by the wizard itself."""
        forced = [process for process in to_process if "rate" in process]
        if forced:
            wizard._reconcile_payments(forced, edit_mode=True)
        Line = wizard.env["account.move.line"]  # with ``xero_import``: nothing queued
        open_domain = [("reconciled", "=", False), ("parent_state", "=", "posted")]
        domain = open_domain + [
            ("account_type", "in", self.env["account.payment"]._get_valid_payment_account_types())]
        plan = []
        for process in to_process:
            if "rate" in process:
                continue
            payment, lines = process["payment"], process["to_reconcile"]
            payment_lines = payment.move_id.line_ids.filtered_domain(domain)
            plan.extend((payment_lines + lines).filtered_domain(
                open_domain + [("account_id", "=", account.id)])
                for account in payment_lines.account_id)
        if plan:
            Line._reconcile_plan(plan)

    @api.model
    def _xero_payment_journal(self, conn, move, payment):
        """The journal a payment made in Xero is registered on, or
        ImportBlocked saying why none."""
        journal = self._xero_journal_of(conn, payment.account)
        if journal.type == "bank" and journal.is_trust_account:
            raise ImportBlocked(_(
                "A payment of %(amount)s on %(move)s was made in Xero on the trust bank account "
                "(%(journal)s): client money is recorded in Odoo's trust ledger; record it there.",
                amount=payment.amount, move=move.name, journal=journal.display_name))
        if journal.xero_bank_reconciled_in != "xero":
            raise ImportBlocked(_(
                "A payment of %(amount)s on %(move)s was made in Xero on the bank account of "
                "%(journal)s, whose bank is reconciled in Odoo (the journal's \"Bank reconciled "
                "in\"): Odoo's statement lines on it go to Xero, and registering this payment "
                "too could pay the invoice twice. If the bookkeeper reconciles this bank in Xero, "
                "set \"Bank reconciled in\" to Xero on the journal (the payment is then read "
                "again); otherwise delete the payment in Xero and record it in Odoo.",
                amount=payment.amount, move=move.name, journal=journal.display_name))
        return journal

    @api.model
    def _xero_journal_of(self, conn, account):
        """The one bank journal whose account is mapped to the Xero bank
        account ``account`` (the bank map read backwards)."""
        xero_account_id = getattr(account, "account_id", None)
        code = getattr(account, "code", None)
        XeroAccount = self.env["xero.account"].sudo().with_context(active_test=False)
        domain = [("connection_id", "=", conn.id)]
        xero_account = XeroAccount.search(domain + [("xero_id", "=", str(xero_account_id))],
                                          limit=1) if xero_account_id else XeroAccount
        if not xero_account and code:
            xero_account = XeroAccount.search(domain + [("code", "=", code)], limit=1)
        label = code or str(xero_account_id or "?")
        if not xero_account:
            raise ImportBlocked(_("Xero bank account %s is not in Xero's chart as read: click "
                                  "Refresh from Xero.", label))
        accounts = self.env["xero.account.map"].sudo().search(
            [("connection_id", "=", conn.id), ("xero_account_id", "=", xero_account.id)]).account_id
        journals = self.env["account.journal"].sudo().search([
            ("type", "in", ("bank", "cash")), ("default_account_id", "in", accounts.ids),
            ("company_id", "child_of", conn.company_id.id)])
        if not journals:
            raise ImportBlocked(_(
                "A payment was made in Xero on bank account %s, which no bank journal's account "
                "is mapped to: map the journal's account to it in the GL account map.",
                xero_account.display_name))
        if len(journals) > 1:
            raise ImportBlocked(_(
                "Xero bank account %(xero)s is mapped from several journals (%(journals)s): "
                "Odoo cannot tell which received the payment. Map it from one journal only.",
                xero=xero_account.display_name, journals=", ".join(journals.mapped("name"))))
        return journals
