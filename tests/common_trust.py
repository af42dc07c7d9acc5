"""The bases of the trust tests: a company with a trust bank journal, its
office bank journal and the seed's trust accounts (``TrustCommon``, no Xero),
the same connected to a sandbox tenant with the trust chart mapped
(``TrustXeroCommon``), and the helpers that make trust transactions."""

import copy
import re
import uuid
from collections import defaultdict
from decimal import Decimal

from odoo import Command

from odoo.addons.account.tests.common import AccountTestInvoicingCommon

from ..models.account_trust_transaction import CLIENT_KINDS
from .common import XeroPushCommon


def create_trust_accounts(cls):
    """The seed's trust accounts (trust liability, trust transfers, paid by
    firm, statutory deposit) in the test company, as class attributes."""
    Account = cls.env["account.account"]
    for attr, name, code, account_type in (
        ("trust_liability", "Trust Liability", "2800", "liability_current"),
        ("trust_transfers", "Trust Transfers", "2810", "liability_current"),
        ("paid_by_firm", "Trust Paid by Firm", "1290", "asset_current"),
        ("statutory_deposit", "Statutory Deposit Account", "1295", "asset_current"),
    ):
        setattr(cls, attr, Account.create({"name": name, "code": code, "account_type": account_type}))


def set_trust_accounts(cls):
    """The trust accounts of create_trust_accounts on the company (Settings >
    Accounting > Trust accounting)."""
    cls.company.write({
        "trust_liability_account_id": cls.trust_liability.id,
        "trust_transfer_account_id": cls.trust_transfers.id,
        "trust_paid_by_firm_account_id": cls.paid_by_firm.id,
        "statutory_deposit_account_id": cls.statutory_deposit.id,
    })


def trust_matter(env, partner, reference=None):
    """The matter ``reference`` of ``partner`` (created on first use); by
    default the partner's latest matter."""
    Matter = env["account.trust.matter"]
    domain = [("partner_id", "=", partner.id)]
    if reference:
        domain.append(("reference", "=", reference))
    return Matter.search(domain, order="id desc", limit=1) or Matter.create({
        "reference": reference or "M-%s" % partner.id,
        "name": "Matter of %s" % partner.name, "partner_id": partner.id})


def trust_vals(env, kind, partner, vals):
    """``vals`` of a trust transaction with its matters: ``matter_ref`` and
    ``dest_matter_ref`` name them (the client's default matter otherwise);
    a transfer to office's invoice on no matter is billed on its matter."""
    vals = dict(vals)
    recovery = kind == "firm_withdrawal" and vals.get("withdrawal_type", "paid_by_firm") == "paid_by_firm"
    if (kind in CLIENT_KINDS or recovery) and partner and "matter_id" not in vals:
        vals["matter_id"] = trust_matter(env, partner, vals.pop("matter_ref", None)).id
    if kind == "trust_transfer" and vals.get("dest_partner_id") and "dest_matter_id" not in vals:
        vals["dest_matter_id"] = trust_matter(
            env, env["res.partner"].browse(vals["dest_partner_id"]),
            vals.pop("dest_matter_ref", None)).id
    vals.pop("matter_ref", None)
    vals.pop("dest_matter_ref", None)
    if kind == "transfer_to_office" and vals.get("invoice_id") and vals.get("matter_id"):
        # The invoice bills that matter's fees, as the firm's invoice would say.
        invoice = env["account.move"].browse(vals["invoice_id"])
        if not invoice._trust_billed_matter():
            invoice.trust_matter_id = vals["matter_id"]
    return vals


def reverse_trust(tx, reason="Recorded in error", date=None):
    """Reverse ``tx`` as a user does: its Reverse button opens the reversal
    wizard, which asks the date and the reason. Returns the wizard's action
    (the reversing transaction's form)."""
    action = tx.action_reverse()
    wizard = tx.env[action["res_model"]].with_context(**action["context"]).create({
        "reason": reason, **({"date": date} if date else {})})
    return wizard.action_reverse()


class TrustCommon(AccountTestInvoicingCommon):
    """A company with a trust bank journal, its office bank journal, and the
    trust accounts of the seed in its trust settings (no Xero connection)."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.company_data["company"]
        create_trust_accounts(cls)
        cls.trust_journal = cls.env["account.journal"].create({
            "name": "Trust Account", "code": "TRST", "type": "bank", "is_trust_account": True,
            "company_id": cls.company.id,
        })
        cls.trust_bank = cls.trust_journal.default_account_id
        cls.office_journal = cls.company_data["default_journal_bank"]
        cls.office_bank = cls.office_journal.default_account_id
        set_trust_accounts(cls)
        cls.client_a = cls.partner_a
        cls.client_b = cls.partner_b

    @classmethod
    def _trust(cls, kind, amount, partner=None, post=True, **vals):
        tx = cls.env["account.trust.transaction"].create({
            "kind": kind,
            "amount": amount,
            "partner_id": partner.id if partner else False,
            "journal_id": cls.trust_journal.id,
            "date": "2025-03-10",
            **trust_vals(cls.env, kind, partner, vals),
        })
        if post:
            tx.action_post()
        return tx

    def _lines(self, tx):
        """{(account code, partner name or ''): balance} of the transaction's entry."""
        self.assertEqual(tx.move_id.state, "posted")
        result = {}
        for line in tx.move_id.line_ids:
            key = (line.account_id.code, line.partner_id.name or "")
            result[key] = result.get(key, 0.0) + line.balance
        self.assertAlmostEqual(sum(result.values()), 0.0)
        return result

    def _ledger(self, partner=None):
        domain = [("company_id", "=", self.company.id)]
        if partner:
            domain.append(("partner_id", "=", partner.id))
        groups = self.env["account.trust.ledger"]._read_group(
            domain, ["partner_id"], ["balance:sum", "paid_by_firm:sum"])
        return {p.name: (balance, pbf) for p, balance, pbf in groups}


TRUST_CHART = [
    # code, name, Type, Class, EnablePaymentsToAccount
    ("095", "Trust Account", "BANK", "ASSET", False),
    ("2800", "Trust Liability", "CURRLIAB", "LIABILITY", True),
    ("2810", "Trust Transfers", "CURRLIAB", "LIABILITY", True),
    ("1290", "Trust Paid by Firm", "CURRENT", "ASSET", True),
    ("1295", "Statutory Deposit Account", "CURRENT", "ASSET", False),
    ("1299", "Bank Transfers", "CURRENT", "ASSET", False),
]


class TrustXeroCommon(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls._add_trust_chart(cls.xero_tenant_id)
        cls.connection.action_refresh_from_xero()
        cls.xa = {a.code: a for a in cls.connection.xero_account_ids if a.code}

        create_trust_accounts(cls)
        cls.trust_journal = cls.env["account.journal"].create({
            "name": "Trust Account", "code": "TRST", "type": "bank", "is_trust_account": True})
        cls.office_journal = cls.company_data["default_journal_bank"]
        for account, code in (
            (cls.trust_liability, "2800"), (cls.trust_transfers, "2810"),
            (cls.paid_by_firm, "1290"), (cls.statutory_deposit, "1295"),
            (cls.trust_journal.default_account_id, "095"),
        ):
            cls.env["xero.account.map"].create({
                "connection_id": cls.connection.id, "account_id": account.id,
                "xero_account_id": cls.xa[code].id})
        cls.company = cls.connection.company_id
        set_trust_accounts(cls)
        cls.connection.write({
            "sync_trust": True,
            "bank_transfer_xero_account_id": cls.xa["1299"].id,
        })
        cls.client_a = cls.partner_a
        cls.client_b = cls.partner_b

    @classmethod
    def _add_trust_chart(cls, tenant_id):
        """The trust accounts a law firm adds to Xero's chart of accounts."""
        tenant = cls.srv.store.tenant(tenant_id)
        template = tenant.account_by_code("090")
        for code, name, typ, klass, payments in TRUST_CHART:
            acc = copy.deepcopy(template)
            acc.update({
                "AccountID": str(uuid.uuid4()), "Code": code, "Name": name, "Type": typ,
                "Class": klass, "EnablePaymentsToAccount": payments, "TaxType": "NONE",
            })
            if typ != "BANK":
                for key in ("BankAccountNumber", "BankAccountType", "CurrencyCode"):
                    acc.pop(key, None)
            tenant.accounts.append(acc)

    def setUp(self):
        super().setUp()
        # The push tests give each test a fresh organisation: add the trust chart.
        self._add_trust_chart(self.xero_tenant_id)

    def xero_account_id(self, code):
        """The AccountID of ``code`` in this test's organisation."""
        return self.srv.store.tenant(self.xero_tenant_id).account_by_code(code)["AccountID"]

    def trust(self, kind, amount, partner=None, post=True, **vals):
        tx = self.env["account.trust.transaction"].create({
            "kind": kind, "amount": amount, "partner_id": partner.id if partner else False,
            "journal_id": self.trust_journal.id, "date": "2025-06-05",
            **trust_vals(self.env, kind, partner, vals)})
        if post:
            tx.action_post()
        return tx

    def trust_docs_count(self):
        return sum(len(self.xero_docs(kind))
                   for kind in ("BankTransactions", "BankTransfers", "ManualJournals"))

    def xero_trust_ledger(self):
        """{contact name: Decimal} of Xero's Trust liability (2800) per
        contact: bank transaction lines coded to it (RECEIVE in, SPEND out),
        invoice payments made from it, and manual journal lines on it (their
        description names the client)."""
        liability_id = self.xero_account_id("2800")
        contacts = {c["ContactID"]: c["Name"] for c in self.xero_docs("Contacts")}
        invoices = {i["InvoiceID"]: i for i in self.xero_docs("Invoices")}
        ledger = defaultdict(Decimal)
        for bt in self.xero_docs("BankTransactions"):
            if bt["Status"] != "AUTHORISED" or bt.get("BankTransferID"):
                continue
            sign = 1 if bt["Type"] == "RECEIVE" else -1
            for line in bt["LineItems"]:
                if line["AccountCode"] == "2800":
                    ledger[contacts[bt["Contact"]]] += sign * Decimal(str(line["LineAmount"]))
        for pay in self.xero_docs("Payments"):
            if pay["Status"] == "AUTHORISED" and pay["Account"] == liability_id:
                invoice = invoices[pay["DocID"]]
                ledger[contacts[invoice["Contact"]]] -= Decimal(str(pay["Amount"]))
        for journal in self.xero_docs("ManualJournals"):
            for line in journal["JournalLines"]:
                if line["AccountCode"] != "2800":
                    continue
                names = [n for n in contacts.values() if n in (line.get("Description") or "")]
                self.assertEqual(len(names), 1, line)
                ledger[names[0]] -= Decimal(str(line["LineAmount"]))
        return {name: float(amount) for name, amount in ledger.items() if amount}

    def odoo_trust_ledger(self):
        groups = self.env["account.trust.ledger"]._read_group(
            [("company_id", "=", self.company.id)], ["partner_id"], ["balance:sum"])
        return {partner.name: balance for partner, balance in groups if balance}


def amount(text):
    """The number a user reads in a formatted amount ("$ 1,250.00", "-12.50 €")."""
    cleaned = re.sub(r"[^\d.\-]", "", text.replace("\N{MINUS SIGN}", "-"))
    return float(cleaned)


class TrustRulesCommon(TrustCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        Account = cls.env["account.account"]
        cls.interest_income = Account.create({
            "name": "Interest Income", "code": "4270", "account_type": "income_other"})
        cls.interest_fund = Account.create({
            "name": "Interest owed to the fund", "code": "2870",
            "account_type": "liability_current"})
        cls.bank_fees = Account.create({
            "name": "Bank Fees", "code": "6040", "account_type": "expense"})
        Matter = cls.env["account.trust.matter"]
        cls.sale = Matter.create({
            "reference": "A-SALE", "name": "Sale", "partner_id": cls.client_a.id})
        cls.lease = Matter.create({
            "reference": "A-LEASE", "name": "Lease", "partner_id": cls.client_a.id})

    def _hand_entry(self, *lines, journal=None):
        """A journal entry written by hand: ``lines`` of (account, partner, balance)."""
        return self.env["account.move"].create({
            "journal_id": (journal or self.trust_journal).id, "date": "2025-03-10",
            "line_ids": [Command.create({
                "account_id": account.id, "partner_id": partner.id if partner else False,
                "balance": balance}) for account, partner, balance in lines],
        })

    def _fund(self, amount, date="2025-03-01"):
        """The firm puts its own money in the trust account."""
        return self._trust("bank_transfer", amount, journal_id=self.office_journal.id,
                           dest_journal_id=self.trust_journal.id, date=date)

    def _withdraw(self, what, amount, partner=None, **vals):
        return self._trust("firm_withdrawal", amount, partner, withdrawal_type=what,
                           dest_journal_id=self.office_journal.id, **vals)

    def _balances_by_date(self, partner):
        """{date: running balance} of the client's ledger."""
        running, result = 0.0, {}
        for line in self.env["account.trust.ledger"].search(
                [("partner_id", "=", partner.id)], order="date, id"):
            running += line.balance
            result[line.date.isoformat()] = running
        return result
