"""Contacts: create and update (Xero's name and ContactNumber uniqueness,
field lengths, one valid EmailAddress), look-ups by where / searchTerm, and
the contact of a document (by ContactID, ContactNumber or name).

The shared batch machinery (summarizeErrors, Tx, collection) is in
documents.py.
"""
import re

from .accounting import route
from .documents import _ci, collection, Invalid, _only, _stamp, _updated
from .util import new_id


# --- contacts -----------------------------------------------------------------
def _contact_ref(ctx, tx, ref, errors, create=True):
    """Resolve {"ContactID"} / {"ContactNumber"} / {"Name"}; like Xero, an
    unknown Name creates a new contact."""
    tenant = ctx.tenant
    if not isinstance(ref, dict) or not ref:
        errors.append("A Contact must be specified (sandbox wording)")
        return None
    cid = _ci(ref, "ContactID")
    docs = tenant.docs["Contacts"]
    if cid:
        c = docs.get(str(cid).lower())
        if c is None:
            errors.append("The contact with ContactID %s does not exist (sandbox wording)" % cid)
        return c
    num = _ci(ref, "ContactNumber")
    if num:
        for c in docs.values():
            if c.get("ContactNumber") == num:
                return c
    name = (_ci(ref, "Name") or "").strip()
    if name:
        for c in docs.values():
            if c["Name"].lower() == name.lower() and c["ContactStatus"] == "ACTIVE":
                return c
        for c in docs.values():
            if c["Name"].lower() == name.lower():
                return c
        if create:
            return _contact_upsert(ctx, tx, {"Name": name, "ContactNumber": num}, None)
    errors.append("A Contact must be specified (sandbox wording)")
    return None


def _document_contact(ctx, tx, ref, errors):
    """The contact a document names; an archived one cannot be used."""
    contact = _contact_ref(ctx, tx, ref, errors)
    if contact is not None and contact["ContactStatus"] == "ARCHIVED":
        errors.append("The contact %s is archived and cannot be used on this document (sandbox wording)"
                      % contact["Name"])
    return contact


def _contact_upsert(ctx, tx, el, existing):
    tenant = ctx.tenant
    errors = []
    doc = dict(existing) if existing else {
        "ContactID": new_id(), "ContactStatus": "ACTIVE", "Name": None, "Addresses": [], "Phones": [],
        "ContactGroups": [], "ContactPersons": [], "IsSupplier": False, "IsCustomer": False,
        "HasValidationErrors": False, "HasAttachments": False, "BankAccountDetails": "",
    }
    for f in ("Name", "ContactNumber", "AccountNumber", "FirstName", "LastName", "EmailAddress",
              "CompanyNumber", "TaxNumber", "AccountsReceivableTaxType", "AccountsPayableTaxType",
              "DefaultCurrency", "BankAccountDetails", "Addresses", "Phones", "ContactPersons",
              "Website", "SkypeUserName"):
        v = _ci(el, f)
        if v is not None:
            doc[f] = v.strip() if isinstance(v, str) else v
    status = _ci(el, "ContactStatus")
    if status:
        if status not in ("ACTIVE", "ARCHIVED"):
            errors.append("ContactStatus %s is not valid (sandbox wording)" % status)
        else:
            doc["ContactStatus"] = status
    if not doc.get("Name"):
        errors.append("The contact name must be specified (sandbox wording)")
    errors.extend(_contact_field_errors(doc))
    others = [c for c in tenant.docs["Contacts"].values() if c["ContactID"] != doc["ContactID"]]
    if doc.get("Name") and doc["ContactStatus"] == "ACTIVE":
        if any(c["Name"].lower() == doc["Name"].lower() and c["ContactStatus"] == "ACTIVE" for c in others):
            errors.append("The contact name %s is already assigned to another contact. The contact name "
                          "must be unique across all active contacts." % doc["Name"])
    if doc.get("ContactNumber"):
        if any(c.get("ContactNumber") == doc["ContactNumber"] for c in others):
            errors.append("The contact number %s is already assigned to another contact. The contact "
                          "number must be unique across all contacts." % doc["ContactNumber"])
    if errors:
        raise Invalid(errors)
    doc["UpdatedDateUTC"] = _stamp(ctx)
    return tx.put("Contacts", doc)


# Xero's limits on a contact's fields (xero_accounting.yaml: Contact, Address).
CONTACT_MAX = {"Name": 255, "FirstName": 255, "LastName": 255, "EmailAddress": 255,
               "ContactNumber": 50, "AccountNumber": 50, "CompanyNumber": 50, "TaxNumber": 50}
ADDRESS_MAX = {"AddressLine1": 500, "AddressLine2": 500, "AddressLine3": 500, "AddressLine4": 500,
               "City": 255, "Region": 255, "PostalCode": 50, "Country": 50, "AttentionTo": 255}
# One address, ASCII only: Xero's spec says of EmailAddress "umlauts not
# supported", and Xero refuses a contact whose email is not valid
# (https://github.com/waynerobinson/xeroizer/issues/477, Xero's rjaus: "a
# contact will always require a valid email if provided").
EMAIL_RE = re.compile(r"^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}$")


def _contact_field_errors(doc):
    errors = []
    for name, limit in CONTACT_MAX.items():
        value = doc.get(name)
        if isinstance(value, str) and len(value) > limit:
            errors.append("%s must not be longer than %d characters (sandbox wording)" % (name, limit))
    for address in doc.get("Addresses") or []:
        for name, limit in ADDRESS_MAX.items():
            value = _ci(address, name)
            if isinstance(value, str) and len(value) > limit:
                errors.append("%s must not be longer than %d characters (sandbox wording)"
                              % (name, limit))
    email = doc.get("EmailAddress")
    if email and not EMAIL_RE.match(email):
        errors.append("Email address must be valid. (sandbox wording)")
    return errors


def _contact_handle(ctx, tx, el, contact_id=None):
    cid, existing = _updated(ctx, "Contacts", el, contact_id,
                             "The contact with ContactID %s does not exist (sandbox wording)")
    if cid is None and ctx.request.method == "POST" and _ci(el, "ContactNumber"):
        existing = next((c for c in ctx.tenant.docs["Contacts"].values()
                         if c.get("ContactNumber") == _ci(el, "ContactNumber")), None)
    return _contact_upsert(ctx, tx, el, existing)


def render_contact(ctx, c, full=True):
    out = dict(c)
    if not full:
        for k in ("Addresses", "Phones", "ContactPersons", "ContactGroups"):
            out.pop(k, None)
    return out


def _contact_summary(c):
    return {"ContactID": c["ContactID"], "Name": c["Name"], "ContactNumber": c.get("ContactNumber"),
            "ContactStatus": c["ContactStatus"], "EmailAddress": c.get("EmailAddress"),
            "IsSupplier": c.get("IsSupplier", False), "IsCustomer": c.get("IsCustomer", False),
            "HasValidationErrors": False}


def _contact_of(tenant, contact_id):
    """The contact summary Xero nests in a document; None for an unknown id."""
    c = tenant.docs["Contacts"].get((contact_id or "").lower())
    return _contact_summary(c) if c else None


def _mark_contact_role(ctx, tx, contact, doc_type):
    flag = "IsCustomer" if doc_type in ("ACCREC", "ACCRECCREDIT", "RECEIVE") else "IsSupplier"
    if not contact.get(flag):
        tx.put("Contacts", dict(contact, **{flag: True}))


def _contact_by_key(tenant, key):
    """GET /Contacts/{ContactID or ContactNumber}."""
    docs = tenant.docs["Contacts"]
    key = key.lower()
    return docs.get(key) or next((c for c in docs.values() if (c.get("ContactNumber") or "").lower() == key),
                                 None)


def _select_contacts(ctx, docs):
    docs = _only(ctx, docs, "IDs", lambda d: d["ContactID"].lower())
    if not ctx.flag("includeArchived"):
        docs = [d for d in docs if d["ContactStatus"] != "ARCHIVED"]
    term = ctx.arg("searchTerm")
    if term:
        t = term.lower()
        docs = [d for d in docs if any(t in (d.get(f) or "").lower() for f in
                                       ("Name", "FirstName", "LastName", "ContactNumber",
                                        "CompanyNumber", "EmailAddress"))]
    return docs


contacts = route("Contacts")(collection(
    "Contacts", render_contact, _contact_handle, find=_contact_by_key, select=_select_contacts,
    render_after_filter=True))
