"""Contacts: Odoo partners as Xero contacts, matched before any is created
(by ContactNumber, then name, then email), created in batches."""

from xero_python.accounting import Contacts

from odoo import _, models

from ..xero.answers import element_results

CONTACT_LOOKUP = 25  # partners matched per GET Contacts (an OR of their clauses)
CONTACT_PAGE = 1000  # contacts per page when the whole directory is read (Xero's largest pageSize)


class XeroSyncJob(models.Model):
    _inherit = "xero.sync.job"

    def _contact_jobs(self):
        """(job, partner, binding) of these contact jobs whose partner still
        exists; the others are set aside."""
        connection = self.connection_id
        for job in self:
            partner = job._record()
            if partner is None:
                job._cancel(_("The contact no longer exists."))
                continue
            yield job, partner, partner._xero_binding(connection)

    def _send_contact(self, api):
        connection = self.connection_id
        to_create = []
        for job, partner, binding in self._contact_jobs():
            if binding.xero_id:
                job._set_done(binding.xero_id, note=False)
                continue
            to_create.append((job, partner))
        # Matched before creation: Xero may know them already. A look-up
        # Xero refuses fails only the partner that caused it.
        lookup = self.env["res.partner"]._xero_find_contacts(
            api, connection, [partner for _job, partner in to_create],
            lookup_size=CONTACT_LOOKUP, page_size=CONTACT_PAGE)
        for job, partner in list(to_create):
            if partner.id in lookup.errors:
                job._set_failed(lookup.errors[partner.id])
                to_create.remove((job, partner))
            elif lookup.found.get(partner.id):
                partner._xero_bind(connection, lookup.found[partner.id])
                job._set_done(lookup.found[partner.id], note=False)
                to_create.remove((job, partner))
        self._commit()
        self._send_requests(api, self._contact_requests(connection, to_create, lookup.names))

    def _contact_requests(self, connection, to_create, names):
        ready = []
        for job, partner in to_create:
            contact = job._prepare(lambda partner=partner: partner._xero_contact_payload(
                connection, name=names.get(partner.id)))
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

    # ------------------------------------------------------------------------
    # Partners already in Xero whose details changed: "contact_update", sent
    # _batch_size() to a request (POST /Contacts with their ContactID, Xero's
    # update of contacts)
    # ------------------------------------------------------------------------
    def _send_contact_update(self, api):
        connection = self.connection_id
        ready = []
        for job, partner, binding in self._contact_jobs():
            if not binding:
                job._cancel(_("Not in Xero yet: the contact is created with these details."))
                continue
            ready.append((job, partner, binding.xero_id))
        names = self.env["res.partner"]._xero_update_names(
            api, connection, [(partner, xero_id) for _job, partner, xero_id in ready])
        self._send_requests(api, self._contact_update_requests(connection, ready, names))

    def _contact_update_requests(self, connection, ready, names):
        batch = self._batch_size()
        for start in range(0, len(ready), batch):
            chunk = ready[start:start + batch]
            jobs = self.browse([job.id for job, _p, _x in chunk])
            elements = [partner._xero_contact_payload(
                connection, name=names.get(partner.id), contact_id=xero_id)
                for _job, partner, xero_id in chunk]
            key = jobs._request_key()

            def send(client, elements=elements, key=key):
                data = client.call("update_or_create_contacts", Contacts(contacts=elements),
                                   idempotency_key=key, summarize_errors=False)
                return element_results(data.contacts or [], "contact_id", len(elements))

            def on_done(results, jobs=jobs):
                jobs._apply_results(
                    results, lambda job, result: job._set_done(result.xero_id, note=False))

            yield jobs, send, on_done
