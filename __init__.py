from . import controllers
from . import models
from . import report
from . import wizard


def uninstall_hook(env):
    """Revoke Xero's access (every stored refresh token), then drop what the
    ORM does not know it made: the trust balance lock rows
    (``account.trust.transaction.init``)."""
    env["xero.connection"]._xero_revoke_all()
    env.cr.execute("DROP TABLE IF EXISTS account_trust_lock")
