"""The trust ledgers for a period, as a file for the auditor (Accounting >
Trust > Export Trust Ledgers): one row per posting of client money, per
client and matter, with the receipt or payment and the matter's running
balance after it, after an opening balance row per matter; as CSV or XLSX.

Rows come from the trust ledger (models/account_trust_ledger.py: the posted
journal items on Trust liability and Trust transfers, whoever posted them)
of one company the user works in, read with the user's rights: the wizard is
for the Trust group only (security/ir.model.access.csv)."""

import base64
import csv
import io
from datetime import date, datetime

import xlsxwriter

from odoo import _, api, fields, models
from odoo.exceptions import UserError

HEADER = ("Trust account", "Client", "Matter", "Date", "Reference", "Type", "Description",
          "Receipt", "Payment", "Balance")


class AccountTrustLedgerExport(models.TransientModel):
    _name = "account.trust.ledger.export"
    _description = "Export Trust Ledgers"
    _check_company_auto = True

    company_id = fields.Many2one(
        "res.company", required=True, default=lambda self: self.env.company,
        domain=lambda self: [("id", "in", self.env.user.company_ids.ids)])
    date_from = fields.Date(
        "From", required=True,
        default=lambda self: fields.Date.context_today(self).replace(month=1, day=1))
    date_to = fields.Date("To", required=True, default=fields.Date.context_today)
    journal_ids = fields.Many2many(
        "account.journal", string="Trust accounts", check_company=True,
        domain="[('type', '=', 'bank'), ('is_trust_account', '=', True), "
        "('company_id', '=', company_id)]",
        help="Empty: every trust account of the company.")
    file_format = fields.Selection(
        [("xlsx", "Excel (XLSX)"), ("csv", "CSV")], "Format", required=True, default="xlsx")
    export_file = fields.Binary("File", readonly=True, attachment=False)
    export_filename = fields.Char(readonly=True)

    @api.constrains("date_from", "date_to")
    def _check_dates(self):
        for wizard in self:
            if wizard.date_from > wizard.date_to:
                raise UserError(_("The period ends before it starts."))

    def _rows(self):
        """[(values in HEADER's order)]: amounts as floats, dates as dates."""
        self.ensure_one()
        if self.company_id not in self.env.user.company_ids:
            raise UserError(_("You do not work in %s: its trust ledgers are not yours to "
                              "export.", self.company_id.name))
        Ledger = self.env["account.trust.ledger"].with_context(
            allowed_company_ids=self.company_id.ids)
        domain = [("company_id", "=", self.company_id.id), ("date", "<=", self.date_to),
                  "|", ("received", "!=", 0), ("paid", "!=", 0)]
        if self.journal_ids:
            domain.append(("journal_id", "in", self.journal_ids.ids))
        opening = {
            (partner, matter): balance for partner, matter, balance in Ledger._read_group(
                [*domain, ("date", "<", self.date_from)], ["partner_id", "matter_id"],
                ["balance:sum"])}
        lines = Ledger.search([*domain, ("date", ">=", self.date_from)])
        per_matter = {}
        for line in lines:
            per_matter.setdefault((line.partner_id, line.matter_id), []).append(line)
        currency = self.company_id.currency_id
        keys = {key for key, balance in opening.items() if not currency.is_zero(balance)}
        keys.update(per_matter)
        kinds = dict(self.env["account.trust.ledger"]._fields["kind"]._description_selection(
            self.env))
        rows = []
        for partner, matter in sorted(keys, key=lambda key: (
                (key[0].display_name or "").lower(), key[1].reference or "", key[1].id or 0)):
            running = opening.get((partner, matter), 0.0)
            rows.append(("", partner.display_name or "", matter.reference or "",
                         self.date_from, _("Opening balance"), "", matter.name or "",
                         None, None, currency.round(running)))
            for line in sorted(per_matter.get((partner, matter), []),
                               key=lambda line: (line.date, line.id)):
                running += line.balance
                tx = line.transaction_id
                rows.append((
                    line.journal_id.name, partner.display_name or "", matter.reference or "",
                    line.date, tx.name or line.move_id.name, kinds.get(line.kind, ""),
                    tx.memo or line.label or "",
                    line.received or None, line.paid or None, currency.round(running)))
        return rows

    def _csv(self, rows):
        digits = self.company_id.currency_id.decimal_places
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HEADER)
        for row in rows:
            writer.writerow([
                ("%.*f" % (digits, value)) if isinstance(value, float)
                else fields.Date.to_string(value) if isinstance(value, date)
                else "" if value is None else value
                for value in row])
        # With a byte order mark: spreadsheets read the client names as UTF-8.
        return out.getvalue().encode("utf-8-sig")

    def _xlsx(self, rows):
        out = io.BytesIO()
        book = xlsxwriter.Workbook(out, {"in_memory": True})
        sheet = book.add_worksheet(_("Trust ledgers")[:31])
        bold = book.add_format({"bold": True})
        decimals = "0" * self.company_id.currency_id.decimal_places
        money = book.add_format({"num_format": "#,##0.%s" % decimals})
        day = book.add_format({"num_format": "yyyy-mm-dd"})
        sheet.write_row(0, 0, HEADER, bold)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row):
                if value is None:
                    continue
                if isinstance(value, date):
                    sheet.write_datetime(r, c, datetime.combine(value, datetime.min.time()), day)
                elif isinstance(value, float):
                    sheet.write_number(r, c, value, money)
                else:
                    sheet.write_string(r, c, value)
        sheet.set_column(0, 2, 20)
        sheet.set_column(3, 4, 14)
        sheet.set_column(5, 6, 28)
        sheet.set_column(7, 9, 14)
        sheet.freeze_panes(1, 0)
        book.close()
        return out.getvalue()

    def action_export(self):
        self.ensure_one()
        rows = self._rows()
        data = self._csv(rows) if self.file_format == "csv" else self._xlsx(rows)
        self.write({
            "export_file": base64.b64encode(data),
            "export_filename": "trust-ledgers-%s-%s-to-%s.%s" % (
                self.company_id.name.replace("/", "-"), self.date_from, self.date_to,
                self.file_format),
        })
        return {
            "type": "ir.actions.act_url",
            "target": "self",
            "url": "/web/content/%s/%s/export_file/%s?download=true" % (
                self._name, self.id, self.export_filename),
        }
