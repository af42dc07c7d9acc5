"""Bad input catalogue: what a firm, a browser or Xero may hand the addon
that is wrong, one test each. Each asserts what the user sees where they
act (the callback page, the document's Xero state and error, the Sync Log,
the connection) and what is kept (nothing sent twice, nothing lost, nothing
stored from a refused answer). README.rst's "Bad input" table lists them."""

import html
import re
from datetime import date, datetime, timedelta, timezone
from email.utils import format_datetime
from urllib.parse import parse_qs, urlsplit

import requests

from odoo import fields
from odoo.exceptions import UserError, ValidationError
from odoo.tests import HttpCase, new_test_user, tagged

from odoo.addons.account_xero.xero.pacer import pacer_for

from .common import XeroSandboxMixin
from .common import XeroPushCommon

TOKEN_FIELDS = ("access_token", "refresh_token", "token_expires_at", "tenant_id", "tenant_name",
                "xero_connection_id", "state", "pending_tenants")
REFUSED = "The connection to Xero was not made"


# ---------------------------------------------------------------------------
# The OAuth round trip: the page the admin lands on
# ---------------------------------------------------------------------------
@tagged("post_install", "-at_install")
class TestBadCallback(XeroSandboxMixin, HttpCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.manager = new_test_user(
            cls.env, login="xero_bad_manager",
            groups="base.group_user,account_xero.group_xero_manager",
            company_id=cls.company.id, company_ids=[cls.company.id])
        cls.conn = cls.env["xero.connection"].sudo().create({
            "company_id": cls.company.id, "client_id": cls.xero_client_id,
            "client_secret": cls.xero_client_secret})

    def setUp(self):
        super().setUp()
        self._xero_clear_sandbox()
        self.authenticate("xero_bad_manager", "xero_bad_manager")
        # A working connection: "nothing changed" then means something.
        self._xero_connect(self.company)
        self.env.flush_all()

    def _location(self, tenants=None):
        """Click "Connect to Xero", consent in Xero: Xero's redirect back."""
        url = self.conn.with_user(self.manager).action_connect()["url"]
        page = requests.get(url, timeout=10)
        hidden = [(n, html.unescape(v)) for n, v in
                  re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.text)]
        data = hidden + [("tenant", t) for t in (tenants or [self.xero_tenant_id])] \
            + [("action", "allow")]
        resp = requests.post(self.srv.url + "/identity/connect/authorize", data=data,
                             allow_redirects=False, timeout=10)
        return resp.headers["Location"]

    def _snapshot(self):
        self.env.invalidate_all()
        conn = self.conn.sudo()
        return {f: conn[f] for f in TOKEN_FIELDS}

    def assertRefused(self, url, *expected, absent=()):
        """400, the refusal page with ``expected``; the connection unchanged."""
        before = self._snapshot()
        resp = self.url_open(url, allow_redirects=False)
        self.assertEqual(resp.status_code, 400, resp.text[:500])
        page = html.unescape(resp.text)
        self.assertIn(REFUSED, page)
        for text in expected:
            self.assertIn(text, page)
        for text in absent:
            self.assertNotIn(text, page)
        self.assertEqual(self._snapshot(), before, "a refused callback changed the connection")
        return resp

    def assertCompletes(self, url):
        resp = self.url_open(url, allow_redirects=False)
        self.assertIn(resp.status_code, (302, 303), resp.text[:500])
        self.env.invalidate_all()
        self.assertEqual(self.conn.sudo().state, "connected")

    @staticmethod
    def _param(url, name):
        return parse_qs(urlsplit(url).query)[name][0]

    def test_callback_non_ascii_state(self):
        self.assertRefused("/xero/oauth/callback?code=abc&state=%C3%A9t%C3%A9.%F0%9F%92%A9",
                           "not one this database made")

    def test_callback_forged_state(self):
        location = self._location()
        state = self._param(location, "state")
        raw, sig = state.split(".")
        self.assertRefused(location.replace(state, raw + "." + "0" * len(sig)), "invalid signature")
        self.assertCompletes(location)  # the genuine answer still works

    def test_callback_expired_state(self):
        location = self._location()
        row = self.env["xero.oauth.state"].sudo().search([("connection_id", "=", self.conn.id)],
                                                         limit=1)
        row.expires_at = fields.Datetime.now() - timedelta(minutes=1)
        self.env.flush_all()
        self.assertRefused(location, "expired")

    def test_callback_replayed_state(self):
        location = self._location()
        self.assertCompletes(location)
        self.assertRefused(location, "already used")

    def test_callback_malformed_code(self):
        location = self._location()
        code = self._param(location, "code")
        self.assertRefused(location.replace(code, "%C3%A9" * 5),
                           "authorization code that is not valid")
        self.assertCompletes(location)  # the state was not spent

    def test_callback_repeated_parameters(self):
        location = self._location()
        self.assertRefused(location + "&state=" + self._param(location, "state"), "more than once")
        self.assertCompletes(location)

    def test_callback_missing_parameters(self):
        self.assertRefused("/xero/oauth/callback", "carried no state")

    def test_callback_unknown_error_code(self):
        self.assertRefused(
            "/xero/oauth/callback?error=%3Cb%3Ecall+us%3C%2Fb%3E&error_description=0800+123",
            "error this page does not recognise", absent=("call us", "0800"))

    def test_callback_access_denied(self):
        self.assertRefused("/xero/oauth/callback?error=access_denied",
                           "Access was not granted in Xero")

    def test_callback_token_answer_html(self):
        location = self._location()
        self.srv.faults.html(200, path="/connect/token")
        self.assertRefused(location, "HTML page")

    def test_callback_token_answer_truncated(self):
        location = self._location()
        self.srv.faults.truncate(length=25, path="/connect/token")
        self.assertRefused(location, "not JSON")

    def test_callback_code_refused_by_xero(self):
        location = self._location()
        self.assertRefused(location.replace(self._param(location, "code"), "not-a-real-code"),
                           "Xero refused the authorization")

    def test_tenant_choice_invalid_guid(self):
        second = self.srv.add_tenant("Second Ltd (AU)", country="AU", base_currency="AUD")
        page = self.url_open(self._location([self.xero_tenant_id, second]))
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        resp = self.url_open("/xero/oauth/tenant", data={
            "csrf_token": csrf, "connection_id": self.conn.id, "tenant_id": "not-a-guid'--"},
            allow_redirects=False)
        self.assertEqual(resp.status_code, 400)
        self.assertIn("Choose one of the organisations Xero offered", html.unescape(resp.text))
        self.env.invalidate_all()
        self.assertEqual(self.conn.sudo().state, "choose_tenant", "the choice is still open")
        self.assertEqual(len(self.conn.sudo().pending_tenants), 2)

    def test_tenant_choice_out_of_range_connection(self):
        resp = self.url_open("/xero/oauth/tenant?connection_id=99999999999999999999",
                             allow_redirects=False)
        self.assertEqual(resp.status_code, 400)
        self.assertIn("You cannot manage this Xero connection", html.unescape(resp.text))


# ---------------------------------------------------------------------------
# Answers from Xero that are not what they should be
# ---------------------------------------------------------------------------
class BadInputPushCommon(XeroPushCommon):

    def setUp(self):
        super().setUp()
        self.addCleanup(self.srv.faults.clear)
        self.addCleanup(setattr, pacer_for(self.srv.url, self.xero_tenant_id), "blocked_until", 0.0)

    def sent_invoice(self, **kw):
        """A posted invoice that reached Xero (with its contact)."""
        invoice = self.make_invoice(**kw)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        return invoice

    def assertQueued(self, record, operation, words):
        """Waits to be sent again (the Sync Log and the document say why)."""
        job = self.jobs(record, operation)[-1:]
        self.assertEqual(job.state, "pending", job.error)
        self.assertIn(words, job.error)
        self.assertEqual(record.xero_state, "queued")
        return job

    def assertBlockedWith(self, record, operation, words):
        job = self.jobs(record, operation)[-1:]
        self.assertEqual(job.state, "blocked", job.error)
        self.assertIn(words, job.error)
        self.assertEqual(record.xero_state, "blocked")
        self.assertIn(words, record.xero_error)
        return job

    def due_now(self, job):
        self.env.cr.execute("UPDATE xero_sync_job SET next_try_at = now() AT TIME ZONE 'UTC' "
                            "- interval '1 second' WHERE id IN %s", [tuple(job.ids)])
        self.env.invalidate_all()

    def count(self, move):
        return self.srv.store.count_invoices(self.xero_tenant_id, move.name)


@tagged("post_install", "-at_install")
class TestBadAnswers(BadInputPushCommon):

    def test_html_answer(self):
        self.sent_invoice()
        self.srv.faults.html(502, path="*/Invoices", method="PUT", times=None)
        invoice = self.make_invoice(amounts=(20.0,))
        self.push()
        job = self.assertQueued(invoice, "invoice", "HTML page")
        self.assertNotIn("<html", job.error.lower())
        self.srv.faults.clear()
        self.due_now(job)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.count(invoice), 1)

    def test_html_answer_with_200(self):
        self.sent_invoice()
        self.srv.faults.html(200, path="*/Invoices", method="PUT", times=None)
        invoice = self.make_invoice(amounts=(21.0,))
        self.push()
        self.assertQueued(invoice, "invoice", "HTML page")
        self.assertEqual(self.count(invoice), 0)

    def test_truncated_answer(self):
        """Xero stored the invoice but its answer was cut short: looked up
        on the next run, never sent twice."""
        self.sent_invoice()
        self.srv.faults.truncate(length=60, path="*/Invoices", method="PUT")
        invoice = self.make_invoice(amounts=(22.0,))
        self.push()
        # Sent again with the same Idempotency-Key: Xero's first answer comes back.
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.count(invoice), 1)
        puts = [r for r in self.api_requests() if r.get("tenant_id") == self.xero_tenant_id
                and r["method"] == "PUT" and r["path"].endswith("/Invoices")]
        self.assertEqual(len(puts), 3, "the first invoice's, the cut answer's and its retry")

    def test_error_answer_that_is_not_an_object(self):
        """A 400 whose body is JSON but not Xero's error object."""
        self.sent_invoice()
        self.srv.faults.status(400, body='"Bad request"', path="*/Invoices", method="PUT",
                               times=None)
        invoice = self.make_invoice(amounts=(23.0,))
        self.push()
        self.assertFailedWith(invoice, "invoice", "Xero rejected the request")
        self.assertEqual(self.count(invoice), 0)

    def test_retry_after_as_http_date(self):
        """RFC 9110 section 10.2.3: Retry-After may be an HTTP-date."""
        self.sent_invoice()
        until = datetime.now(timezone.utc) + timedelta(minutes=3)
        self.srv.faults.rate_limit(retry_after=format_datetime(until, usegmt=True),
                                   path="*/Invoices", method="PUT")
        invoice = self.make_invoice(amounts=(24.0,))
        start = fields.Datetime.now()
        self.push()
        job = self.assertQueued(invoice, "invoice", "rate limit")
        self.assertEqual(job.attempts, 0)
        self.assertGreater(job.next_try_at, start + timedelta(seconds=150))

    def test_refused_token(self):
        """The refresh token was revoked in Xero: the documents wait, queued,
        saying to reconnect (the connection's own "Reconnect needed" is
        tested by test_oauth's test_invalid_grant_expires_connection)."""
        self.sent_invoice()
        conn = self.connection.sudo()
        self.srv.store.refresh_tokens[conn.refresh_token]["revoked"] = True
        conn.token_expires_at = fields.Datetime.now() - timedelta(minutes=1)
        self.srv.expire_access_tokens()
        invoice = self.make_invoice(amounts=(25.0,))
        self.push()
        self.env.invalidate_all()
        self.assertQueued(invoice, "invoice", "reconnect")
        self.assertEqual(self.count(invoice), 0)

    def test_organisation_disconnected_in_xero(self):
        """The app was disconnected from the organisation in Xero (403)."""
        self.sent_invoice()
        with self.srv.store.lock:
            self.srv.store.connections.clear()
        invoice = self.make_invoice(amounts=(26.0,))
        self.push()
        self.env.invalidate_all()
        self.assertIn("Xero refused access to this organisation", self.connection.last_error)
        self.assertQueued(invoice, "invoice", "Xero refused access to this organisation")


# ---------------------------------------------------------------------------
# What the firm's data holds that Xero refuses
# ---------------------------------------------------------------------------
@tagged("post_install", "-at_install")
class TestBadData(BadInputPushCommon):

    def test_locked_period(self):
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=date(2025, 6, 30))
        bill = self.make_invoice("in_invoice", date="2025-06-15")
        self.push()
        job = self.assertFailedWith(bill, "invoice", "The document date cannot be before the "
                                                     "period lock date, currently set at 30-Jun-2025")
        self.assertEqual(self.jobs(self.partner_a, "contact").state, "done")
        # The lock lifted, Retry sends it (once).
        self.srv.store.set_lock_dates(self.xero_tenant_id, period=None)
        job.action_retry()
        self.push()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        self.assertEqual(self.count(bill), 1)

    def test_currency_not_subscribed(self):
        with self.srv.store.lock:
            self.tenant().currencies = [c for c in self.tenant().currencies if c["Code"] != "AUD"]
        invoice = self.make_invoice(currency=self.other_currency)
        self.push()
        self.assertFailedWith(invoice, "invoice", "Organisation is not subscribed to currency AUD")

    def test_payment_over_amount_due(self):
        from xero_python.accounting import Account, Invoice, Payment
        invoice = self.sent_invoice(amounts=(100.0,))
        api = self.connection._xero_accounting_client()
        done = api.create_payments([Payment(invoice=Invoice(invoice_id=invoice.xero_id),
                                            account=Account(code="090"), amount=30.0,
                                            date=date(2025, 6, 5))], "paid-in-xero-bad")
        self.assertTrue(done[0].ok, done[0].message)
        payment = self.pay(invoice)
        self.push()
        self.assertFailedWith(payment, "payment",
                              "Payment amount exceeds the amount outstanding on this document")
        self.assertEqual(invoice.xero_state, "sent")

    def test_missing_account_mapping(self):
        account = self.company_data["default_account_revenue"]
        self.env["xero.account.map"].search([("account_id", "=", account.id)]).unlink()
        invoice = self.make_invoice()
        self.push()
        self.assertBlockedWith(invoice, "invoice", account.display_name)
        self.assertFalse(self.xero_docs("Invoices"))

    def test_mapping_to_archived_xero_account(self):
        """Archived in Xero after it was mapped: Xero's words on the document."""
        with self.srv.store.lock:
            for account in self.tenant().accounts:
                if account.get("Code") == "200":
                    account["Status"] = "ARCHIVED"
        invoice = self.make_invoice()
        self.push()
        self.assertFailedWith(invoice, "invoice", "has been archived")
        self.assertFalse(self.xero_docs("Invoices"))

    def test_archived_contact_in_xero(self):
        first = self.sent_invoice()
        contact_id = self.xero_doc("Invoices", first.xero_id)["Contact"]
        with self.srv.store.lock:
            contacts = self.tenant().docs["Contacts"]
            contacts[contact_id.lower()] = dict(contacts[contact_id.lower()],
                                                ContactStatus="ARCHIVED")
        second = self.make_invoice(amounts=(30.0,))
        self.push()
        self.assertFailedWith(second, "invoice", "is archived and cannot be used on this document")

    def test_partner_without_name(self):
        """An invoice address without a name of its own."""
        parent = self.env["res.partner"].create({"name": "Harrow & Vale", "is_company": True})
        address = self.env["res.partner"].create({"parent_id": parent.id, "type": "invoice"})
        invoice = self.make_invoice(partner=address)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        contact = self.xero_doc("Contacts", self.xero_doc("Invoices", invoice.xero_id)["Contact"])
        # Xero's contact is the commercial partner's (Odoo requires a name
        # everywhere else: "Contacts require a name").
        self.assertEqual(contact["Name"], "Harrow & Vale")

    def test_email_xero_refuses(self):
        """An email Xero would refuse ("Email address must be valid."): the
        contact goes without it, the partner keeps it as it is."""
        partner = self.env["res.partner"].create({"name": "Odd Email Ltd",
                                                  "email": "accounts@@odd-email"})
        # Xero's words for an invalid EmailAddress (a ValidationException),
        # should it be sent.
        self.srv.faults.status(400, body=(
            '{"ErrorNumber": 10, "Type": "ValidationException", "Message": "A validation '
            'exception occurred", "Elements": [{"ValidationErrors": [{"Message": "Email address '
            'must be valid."}]}]}'), path="*/Contacts", body_contains="accounts@@odd-email",
            times=None)
        invoice = self.make_invoice(partner=partner)
        self.push()
        self.assertEqual(self.jobs(partner, "contact").state, "done")
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        contact = self.xero_doc("Contacts", self.xero_doc("Invoices", invoice.xero_id)["Contact"])
        self.assertFalse(contact.get("EmailAddress"))
        self.assertEqual(partner.email, "accounts@@odd-email", "the partner is left as it is")

    def test_invoice_waiting_for_a_refused_contact_says_why(self):
        """Xero refuses the invoice's contact: the invoice says why it waits."""
        partner = self.env["res.partner"].create({"name": "Refused Counsel Ltd"})
        self.srv.faults.status(400, body=(
            '{"Type": "ValidationException", "Elements": [{"ValidationErrors": '
            '[{"Message": "The contact could not be saved."}]}]}'),
            path="*/Contacts", method="PUT", body_contains="Refused Counsel Ltd", times=None)
        invoice = self.make_invoice(partner=partner)
        self.push()
        self.due_now(self.jobs(invoice, "invoice"))
        self.push()
        self.assertIn(invoice.xero_state, ("queued", "blocked"))
        self.assertIn("The contact could not be saved.", invoice.xero_error or "")
        self.assertFalse(self.xero_docs("Invoices"))

    def test_name_longer_than_xero_takes(self):
        """Xero's Contact Name is at most 255 characters."""
        name = "Counsel " * 40
        partner = self.env["res.partner"].create({"name": name})
        invoice = self.make_invoice(partner=partner)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        contact = self.xero_doc("Contacts", self.xero_doc("Invoices", invoice.xero_id)["Contact"])
        self.assertEqual(len(contact["Name"]), 255)
        self.assertEqual(partner.name, name, "Odoo's name is kept whole")

    def test_invalid_guid_on_a_document(self):
        """A Xero id that is no GUID, altered by hand: a job refuses it; on
        the invoice, the payment is refused in Xero's words and the invoice
        keeps its state."""
        invoice = self.sent_invoice()
        job = self.jobs(invoice, "invoice")
        with self.assertRaises(ValidationError):
            job.sudo().write({"xero_id": "not-a-guid"})
        invoice.sudo().write({"xero_id": "not-a-guid"})
        payment = self.pay(invoice)
        self.push()
        self.assertEqual(self.jobs(payment, "payment").state, "failed")
        self.assertEqual(payment.xero_state, "failed")
        self.assertIn("Invoice could not be found", payment.xero_error)
        self.assertEqual(invoice.xero_state, "sent")
        self.assertFalse(self.xero_docs("Payments"))

    def test_deleted_document(self):
        """Posted, then reset and deleted before the cron ran: nothing goes."""
        invoice = self.make_invoice()
        job = self.jobs(invoice, "invoice")
        invoice.button_draft()
        invoice.unlink()
        self.push()
        self.assertEqual(job.state, "cancelled")
        self.assertEqual(job.error, "Reset to draft before it reached Xero.")
        self.assertFalse(self.xero_docs("Invoices"))

    def test_document_voided_in_xero(self):
        """Voided in Xero by somebody, then paid in Odoo: Xero's words on the payment."""
        invoice = self.sent_invoice()
        with self.srv.store.lock:
            doc = self.tenant().docs["Invoices"][invoice.xero_id.lower()]
            doc["Status"] = "VOIDED"
        payment = self.pay(invoice)
        self.push()
        self.assertFailedWith(payment, "payment", "Authorised")
        self.assertEqual(invoice.xero_state, "sent")

    def test_deleted_connection(self):
        """Deleting the connection with documents queued must not lose the
        queue silently."""
        invoice = self.make_invoice()
        job = self.jobs(invoice, "invoice")
        self.assertTrue(job)
        with self.assertRaises(UserError):
            self.connection.unlink()
        self.assertTrue(job.exists())
