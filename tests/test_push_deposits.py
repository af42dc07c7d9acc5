"""Deposits paid and received (issue 11): a payment not (or not fully)
matched to an invoice reaches Xero as a prepayment or an overpayment, its
later matches as allocations; the sandbox applies Xero's allocation rules
and books them in its trial balance."""

from odoo.tests import tagged

from .common import XeroDepositsCommon
from .common_sandbox import SandboxCase


@tagged("post_install", "-at_install")
class TestDepositSandbox(SandboxCase):
    """Prepayments and overpayments made through BankTransactions."""

    def _ok(self, response):
        self.assertEqual(response.status_code, 200, response.text)
        return response.json()

    def _deposit(self, contact_id, typ="RECEIVE-PREPAYMENT", amount=150, **line):
        return self._ok(self.put("/BankTransactions", {"BankTransactions": [{
            "Type": typ, "Contact": {"ContactID": contact_id}, "BankAccount": {"Code": "090"},
            "Date": "2025-06-01", "LineAmountTypes": "NoTax",
            "LineItems": [dict({"Description": "Deposit", "LineAmount": amount}, **line)],
        }]}))["BankTransactions"][0]

    def test_allocation_within_remaining_credit_and_amount_due(self):
        contact = self.contact("Deposit Ltd")
        deposit = self._deposit(contact["ContactID"], AccountCode="877")
        self.assertTrue(deposit["PrepaymentID"])
        invoice = self._ok(self.invoice(contact["ContactID"], lines=[{
            "Description": "Advice", "Quantity": 1, "UnitAmount": 200, "AccountCode": "200",
            "TaxType": "NONE"}]))["Invoices"][0]
        path = "/Prepayments/%s/Allocations" % deposit["PrepaymentID"]
        # Above the remaining credit (150): refused, nothing applied.
        r = self.put(path, {"Allocations": [{"Invoice": {"InvoiceID": invoice["InvoiceID"]},
                                             "Amount": 160, "Date": "2025-06-03"}]})
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("exceeds the remaining credit", r.text)
        inv = self._ok(self.get("/Invoices/%s" % invoice["InvoiceID"]))["Invoices"][0]
        self.assertEqual(inv["AmountDue"], 200)
        # Another contact's invoice: refused.
        other = self.contact("Someone Else")
        foreign = self._ok(self.invoice(other["ContactID"]))["Invoices"][0]
        r = self.put(path, {"Allocations": [{"Invoice": {"InvoiceID": foreign["InvoiceID"]},
                                             "Amount": 10, "Date": "2025-06-03"}]})
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("same contact", r.text)
        # Within both: applied, the prepayment's credit and the invoice's due go down.
        alloc = self._ok(self.put(path, {"Allocations": [{
            "Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 150,
            "Date": "2025-06-03"}]}))["Allocations"][0]
        prepayment = self._ok(self.get("/Prepayments/%s" % deposit["PrepaymentID"]))["Prepayments"][0]
        self.assertEqual((prepayment["Status"], prepayment["RemainingCredit"]), ("PAID", 0))
        inv = self._ok(self.get("/Invoices/%s" % invoice["InvoiceID"]))["Invoices"][0]
        self.assertEqual(inv["AmountDue"], 50)
        self.assertEqual(inv["Prepayments"][0]["PrepaymentID"], deposit["PrepaymentID"])
        # Taken off: back as it was.
        r = self.http.delete(self.srv.url + "/api.xro/2.0" + path + "/" + alloc["AllocationID"],
                             headers=self.h())
        self.assertTrue(self._ok(r)["IsDeleted"])
        inv = self._ok(self.get("/Invoices/%s" % invoice["InvoiceID"]))["Invoices"][0]
        self.assertEqual(inv["AmountDue"], 200)

    def test_overpayment_carries_no_tax(self):
        contact = self.contact("Over Ltd")
        r = self.put("/BankTransactions", {"BankTransactions": [{
            "Type": "RECEIVE-OVERPAYMENT", "Contact": {"ContactID": contact["ContactID"]},
            "BankAccount": {"Code": "090"}, "LineAmountTypes": "Exclusive",
            "LineItems": [{"Description": "Over", "LineAmount": 20}]}]})
        self.assertEqual(r.status_code, 400, r.text)
        self.assertIn("NoTax", r.text)
        deposit = self._deposit(contact["ContactID"], "RECEIVE-OVERPAYMENT", 20)
        self.assertTrue(deposit["OverpaymentID"])


@tagged("post_install", "-at_install")
class TestPushDeposits(XeroDepositsCommon):

    def test_customer_prepayment_then_invoice(self):
        payment = self.make_payment(115.0)
        deposit_job = self.jobs(payment, "deposit")
        self.assertEqual(deposit_job.state, "pending")
        self.assertEqual(payment.xero_state, "queued")
        self.push()
        self.assertEqual(deposit_job.state, "done", deposit_job.error)
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        [prepayment] = self.xero_docs("Prepayments")
        self.assertEqual(payment.xero_id, prepayment["PrepaymentID"])
        self.assertEqual(prepayment["Type"], "RECEIVE-PREPAYMENT")
        self.assertAlmostEqual(float(prepayment["Total"]), 115.0)
        self.assertEqual(prepayment["LineItems"][0]["AccountCode"], "877")
        self.assertEqual(prepayment["BankAccount"], self.account_id("090"))
        self.assertIn(payment.name, prepayment["LineItems"][0]["Description"])
        self.assertFalse(self.xero_docs("Payments"))

        # The invoice comes, the deposit is matched to it: an allocation.
        invoice = self.make_invoice(amounts=(100.0,))
        self.assertAlmostEqual(invoice.amount_total, 115.0)
        self.match(payment, invoice)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertFalse(self.jobs(payment, "payment"))
        self.push()
        allocation = self.jobs(payment, "deposit_allocation")
        self.assertEqual(allocation.state, "done", allocation.error)
        self.assertAlmostEqual(allocation.amount, 115.0)
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertEqual(doc["Status"], "PAID")
        [prepayment] = self.xero_docs("Prepayments")
        self.assertEqual((prepayment["Status"], float(prepayment["RemainingCredit"])), ("PAID", 0.0))
        self.assertFalse(self.xero_docs("Payments"))
        # Xero's books equal Odoo's, account by account.
        self.assertEqual(self.compare_books(), [])

        # Matched no more: the allocation is deleted in Xero.
        payment.move_id.line_ids.remove_move_reconcile()
        self.push()
        delete = self.jobs(payment, "delete_deposit_allocation")
        self.assertEqual(delete.state, "done", delete.error)
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertEqual((doc["Status"], float(doc["AmountDue"])), ("AUTHORISED", 115.0))
        [prepayment] = self.xero_docs("Prepayments")
        self.assertAlmostEqual(float(prepayment["RemainingCredit"]), 115.0)
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)

    def test_overpayment_allocated_to_its_invoice(self):
        invoice = self.make_invoice(amounts=(100.0,))
        self.push()
        payment = self.pay(invoice, amount=150.0)
        self.assertEqual(invoice.payment_state, "paid")
        self.assertFalse(self.jobs(payment, "payment"))
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        [overpayment] = self.xero_docs("Overpayments")
        self.assertEqual(overpayment["Type"], "RECEIVE-OVERPAYMENT")
        self.assertAlmostEqual(float(overpayment["Total"]), 150.0)
        self.assertAlmostEqual(float(overpayment["RemainingCredit"]), 150.0 - invoice.amount_total)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        # One bank transaction, never a Payment besides.
        self.assertFalse(self.xero_docs("Payments"))
        self.assertEqual(len(self.xero_docs("BankTransactions")), 1)
        self.assertEqual(self.compare_books(), [])

    def test_vendor_prepayment(self):
        payment = self.make_payment(80.0, "outbound", partner=self.partner_b)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        [prepayment] = self.xero_docs("Prepayments")
        self.assertEqual(prepayment["Type"], "SPEND-PREPAYMENT")
        self.assertEqual(prepayment["LineItems"][0]["AccountCode"], "620")
        bill = self.make_invoice("in_invoice", amounts=(80.0,), taxes=[], partner=self.partner_b)
        self.match(payment, bill)
        self.push()
        self.assertEqual(self.jobs(payment, "deposit_allocation").state, "done")
        self.assertEqual(self.xero_doc("Invoices", bill.xero_id)["Status"], "PAID")
        self.assertEqual(self.compare_books(), [])

    def test_exact_payment_stays_a_payment(self):
        invoice = self.make_invoice(amounts=(100.0,))
        payment = self.pay(invoice)
        self.assertFalse(self.jobs(payment, "deposit"))
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        self.assertEqual(len(self.xero_docs("Payments")), 1)
        self.assertFalse(self.xero_docs("Prepayments") + self.xero_docs("Overpayments"))

    def test_without_deposits_account_an_overpayment(self):
        self.connection.deposit_received_xero_account_id = False
        payment = self.make_payment(40.0)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        [overpayment] = self.xero_docs("Overpayments")
        self.assertEqual(payment.xero_id, overpayment["OverpaymentID"])
        self.assertFalse(self.xero_docs("Prepayments"))
        self.assertEqual(self.compare_books(), [])

    def test_deposit_in_doubt_is_found_not_sent_twice(self):
        payment = self.make_payment(60.0)
        self.push()
        job = self.jobs(payment, "deposit")
        xero_id = job.xero_id
        # As if the cron had died after Xero's accept, before recording it.
        job.sudo().write({"state": "pending", "in_doubt": True, "xero_id": False})
        before = len([r for r in self.api_requests() if r["method"] in ("PUT", "POST")])
        self.push()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(job.xero_id, xero_id)
        self.assertEqual(len(self.xero_docs("Prepayments")), 1)
        self.assertEqual(len([r for r in self.api_requests() if r["method"] in ("PUT", "POST")]),
                         before)

    def test_deposit_refunded(self):
        payment = self.make_payment(90.0)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        # Given back to the customer, matched to the deposit.
        refund = self.make_payment(90.0, "outbound", date="2025-06-05", partner_type="customer")
        self.assertFalse(self.jobs(refund))
        self.match(payment, refund.move_id)
        job = self.jobs(refund, "deposit_refund")
        self.assertEqual(job.target_move_id, payment.move_id)
        self.push()
        self.assertEqual(job.state, "done", job.error)
        self.assertEqual(refund.xero_state, "sent", refund.xero_error)
        [xpay] = self.xero_docs("Payments")
        self.assertEqual((xpay["PaymentType"], float(xpay["Amount"])), ("ARPREPAYMENTPAYMENT", 90.0))
        self.assertEqual(xpay["PaymentID"], refund.xero_id)
        [prepayment] = self.xero_docs("Prepayments")
        self.assertEqual((prepayment["Status"], float(prepayment["RemainingCredit"])), ("PAID", 0.0))
        self.assertEqual(self.compare_books(), [])

    def test_deposits_account_checked(self):
        def settings_issues():
            return [i["message"] for i in self.connection._get_mapping_issues()
                    if i["section"] == "settings"]

        self.assertFalse([m for m in settings_issues() if "Deposits" in m])
        self.connection.deposit_received_xero_account_id = self.xa["090"]
        self.assertTrue([m for m in settings_issues()
                         if "Deposits received" in m and "bank account" in m])

    def test_deposit_opens_in_xero(self):
        payment = self.make_payment(70.0)
        self.push()
        [transaction] = self.xero_docs("BankTransactions")
        self.assertEqual(self.jobs(payment, "deposit").deposit_bank_transaction_id,
                         transaction["BankTransactionID"])
        # "Open in Xero": the page of the bank transaction that made the prepayment.
        payment.invalidate_recordset(["xero_url"])
        self.assertTrue(payment.xero_url.endswith(
            "/Bank/ViewTransaction.aspx?bankTransactionID=%s" % transaction["BankTransactionID"]))
        self.assertEqual(payment.action_xero_open_in_xero()["url"], payment.xero_url)
