"""Pure payload builders at the level of Xero's bank accounts, shared by
journal entries (``payloads_move``) and trust transactions
(``payloads_trust``): a reference to a Xero account, and a ``BankTransfer``
between two bank accounts.

Plain values in, xero-python models out; no I/O, no ORM.
"""

from dataclasses import dataclass
from datetime import date

from xero_python.accounting import Account, BankTransfer

from .payloads import round2


@dataclass
class AccountRef:
    """A Xero account: its AccountID and/or Code."""

    account_id: str = None
    code: str = None

    def to_model(self):
        # The Code when there is one (the mapping check requires it of bank
        # accounts): what users see in Xero, and what survives a re-import.
        if self.code:
            return Account(code=self.code)
        return Account(account_id=self.account_id)


@dataclass
class BankTransferValues:
    from_account: AccountRef
    to_account: AccountRef
    amount: float
    date: date
    reference: str = None


def build_bank_transfer(values):
    """A ``BankTransfer`` of ``amount`` (in the from-account's currency).
    No CurrencyRate: Xero's OpenAPI spec has BankTransfer.CurrencyRate
    ``readOnly: true`` (Xero uses its own rate), so a rate sent would be
    one Xero does not book."""
    amount = round2(values.amount)
    if amount <= 0:
        raise ValueError("a bank transfer moves a positive amount")
    model = BankTransfer(
        from_bank_account=values.from_account.to_model(),
        to_bank_account=values.to_account.to_model(),
        amount=float(amount),
        date=values.date,
    )
    if values.reference:
        model.reference = values.reference[:255]
    return model
