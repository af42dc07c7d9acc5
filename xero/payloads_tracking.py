"""Tracking (Xero's tracking categories) on lines: pure helpers.

Odoo records analytics on a journal item as ``analytic_distribution``:
``{"<analytic account id>[,<id>...]": percent}``, a key naming at most one
account per analytic plan (a line may carry one account of each plan, and
several keys split the line). Xero tracks a line with at most two tracking
categories, one option each (LineItem.Tracking in Xero's OpenAPI spec: "Any
LineItem can have a maximum of 2 <TrackingCategory> elements";
LineItemTracking carries one Name and one Option).

The connection maps one Odoo analytic plan to one Xero tracking category and
analytic accounts to the category's options (``xero.connection._xero_tracking``
reads the maps, these helpers do the arithmetic and build the models).

A line split across several accounts of a mapped plan (say 60 % matter A,
40 % matter B), or only partly assigned in that plan, cannot be tracked on
one Xero line. The connector does not split the line into several Xero lines
(each would be rounded to the cent on its own, Xero computes tax per line,
and the document would no longer be Odoo's line for line): such a line is
refused with a message, and the user splits the line in Odoo, one line per
analytic account (:func:`plan_shares` tells which plans are split).
"""

from collections import defaultdict

from xero_python.accounting import LineItemTracking, TrackingCategory

MAX_CATEGORIES = 2  # tracking categories on one Xero line
FULL = 100.0
PRECISION = 0.005  # percentages are compared to the hundredth


def distribution_shares(distribution):
    """``{analytic account id: percent}`` of an ``analytic_distribution``
    (keys "12" or "12,40": the percent goes to each account of the key)."""
    shares = defaultdict(float)
    for key, percent in (distribution or {}).items():
        for part in str(key).split(","):
            part = part.strip()
            if part.isdigit():
                shares[int(part)] += float(percent or 0.0)
    return dict(shares)


def plan_shares(shares, plan_of):
    """``{plan: [(account id, percent), ...]}`` of the accounts in ``shares``
    whose plan ``plan_of(account id)`` gives (None: not tracked), each list
    sorted by account id."""
    plans = defaultdict(list)
    for account_id, percent in sorted(shares.items()):
        plan = plan_of(account_id)
        if plan is not None:
            plans[plan].append((account_id, percent))
    return dict(plans)


def is_whole(entries):
    """True when the plan's ``entries`` put the whole line on one account,
    which a Xero line can carry; False for a split (several accounts) or a
    line only partly assigned in the plan."""
    return len(entries) == 1 and abs(entries[0][1] - FULL) < PRECISION


def tracking_item(category_name, option_name):
    """One entry of a line's Tracking, as the connector passes it around."""
    return {"Name": category_name, "Option": option_name}


def line_item_tracking(tracking):
    """``LineItem.tracking`` (invoices, credit notes, bank transactions)."""
    return [LineItemTracking(name=t["Name"], option=t["Option"]) for t in tracking or ()]


def journal_line_tracking(tracking):
    """``ManualJournalLine.tracking`` (xero-python types it as a list of
    ``TrackingCategory``, with the option's name in ``option``)."""
    return [TrackingCategory(name=t["Name"], option=t["Option"]) for t in tracking or ()]
