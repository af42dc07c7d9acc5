import re
from collections import namedtuple

import psycopg2

from odoo import _, api, fields, models
from odoo.tools import email_split

from ..senders.base import WaitForXero
from ..xero import payloads
from ..xero.errors import XeroValidationError

# An address Xero takes in EmailAddress: one address, ASCII only (Xero's
# spec: "Email address of contact person (umlauts not supported) (max length
# = 255)"), local@domain.tld. Xero refuses a contact whose email is not valid
# (https://github.com/waynerobinson/xeroizer/issues/477: "a contact will
# always require a valid email if provided").
_EMAIL = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")
_ODOO_NUMBER = re.compile(r"^ODOO-\d+$")
# The partner fields a Xero contact carries: a change sends the contact again.
XERO_CONTACT_FIELDS = (
    "name", "email", "vat", "is_company", "street", "street2", "city", "zip", "state_id",
    "country_id",
)

ContactLookup = namedtuple("ContactLookup", "found names errors contacts", defaults=(None,))
ContactLookup.__doc__ = """What a look-up of partners in Xero found:
``found`` {partner id: ContactID} of the partners Xero knows already,
``names`` {partner id: Name} for the partners to create under another name
(their own is taken by a contact that is another partner's), ``errors``
{partner id: message} for the partners whose own look-up Xero refused,
``contacts`` {ContactID: the Contact read} of those found."""


def _fold(text):
    """A name or email as Xero compares it: case-insensitively."""
    return " ".join((text or "").split()).casefold()


class ResPartner(models.Model):
    _inherit = "res.partner"

    xero_binding_ids = fields.One2many(
        "xero.contact.binding", "partner_id", "Xero contacts", readonly=True,
        groups="account_xero.group_xero_user")

    def _xero_contact_number(self):
        """Xero's ContactNumber for this partner: it carries the Odoo key."""
        self.ensure_one()
        return "ODOO-%d" % self.id

    def _xero_binding(self, connection):
        self.ensure_one()
        return self.env["xero.contact.binding"].sudo().search(
            [("connection_id", "=", connection.id), ("partner_id", "=", self.id)], limit=1)

    def _xero_contact_id_or_wait(self, connection):
        """This contact's Xero id; when it is not in Xero yet, it is queued
        and the job asking waits for it (WaitForXero)."""
        self.ensure_one()
        binding = self._xero_binding(connection)
        if not binding.xero_id:
            self._xero_enqueue_contact(connection)
            raise WaitForXero(_("Waiting for contact %s to reach Xero.", self.display_name))
        return binding.xero_id

    def _xero_bind(self, connection, xero_id, sent=None):
        """Bind this partner to the Xero contact ``xero_id``; ``sent``: the
        contact's values as Xero now holds them (xero/payloads_contact.py)."""
        self.ensure_one()
        binding = self._xero_binding(connection)
        vals = {"xero_id": xero_id}
        if sent is not None:
            vals["sent_values"] = sent
        if binding:
            binding.write(vals)
        else:
            binding = self.env["xero.contact.binding"].sudo().create(dict(
                vals, connection_id=connection.id, partner_id=self.id))
        return binding

    def write(self, vals):
        res = super().write(vals)
        if set(vals) & set(XERO_CONTACT_FIELDS):
            self._xero_enqueue_contact_update()
        return res

    def _xero_enqueue_contact_update(self):
        """A partner already in Xero changed what its contact carries: one
        "contact_update" job per partner and connection (a later change
        before it is sent rides on the same job; one being sent gets a
        follower). No HTTP here."""
        bindings = self.env["xero.contact.binding"].sudo().search(
            [("partner_id", "in", self.ids)])
        Job = self.env["xero.sync.job"].sudo()
        for binding in bindings:
            partner, connection = binding.partner_id, binding.connection_id
            last = Job._jobs_of(partner, ("contact_update",)).filtered(
                lambda j, c=connection: j.connection_id == c)[-1:]
            if last.state == "sending":
                Job._enqueue(connection, partner, "contact_update", version=last.version + 1)
            else:
                Job._enqueue(connection, partner, "contact_update")

    def _xero_enqueue_contacts(self, connection):
        """{partner id: the job that makes it a Xero contact} for these
        partners (none for those already contacts): bindings and jobs read
        once for the batch; a job queued only for partners that need one."""
        Job = self.env["xero.sync.job"].sudo()
        if not self:
            return {}
        bound = set(self.env["xero.contact.binding"].sudo().search([
            ("connection_id", "=", connection.id), ("partner_id", "in", self.ids),
        ]).mapped("partner_id").ids)
        last = {}
        for job in Job.search([("connection_id", "=", connection.id),
                               ("res_model", "=", "res.partner"), ("res_id", "in", self.ids),
                               ("operation", "=", "contact")], order="id"):
            last[job.res_id] = job
        jobs = {}
        for partner in self.filtered(lambda p: p.id not in bound and p.id in last):
            job = last[partner.id]
            if job.state in ("pending", "sending", "failed", "blocked"):
                jobs[partner.id] = job
            else:
                jobs[partner.id] = Job._enqueue(connection, partner, "contact")
        # Never queued before (a new customer, the common case): their jobs
        # in one statement, as for the documents (posting is the user's time).
        # (A partner the connection's company may not use goes through
        # _enqueue, whose constraint says why.)
        new = self.filtered(lambda p: p.id not in bound and p.id not in last)
        for partner in new.filtered(lambda p: not Job._xero_same_company(p, connection.company_id)):
            jobs[partner.id] = Job._enqueue(connection, partner, "contact")
        new = new.filtered(lambda p: p.id not in jobs)
        if not new:
            return jobs
        try:
            with self.env.cr.savepoint(flush=False):
                created = Job._create_fresh([(connection, partner, "contact", Job) for partner in new])
            jobs.update(zip(new.ids, created))
        except psycopg2.errors.UniqueViolation:
            # Another transaction queued some of them meanwhile: one by one.
            for partner in new:
                jobs[partner.id] = Job._enqueue(connection, partner, "contact")
        return jobs

    def _xero_enqueue_contact(self, connection):
        """The job that makes this partner a Xero contact, or an empty record
        when it already is one."""
        self.ensure_one()
        return self._xero_enqueue_contacts(connection).get(
            self.id, self.env["xero.sync.job"].sudo())

    # ------------------------------------------------------------------------
    # What goes to Xero
    # ------------------------------------------------------------------------
    def _xero_contact_name(self):
        self.ensure_one()
        return " ".join((self.name or "").split()) or self._xero_contact_number()

    def _xero_contact_email(self):
        """The one address Xero's EmailAddress takes, or None: the first
        address of the partner's email field (Odoo allows a list and a
        display name), when Xero would accept it."""
        self.ensure_one()
        for address in email_split(self.email or ""):
            if _EMAIL.match(address) and len(address) <= 255:
                return address
        return None

    def _xero_person_names(self):
        """(FirstName, LastName) for an individual; (None, None) for a
        company. Odoo Community keeps one name: the first word is the first
        name and the rest the last name (OCA's partner_firstname fields are
        used when installed)."""
        self.ensure_one()
        if self.is_company:
            return None, None
        if "firstname" in self._fields and "lastname" in self._fields:
            return self.firstname or None, self.lastname or None
        words = (self.name or "").split()
        if len(words) < 2:
            return None, None
        return words[0], " ".join(words[1:])

    def _xero_address(self):
        """The partner's address as plain values for a Xero STREET address."""
        self.ensure_one()
        return {
            "line1": self.street or None,
            "line2": self.street2 or None,
            "city": self.city or None,
            "region": self.state_id.name or None,
            "postal_code": self.zip or None,
            "country": self.country_id.name or None,
        }

    def _xero_contact_payload(self, connection, name=None, contact_id=None):
        """The Contact sent to Xero: ``name`` instead of the partner's (a
        disambiguated name), ``contact_id`` for an update."""
        self.ensure_one()
        first_name, last_name = self._xero_person_names()
        return payloads.build_contact(
            self._xero_contact_number(),
            name or self._xero_contact_name(),
            email=self._xero_contact_email(),
            tax_number=(self.vat or "").strip() or None,
            is_company=self.is_company,
            first_name=first_name,
            last_name=last_name,
            address=self._xero_address(),
            contact_id=contact_id,
        )

    # ------------------------------------------------------------------------
    # Finding the partner's contact in Xero
    # ------------------------------------------------------------------------
    def _xero_contact_clauses(self):
        """The where clauses (to OR) that find this partner's contact in
        Xero: its ContactNumber, its name, its email. A name Xero cannot
        take quoted (a double quote, a backslash: Xero-Java issue 347) is
        looked up by its longest quotable part, and compared here."""
        self.ensure_one()
        clauses = [payloads.where_equals("ContactNumber", self._xero_contact_number())]
        name_clause = self._xero_name_clause()
        if name_clause:
            clauses.append(name_clause)
        email = self._xero_contact_email()
        if email and payloads.can_quote(email):
            clauses.append(payloads.where_equals("EmailAddress", email))
        return clauses

    def _xero_name_clause(self):
        """The where clause finding contacts of this partner's name: Name=="..."
        or, for a name Xero cannot take quoted, a Contains of its longest
        quotable part (the contacts found are compared here); None when not
        even that is left."""
        self.ensure_one()
        name = self._xero_contact_name()
        if payloads.can_quote(name):
            return payloads.where_equals("Name", name)
        fragment = payloads.safe_fragment(name)
        if fragment:
            return payloads.where_contains("Name", fragment, ignore_case=True)
        return None

    @api.model
    def _xero_match_contacts(self, partners, contacts, connection):
        """Match ``partners`` to the Xero ``contacts`` read for them:
        a :class:`ContactLookup` (``errors`` empty).

        A contact is a partner's by its ContactNumber; else by its name,
        then its email, compared as Xero compares them (ignoring case),
        unless it is already another partner's: bound to another partner on
        this connection, carrying another partner's ContactNumber, or taken
        by a partner of this same batch. Two Odoo partners never become one
        Xero contact. A partner left to create whose name an active contact
        already has (Xero refuses a second contact of the same name) is
        created as "Name (ContactNumber)"."""
        partners = self.browse([p.id for p in partners])
        active = [c for c in contacts
                  if (getattr(c.contact_status, "value", c.contact_status) or "ACTIVE") == "ACTIVE"]
        bound = {}
        if active:
            bindings = self.env["xero.contact.binding"].sudo().search([
                ("connection_id", "=", connection.id),
                ("xero_id", "in", [str(c.contact_id) for c in active]),
            ])
            bound = {b.xero_id: b.partner_id.id for b in bindings}
        numbers = {partner._xero_contact_number(): partner for partner in partners}
        taken = {}  # ContactID -> partner id

        def free_for(contact, partner):
            cid = str(contact.contact_id)
            owner = taken.get(cid) or bound.get(cid)
            if owner:
                return owner == partner.id
            number = contact.contact_number or ""
            return not _ODOO_NUMBER.match(number) or number == partner._xero_contact_number()

        found = {}
        # By ContactNumber first, for everyone: it is the partner's own key.
        for contact in active:
            partner = numbers.get(contact.contact_number or "")
            if partner and partner.id not in found and free_for(contact, partner):
                found[partner.id] = str(contact.contact_id)
                taken[str(contact.contact_id)] = partner.id
        for key in (lambda p: ("name", _fold(p._xero_contact_name())),
                    lambda p: ("email", _fold(p._xero_contact_email()))):
            for partner in partners:
                if partner.id in found:
                    continue
                kind, value = key(partner)
                if not value:
                    continue
                for contact in active:
                    other = _fold(contact.name if kind == "name" else contact.email_address)
                    if other == value and free_for(contact, partner):
                        found[partner.id] = str(contact.contact_id)
                        taken[str(contact.contact_id)] = partner.id
                        break
        # Names to create under: not one an active contact (or an earlier
        # partner of this batch) already has.
        used = {_fold(c.name) for c in active}
        names = {}
        for partner in partners:
            if partner.id in found:
                continue
            name = partner._xero_contact_name()
            if _fold(name) in used:
                name = payloads.disambiguated_name(name, partner._xero_contact_number())
                names[partner.id] = name
            used.add(_fold(name))
        return ContactLookup(found, names, {}, {str(c.contact_id): c for c in active})

    @api.model
    def _xero_update_names(self, api, connection, pairs, lookup_size=25):
        """{partner id: Name} for the partners of ``pairs`` [(partner, its
        ContactID)] whose name another active contact has in Xero (found by
        a look-up of their names): they are sent as "Name (ContactNumber)",
        since Xero refuses two active contacts of the same name."""
        partners = self.browse([p.id for p, _x in pairs])
        own = {p.id: xero_id for p, xero_id in pairs}

        def clauses(partner):
            clause = partner._xero_name_clause()
            return [clause] if clause else []

        names = {}
        for chunk, where in self.env["xero.sync.job"]._where_chunks(
                [p for p in partners if clauses(p)], clauses, lookup_size):
            try:
                contacts = api.get_contacts(where=" OR ".join(where))
            except XeroValidationError:
                continue  # Xero will say if the name is taken
            for partner in chunk:
                name = partner._xero_contact_name()
                if any(_fold(c.name) == _fold(name) and str(c.contact_id) != own[partner.id]
                       for c in contacts):
                    names[partner.id] = payloads.disambiguated_name(
                        name, partner._xero_contact_number())
        return names

    @api.model
    def _xero_find_contacts(self, api, connection, partners, lookup_size=25, page_size=1000):
        """Look ``partners`` up in Xero in as few calls as it takes: one
        look-up per ``lookup_size`` partners (an OR of their clauses, cut by
        ``xero.sync.job._where_chunks``), or, when that takes more calls,
        Xero's active contacts read ``page_size`` at a time.

        A look-up Xero refuses (400, e.g. QueryParseException) is tried
        again partner by partner, so that it fails only the partner that
        caused it (in ``errors``). Returns a :class:`ContactLookup`."""
        partners = self.browse([p.id for p in partners])
        if not partners:
            return ContactLookup({}, {}, {})
        Job = self.env["xero.sync.job"]
        lookups = Job._where_chunks(
            list(partners), lambda p: p._xero_contact_clauses(), lookup_size)
        if len(lookups) > 1:
            directory = api.get_contacts(page_size=page_size, max_pages=len(lookups) - 1)
            if directory is not None:
                return self._xero_match_contacts(partners, directory, connection)
        contacts, errors = [], {}
        for chunk, clauses in lookups:
            try:
                contacts += api.get_contacts(where=" OR ".join(clauses))
            except XeroValidationError as exc:
                if len(chunk) == 1:
                    errors[chunk[0].id] = _(
                        "Xero refused the look-up of this contact: %s", exc.message)
                    continue
                for partner in chunk:
                    try:
                        contacts += api.get_contacts(
                            where=" OR ".join(partner._xero_contact_clauses()))
                    except XeroValidationError as exc_one:
                        errors[partner.id] = _(
                            "Xero refused the look-up of this contact: %s", exc_one.message)
        ok = partners.filtered(lambda p: p.id not in errors)
        seen, unique = set(), []
        for contact in contacts:
            if str(contact.contact_id) not in seen:
                seen.add(str(contact.contact_id))
                unique.append(contact)
        result = self._xero_match_contacts(ok, unique, connection)
        return ContactLookup(result.found, result.names, errors, result.contacts)

    def _xero_refresh_state(self, notes=None):
        return True
