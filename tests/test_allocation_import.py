"""Credit-note allocations made in Xero come back to Odoo (issue 25): a credit
note Odoo sent, applied in Xero to an invoice Odoo sent, is reconciled with
it in Odoo exactly once, never sent back as an allocation, and unreconciled
when the allocation is deleted in Xero."""

from odoo.tests import tagged

from .common_inbound import XeroInboundCommon


@tagged("post_install", "-at_install")
class TestAllocationImport(XeroInboundCommon):

    def sent_pair(self, invoice_amount=100.0, note_amount=40.0):
        invoice = self.make_invoice(amounts=(invoice_amount,))
        note = self.make_invoice("out_refund", amounts=(note_amount,))
        self.push()
        self.assertEqual((invoice.xero_state, note.xero_state), ("sent", "sent"),
                         invoice.xero_error or note.xero_error)
        return invoice, note

    def allocate_in_xero(self, note, invoice, amount):
        return self.xero_api("PUT", "CreditNotes/%s/Allocations" % note.xero_id, {"Allocations": [{
            "Invoice": {"InvoiceID": invoice.xero_id}, "Amount": amount,
            "Date": "2025-06-20"}]})["Allocations"][0]["AllocationID"]

    def told(self, note, invoice):
        """Xero tells of both documents, as it does for an allocation."""
        self.event("CREDITNOTE", note.xero_id)
        self.event("INVOICE", invoice.xero_id)

    def xero_allocations(self, note):
        return self.xero_api("GET", "CreditNotes/" + note.xero_id)["CreditNotes"][0]["Allocations"]

    def test_allocation_made_in_xero_is_reconciled_in_odoo_once(self):
        invoice, note = self.sent_pair()
        self.allocate_in_xero(note, invoice, note.amount_total)
        self.told(note, invoice)
        before = len(self.api_requests())
        self.pull()
        for event in self.events():
            self.assertEqual(event.state, "done", event.note)
        reads = [r["path"] for r in self.api_requests()[before:] if r["method"] == "GET"]
        self.assertEqual(len(reads), 2, "the credit note and the invoice, read as for any "
                         "event: the allocations come with the credit note (%s)" % reads)
        self.assertEqual(note.payment_state, "paid")
        self.assertEqual(invoice.payment_state, "partial")
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - note.amount_total)
        self.assertIn(invoice.name, " ".join(self.events().mapped("note")))
        made = self.jobs(note, "allocation")
        self.assertEqual(made.mapped(lambda j: (j.state, j.made_in_xero, j.amount)),
                         [("done", True, note.amount_total)], "in the Sync Log, never sent")
        # Redelivered, told again later: still reconciled once.
        self.told(note, invoice)
        self.event("CREDITNOTE", note.xero_id)
        self.pull()
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - note.amount_total)
        # Never sent back: the push makes no allocation.
        self.push()
        self.assertFalse(self.Job.search([("res_model", "=", "account.move"),
                                          ("res_id", "=", note.id),
                                          ("operation", "=", "allocation"),
                                          ("state", "!=", "done")]))
        self.assertEqual(len(self.xero_allocations(note)), 1)
        self.assertFalse([r for r in self.api_requests()
                          if r["method"] == "PUT" and "Allocations" in r["path"]
                          and r.get("client_id") != "xero-web-app"])

    def test_part_allocated_in_xero_then_the_rest_in_odoo(self):
        invoice, note = self.sent_pair()
        self.allocate_in_xero(note, invoice, 10.0)
        self.told(note, invoice)
        self.pull()
        self.assertAlmostEqual(note.amount_residual, note.amount_total - 10.0)
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - 10.0)
        # The rest applied in Odoo goes to Xero as what Xero does not hold yet.
        (note | invoice).line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable").reconcile()
        self.assertEqual(note.payment_state, "paid")
        self.push()
        amounts = sorted(float(a["Amount"]) for a in self.xero_allocations(note))
        self.assertEqual(amounts, sorted([10.0, round(note.amount_total - 10.0, 2)]))

    def test_allocation_deleted_in_xero_is_unreconciled_in_odoo(self):
        invoice, note = self.sent_pair()
        allocation_id = self.allocate_in_xero(note, invoice, note.amount_total)
        self.told(note, invoice)
        self.pull()
        self.assertEqual(note.payment_state, "paid")
        self.xero_api("DELETE", "CreditNotes/%s/Allocations/%s" % (note.xero_id, allocation_id))
        self.told(note, invoice)
        self.pull()
        self.assertEqual(note.payment_state, "not_paid")
        self.assertEqual(invoice.payment_state, "not_paid")
        self.assertIn("deleted in Xero", " ".join(self.events().mapped("note")))
        # Nothing goes back to Xero for it.
        before = len(self.api_requests())
        self.push()
        self.assertFalse([r for r in self.api_requests()[before:]
                          if "Allocations" in r["path"]])

    def test_odoo_allocation_is_not_imported_back(self):
        invoice, note = self.sent_pair()
        (note | invoice).line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable").reconcile()
        self.push()
        self.assertEqual(len(self.xero_allocations(note)), 1)
        self.told(note, invoice)
        self.pull()
        for event in self.events():
            self.assertEqual(event.state, "done", event.note)
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - note.amount_total)
        self.assertEqual(len(note.line_ids.matched_debit_ids | note.line_ids.matched_credit_ids), 1)

    def test_imported_allocation_taken_off_in_odoo_is_deleted_in_xero(self):
        invoice, note = self.sent_pair()
        self.allocate_in_xero(note, invoice, note.amount_total)
        self.told(note, invoice)
        self.pull()
        note.line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable").remove_move_reconcile()
        self.push()
        self.assertEqual(self.xero_allocations(note), [])
        # Told of it again: nothing comes back.
        self.told(note, invoice)
        self.pull()
        self.assertEqual(note.payment_state, "not_paid")

    def test_allocation_in_another_currency(self):
        invoice = self.make_invoice(amounts=(200.0,), currency=self.other_currency)
        note = self.make_invoice("out_refund", amounts=(40.0,), currency=self.other_currency)
        self.push()
        self.assertEqual((invoice.xero_state, note.xero_state), ("sent", "sent"),
                         invoice.xero_error or note.xero_error)
        self.allocate_in_xero(note, invoice, 10.0)
        self.told(note, invoice)
        self.pull()
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - 10.0)
        self.assertAlmostEqual(note.amount_residual, note.amount_total - 10.0)
        self.allocate_in_xero(note, invoice, round(note.amount_total - 10.0, 2))
        self.told(note, invoice)
        self.pull()
        self.assertEqual(note.payment_state, "paid", self.events().mapped("note"))
        self.assertAlmostEqual(invoice.amount_residual, invoice.amount_total - note.amount_total)
