"""The one choke point for HTTP to Xero's Accounting API (with
``identity.py``, Xero's identity service: every HTTP call to Xero).

``AccountingClient`` wraps xero-python's
``AccountingApi`` and adds what every call needs: the bearer token and one
refresh on 401, pacing within Xero's limits (5 calls in flight, 60 a minute
and 5,000 a day per tenant, read back from Xero's X-*Limit-Remaining
headers), short waits on 429 that honour Retry-After, a couple of retries with
backoff on 5xx and timeouts for requests that are safe to repeat (reads, and
writes carrying an Idempotency-Key), and the mapping of every failure onto
``errors``. Batch writes are sent with summarizeErrors=false and come back as
one :class:`ElementResult` per element, in request order.

No ``odoo`` import here: the ORM side hands in a token source and gets back
xero-python models and plain results.
"""

import collections
import contextlib
import json
import logging
import time

import certifi
import urllib3
from xero_python.accounting import AccountingApi
from xero_python.accounting import models as xm
from xero_python.api_client import ApiClient
from xero_python.api_client.configuration import Configuration
from xero_python.exceptions import ApiException

from .errors import (
    XeroAuthError,
    XeroError,
    XeroForbiddenError,
    XeroNotFound,
    XeroOutOfTime,
    XeroRateLimited,
    XeroTransientError,
    XeroValidationError,
)
from .answers import ElementResult, element_results, trial_balance_row, validation_messages
from .identity import describe_body
from .pacer import CONCURRENT_LIMIT, _retry_after, pacer_for

_logger = logging.getLogger(__name__)

MIN_ATTEMPT = 5  # seconds: an attempt with less time left before the deadline is not sent
BATCH_SIZE = 50


# ---------------------------------------------------------------------------
# Accounting
# ---------------------------------------------------------------------------
# GUIDs in one ``where`` of a read by ids (get_by_ids): Xero's filters go in
# the query string, which stays well under common URL limits at this size.
WHERE_IDS = 40


class _BearerConfiguration(Configuration):
    """xero-python configuration whose OAuth2 header comes from our token source."""

    def __init__(self):
        super().__init__()
        self.current_token = None

    def auth_settings(self, auth_type):
        if str(auth_type).lower() == "oauth2":
            return {"in": "header", "key": "Authorization", "value": "Bearer %s" % self.current_token}
        return None


# What each write sends and gets back: (AccountingApi method, wrapper model,
# wrapper attribute, id attribute of the element).
_WRITES = {
    "contacts": ("create_contacts", xm.Contacts, "contacts", "contact_id"),
    "invoices": ("create_invoices", xm.Invoices, "invoices", "invoice_id"),
    "credit_notes": ("create_credit_notes", xm.CreditNotes, "credit_notes", "credit_note_id"),
    "payments": ("create_payments", xm.Payments, "payments", "payment_id"),
    "bank_transactions": ("create_bank_transactions", xm.BankTransactions, "bank_transactions",
                          "bank_transaction_id"),
    "manual_journals": ("create_manual_journals", xm.ManualJournals, "manual_journals",
                        "manual_journal_id"),
}
_SUMMARIZE = {"create_contacts", "create_invoices", "create_credit_notes", "create_payments",
              "create_bank_transactions", "create_manual_journals"}
_UNITDP = {"create_invoices", "create_credit_notes", "create_bank_transactions",
           "update_invoice", "update_credit_note", "update_bank_transaction"}


class AccountingClient:
    """Xero's Accounting API for one tenant.

    ``token_source`` has ``access_token()`` (a valid token, refreshed if
    needed) and ``refresh_access_token(rejected_token)`` (after a 401: a new
    token, unless another caller already replaced the rejected one).

    One client is used by one thread at a time (xero-python's ApiClient keeps
    the last response on itself); :meth:`clone` gives another thread its own
    client for the same tenant, sharing the token source and the pacer.
    """

    def __init__(self, endpoints, tenant_id, token_source, timeout=30, max_wait=30.0,
                 retries=2, backoff=0.5, pacer=None):
        self.endpoints = endpoints
        self.tenant_id = tenant_id
        self.token_source = token_source
        self.timeout = timeout
        self.max_wait = max_wait
        self.retries = retries
        self.backoff = backoff
        self.pacer = pacer or pacer_for(endpoints.api_url, tenant_id)
        # time.monotonic() by which every call must have ended (a cron
        # call's budget), or None: no attempt starts that could end later.
        self.deadline = None
        self.config = _BearerConfiguration()
        api_client = ApiClient(self.config)
        # No silent retries below us: urllib3 would repeat a timed-out PUT on
        # its own. We decide what is safe to repeat.
        api_client.rest_client.pool_manager = urllib3.PoolManager(
            num_pools=4, maxsize=CONCURRENT_LIMIT, retries=False,
            cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
        )
        self.api = AccountingApi(api_client, base_url=endpoints.accounting_url)
        self.calls = collections.Counter()  # per AccountingApi method, for benchmarks
        self._spares = []  # clones for worker threads (thread_client)

    def clone(self):
        """A client for another thread: same tenant, token source and pacer
        (so the 5-in-flight and 60-a-minute limits hold across them)."""
        clone = AccountingClient(self.endpoints, self.tenant_id, self.token_source,
                                 timeout=self.timeout, max_wait=self.max_wait,
                                 retries=self.retries, backoff=self.backoff, pacer=self.pacer)
        clone.deadline = self.deadline
        return clone

    @contextlib.contextmanager
    def thread_client(self):
        """A clone for the calling worker thread, kept for the next request
        (list.pop and list.append are atomic, so threads never share one)."""
        try:
            client = self._spares.pop()
        except IndexError:
            client = self.clone()
        client.deadline = self.deadline
        try:
            yield client
        finally:
            self._spares.append(client)

    # -- the choke point ----------------------------------------------------
    def call(self, method, *args, idempotency_key=None, **kwargs):
        """Call ``AccountingApi.<method>`` for this tenant; return its data.

        Reads and writes with an Idempotency-Key are retried on 5xx, timeouts
        and short 429s; a write without a key is sent once.
        """
        if idempotency_key:
            kwargs["idempotency_key"] = idempotency_key[:128]
        # The errors after which Xero may hold this write (a 5xx, a timeout,
        # an unreadable answer). Should a retry of it then end otherwise (a
        # 429, the call's time spent, a refused token: "nothing sent" for the
        # caller), it ends as the first of them: the caller looks the write up
        # in Xero before sending it again, never sends it blind under another
        # request's key (found by bench/prod-soak: Xero then held the same
        # payments twice).
        held = []
        try:
            return self._attempts(method, args, kwargs, bool(idempotency_key), held)
        except XeroError as exc:
            if not held or isinstance(exc, XeroTransientError):
                raise
            raise XeroTransientError(held[0].message, status=held[0].status) from exc

    def _attempts(self, method, args, kwargs, keyed, held):
        """The attempts of one ``call``; ``held`` gets each error of a write
        after which it is tried again (Xero may hold it)."""
        repeatable = method.startswith("get_") or keyed
        fn = getattr(self.api, method)
        refreshed = False
        attempt = 0
        while True:
            attempt += 1
            if self.config.current_token is None:
                self.config.current_token = self.token_source.access_token()
            started_at = self.pacer.acquire(self._max_wait())
            timeout = self._attempt_timeout()
            headers = None
            self.api.api_client.last_response = None
            try:
                self.calls[method] += 1
                data, _status, headers = fn(
                    self.tenant_id, *args, _return_http_data_only=False,
                    _request_timeout=timeout, **kwargs,
                )
                ctype = headers.get("Content-Type", "") if headers else ""
                if "json" not in ctype.lower():
                    raise ValueError("not JSON: %s" % ctype)
                return data
            except ApiException as exc:
                headers = exc.headers
                error = self._map_api_exception(exc, method)
            except urllib3.exceptions.HTTPError as exc:
                error = XeroTransientError(
                    "Xero did not answer (%s): %s."
                    % (method, "timed out" if isinstance(exc, urllib3.exceptions.TimeoutError)
                       else "the connection failed"))
            except ValueError as exc:
                response = self.api.api_client.last_response
                if response is None:
                    raise  # our request could not be built: a bug, not Xero's doing
                # Xero's answer could not be read (an HTML page with 200...)
                error = XeroTransientError(
                    "Xero answered %s with %s." % (method, describe_body(
                        response.data, response.getheader("Content-Type"))),
                    status=response.status)
                _logger.debug("undecodable answer to %s: %s", method, exc.__class__.__name__)
            finally:
                self.pacer.release(headers, started_at)

            if isinstance(error, XeroAuthError) and not refreshed:
                refreshed = True
                attempt -= 1
                self.config.current_token = self.token_source.refresh_access_token(
                    self.config.current_token)
                continue
            if isinstance(error, XeroRateLimited):
                self.pacer.backoff(error.retry_after)
                if error.retry_after <= min(self.max_wait, self._spare_time()) \
                        and attempt <= self.retries + 1:
                    time.sleep(error.retry_after)
                    continue
                raise error
            pause = self.backoff * (2 ** (attempt - 1))
            if isinstance(error, XeroTransientError) and repeatable and attempt <= self.retries \
                    and pause <= self._spare_time():
                if not method.startswith("get_"):
                    held.append(error)
                time.sleep(pause)
                continue
            raise error

    def _spare_time(self):
        """Seconds that may still be waited before an attempt that must end
        by ``deadline`` (MIN_ATTEMPT kept for the attempt itself)."""
        if self.deadline is None:
            return float("inf")
        return self.deadline - time.monotonic() - MIN_ATTEMPT

    def _max_wait(self):
        """The longest wait for the pacer before the next attempt;
        XeroOutOfTime (nothing sent) when too little is left for one."""
        spare = self._spare_time()
        if spare < 0:
            raise XeroOutOfTime()
        return min(self.max_wait, spare)

    def _attempt_timeout(self):
        """The socket timeout of the next attempt: it ends by ``deadline``
        (give or take MIN_ATTEMPT)."""
        if self.deadline is None:
            return self.timeout
        return max(MIN_ATTEMPT, min(self.timeout, self.deadline - time.monotonic()))

    def _map_api_exception(self, exc, method):
        status = exc.status if isinstance(exc.status, int) else getattr(exc.http_resp, "status", 0)
        body = exc.body or b""
        headers = exc.headers or {}
        ctype = headers.get("Content-Type", "") if hasattr(headers, "get") else ""
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            payload = None
        if payload is not None and not isinstance(payload, dict):
            payload = {}  # JSON, but not Xero's error object (a bare string, a list)
        if status == 429:
            return XeroRateLimited(_retry_after(headers), headers.get("X-Rate-Limit-Problem"))
        if status >= 500 or status == 0 or payload is None:
            return XeroTransientError(
                "Xero failed on its side (%s): HTTP %s with %s."
                % (method, status, describe_body(body, ctype) if payload is None else "an error"),
                status=status,
            )
        if status == 401:
            return XeroAuthError("Xero refused the access token (%s)."
                                 % (payload.get("Detail") or payload.get("Title") or "401"),
                                 status=401)
        if status == 403:
            return XeroForbiddenError(
                "Xero refused access to this organisation: %s"
                % (payload.get("Detail") or payload.get("Title") or "forbidden"), status=403)
        if status == 404:
            return XeroNotFound("Xero has no such record (%s)." % method, status=404)
        if status == 400:
            messages = validation_messages(payload)
            return XeroValidationError(messages, detail=payload)
        return XeroError("Xero refused the request (%s, HTTP %s): %s"
                         % (method, status, payload.get("Message") or payload.get("Detail") or ""),
                         status=status)

    # -- reads ----------------------------------------------------------------
    def get_organisation(self):
        orgs = self.call("get_organisations").organisations or []
        if not orgs:
            raise XeroNotFound("Xero returned no organisation for this tenant.")
        return orgs[0]

    def get_accounts(self):
        return self.call("get_accounts").accounts or []

    def get_tax_rates(self):
        return self.call("get_tax_rates").tax_rates or []

    def get_currencies(self):
        return self.call("get_currencies").currencies or []

    def get_tracking_categories(self, include_archived=True):
        """The tracking categories with their options; archived ones too
        by default (GET TrackingCategories?includeArchived=true)."""
        return self.call("get_tracking_categories",
                         include_archived=include_archived).tracking_categories or []

    def _paged(self, method, attr, page, page_size=None, max_pages=None, **kwargs):
        """One page, or (``page`` None) every page: Xero answers 100 records
        a page, or ``page_size`` (up to 1,000) where the endpoint takes it.
        With ``max_pages``: None when the records take more pages than that
        (Xero's pagination tells after the first page)."""
        kwargs = {k: v for k, v in kwargs.items() if v is not None}
        if page_size:
            kwargs["page_size"] = page_size
        if page is not None:
            return getattr(self.call(method, page=page, **kwargs), attr) or []
        out, page = [], 1
        while True:
            data = self.call(method, page=page, **kwargs)
            items = getattr(data, attr) or []
            out.extend(items)
            if len(items) < (page_size or 100):
                return out
            if max_pages:
                page_count = getattr(getattr(data, "pagination", None), "page_count", None)
                if page >= max_pages or (page_count and page_count > max_pages):
                    return None
            page += 1

    def get_contacts(self, where=None, page=None, include_archived=None, page_size=None,
                     max_pages=None):
        return self._paged("get_contacts", "contacts", page, page_size=page_size,
                           max_pages=max_pages, where=where, include_archived=include_archived)

    def get_invoices(self, invoice_numbers=None, where=None, page=None, statuses=None,
                     if_modified_since=None):
        return self._paged("get_invoices", "invoices", page, where=where, statuses=statuses,
                           invoice_numbers=invoice_numbers, unitdp=4,
                           if_modified_since=if_modified_since)

    def get_credit_notes(self, where=None, page=None, if_modified_since=None):
        return self._paged("get_credit_notes", "credit_notes", page, where=where, unitdp=4,
                           if_modified_since=if_modified_since)

    def get_payments(self, where=None, page=None, if_modified_since=None):
        return self._paged("get_payments", "payments", page, where=where,
                           if_modified_since=if_modified_since)

    def get_changed(self, method, attr, since, max_pages):
        """What Xero changed since ``since``, the oldest change first, at most
        ``max_pages`` pages of 100: ``(records, complete)``. The poll reads
        what it can in one short call; the caller goes on from the last
        change read (``UpdatedDateUTC``), not from a page number, so that a
        record changed meanwhile (moved to the end) is not skipped."""
        out = []
        for page in range(1, max_pages + 1):
            items = getattr(self.call(method, page=page, if_modified_since=since,
                                      order="UpdatedDateUTC ASC"), attr) or []
            out.extend(items)
            if len(items) < 100:
                return out, True
        return out, False

    def get_by_ids(self, method, key, ids, **kwargs):
        """What Xero holds of ``ids`` (GUIDs of ``key``, e.g. InvoiceID),
        read ``WHERE_IDS`` a call with ``method`` (``get_invoices``...): the
        documents an inbox names cost a few calls, not one each."""
        ids = sorted(set(ids))
        found = []
        for start in range(0, len(ids), WHERE_IDS):
            found += getattr(self, method)(where=" OR ".join(
                '%s==Guid("%s")' % (key, i) for i in ids[start:start + WHERE_IDS]), **kwargs) or []
        return found

    def get_bank_transactions(self, where=None, page=None):
        return self._paged("get_bank_transactions", "bank_transactions", page, where=where)

    def get_prepayments(self, where=None, page=None):
        return self._paged("get_prepayments", "prepayments", page, where=where)

    def get_overpayments(self, where=None, page=None):
        return self._paged("get_overpayments", "overpayments", page, where=where)

    def get_trial_balance(self, date):
        """Xero's Trial Balance as at ``date`` (GET Reports/TrialBalance):
        {AccountID: {"label", "code", "debit", "credit", "ytd_debit",
        "ytd_credit", "balance"}} in the base currency, Decimal amounts, ``balance`` the
        YTD debit less the YTD credit (the as-at balance; Xero's YTD of
        revenue and expense accounts runs from the start of the financial
        year, see help.xero.com/nz/Report_TrialBalance). Rows are read by
        the account id in their cells' Attributes (Id "account"), so an
        account's name or code changing in Xero does not matter."""
        data = self.call("get_report_trial_balance", date=date)
        out = {}
        for report in getattr(data, "reports", None) or []:
            for section in report.rows or []:
                for row in [section, *(section.rows or [])]:
                    parsed = trial_balance_row(row)
                    if parsed:
                        account_id, values = parsed
                        out[account_id] = values
        return out

    # -- writes ---------------------------------------------------------------
    def _batch(self, kind, items, idempotency_key):
        method, wrapper, attr, id_attr = _WRITES[kind]
        if len(items) > BATCH_SIZE:
            raise ValueError("at most %d elements per request" % BATCH_SIZE)
        kwargs = {}
        if method in _SUMMARIZE:
            kwargs["summarize_errors"] = False
        if method in _UNITDP:
            kwargs["unitdp"] = 4
        data = self.call(method, wrapper(**{attr: list(items)}),
                         idempotency_key=idempotency_key, **kwargs)
        return element_results(getattr(data, attr) or [], id_attr, len(items))

    def create_contacts(self, contacts, idempotency_key):
        return self._batch("contacts", contacts, idempotency_key)

    def create_invoices(self, invoices, idempotency_key):
        return self._batch("invoices", invoices, idempotency_key)

    def create_credit_notes(self, credit_notes, idempotency_key):
        return self._batch("credit_notes", credit_notes, idempotency_key)

    def create_payments(self, payments, idempotency_key):
        return self._batch("payments", payments, idempotency_key)

    def create_bank_transactions(self, bank_transactions, idempotency_key):
        return self._batch("bank_transactions", bank_transactions, idempotency_key)

    def create_manual_journals(self, manual_journals, idempotency_key):
        return self._batch("manual_journals", manual_journals, idempotency_key)

    def _single(self, method, args, attr, id_attr, idempotency_key, **kwargs):
        try:
            data = self.call(method, *args, idempotency_key=idempotency_key, **kwargs)
        except XeroValidationError as exc:
            return ElementResult(ok=False, errors=list(exc.messages))
        results = element_results(getattr(data, attr) or [], id_attr, 1)
        return results[0]

    def create_bank_transfer(self, bank_transfer, idempotency_key):
        """One transfer per call (Xero takes no batch here)."""
        return self._single("create_bank_transfer", (xm.BankTransfers(bank_transfers=[bank_transfer]),),
                            "bank_transfers", "bank_transfer_id", idempotency_key)

    def create_allocation(self, credit_note_id, allocation, idempotency_key):
        return self._single("create_credit_note_allocation",
                            (credit_note_id, xm.Allocations(allocations=[allocation])),
                            "allocations", "allocation_id", idempotency_key, summarize_errors=False)

    def create_deposit_allocation(self, kind, deposit_id, allocation, idempotency_key):
        """PUT /Prepayments/{PrepaymentID}/Allocations (``kind``
        "prepayment") or /Overpayments/{OverpaymentID}/Allocations."""
        return self._single("create_%s_allocations" % _deposit_kind(kind),
                            (deposit_id, xm.Allocations(allocations=[allocation])),
                            "allocations", "allocation_id", idempotency_key, summarize_errors=False)

    def delete_deposit_allocation(self, kind, deposit_id, allocation_id):
        """DELETE /Prepayments/{PrepaymentID}/Allocations/{AllocationID}
        (deletePrepaymentAllocations; the Overpayment twin alike)."""
        return self.call("delete_%s_allocations" % _deposit_kind(kind), deposit_id, allocation_id)

    def delete_bank_transaction(self, bank_transaction, idempotency_key):
        """POST /BankTransactions/{BankTransactionID} with Status DELETED
        (updateBankTransaction)."""
        return self._single("update_bank_transaction",
                            (bank_transaction.bank_transaction_id,
                             xm.BankTransactions(bank_transactions=[bank_transaction])),
                            "bank_transactions", "bank_transaction_id", idempotency_key)

    def update_invoice(self, invoice_id, invoice, idempotency_key):
        return self._single("update_invoice", (invoice_id, xm.Invoices(invoices=[invoice])),
                            "invoices", "invoice_id", idempotency_key, unitdp=4)

    def update_credit_note(self, credit_note_id, credit_note, idempotency_key):
        return self._single("update_credit_note",
                            (credit_note_id, xm.CreditNotes(credit_notes=[credit_note])),
                            "credit_notes", "credit_note_id", idempotency_key, unitdp=4)

    def update_manual_journal(self, manual_journal_id, manual_journal, idempotency_key):
        """POST /ManualJournals/{id}: a status change (VOIDED) of a journal."""
        return self._single("update_manual_journal",
                            (manual_journal_id, xm.ManualJournals(manual_journals=[manual_journal])),
                            "manual_journals", "manual_journal_id", idempotency_key)

    def update_bank_transaction(self, bank_transaction_id, bank_transaction, idempotency_key):
        """POST /BankTransactions/{id}: a status change (DELETED)."""
        return self._single(
            "update_bank_transaction",
            (bank_transaction_id, xm.BankTransactions(bank_transactions=[bank_transaction])),
            "bank_transactions", "bank_transaction_id", idempotency_key)

    def delete_bank_transfer(self, bank_transfer_id, body, idempotency_key):
        """POST /BankTransfers/{id} with Status DELETED (deleteBankTransfer
        in Xero's OpenAPI spec)."""
        return self._single("delete_bank_transfer", (bank_transfer_id, body),
                            "bank_transfers", "bank_transfer_id", idempotency_key)

    def delete_payment(self, payment_id, idempotency_key):
        return self._single("delete_payment", (payment_id, xm.PaymentDelete(status="DELETED")),
                            "payments", "payment_id", idempotency_key)


def _deposit_kind(kind):
    if kind not in ("prepayment", "overpayment"):
        raise ValueError("not a kind of deposit: %r" % kind)
    return kind
