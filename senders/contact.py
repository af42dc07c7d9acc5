"""Contacts: Odoo partners as Xero contacts, matched before any is created
(by ContactNumber, then name, then email), created in batches; partners
already in Xero whose details changed are updated in batches (POST /Contacts
with their ContactID, Xero's update of contacts), with only the fields that
changed in Odoo since they were last sent (the contact binding keeps what
was sent): a field emptied in Odoo is emptied in Xero, one changed only in
Xero is left alone, and the ContactNumber is never sent again (a contact
Odoo matched by name keeps Xero's own)."""

from xero_python.accounting import Contacts

from odoo import _

from ..xero import payloads
from ..xero.answers import element_results
from ..xero.payloads_contact import changed_keys, contact_update, contact_values
from .base import Sender

CONTACT_LOOKUP = 25  # partners matched per GET Contacts (an OR of their clauses)
CONTACT_PAGE = 1000  # contacts per page when the whole directory is read (Xero's largest pageSize)


class ContactSenderBase(Sender):

    def contact_jobs(self):
        """(job, partner, binding) of these contact jobs whose partner still
        exists; the others are set aside."""
        for job in self.jobs:
            partner = job._record()
            if partner is None:
                job._cancel(_("The contact no longer exists."))
                continue
            yield job, partner, partner._xero_binding(self.connection)


class ContactSender(ContactSenderBase):
    """"contact": a partner's first time in Xero."""

    def send(self):
        connection = self.connection
        to_create = []
        for job, partner, binding in self.contact_jobs():
            if binding.xero_id:
                job._set_done(binding.xero_id, note=False)
                continue
            to_create.append((job, partner))
        # Matched before creation (the look-up of those in doubt too): Xero
        # may know them already. A look-up Xero refuses fails only the
        # partner that caused it.
        lookup = self.env["res.partner"]._xero_find_contacts(
            self.api, connection, [partner for _job, partner in to_create],
            lookup_size=CONTACT_LOOKUP, page_size=CONTACT_PAGE)
        for job, partner in list(to_create):
            if partner.id in lookup.errors:
                job._set_failed(lookup.errors[partner.id])
                to_create.remove((job, partner))
            elif lookup.found.get(partner.id):
                found = (lookup.contacts or {}).get(lookup.found[partner.id])
                partner._xero_bind(connection, lookup.found[partner.id],
                                   sent=contact_values(found) if found is not None else None)
                job._set_done(lookup.found[partner.id], note=False)
                to_create.remove((job, partner))
        self.commit()
        self.jobs._send_requests(self.api, self.requests(to_create, lookup.names))

    def requests(self, to_create=(), names=None):
        connection = self.connection
        ready = []
        for job, partner in to_create:
            contact = job._prepare(lambda partner=partner: partner._xero_contact_payload(
                connection, name=(names or {}).get(partner.id)))
            if contact is not None:
                ready.append((job, partner, contact))
        return self.batch(ready, self.request)

    def request(self, chunk):
        jobs = self.browse([job for job, _p, _c in chunk])
        partners = {job.id: partner for job, partner, _c in chunk}
        sent = {job.id: contact_values(contact) for job, _p, contact in chunk}

        def on_ok(job, result):
            partners[job.id]._xero_bind(self.connection, result.xero_id, sent=sent[job.id])
            job._set_done(result.xero_id, note=False)

        return jobs._batch_request("create_contacts", [contact for _j, _p, contact in chunk], on_ok)


class ContactUpdateSender(ContactSenderBase):
    """"contact_update": a partner already in Xero whose details changed:
    the fields that differ from what was last sent, nothing when none do."""

    def send(self):
        ready = []  # (job, partner, binding, values, keys)
        for job, partner, binding in self.contact_jobs():
            if not binding:
                job._cancel(_("Not in Xero yet: the contact is created with these details."))
                continue
            values = job._prepare(lambda partner=partner: contact_values(
                partner._xero_contact_payload(self.connection)))
            if values is None:
                continue
            sent = binding.sent_values
            keys = changed_keys(values, sent)
            if "name" in keys and sent and sent.get("name") == payloads.disambiguated_name(
                    values["name"], partner._xero_contact_number()):
                keys.remove("name")  # sent under "Name (ContactNumber)": the same name
            ready.append((job, partner, binding, values, keys))
        names = self.env["res.partner"]._xero_update_names(
            self.api, self.connection,
            [(partner, binding.xero_id) for _j, partner, binding, _v, keys in ready
             if "name" in keys])
        to_send = []
        for job, partner, binding, values, keys in ready:
            if partner.id in names:
                values["name"] = names[partner.id]
                if values["name"] == (binding.sent_values or {}).get("name"):
                    keys.remove("name")
            if not keys:
                job._set_done(binding.xero_id, note=False)  # Xero has it all already
                continue
            to_send.append((job, binding, values, keys))
        self.jobs._send_requests(self.api, self.batch(to_send, self.request))

    def request(self, chunk):
        jobs = self.browse([job for job, _b, _v, _k in chunk])
        elements = [contact_update(binding.xero_id, values, keys)
                    for _job, binding, values, keys in chunk]
        after = {job.id: (binding, dict(binding.sent_values or values,
                                        **{key: values[key] for key in keys}))
                 for job, binding, values, keys in chunk}
        key = jobs._request_key()

        def send(client):
            data = client.call("update_or_create_contacts", Contacts(contacts=elements),
                               idempotency_key=key, summarize_errors=False)
            return element_results(data.contacts or [], "contact_id", len(elements))

        def on_ok(job, result):
            binding, sent = after[job.id]
            binding.sudo().sent_values = sent
            job._set_done(result.xero_id, note=False)

        def on_done(results):
            jobs._apply_results(results, on_ok)

        return jobs, send, on_done
