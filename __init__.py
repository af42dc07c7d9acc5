from . import controllers
from . import models


def uninstall_hook(env):
    """Drop what the ORM does not know it made: the trust balance lock rows
    (``account.trust.transaction.init``)."""
    env.cr.execute("DROP TABLE IF EXISTS account_trust_lock")
