"""Invoices, bills and credit notes: created in batches; those in doubt
looked up by number first; posted again after a reset, updated in place."""

from collections import defaultdict

from odoo import _

from ..xero import payloads
from .base import WAIT_DELAY, Sender

LIVE = ("DRAFT", "SUBMITTED", "AUTHORISED", "PAID")


class InvoiceSender(Sender):
    """"invoice": an invoice or a bill (Xero's Invoices, ACCREC / ACCPAY)."""

    create_method = "create_invoices"

    def requests(self):
        """The create requests of these jobs, ``_batch_size()`` documents each,
        yielded as soon as each is full (see ``_send_requests``); the jobs
        that need no create (gone, found in Xero, blocked, updated in place)
        are settled on the way."""
        jobs = self.jobs
        # Those in doubt are looked up first, 50 numbers a look-up.
        doubtful = [job._record() for job in jobs if job.in_doubt]
        found = self.find([move for move in doubtful if move is not None and move.state == "posted"])
        batch = jobs._batch_size()
        loose = [job._record() for job in jobs if not job.depends_on_job_id]
        contacts_on_the_way = self.contacts_on_their_way(
            self.env["account.move"].union(*[move for move in loose if move is not None]))
        ready = []
        for job in jobs:
            move = job._record()
            if move is None or move.state != "posted":
                job._cancel(_("The document is no longer posted."))
                continue
            if job.in_doubt and found.get(move.id):
                job._set_done(found[move.id])
                continue
            if not job.depends_on_job_id and move.commercial_partner_id.id in contacts_on_the_way:
                job._release(error=_("Waiting for %s to reach Xero.",
                                     move.commercial_partner_id.display_name), delay=WAIT_DELAY)
                continue
            values = job._prepare_values(
                lambda move=move: move._xero_document_values(self.connection))
            if values is None:
                continue
            model = job._prepare(lambda values=values: payloads.build_invoice(values))
            if model is None:
                continue
            if job.xero_id:
                # Posted again after a reset, before the void went: update in
                # place, unless it was changed in Xero meanwhile (never
                # overwritten silently: the accountant reviews it first).
                if move.sudo().xero_change_note:
                    job._set_blocked(_(
                        "%s\nNot updated in Xero over that change: correct the document that "
                        "is wrong, click Reviewed, then Post to Xero.",
                        move.sudo().xero_change_note))
                    continue
                job._budget_request()
                result = self.update(job, model)
                if result.ok:
                    if result.obj is not None:
                        move._xero_remember_sent(result.obj)
                    job._set_done(job.xero_id)
                else:
                    job._set_failed(result.message)
                continue
            ready.append((job, model))
            if len(ready) == batch:
                yield self.request(ready)
                ready = []
        if ready:
            yield self.request(ready)

    def update(self, job, model):
        model.invoice_id = job.xero_id
        return self.api.update_invoice(job.xero_id, model, job._request_key())

    def request(self, ready):
        jobs = self.browse([job for job, _model in ready])

        def on_ok(job, result):
            # What Xero stored, kept to tell later what was changed there.
            move = job._record()
            if move is not None and result.obj is not None:
                move._xero_remember_sent(result.obj)
            job._set_done(result.xero_id)

        return jobs._batch_request(
            self.create_method, [model for _job, model in ready], on_ok)

    def find(self, moves):
        """{move id: Xero id} of the live Xero documents already made from
        ``moves``, found by the number they have in Xero (a bill's is its
        supplier's reference: ``_xero_invoice_number``), ``_batch_size()``
        numbers per look-up. Two bills of different suppliers may carry the
        same reference: then the Xero contact tells them apart."""
        found = {}
        batch = self.jobs._batch_size()
        for start in range(0, len(moves), batch):
            by_number = defaultdict(list)
            for move in moves[start:start + batch]:
                by_number[move._xero_invoice_number()].append(move)
            self.find_numbers(by_number, found)
        return found

    def find_numbers(self, by_number, found):
        docs = self.api.get_invoices(invoice_numbers=list(by_number), statuses=list(LIVE))
        for doc in docs:
            move = self.match(by_number, doc.invoice_number, doc.contact,
                              lambda m, doc=doc: m.id not in found
                              and (doc.type or m._xero_type()) == m._xero_type())
            if move and doc.status in LIVE:
                found[move.id] = doc.invoice_id

    def match(self, by_number, number, contact, kind_ok):
        candidates = [move for move in by_number.get(number, ()) if kind_ok(move)]
        if len(candidates) > 1 and contact is not None:
            mine = [move for move in candidates if move.commercial_partner_id._xero_binding(
                self.connection).xero_id == str(contact.contact_id)]
            candidates = mine or candidates
        return candidates[0] if candidates else None

    def contacts_on_their_way(self, moves):
        """The partners of ``moves`` whose contact job is pending or being
        sent: a document queued without waiting for it (that job was queued
        by another user's transaction at the same moment) waits for it here."""
        partners = moves.commercial_partner_id
        if not partners:
            return set()
        return set(self.jobs.search([
            ("connection_id", "=", self.connection.id), ("operation", "=", "contact"),
            ("res_model", "=", "res.partner"), ("res_id", "in", partners.ids),
            ("state", "in", ("pending", "sending")),
        ]).mapped("res_id"))


class CreditNoteSender(InvoiceSender):
    """"credit_note": a credit note, the customer's or the supplier's."""

    create_method = "create_credit_notes"

    def update(self, job, model):
        model.credit_note_id = job.xero_id
        return self.api.update_credit_note(job.xero_id, model, job._request_key())

    def find_numbers(self, by_number, found):
        docs = self.api.get_credit_notes(where=" OR ".join(
            payloads.where_equals("CreditNoteNumber", number) for number in by_number))
        for doc in docs:
            move = self.match(by_number, doc.credit_note_number, doc.contact,
                              lambda m: m.id not in found)
            if move and doc.status in LIVE:
                found[move.id] = doc.credit_note_id
