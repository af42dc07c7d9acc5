"""The client ledger statement of a matter: every posted movement of the
client's money held for the matter, in date order, with the running balance
(what the firm held for the matter after each line), across its trust
accounts. Read from the trust ledger (account.trust.ledger) with the user's
rights: record rules keep it to the user's companies."""

from odoo import _, api, fields, models
from odoo.exceptions import UserError

from .account_trust_report_access import check_trust_report_access


class ReportTrustMatterStatement(models.AbstractModel):
    _name = "report.account_xero.report_trust_matter_statement"
    _description = "Client Ledger Statement"

    @api.model
    def _get_report_values(self, docids, data=None):
        data = data or {}
        matters = self.env["account.trust.matter"].with_context(active_test=False).browse(
            docids or data.get("matter_ids") or [])
        if not matters:
            raise UserError(_("Choose the matter whose client ledger statement to print."))
        check_trust_report_access(self.env, matters)
        date = fields.Date.to_date(data.get("date")) or fields.Date.context_today(self)
        return {
            "doc_ids": matters.ids,
            "doc_model": "account.trust.matter",
            "docs": matters,
            "date": date,
            "statements": {matter.id: self._statement(matter, date) for matter in matters},
        }

    @api.model
    def _statement(self, matter, date):
        """The lines of ``matter``'s statement up to ``date``: a dict with
        ``lines`` [(ledger row, running balance)], ``received``, ``paid``,
        ``balance`` and ``currency``."""
        currency = matter.company_id.currency_id
        rows = self.env["account.trust.ledger"].search([
            ("matter_id", "=", matter.id), ("company_id", "=", matter.company_id.id),
            ("date", "<=", date), "|", ("received", "!=", 0), ("paid", "!=", 0),
        ], order="date, id")
        lines = []
        running = 0.0
        for row in rows:
            running = currency.round(running + row.balance)
            lines.append((row, running))
        return {
            "currency": currency,
            "lines": lines,
            "received": currency.round(sum(rows.mapped("received"))),
            "paid": currency.round(sum(rows.mapped("paid"))),
            "balance": running,
        }
