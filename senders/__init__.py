"""The senders of the push, and the one table of the operations they serve.

``OPERATIONS`` is the table: each operation, its label (the Sync Log's
"Operation"), and the sender of each document model that queues it. Its
order is the order of the work inside a claim: contacts, then documents,
then what hangs on documents (payments, allocations), then what undoes them,
then journal entries and trust. The queue (which jobs go first), the guard
(which document model may have which job, models/xero_sync_job_guard.py) and
the UI (the selection of ``xero.sync.job.operation``) all read it.

A sender is a plain class (senders/base.py): the cron claims jobs, groups
them by ``(document model, operation)`` and hands each group to
``SENDERS[key](jobs, api).send()``. Adding a kind of document is one sender
and one row here.
"""

from .allocation import AllocationSender, DeleteAllocationSender
from .contact import ContactSender, ContactUpdateSender
from .deposit import (
    DeleteDepositAllocationSender,
    DepositAllocationSender,
    DepositRefundSender,
    DepositSender,
)
from .deposit_void import VoidDepositSender
from .document import CreditNoteSender, InvoiceSender
from .entry import ENTRY_OPERATIONS, EntrySender
from .payment import PaymentSender, RegisteredPaymentSender
from .trust import TrustSender
from .void import DeletePaymentSender, VoidSender

MOVE = "account.move"
PAYMENT = "account.payment"
PARTNER = "res.partner"
TRUST = "account.trust.transaction"

# (operation, label, {document model: sender}); within an operation, the
# models in the order written.
OPERATIONS = [
    ("contact", "Contact", {PARTNER: ContactSender}),
    ("contact_update", "Contact update", {PARTNER: ContactUpdateSender}),
    ("invoice", "Invoice / bill", {MOVE: InvoiceSender}),
    ("credit_note", "Credit note", {MOVE: CreditNoteSender}),
    # What frees a document's amount goes before what applies to it: a
    # payment taken off (or a changed allocation) is deleted, then the new
    # payment or allocation fits in what Xero has due.
    ("delete_payment", "Delete payment", {PAYMENT: DeletePaymentSender, MOVE: DeletePaymentSender}),
    ("delete_allocation", "Delete credit note allocation", {MOVE: DeleteAllocationSender}),
    ("delete_deposit_allocation", "Delete deposit allocation",
     {PAYMENT: DeleteDepositAllocationSender}),
    # A payment's deposit before its payments: whether it is a deposit is
    # decided there, and its payment jobs (claimed with it) read that
    # decision (RegisteredPaymentSender.payable).
    ("deposit", "Deposit (prepayment / overpayment)", {PAYMENT: DepositSender}),
    ("payment", "Payment", {PAYMENT: RegisteredPaymentSender, MOVE: PaymentSender}),
    ("allocation", "Credit note allocation", {MOVE: AllocationSender}),
    ("deposit_allocation", "Deposit allocation", {PAYMENT: DepositAllocationSender}),
    ("deposit_refund", "Deposit refund", {PAYMENT: DepositRefundSender}),
    ("void", "Void / delete document", {MOVE: VoidSender}),
    # After the deletions of its allocations and refunds (delete_* above).
    ("void_deposit", "Delete deposit", {PAYMENT: VoidDepositSender}),
    ("bank_transaction", "Bank transaction", {TRUST: TrustSender, MOVE: EntrySender}),
    ("bank_transfer", "Bank transfer", {TRUST: TrustSender, MOVE: EntrySender}),
    ("manual_journal", "Manual journal", {TRUST: TrustSender, MOVE: EntrySender}),
]

__all__ = ["ENTRY_OPERATIONS", "GROUP_ORDER", "MODEL_OPERATIONS", "OPERATION_LABELS",
           "OPERATION_PRIORITY", "OPERATIONS", "SENDERS"]

OPERATION_LABELS = [(op, label) for op, label, _senders in OPERATIONS]
SENDERS = {(model, op): sender for op, _label, senders in OPERATIONS
           for model, sender in senders.items()}
# The order of the groups of a claim: by operation, then model as written.
GROUP_ORDER = {key: i for i, key in enumerate(SENDERS)}
OPERATION_PRIORITY = {op: i for i, (op, _label, _senders) in enumerate(OPERATIONS)}
# Which operations each document model is sent by (the guard's check).
MODEL_OPERATIONS = {model: tuple(op for m, op in SENDERS if m == model) for model, _op in SENDERS}
