"""Shared set-up of the trust report tests: the URL Odoo 18's web client
builds to print a report (web/static/src/webclient/actions/reports/utils.js,
getReportUrl), and a trust clerk and a bookkeeper who print as it does.
No test here."""

import json
from urllib.parse import quote

from lxml import html

from odoo import Command
from odoo.tests import HttpCase, new_test_user

from .common_trust import TrustCommon, amount

RECONCILIATION = "account_xero.report_trust_reconciliation"


def report_url(action, converter="html", user_context=None):
    """The URL getReportUrl builds for an ir.actions.report ``action``: with
    ``data`` (a wizard's options) the ids are not in the URL, only the options
    and the action's context; without, the context's active_ids are."""
    url = "/report/%s/%s" % (converter, action["report_name"])
    context = action.get("context") or {}
    if action.get("data"):
        url += "?options=%s&context=%s" % (
            quote(json.dumps(action["data"], default=str)), quote(json.dumps(context, default=str)))
    else:
        if context.get("active_ids"):
            url += "/" + ",".join(str(i) for i in context["active_ids"])
        if converter == "html":
            url += "?context=%s" % quote(json.dumps(user_context or {}))
    return url


class TrustReportCommon(TrustCommon, HttpCase):
    """Trust in the test company, a trust user and a plain accounting user
    of that company, and a way to print as the web client does."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # A chosen layout: printing goes straight to the report.
        cls.company.external_report_layout_id = cls.env.ref("web.external_layout_standard")
        company = cls.company
        cls.trust_user = new_test_user(
            cls.env, "trust.clerk", groups="base.group_user,account_xero.group_trust_user",
            company_id=company.id, company_ids=[Command.set(company.ids)])
        cls.bookkeeper = new_test_user(
            cls.env, "book.keeper", groups="base.group_user,account.group_account_invoice",
            company_id=company.id, company_ids=[Command.set(company.ids)])

    def print_url(self, login, url):
        """GET ``url`` as ``login`` (password = login, as new_test_user sets)."""
        self.authenticate(login, login)
        return self.url_open(url, timeout=60)

    def print_action(self, login, action, converter="html"):
        response = self.print_url(login, report_url(action, converter))
        self.assertEqual(response.status_code, 200, response.text[:500])
        return html.fromstring(response.content)

    def figure(self, doc, css):
        nodes = doc.find_class(css)
        self.assertEqual(len(nodes), 1, css)
        return amount(nodes[0].text_content())

    def clients(self, doc):
        return {row.find_class("o_trust_client_name")[0].text_content().strip():
                amount(row.find_class("o_trust_client_balance")[0].text_content())
                for row in doc.find_class("o_trust_client")}
