from . import account_trust_reconciliation_report
from . import account_trust_receipt_report
from . import account_trust_statement_report
