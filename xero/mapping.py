"""Suggest mapping's matcher: which Xero account an Odoo account means, or
none. Pure Python (no ``odoo`` import): the model
(models/xero_mapping_suggest.py) and the benchmark (bench/mapping_bench.py)
both call :func:`suggest_account`.

An Odoo account is a dict ``{"code", "name", "group", "type", "role"}``
(``group``: Odoo's internal group, asset / liability / equity / income /
expense; ``type``: Odoo's account_type; ``role``: what the company uses it
for, see ``ROLES``, or None). A Xero account is a dict ``{"code", "name",
"type", "class", "system"}`` as Xero's Account (Type, Class, SystemAccount).

The rules, best first; a row is left empty rather than guessed:

1. the account's role: receivable, payable, the tax account, currency
   gains and losses, retained earnings, rounding go to Xero's own account
   (SystemAccount), whatever its class (Xero's currency gains account takes
   both gains and losses);
2. the same code, in the same class;
3. the same name (compared as normalised words, ``SYNONYMS`` applied);
4. a similar name: one name's words within the other's (e.g. "Product
   Sales" is a kind of "Sales"; "Telephone" is one of "Telephone &
   Internet"), in the same class; when two Xero accounts fit equally, none.

Never by type alone: an expense account that has no Xero account of the
same meaning stays unmapped (an advertising account for salaries would
misstate the profit and loss).
"""

import re

from . import system_accounts

# role -> (Xero SystemAccount, the reason shown on the row); which system
# account each role goes to is the table's (xero/system_accounts.py).
_ROLE_REASONS = {
    "receivable": "Xero's Accounts Receivable",
    "payable": "Xero's Accounts Payable",
    "tax": "Xero's tax account",
    "fx": "Xero's currency gains account",
    "retained": "Xero's retained earnings account",
    "rounding": "Xero's rounding account",
}
ROLES = {role: (system_accounts.of_role(role).code, reason)
         for role, reason in _ROLE_REASONS.items()}
REASONS = {
    "code": "same code",
    "name": "same name",
    "similar": "similar name",
    **{role: reason for role, (_system, reason) in ROLES.items()},
}
# Xero's system accounts only a role leads to (never a name or a code: an
# account named like them is not Xero's ledger of debtors, creditors, tax or
# wages; and those that take no line would refuse the account's entries):
# the table's ``by_name`` column.
ROLE_ONLY = system_accounts.ROLE_ONLY
GROUP_CLASS = {"asset": "ASSET", "liability": "LIABILITY", "equity": "EQUITY",
               "income": "REVENUE", "expense": "EXPENSE"}

# Words of one meaning, the second the one kept. Kept small on purpose.
SYNONYMS = {
    "salary": "wage", "income": "revenue", "stock": "inventory", "prepaid": "prepayment",
    "charge": "fee", "equip": "equipment", "accum": "accumulated", "dep": "depreciation",
    "depn": "depreciation", "heat": "heating", "auditing": "audit",
    "accounting": "accountancy", "consultancy": "consulting", "entertaining": "entertainment",
    "miscellaneous": "other", "car": "vehicle", "truck": "vehicle", "automobile": "vehicle",
    "electricity": "power", "shipping": "freight", "carriage": "freight",
}
PHRASES = [
    (r"\bcost of sales\b", "cost of goods sold"),
    (r"\bmotor vehicle", "vehicle"),
    (r"\b(raw materials|finished goods|work in (progress|process))\b", "inventory"),
    (r"\bnic\b", "national insurance"),
]
STOP = {"and", "of", "the", "on", "for", "a", "in", "to", "at"}
# Words that do not change what an account is for.
WEAK = {"account", "expense", "cost", "fee", "paid", "payable", "business", "less", "service"}
# Words of a clearing account.
CLEARING = {"interim", "clearing", "transit", "suspense"}
MIN_SCORE = 0.6


def _singular(word):
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def words(name, synonyms=True):
    """The normalised words of an account name, in order (with
    ``synonyms``, the phrases and synonyms replaced)."""
    text = (name or "").lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    for pattern, repl in PHRASES if synonyms else ():
        text = re.sub(pattern, repl, text)
    out = []
    for word in re.split(r"[^a-z0-9]+", text):
        if not word or word in STOP:
            continue
        word = _singular(word)
        out.append(SYNONYMS.get(word, word) if synonyms else word)
    return out


def _content(tokens):
    return frozenset(t for t in tokens if t not in WEAK)


def _parts(name):
    """The parts of a name listing several things ("Telephone & Internet",
    "Light, Power, Heating"), each as its content words."""
    pieces = re.split(r"\s*(?:&|,|\band\b)\s*", (name or "").lower())
    if len(pieces) < 2:
        return []
    return [c for c in (_content(words(p)) for p in pieces) if c]


def name_score(odoo_name, xero_name):
    """(score, rule) of how far ``odoo_name`` means ``xero_name``: rule
    "name" for the same words, "similar" for a similar name, None under
    ``MIN_SCORE``."""
    o_words, x_words = words(odoo_name), words(xero_name)
    if not o_words or not x_words:
        return 0.0, None
    if set(words(odoo_name, False)) == set(words(xero_name, False)):
        return 0.9, "name"
    o, x = _content(o_words), _content(x_words)
    if not o or not x or (o & CLEARING) - x:
        # A clearing account ("Stock Interim (Received)") is no kind of
        # the account it clears.
        return 0.0, None
    if o == x:
        return 0.85, "similar"
    x_parts = _parts(xero_name)
    if o in x_parts or (x_parts and all(p in x_parts for p in _parts(odoo_name) or [o])):
        # One (or some) of what the Xero account lists ("Telephone" of
        # "Telephone & Internet").
        return 0.7, "similar"
    if x < o and all(part & x for part in _parts(odoo_name)):
        # The Odoo account is a kind of the Xero one ("Product Sales"); an
        # Odoo name listing several things must have each in the Xero name
        # ("Legal & Professional Services" is not "Legal expenses").
        return 0.6 + 0.3 * len(x) / len(o), "similar"
    return 0.0, None


def is_fx_name(name):
    """A currency exchange gains / losses account by its name."""
    tokens = set(words(name))
    return bool(tokens & {"exchange", "currency", "fx", "forex"}) \
        and bool(tokens & {"gain", "loss", "difference", "rate", "gainsloss"})


def _fits_class(account, xero):
    """The Xero account may take the Odoo account's postings: same class,
    bank only for bank, Odoo's direct costs to Xero's direct costs."""
    is_bank = account.get("type") in ("asset_cash", "liability_credit_card")
    if (xero.get("type") == "BANK") != is_bank:
        return False
    if is_bank:
        return True  # Xero's bank accounts (credit cards too) are of class ASSET
    if xero.get("class") != GROUP_CLASS.get(account.get("group")):
        return False
    if account.get("type") == "expense_direct_cost" and xero.get("type") != "DIRECTCOSTS":
        return False
    if account.get("type") == "expense" and xero.get("type") == "DIRECTCOSTS":
        return False
    return True


def suggest_account(account, xero_accounts):
    """The Xero account ``account`` means, best first: ``(xero, rule,
    confidence)`` with ``rule`` a key of ``REASONS``; or None to leave the
    row empty."""
    role = account.get("role")
    if role is None and is_fx_name(account.get("name")):
        role = "fx"
    if role is None and account.get("group") == "equity" \
            and set(words(account.get("name"))) == {"retained", "earning"}:
        role = "retained"
    if role in ROLES:
        system = ROLES[role][0]
        found = [x for x in xero_accounts if x.get("system") == system]
        return (found[0], role, 1.0) if found else None
    candidates = [x for x in xero_accounts
                  if x.get("system") not in ROLE_ONLY and _fits_class(account, x)]
    code = (account.get("code") or "").strip().lower()
    if code:
        same = [x for x in candidates if (x.get("code") or "").strip().lower() == code]
        if len(same) == 1:
            return same[0], "code", 0.95
    scored = []
    for xero in candidates:
        score, rule = name_score(account.get("name"), xero.get("name"))
        if rule and score >= MIN_SCORE:
            scored.append((score, rule, xero))
    if not scored:
        return None
    scored.sort(key=lambda s: -s[0])
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None  # two Xero accounts fit as well: the admin chooses
    score, rule, xero = scored[0]
    return xero, rule, score
