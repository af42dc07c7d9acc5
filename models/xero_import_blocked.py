"""Why a change made in Xero cannot be taken into Odoo as it is (the pull's
event says it to the user).

A module of its own, with no model: the files that raise it (the pull, the
registering of a burst, the allocations) import it without importing
another file's models, so the order ``models/__init__.py`` lists them in
stays free (``tools/check-import-order``)."""

from odoo.exceptions import UserError


class ImportBlocked(UserError):
    """A payment Odoo cannot register as Xero made it: the event says why."""
