"""The Xero client against the sandbox over real HTTP: what each failure of
Xero becomes, and that the client recovers where it can."""

import logging
from datetime import date

from odoo.tests import tagged

from xero_python.accounting import Account, Contact, Invoice, LineAmountTypes, LineItem, Payment

from ..xero.client import AccountingClient
from ..xero.identity import IdentityClient
from ..xero.pacer import TenantPacer
from ..xero.errors import (
    XeroForbiddenError,
    XeroOAuthError,
    XeroRateLimited,
    XeroTransientError,
    XeroValidationError,
)
from .common_sandbox import XeroClientCase


def _value(enum_or_str):
    """xero-python gives enums for some fields and plain strings for others."""
    return getattr(enum_or_str, "value", enum_or_str)


@tagged("post_install", "-at_install")
class TestXeroClient(XeroClientCase):
    def test_reads_reference_data(self):
        org = self.api.get_organisation()
        self.assertEqual(_value(org.base_currency), "NZD")
        accounts = self.api.get_accounts()
        codes = {a.code for a in accounts if a.code}
        self.assertIn("200", codes)
        self.assertTrue(any(_value(a.status) == "ARCHIVED" for a in accounts),
                        "archived accounts come back too: maps may point at them")
        self.assertTrue(self.api.get_tax_rates())
        self.assertIn("NZD", {_value(c.code) for c in self.api.get_currencies()})

    def test_expired_token_is_refreshed_once_and_the_call_succeeds(self):
        self.srv.expire_access_tokens()
        self.assertTrue(self.api.get_accounts())
        self.assertEqual(self.tokens.refreshes, 1)

    def test_short_rate_limit_is_waited_out(self):
        self.srv.faults.rate_limit(retry_after=1, path="*/Accounts", times=1)
        self.assertTrue(self.api.get_accounts())
        self.assertEqual(self.api.calls["get_accounts"], 2)

    def test_long_rate_limit_is_raised_for_the_queue(self):
        self.srv.faults.rate_limit(retry_after=120, problem="minute", path="*/Accounts", times=1)
        with self.assertRaises(XeroRateLimited) as cm:
            self.api.get_accounts()
        self.assertEqual(cm.exception.retry_after, 120)
        self.assertEqual(cm.exception.problem, "minute")

    def test_server_errors_are_retried_then_reported(self):
        self.srv.faults.status(503, path="*/Accounts", times=1)
        self.assertTrue(self.api.get_accounts(), "one 503 is retried")
        self.srv.faults.status(500, path="*/Accounts", times=None)
        with self.assertRaises(XeroTransientError) as cm:
            self.api.get_accounts()
        self.assertEqual(cm.exception.status, 500)
        self.assertEqual(self.api.calls["get_accounts"], 1 + 1 + 3)

    def test_html_page_is_a_clear_transient_error(self):
        self.srv.faults.html(502, path="*/Accounts", times=None)
        with self.assertRaises(XeroTransientError) as cm:
            self.api.get_accounts()
        self.assertIn("HTML page", cm.exception.message)
        self.assertNotIn("<html", cm.exception.message.lower())

    def test_dropped_connection_and_timeout_are_transient(self):
        self.srv.faults.drop(path="*/Accounts", times=None)
        with self.assertRaises(XeroTransientError):
            self.api.get_accounts()
        self.srv.faults.clear()
        self.srv.faults.slow(seconds=3, path="*/TaxRates", times=None)
        with self.assertRaises(XeroTransientError) as cm:
            self.api.get_tax_rates()
        self.assertIn("timed out", cm.exception.message)

    def test_tenant_not_connected_is_forbidden(self):
        other = self.srv.add_tenant(name="Other Ltd")
        api = AccountingClient(self.endpoints, other, self.tokens, timeout=2, pacer=TenantPacer())
        with self.assertRaises(XeroForbiddenError):
            api.get_accounts()

    def test_identity_errors(self):
        with self.assertRaises(XeroOAuthError) as cm:
            self.identity.refresh("not-a-refresh-token")
        self.assertEqual(cm.exception.error, "invalid_grant")
        self.assertIn("Connect to Xero again", cm.exception.message)
        self.srv.faults.html(500, path="/connect/token", times=1)
        with self.assertRaises(XeroTransientError) as cm:
            self.identity.refresh(self.tokens.refresh_token)
        self.assertIn("HTML page", cm.exception.message)
        bad = IdentityClient(self.endpoints, "demo", "wrong-secret", timeout=5)
        with self.assertRaises(XeroOAuthError) as cm:
            bad.refresh(self.tokens.refresh_token)
        self.assertEqual(cm.exception.error, "invalid_client")

    def test_refresh_rotates_and_connections_list_the_tenant(self):
        old = self.tokens.refresh_token
        tokens = self.identity.refresh(old)
        self.assertNotEqual(tokens.refresh_token, old)
        self.assertNotIn(tokens.access_token, repr(tokens))
        tenants = self.identity.connections(tokens.access_token)
        self.assertIn(self.tenant_id, [t["tenantId"] for t in tenants])

    def test_no_token_in_logs(self):
        with self.assertLogs("odoo.addons.account_xero", level="DEBUG") as logs:
            logging.getLogger("odoo.addons.account_xero").debug("start")
            self.srv.expire_access_tokens()
            self.api.get_accounts()
        text = "\n".join(logs.output)
        self.assertNotIn(self.tokens.token, text)
        self.assertNotIn(self.tokens.refresh_token, text)


def _invoice(number, code="200", amount=100):
    return Invoice(
        type="ACCREC", contact=Contact(name="Client %s" % number), invoice_number=number,
        date=date(2026, 11, 1), due_date=date(2026, 11, 30), status="AUTHORISED",
        line_amount_types=LineAmountTypes.EXCLUSIVE,
        line_items=[LineItem(description="Advice", quantity=1, unit_amount=amount,
                             account_code=code, tax_type="OUTPUT2")],
    )


@tagged("post_install", "-at_install")
class TestXeroClientWrites(XeroClientCase):
    """Batch writes: one result per element, and no duplicate on retries."""

    def _count(self, number):
        return self.srv.store.count_invoices(self.tenant_id, number)

    def test_batch_with_one_invalid_element(self):
        results = self.api.create_invoices(
            [_invoice("INV-1"), _invoice("INV-2", code="999"), _invoice("INV-3")], "key-batch-1")
        self.assertEqual([r.ok for r in results], [True, False, True])
        self.assertTrue(results[0].xero_id)
        self.assertIsNone(results[1].xero_id)
        self.assertTrue(results[1].errors, "Xero's own message is kept for the user")
        self.assertEqual((self._count("INV-1"), self._count("INV-2"), self._count("INV-3")), (1, 0, 1))

    def test_crash_after_accept_is_replayed_not_duplicated(self):
        self.srv.faults.fail_after_commit(then="drop", path="*/Invoices", method="PUT", times=1)
        results = self.api.create_invoices([_invoice("INV-10")], "key-crash-1")
        self.assertTrue(results[0].ok)
        self.assertEqual(self._count("INV-10"), 1, "the retry with the same Idempotency-Key "
                                                     "got Xero's first answer back")
        self.assertEqual(self.api.calls["create_invoices"], 2)

    def test_write_without_key_is_not_repeated(self):
        self.srv.faults.status(503, path="*/Invoices", method="PUT", times=1)
        with self.assertRaises(XeroTransientError):
            self.api.create_invoices([_invoice("INV-20")], None)
        self.assertEqual(self.api.calls["create_invoices"], 1)

    def test_payment_over_the_amount_due_is_refused_with_xeros_words(self):
        inv = self.api.create_invoices([_invoice("INV-30", amount=100)], "key-pay-inv")[0]
        self.assertTrue(inv.ok)
        pay = Payment(invoice=Invoice(invoice_id=inv.xero_id), account=Account(code="090"),
                      amount=500, date=date(2026, 11, 2))
        result = self.api.create_payments([pay], "key-pay-1")[0]
        self.assertFalse(result.ok)
        self.assertIn("exceeds the amount outstanding", result.message)

    def test_look_up_by_number(self):
        self.api.create_invoices([_invoice("INV-40")], "key-lookup")
        found = self.api.get_invoices(invoice_numbers=["INV-40"])
        self.assertEqual([i.invoice_number for i in found], ["INV-40"])

    def test_summarized_validation_error_is_raised_with_messages(self):
        from xero_python.accounting import Invoices
        with self.assertRaises(XeroValidationError) as cm:
            self.api.call("create_invoices", Invoices(invoices=[_invoice("INV-50", code="999")]),
                          idempotency_key="key-summarized")
        self.assertTrue(cm.exception.messages)
