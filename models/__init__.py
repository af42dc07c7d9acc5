
from . import xero_connection
from . import xero_reference
from . import xero_map
from . import xero_mapping_check
from . import account_journal
from . import res_config_settings
from . import xero_oauth_state
from . import xero_sync_job
from . import account_move
from . import account_payment
from . import res_partner
from . import account_trust_transaction
from . import account_trust_ledger
from . import xero_sync_job_trust
from . import xero_reconcile
