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
   both gains and losses); by the account's use (``role``), else by Odoo's
   receivable type or by a name that says it (a balance sheet account named
   for GST / VAT, exchange gains and losses, retained earnings, historical
   balancing);
2. the same code, in the same class;
3. the same name (compared as normalised words, ``SYNONYMS`` applied);
4. a similar name: one name's words within the other's (e.g. "Product
   Sales" is a kind of "Sales"; "Telephone" is one of "Telephone &
   Internet"; "Donations" covers "Charitable and Political Donations"), in
   the same class; when two Xero accounts fit equally, none;
5. only when 1-4 find nothing: the same meaning, by ``MEANINGS``, a small
   table of accounting equivalences each with the reason shown on the row
   ("same meaning: mobile phones are telephone costs");
6. only then Odoo's account type "Other Income" to Xero's "Other Revenue"
   (the type's own name, same class).

Odoo's direct costs go to Xero's direct costs, or to an overhead of the
same name or one of those it lists ("Freight" to "Freight & Courier"),
never to an overhead that is only a wider kind ("Wages for Production
Labour" is not "Wages and Salaries").

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
    "historical": "Xero's historical adjustment account",
    "rounding": "Xero's rounding account",
}
ROLES = {role: (system_accounts.of_role(role).code, reason)
         for role, reason in _ROLE_REASONS.items()}
REASONS = {
    "code": "same code",
    "name": "same name",
    "similar": "similar name",
    "meaning": "same meaning",
    "account_type": "Odoo's account type",
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
    # One word: National Insurance is a payroll tax, no kind of insurance.
    (r"\bnic\b|\bnational insurance\b", "nationalinsurance"),
    # "Office equipment (inc computer equipment)": what it includes does not
    # change what it is.
    (r"\((inc|incl|including)\b[^)]*\)", " "),
]
# Accounting equivalences of another wording (rule 5, "same meaning"), each
# (pattern, replacement, the reason shown on the row). Each is true of any
# chart, not of one; read only when the names say nothing (rules 2-4).
MEANINGS = [
    (r"\b(?:(?:capital|owners?|proprietors?|partners?)(?: a)? )?draw(?:ings?|s)?\b",
     "owner drawing", "drawings are the owner's drawings"),
    (r"\bpay ?g withholdings?\b|\bpay ?g\b|\bp\.?a\.?y\.?e\b\.?",
     "employee tax", "PAYG / PAYE is the tax withheld from employees"),
    (r"\bmeals? and entertainment\b", "entertainment",
     "meals and entertainment are entertainment"),
    (r"\bgas\b", "heating", "gas is a heating and power cost"),
    (r"\brenewals?\b", "repair", "renewals are repairs"),
    (r"\b(?:web )?hosting\b", "internet", "hosting is an internet cost"),
    (r"\b(?:mobile|cell|cellular)(?: phones?)?s?\b|\bphones?\b", "telephone",
     "mobile phones are telephone costs"),
    (r"\bit (?=[a-z])", "", "IT software is software"),
    (r"\b(?:sundry|admin|administration|administrative)\b", "general",
     "sundry and administrative expenses are general expenses"),
    (r"\binterest received\b", "interest income", "interest received is interest income"),
    (r"\b(?:pr|public relations)\b", "marketing", "public relations is marketing"),
]
STOP = {"and", "of", "the", "on", "for", "a", "in", "to", "at"}
# Words that do not change what an account is for.
WEAK = {"account", "expense", "cost", "fee", "paid", "payable", "business", "less", "service"}
# Words of a clearing account.
CLEARING = {"interim", "clearing", "transit", "suspense"}
# Words of a contra account: one name with them, the other without, are
# not of one meaning ("Office Equipment Depreciation" is no kind of
# "Office Equipment").
CONTRA = {"accumulated", "depreciation", "amortisation", "amortization", "provision"}
# Words of a tax account that is not the sales tax's own (GST / VAT).
NOT_SALES_TAX = {"deferred", "import", "duty", "withholding", "withheld", "income",
                 "corporation", "payroll", "employee", "employer"}
# Xero's name of the account Odoo's account type "Other Income" means.
OTHER_REVENUE = frozenset({"other", "revenue"})
MIN_SCORE = 0.6


def _singular(word):
    if len(word) > 3 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]  # taxes, losses
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _text(name):
    text = (name or "").lower().replace("&", " and ").replace("'", "").replace("\u2019", "")
    return re.sub(r"\s+", " ", text).strip()


def meanings_of(name):
    """The reasons of ``MEANINGS`` that read ``name`` otherwise."""
    text = _text(name)
    return [reason for pattern, _repl, reason in MEANINGS if re.search(pattern, text)]


def words(name, synonyms=True, meanings=False):
    """The normalised words of an account name, in order (with
    ``synonyms``, the phrases and synonyms replaced; with ``meanings``,
    ``MEANINGS`` too)."""
    text = _text(name)
    for pattern, repl in PHRASES if synonyms else ():
        text = re.sub(pattern, repl, text)
    for pattern, repl, _reason in MEANINGS if meanings else ():
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


def _parts(name, meanings=False):
    """The parts of a name listing several things ("Telephone & Internet",
    "Light, Power, Heating"), each as its content words. A last part of
    several words whose others are one word each shares its last word
    with them ("Charitable and Political Donations": charitable donations,
    political donations)."""
    pieces = re.split(r"\s*(?:&|,|\band\b)\s*", (name or "").lower())
    if len(pieces) < 2:
        return []
    last = pieces[-1].split()
    if len(last) > 1 and all(len(p.split()) == 1 for p in pieces[:-1]):
        pieces = ["%s %s" % (p, last[-1]) for p in pieces[:-1]] + pieces[-1:]
    return [c for c in (_content(words(p, meanings=meanings)) for p in pieces) if c]


def _name_match(odoo_name, xero_name, meanings=False):
    """(score, rule, how) of how far ``odoo_name`` means ``xero_name``;
    ``how``: "same" (the same words), "part" (one of what the Xero account
    lists), "wider" (the Odoo account a kind of the Xero one)."""
    o_words, x_words = words(odoo_name, meanings=meanings), words(xero_name, meanings=meanings)
    if not o_words or not x_words:
        return 0.0, None, None
    if not meanings and set(words(odoo_name, False)) == set(words(xero_name, False)):
        return 0.9, "name", "same"
    o, x = _content(o_words), _content(x_words)
    if not o or not x or (o & CLEARING) - x or (o ^ x) & CONTRA:
        # A clearing account ("Stock Interim (Received)") is no kind of
        # the account it clears.
        return 0.0, None, None
    if o == x:
        return 0.85, "similar", "same"
    x_parts = _parts(xero_name, meanings)
    o_parts = _parts(odoo_name, meanings)
    if o in x_parts or (x_parts and all(p in x_parts for p in o_parts or [o])):
        # One (or some) of what the Xero account lists ("Telephone" of
        # "Telephone & Internet").
        return 0.7, "similar", "part"
    if len(x_parts) > 1 and all(o < p for p in x_parts):
        # What each of the Xero account's kinds is ("Donations" of
        # "Charitable and Political Donations").
        return 0.65, "similar", "part"
    if x < o and all(part & x for part in o_parts):
        # The Odoo account is a kind of the Xero one ("Product Sales"); an
        # Odoo name listing several things must have each in the Xero name
        # ("Legal & Professional Services" is not "Legal expenses").
        return 0.6 + 0.3 * len(x) / len(o), "similar", "wider"
    return 0.0, None, None


def name_score(odoo_name, xero_name):
    """(score, rule) of how far ``odoo_name`` means ``xero_name``: rule
    "name" for the same words, "similar" for a similar name, None under
    ``MIN_SCORE``."""
    return _name_match(odoo_name, xero_name)[:2]


def is_fx_name(name):
    """A currency exchange gains / losses account by its name."""
    tokens = set(words(name))
    return bool(tokens & {"exchange", "currency", "fx", "forex"}) \
        and bool(tokens & {"gain", "loss", "difference", "rate", "gainsloss"})


def is_sales_tax_name(name):
    """A balance sheet account named for the GST / VAT / HST (not a
    deferred, import, withholding, income or payroll tax)."""
    tokens = set(words(name))
    return bool(tokens & {"gst", "vat", "hst"}) and not tokens & NOT_SALES_TAX


def _role_by_name(account):
    """The role an account's type or name says, or None."""
    name, group = account.get("name"), account.get("group")
    tokens = set(words(name))
    if account.get("type") == "asset_receivable":
        return "receivable"  # Odoo's receivable type: the debtors' ledger
    if is_fx_name(name):
        return "fx"
    if group == "equity" and tokens == {"retained", "earning"}:
        return "retained"
    if group in ("equity", "liability") and "historical" in tokens \
            and tokens & {"balancing", "adjustment", "balance"}:
        return "historical"
    if group in ("asset", "liability") and is_sales_tax_name(name):
        return "tax"
    return None


def _fits_class(account, xero, direct_to_overhead=False):
    """The Xero account may take the Odoo account's postings: same class,
    bank only for bank, Odoo's direct costs to Xero's direct costs (with
    ``direct_to_overhead``, to Xero's other expenses too)."""
    is_bank = account.get("type") in ("asset_cash", "liability_credit_card")
    if (xero.get("type") == "BANK") != is_bank:
        return False
    if is_bank:
        return True  # Xero's bank accounts (credit cards too) are of class ASSET
    if xero.get("class") != GROUP_CLASS.get(account.get("group")):
        return False
    if account.get("type") == "expense_direct_cost" and xero.get("type") != "DIRECTCOSTS":
        return direct_to_overhead
    if account.get("type") == "expense" and xero.get("type") == "DIRECTCOSTS":
        return False
    return True


def _best(scored):
    """The one best of [(score, rule, xero, reason)], or None on a tie."""
    if not scored:
        return None
    scored.sort(key=lambda s: -s[0])
    if len(scored) > 1 and scored[1][0] == scored[0][0]:
        return None  # two Xero accounts fit as well: the admin chooses
    score, rule, xero, reason = scored[0]
    return xero, rule, score, reason


def _by_name(account, candidates, meanings):
    name = account.get("name")
    if meanings and account.get("group") == "asset":
        # In a fixed asset's account, depreciation is the accumulated one.
        if "accum" not in _text(name):
            name = re.sub(r"\b(depn|depreciation)\b", r"accumulated \1", _text(name))
    direct = account.get("type") == "expense_direct_cost"
    scored = []
    for xero in candidates:
        score, rule, how = _name_match(name, xero.get("name"), meanings)
        if not rule or score < MIN_SCORE:
            continue
        if direct and xero.get("type") != "DIRECTCOSTS" and how == "wider":
            continue  # production wages are no overhead's kind
        reason = None
        if meanings:
            found = meanings_of(account.get("name")) + meanings_of(xero.get("name"))
            if name != account.get("name"):
                found.append("depreciation in a fixed asset account is the accumulated one")
            if not found:
                continue
            rule, score, reason = "meaning", score - 0.1, "; ".join(dict.fromkeys(found))
        scored.append((score, rule, xero, reason))
    return _best(scored)


def suggest_account(account, xero_accounts):
    """The Xero account ``account`` means, best first: ``(xero, rule,
    confidence, detail)`` with ``rule`` a key of ``REASONS`` and ``detail``
    the equivalence of a "meaning" (else None); or None to leave the row
    empty."""
    role = account.get("role") or _role_by_name(account)
    if role in ROLES:
        system = ROLES[role][0]
        found = [x for x in xero_accounts if x.get("system") == system]
        return (found[0], role, 1.0, None) if found else None
    candidates = [x for x in xero_accounts
                  if x.get("system") not in ROLE_ONLY
                  and _fits_class(account, x, direct_to_overhead=True)]
    strict = [x for x in candidates if _fits_class(account, x)]
    code = (account.get("code") or "").strip().lower()
    if code:
        same = [x for x in strict if (x.get("code") or "").strip().lower() == code]
        if len(same) == 1:
            return same[0], "code", 0.95, None
    found = _by_name(account, candidates, False) or _by_name(account, candidates, True)
    if found:
        return found
    if account.get("type") == "income_other":
        other = [x for x in strict if _content(words(x.get("name"))) == OTHER_REVENUE]
        if len(other) == 1:
            return other[0], "account_type", 0.6, "Odoo's type Other Income is Xero's Other Revenue"
    return None
