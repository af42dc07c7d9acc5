from odoo.tests import tagged

from .common import XeroPushCommon


@tagged("post_install", "-at_install")
class TestPushFlows(XeroPushCommon):

    def test_invoice_contact_payment(self):
        before = len(self.api_requests())
        invoice = self.make_invoice(amounts=(100.0, 50.0))
        # Posting queues, it does not call Xero.
        self.assertEqual(len(self.api_requests()), before)
        self.assertEqual(invoice.xero_state, "queued")
        contact_job = self.jobs(self.partner_a, "contact")
        invoice_job = self.jobs(invoice, "invoice")
        self.assertEqual(invoice_job.depends_on_job_id, contact_job)
        self.assertTrue(invoice_job.idempotency_key)

        self.push()
        self.assertEqual(invoice_job.state, "done", invoice_job.error)
        self.assertEqual(invoice.xero_state, "sent")
        doc = self.xero_doc("Invoices", invoice.xero_id)
        self.assertEqual(doc["InvoiceNumber"], invoice.name)
        self.assertEqual(doc["Type"], "ACCREC")
        self.assertEqual(doc["Status"], "AUTHORISED")
        self.assertAlmostEqual(float(doc["Total"]), invoice.amount_total, places=2)
        self.assertIn("/odoo/account.move/%d" % invoice.id, doc.get("Url", ""))
        contact = self.xero_doc("Contacts", doc["Contact"])
        self.assertEqual(contact["ContactNumber"], "ODOO-%d" % self.partner_a.id)
        self.assertIn("Sent to Xero", invoice.message_ids[0].body)

        # A partial payment, then the rest.
        payment = self.pay(invoice, amount=60.0)
        self.assertEqual(payment.xero_state, "queued")
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        xpay = self.xero_doc("Payments", payment.xero_id)
        self.assertAlmostEqual(float(xpay["Amount"]), 60.0)
        self.assertAlmostEqual(float(self.xero_doc("Invoices", invoice.xero_id)["AmountDue"]),
                               invoice.amount_total - 60.0, places=2)
        rest = self.pay(invoice)
        self.push()
        self.assertEqual(rest.xero_state, "sent", rest.xero_error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")

        # The same partner on a second invoice: no second contact.
        invoice2 = self.make_invoice(amounts=(10.0,))
        self.assertFalse(self.jobs(invoice2, "invoice").depends_on_job_id)
        self.push()
        self.assertEqual(invoice2.xero_state, "sent")
        numbers = [c.get("ContactNumber") for c in self.xero_docs("Contacts")]
        self.assertEqual(numbers.count("ODOO-%d" % self.partner_a.id), 1)

    def test_bill_and_payment(self):
        bill = self.make_invoice("in_invoice", amounts=(200.0,))
        self.push()
        self.assertEqual(bill.xero_state, "sent", bill.xero_error)
        doc = self.xero_doc("Invoices", bill.xero_id)
        self.assertEqual(doc["Type"], "ACCPAY")
        self.assertEqual(doc["LineItems"][0]["TaxType"], "INPUT2")
        payment = self.pay(bill)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        self.assertEqual(self.xero_doc("Invoices", bill.xero_id)["Status"], "PAID")

    def test_existing_contact_matched_by_name(self):
        api = self.connection._xero_accounting_client()
        from xero_python.accounting import Contact
        existing = api.create_contacts([Contact(name=self.partner_b.name)], "pre-existing-1")[0]
        invoice = self.make_invoice(partner=self.partner_b)
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Contact"],
                         existing.xero_id)
        self.assertEqual(len([c for c in self.xero_docs("Contacts")
                              if c["Name"] == self.partner_b.name]), 1)
