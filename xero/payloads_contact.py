"""A contact as plain values, and the update that sends only what changed.

Pure (no I/O, no ORM). The values of a contact are what Xero holds of the
fields Odoo fills: ``name``, ``email_address``, ``tax_number``,
``first_name``, ``last_name`` and the STREET address's lines, city, region,
postal code and country; "" for a field Xero holds empty. The contact
binding keeps the values last sent (or, for a contact Xero already had and
Odoo matched, the values Xero held then); an update carries only the fields
whose Odoo value differs from them, a field emptied in Odoo as "" (Xero
leaves alone an element not sent: "if you exclude an element then the
existing value will be preserved", Xero's Contacts POST as documented at
https://linx.software/docs/reference/plugins/xero/content/contacts/updatecontact/;
that an element sent as "" is emptied is not documented, and is the reading
that keeps the two books alike), and never the ContactNumber (a contact Odoo
matched by name keeps Xero's own).
"""

from xero_python.accounting import Address, Contact

CONTACT_FIELDS = ("name", "email_address", "tax_number", "first_name", "last_name")
ADDRESS_FIELDS = ("address_line1", "address_line2", "city", "region", "postal_code", "country")
KEYS = CONTACT_FIELDS + ADDRESS_FIELDS

LABELS = {
    "name": "Name", "email_address": "Email", "tax_number": "Tax number",
    "first_name": "First name", "last_name": "Last name", "address_line1": "Street",
    "address_line2": "Street 2", "city": "City", "region": "Region",
    "postal_code": "Postal code", "country": "Country",
}


def _text(value):
    return " ".join(str(value or "").split())


def _street(contact):
    for address in getattr(contact, "addresses", None) or []:
        kind = getattr(address.address_type, "value", address.address_type)
        if kind == "STREET":
            return address
    return None


def contact_values(contact):
    """{key: text} of a xero-python ``Contact`` (one built to send, or one
    read from Xero); "" for what it holds empty."""
    values = {key: _text(getattr(contact, key, None)) for key in CONTACT_FIELDS}
    street = _street(contact)
    for key in ADDRESS_FIELDS:
        values[key] = _text(getattr(street, key, None)) if street is not None else ""
    return values


def changed_keys(values, sent):
    """The keys whose value differs from ``sent`` (all the non-empty ones
    when nothing is known of what was sent)."""
    if sent is None:
        return [key for key in KEYS if values.get(key)]
    return [key for key in KEYS if (values.get(key) or "") != (sent.get(key) or "")]


def contact_update(contact_id, values, keys):
    """The Contact that updates ``contact_id`` with ``values`` for ``keys``
    only ("" clears); a change to any address field sends the whole STREET
    address as Odoo has it. None when there is nothing to send."""
    if not keys:
        return None
    contact = Contact(contact_id=contact_id)
    for key in CONTACT_FIELDS:
        if key in keys:
            setattr(contact, key, values.get(key) or "")
    if any(key in keys for key in ADDRESS_FIELDS):
        contact.addresses = [Address(address_type="STREET", **{
            key: values.get(key) or "" for key in ADDRESS_FIELDS})]
    return contact


def describe_changes(before, after, keys):
    """["Email: a@x → b@x", …] for ``keys``."""
    return ["%s: %s → %s" % (LABELS[key], (before or {}).get(key) or "(empty)",
                             after.get(key) or "(empty)") for key in keys]
