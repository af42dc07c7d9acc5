"""Trust reconciliation: the three-way check trust rules require, per trust
bank account, as at a date.

  bank statement balance (when given)
    + deposits not yet on the statement  posted trust transactions not on the
    - payments not yet presented         statement as at the date (their
                                         ``bank_statement_date``: see
                                         models/account_trust_outstanding.py)
    = adjusted statement balance      vs  the trust bank in the books
  the trust bank in the books
    + statutory deposit held             trust money held on the statutory
                                         deposit account from this account
    - the firm's own money in trust      what the firm put in (transfers into
                                         trust), less what paid by firm spent
                                         and firm withdrawals took out, plus
                                         firm reimbursements: from the trust
                                         transactions only
    = trust money held
  sum of the client ledgers              each client's balance in the trust
                                         ledger (account.trust.ledger)
  difference                             trust money held - client ledgers:
                                         0 when every movement of the trust
                                         bank went through the trust ledger

An entry on the trust bank that bypasses the trust ledger (a bank fee, a
deposit booked to income, a client's money booked elsewhere) shows as a
difference.
"""

from odoo import _, api, fields, models
from odoo.exceptions import UserError
from odoo.tools import float_is_zero

from .account_trust_report_access import check_trust_report_access


class ReportTrustReconciliation(models.AbstractModel):
    _name = "report.account_xero.report_trust_reconciliation"
    _description = "Trust Reconciliation Report"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        # The web client puts the ids in the URL only for a report printed
        # without options; a wizard's print (options in ``data``) reaches here
        # with no docids, so the wizard names its journals in the options.
        journals = self.env["account.journal"].browse(docids or data.get("journal_ids") or [])
        if not journals:
            raise UserError(_("Choose the trust (client) bank account to reconcile."))
        check_trust_report_access(self.env, journals)
        date = fields.Date.to_date(data.get("date")) or fields.Date.context_today(self)
        statement = data.get("statement_balance")
        return {
            "doc_ids": journals.ids,
            "doc_model": "account.journal",
            "docs": journals,
            "date": date,
            "reconciliations": {
                journal.id: self._trust_reconciliation(journal, date, statement)
                for journal in journals},
        }

    @api.model
    def _trust_reconciliation(self, journal, date, statement_balance=None):
        """The figures of the report for one trust journal at ``date``: a dict
        of amounts (company currency) and ``clients``, [(partner, balance)]."""
        if journal.type != "bank" or not journal.is_trust_account:
            raise UserError(_(
                "%s is not a trust (client) bank account: the trust reconciliation is made "
                "for trust accounts.", journal.display_name))
        company = journal.company_id
        currency = company.currency_id
        bank_account = journal.default_account_id
        if not bank_account:
            raise UserError(_("Journal %s has no bank account.", journal.display_name))
        # The company's trust accounts, through the trust transactions' accessor.
        probe = self.env["account.trust.transaction"].new({
            "company_id": company.id, "journal_id": journal.id, "kind": "statutory_deposit"})
        try:
            sda = probe._get_trust_account("statutory_deposit_account_id")
        except UserError:
            sda = self.env["account.account"]
        Line = self.env["account.move.line"].sudo()

        def total(domain):
            groups = Line._read_group([
                ("parent_state", "=", "posted"), ("company_id", "=", company.id),
                ("date", "<=", date), *domain], [], ["balance:sum"])
            return groups[0][0] or 0.0

        by_tx = [("move_id.trust_transaction_id", "!=", False)]
        bank = total([("account_id", "=", bank_account.id)])
        statutory = total([("account_id", "in", sda.ids), ("journal_id", "=", journal.id)])

        Ledger = self.env["account.trust.ledger"].sudo()
        ledger_domain = [("company_id", "=", company.id), ("journal_id", "=", journal.id),
                         ("date", "<=", date)]
        clients = [
            (partner, balance) for partner, balance in Ledger._read_group(
                ledger_domain, ["partner_id"], ["balance:sum"])
            if not float_is_zero(balance, precision_rounding=currency.rounding)]
        clients.sort(key=lambda pair: (pair[0].display_name or "").lower())
        client_total = sum(balance for _partner, balance in clients)
        tx_clients = Ledger._read_group(
            [*ledger_domain, ("transaction_id", "!=", False)], [], ["balance:sum"])[0][0] or 0.0
        # The firm's own money in trust, as the trust transactions moved it.
        firm = (total([("account_id", "=", bank_account.id), *by_tx])
                + total([("account_id", "in", sda.ids), ("journal_id", "=", journal.id), *by_tx])
                - tx_clients)
        held = bank + statutory - firm
        values = {
            "journal": journal,
            "currency": currency,
            "bank_balance": currency.round(bank),
            "statutory_deposit": currency.round(statutory),
            "firm_money": currency.round(firm),
            "trust_money": currency.round(held),
            "clients": [(partner, currency.round(balance)) for partner, balance in clients],
            "client_total": currency.round(client_total),
            "difference": currency.round(held - client_total),
            "statement_balance": None,
            "statement_difference": None,
        }
        outstanding = self.env["account.trust.transaction"].sudo()._trust_outstanding(
            journal, date)
        values["deposits"] = [(tx, amt) for tx, amt in outstanding if amt > 0]
        values["payments"] = [(tx, amt) for tx, amt in outstanding if amt < 0]
        values["deposits_total"] = currency.round(sum(amt for _tx, amt in values["deposits"]))
        values["payments_total"] = currency.round(sum(amt for _tx, amt in values["payments"]))
        if statement_balance is not None and statement_balance is not False:
            adjusted = statement_balance + values["deposits_total"] + values["payments_total"]
            values["statement_balance"] = currency.round(statement_balance)
            values["adjusted_statement"] = currency.round(adjusted)
            values["statement_difference"] = currency.round(adjusted - bank)
        return values
