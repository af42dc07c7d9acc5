"""Credit note allocations kept in step with Odoo (issue 9, point 4):
un-reconciling deletes the Xero allocation, a changed allocation sends the
difference; the sandbox deletes allocations as Xero's spec says."""

from odoo.tests import tagged

from .common import XeroPushCommon
from .common_sandbox import SandboxCase


@tagged("post_install", "-at_install")
class TestAllocationSandbox(SandboxCase):
    """DELETE /CreditNotes/{CreditNoteID}/Allocations/{AllocationID}."""

    def _doc(self, path, body):
        r = self.put(path, body)
        self.assertEqual(r.status_code, 200, r.text)
        return r.json()

    def test_delete_allocation(self):
        contact = self.contact("Allocated Ltd")
        line = {"Description": "Advice", "Quantity": 1, "UnitAmount": 100, "AccountCode": "200",
                "TaxType": "NONE"}
        invoice = self._doc("/Invoices", {"Invoices": [{
            "Type": "ACCREC", "Contact": {"ContactID": contact["ContactID"]}, "Status": "AUTHORISED",
            "Date": "2025-06-01", "DueDate": "2025-06-30", "LineItems": [line]}]})["Invoices"][0]
        note = self._doc("/CreditNotes", {"CreditNotes": [{
            "Type": "ACCRECCREDIT", "Contact": {"ContactID": contact["ContactID"]},
            "Status": "AUTHORISED", "Date": "2025-06-01",
            "LineItems": [dict(line, UnitAmount=100)]}]})["CreditNotes"][0]
        alloc = self._doc("/CreditNotes/%s/Allocations" % note["CreditNoteID"], {"Allocations": [{
            "Invoice": {"InvoiceID": invoice["InvoiceID"]}, "Amount": 100,
            "Date": "2025-06-02"}]})["Allocations"][0]
        paid = self.get("/Invoices/%s" % invoice["InvoiceID"]).json()["Invoices"][0]
        self.assertEqual(paid["Status"], "PAID")

        path = "/CreditNotes/%s/Allocations/%s" % (note["CreditNoteID"], alloc["AllocationID"])
        r = self.http.delete(self.srv.url + "/api.xro/2.0" + path, headers=self.h())
        self.assertEqual(r.status_code, 200, r.text)
        self.assertTrue(r.json()["IsDeleted"])
        self.assertEqual(r.json()["AllocationID"], alloc["AllocationID"])
        inv = self.get("/Invoices/%s" % invoice["InvoiceID"]).json()["Invoices"][0]
        self.assertEqual((inv["Status"], inv["AmountDue"], inv["AmountCredited"]),
                         ("AUTHORISED", 100, 0))
        cn = self.get("/CreditNotes/%s" % note["CreditNoteID"]).json()["CreditNotes"][0]
        self.assertEqual((cn["RemainingCredit"], cn["Allocations"]), (100, []))
        # Gone: 404, as for any unknown id.
        r = self.http.delete(self.srv.url + "/api.xro/2.0" + path, headers=self.h())
        self.assertEqual(r.status_code, 404)


@tagged("post_install", "-at_install")
class TestAllocationPush(XeroPushCommon):

    def _receivables(self, *moves):
        return sum(moves, self.env["account.move"]).line_ids.filtered(
            lambda l: l.account_id.account_type == "asset_receivable")

    def test_unreconcile_deletes_the_allocation(self):
        invoice = self.make_invoice(amounts=(100.0,))
        note = self.make_invoice("out_refund", amounts=(40.0,))
        self._receivables(invoice, note).reconcile()
        self.push()
        alloc = self.jobs(note, "allocation")
        self.assertEqual(alloc.state, "done", alloc.error)
        note_id = self.jobs(note, "credit_note").xero_id
        self.assertEqual(len(self.xero_doc("CreditNotes", note_id)["Allocations"]), 1)

        self._receivables(note).remove_move_reconcile()
        delete = self.jobs(note, "delete_allocation")
        self.assertEqual((delete.state, delete.xero_id), ("pending", alloc.xero_id))
        self.push()
        self.assertEqual(delete.state, "done", delete.error)
        self.assertEqual(self.xero_doc("CreditNotes", note_id)["Allocations"], [])
        self.assertAlmostEqual(float(self.xero_doc("Invoices", invoice.xero_id)["AmountDue"]),
                               invoice.amount_total, places=2)
        self.assertAlmostEqual(float(self.xero_doc("CreditNotes", note_id)["RemainingCredit"]),
                               note.amount_total, places=2)
        # The credit note keeps its own Xero id and state.
        self.assertEqual((note.xero_id, note.xero_state), (note_id, "sent"))

    def test_changed_allocation_sends_the_difference(self):
        invoice = self.make_invoice(amounts=(100.0,))  # 115 with tax
        payment = self.pay(invoice, amount=50.0)
        note = self.make_invoice("out_refund", amounts=(100.0,))  # 115
        self._receivables(invoice, note).reconcile()  # 65: what the payment left
        self.push()
        first = self.jobs(note, "allocation")
        self.assertEqual((first.state, first.amount), ("done", 65.0), first.error)

        # The payment is taken off, and more of the credit note applied.
        payment.move_id.line_ids.remove_move_reconcile()
        self._receivables(invoice, note).reconcile()  # the note's other 50: 115 in all
        self.push()
        second = self.jobs(note, "allocation") - first
        self.assertEqual((second.state, second.amount), ("done", 50.0), second.error)
        note_doc = self.xero_doc("CreditNotes", self.jobs(note, "credit_note").xero_id)
        self.assertEqual(sorted(float(a["Amount"]) for a in note_doc["Allocations"]), [50.0, 65.0])
        self.assertAlmostEqual(float(self.xero_doc("Invoices", invoice.xero_id)["AmountDue"]),
                               0.0, places=2)

    def test_partial_unreconcile_allocates_the_rest_again(self):
        invoice = self.make_invoice(amounts=(100.0,))  # 115
        payment = self.pay(invoice, amount=50.0)
        note = self.make_invoice("out_refund", amounts=(100.0,))  # 115
        self._receivables(invoice, note).reconcile()  # 65
        payment.move_id.line_ids.remove_move_reconcile()
        self._receivables(invoice, note).reconcile()  # the note's other 50
        self.push()
        self.assertEqual(sum(self.jobs(note, "allocation").mapped("amount")), 115.0)

        # Only the 50 partial is taken off: Xero's allocations are deleted
        # and the 65 still reconciled is allocated again.
        partials = self._receivables(note).matched_debit_ids
        partials.filtered(lambda p: p.amount == 50.0).unlink()
        self.push()
        note_doc = self.xero_doc("CreditNotes", self.jobs(note, "credit_note").xero_id)
        self.assertEqual([float(a["Amount"]) for a in note_doc["Allocations"]], [65.0])
        self.assertAlmostEqual(float(self.xero_doc("Invoices", invoice.xero_id)["AmountDue"]),
                               50.0, places=2)
        failed = self.Job.search([("state", "in", ("failed", "blocked"))])
        self.assertFalse(failed, failed.mapped("error"))
