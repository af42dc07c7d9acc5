"""Contacts: Odoo partners as Xero contacts, matched before any is created
(by ContactNumber, then name, then email), created in batches."""

from odoo import _, models

from ..xero import payloads

CONTACT_LOOKUP = 25  # partners matched per GET Contacts (an OR of their clauses)
CONTACT_PAGE = 1000  # contacts per page when the whole directory is read (Xero's largest pageSize)


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    def _send_contact(self, api):
        connection = self.connection_id
        to_create = []
        for job in self:
            partner = job._record()
            if partner is None:
                job._cancel(_("The contact no longer exists."))
                continue
            binding = partner._xero_binding(connection)
            if binding.xero_id:
                job._set_done(binding.xero_id, note=False)
                continue
            to_create.append((job, partner))
        # Matched before creation: Xero may know them already.
        found = self._find_contacts(api, [partner for _job, partner in to_create])
        for job, partner in list(to_create):
            if found.get(partner.id):
                partner._xero_bind(connection, found[partner.id])
                job._set_done(found[partner.id], note=False)
                to_create.remove((job, partner))
        self._commit()
        self._send_requests(api, self._contact_requests(connection, to_create))

    def _contact_requests(self, connection, to_create):
        ready = []
        for job, partner in to_create:
            contact = job._prepare(lambda partner=partner: partner._xero_contact_payload(connection))
            if contact is not None:
                ready.append((job, partner, contact))
        batch = self._batch_size()
        for start in range(0, len(ready), batch):
            chunk = ready[start:start + batch]
            jobs = self.browse([job.id for job, _p, _c in chunk])
            partners = {job.id: partner for job, partner, _c in chunk}

            def on_ok(job, result, partners=partners):
                partners[job.id]._xero_bind(connection, result.xero_id)
                job._set_done(result.xero_id, note=False)

            yield jobs._batch_request(
                "create_contacts", [contact for _job, _p, contact in chunk], on_ok)

    @staticmethod
    def _contact_clauses(partner):
        clauses = [payloads.where_equals("ContactNumber", partner._xero_contact_number())]
        name = (partner.name or "").strip()
        if name:
            clauses.append(payloads.where_equals("Name", name))
        if partner.email:
            clauses.append(payloads.where_equals("EmailAddress", partner.email.strip()))
        return clauses

    def _find_contacts(self, api, partners):
        """{partner id: ContactID} of the partners already in Xero, in as
        few calls as it takes: look-ups (an OR of the partners' clauses, at
        most CONTACT_LOOKUP partners and WHERE_BUDGET characters each) for a
        few partners; for more, Xero's active contacts read CONTACT_PAGE at
        a time, as long as that costs fewer calls than the look-ups would."""
        if not partners:
            return {}
        lookups = self._where_chunks(partners, self._contact_clauses, CONTACT_LOOKUP)
        directory = None
        if len(lookups) > 1:
            directory = api.get_contacts(page_size=CONTACT_PAGE, max_pages=len(lookups) - 1)
        if directory is not None:
            lookups = [(partners, None)]
        found = {}
        for chunk, clauses in lookups:
            contacts = directory if clauses is None else api.get_contacts(where=" OR ".join(clauses))
            for partner in chunk:
                match = self._match_contact(partner, contacts)
                if match:
                    found[partner.id] = match
        return found

    @staticmethod
    def _match_contact(partner, contacts):
        number = partner._xero_contact_number()
        name = (partner.name or "").strip()
        active = [c for c in contacts if (c.contact_status or "ACTIVE") == "ACTIVE"]
        for test in (
            lambda c: c.contact_number == number,
            lambda c: name and (c.name or "").strip() == name,
            lambda c: partner.email and (c.email_address or "").strip().lower()
            == partner.email.strip().lower(),
        ):
            for contact in active:
                if test(contact):
                    return contact.contact_id
        return None

