from . import account_trust_reversal_wizard
from . import account_trust_reconciliation_wizard
from . import account_payment_register
from . import account_trust_ledger_export
