"""A base for what comes back from Xero: acting "in Xero" (the sandbox's API
as another app, or a bookkeeper, would), events in the inbox, the pull."""

import requests

from .common import XeroPushCommon


class XeroInboundCommon(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.Event = cls.env["xero.webhook.event"].sudo()
        cls.bank = cls.company_data["default_journal_bank"]
        # One journal per Xero bank account: the cash journal to Savings.
        cash = cls.company_data["default_journal_cash"]
        cls.env["xero.account.map"].search([
            ("connection_id", "=", cls.connection.id),
            ("account_id", "=", cash.default_account_id.id)]).xero_account_id = cls.xa["091"]
        # Their banks are reconciled in Xero: payments made there come back.
        (cls.bank | cash).xero_bank_reconciled_in = "xero"

    def setUp(self):
        super().setUp()
        # Told by webhook; polling has its own tests.
        self.connection.sudo().pull_polled_at = "2999-01-01 00:00:00"
        self._event_second = 0

    def xero_api(self, method, path, body=None):
        """What a bookkeeper does in Xero's own web app (the sandbox's
        control API: Xero's rules, not the addon's connection)."""
        response = requests.post(
            "%s/_sandbox/tenants/%s/in_xero" % (self.srv.url, self.xero_tenant_id), timeout=10,
            json={"method": method, "path": path, "body": body})
        self.assertLess(response.status_code, 300, response.text)
        return response.json()

    def pay_in_xero_on(self, target, xero_id, amount, code="090", **extra):
        """A payment made in Xero on ``target`` ("Invoice" or "CreditNote")
        ``xero_id``: Xero's answer."""
        return self.xero_api("PUT", "Payments", {"Payments": [dict({
            target: {target + "ID": xero_id}, "Account": {"Code": code}, "Amount": amount,
            "Date": "2025-06-20", "Reference": "Bank feed"}, **extra)]})["Payments"][0]

    def imported(self, move):
        """The Odoo payments registered from payments made in Xero on ``move``."""
        return self.env["account.payment"].search([("xero_import_move_id", "=", move.id)])

    def event(self, category, xero_id):
        """One event of Xero's in the inbox (each a second after the last)."""
        self._event_second += 1
        when = "2026-12-01T10:00:%02d.000" % self._event_second
        self.Event._xero_insert_events([(
            self.connection.id, self.company.id, category, "UPDATE", xero_id.lower(), when,
            "2026-12-01 10:00:%02d" % self._event_second)])

    def pull(self):
        """One run of the cron "Xero: pull"."""
        self.env.invalidate_all()
        done = self.Event._cron_pull()
        self.env.invalidate_all()
        return done

    def events(self):
        return self.Event.search([("connection_id", "=", self.connection.id)])

    def contact_posts(self, since=0):
        """The contact writes Xero received after the ``since``-th request."""
        return [r for r in self.api_requests()[since:]
                if r["method"] in ("PUT", "POST") and "/Contacts" in r["path"]]
