"""TrackingCategories: what a new organisation starts with, the endpoint, and
the validation of ``Tracking`` on line items and journal lines.

Xero's rules, each with its source:

- ``GET TrackingCategories`` lists the ACTIVE categories and options; with
  ``includeArchived=true`` the ARCHIVED ones too (xero_accounting.yaml,
  /TrackingCategories, parameter includeArchived: "Categories and options
  with a status of ARCHIVED will be included in the response"). DELETED
  ones are never listed.
- A line carries at most two tracking categories (xero_accounting.yaml,
  LineItem.Tracking: "Any LineItem can have a maximum of 2
  <TrackingCategory> elements").
- A line's tracking names an ACTIVE category: Xero answers "There is no
  ACTIVE tracking category with the name '...'" (the message Xero returned,
  quoted in calcinai/xero-php pull request 386; there for a contact's
  SalesTrackingCategories, the same look-up by name).
- Its option must be an option of that category, and an active one: Xero
  offers no archived option on a new transaction (TrackingOption.Status,
  ACTIVE / ARCHIVED / DELETED in xero_accounting.yaml; archiving an option
  is how Xero stops its use). Both messages are "(sandbox wording)".
- A category given twice on one line is refused (one option per category
  on a line: LineItemTracking carries one Option; sandbox wording).

Names are compared ignoring case, as Xero compares names (a choice, as for
contact names); a line's tracking may also give TrackingCategoryID and
TrackingOptionID (LineItemTracking), which then win over the names.
"""
from werkzeug.wrappers import Response

from .accounting import json_response, list_response, not_found, route
from .util import new_id

MAX_PER_LINE = 2

# (category, status, [(option, status)]): a law firm's matters and
# departments; an archived matter to exercise the archived-option rule, and
# an archived category (Xero keeps at most two active ones).
_SEED = [
    ("Matter", "ACTIVE", [
        ("M-1001 Smith v Jones", "ACTIVE"),
        ("M-1002 Estate of Brown", "ACTIVE"),
        ("M-0999 Closed matter", "ARCHIVED"),
    ]),
    ("Department", "ACTIVE", [
        ("Litigation", "ACTIVE"),
        ("Conveyancing", "ACTIVE"),
        ("Family", "ACTIVE"),
    ]),
    ("Office", "ARCHIVED", [
        ("Wellington", "ACTIVE"),
    ]),
]


def seed():
    """The tracking categories of a new sandbox organisation."""
    categories = []
    for name, status, options in _SEED:
        category_id = new_id()
        categories.append({
            "TrackingCategoryID": category_id, "Name": name, "Status": status,
            "Options": [{"TrackingOptionID": new_id(), "Name": option, "Status": option_status,
                         "TrackingCategoryID": category_id}
                        for option, option_status in options],
        })
    return categories


def _ci(d, name):
    if not isinstance(d, dict):
        return None
    for k, v in d.items():
        if k.lower() == name.lower():
            return v
    return None


def _same(a, b):
    return str(a or "").strip().lower() == str(b or "").strip().lower()


def _render(category, include_archived):
    shown = ("ACTIVE", "ARCHIVED") if include_archived else ("ACTIVE",)
    out = {k: v for k, v in category.items() if k != "Options"}
    out["Options"] = [dict(o) for o in category["Options"] if o["Status"] in shown]
    return out


@route("TrackingCategories")
def tracking_categories(ctx, rest):
    if ctx.request.method != "GET":
        # Creating categories and options is out of the sandbox's scope (the
        # addon maps to existing ones); Xero itself supports PUT/POST.
        return Response("Method not supported by the sandbox", status=405)
    include_archived = ctx.flag("includeArchived")
    categories = [c for c in getattr(ctx.tenant, "tracking_categories", [])
                  if c["Status"] != "DELETED"]
    if rest:
        found = [c for c in categories if _same(c["TrackingCategoryID"], rest[0])]
        if not found:
            return not_found()
        return json_response(ctx.envelope("TrackingCategories", [_render(found[0], True)]))
    if not include_archived:
        categories = [c for c in categories if c["Status"] == "ACTIVE"]
    return list_response(ctx, "TrackingCategories", categories,
                         render=lambda c: _render(c, include_archived))


def line_tracking(tenant, raw, errors):
    """The ``Tracking`` of a line as Xero stores it (category and option
    names and ids), appending to ``errors`` what Xero refuses."""
    if raw in (None, [], ""):
        return []
    if not isinstance(raw, list):
        errors.append("Tracking must be a list of tracking categories (sandbox wording)")
        return []
    if len(raw) > MAX_PER_LINE:
        # LineItem.Tracking: "Any LineItem can have a maximum of 2 <TrackingCategory> elements."
        errors.append("A line item can have a maximum of 2 tracking categories (sandbox wording)")
    categories = getattr(tenant, "tracking_categories", [])
    out, seen = [], set()
    for item in raw:
        name, option_name = _ci(item, "Name"), _ci(item, "Option")
        category_id, option_id = _ci(item, "TrackingCategoryID"), _ci(item, "TrackingOptionID")
        category = next((c for c in categories if c["Status"] == "ACTIVE" and (
            _same(c["TrackingCategoryID"], category_id) if category_id else _same(c["Name"], name))),
            None)
        if category is None:
            # Xero's words (calcinai/xero-php pull request 386).
            errors.append("There is no ACTIVE tracking category with the name '%s'" % (name or ""))
            continue
        if category["TrackingCategoryID"] in seen:
            errors.append("The tracking category '%s' is given more than once on a line "
                          "(sandbox wording)" % category["Name"])
            continue
        seen.add(category["TrackingCategoryID"])
        option = next((o for o in category["Options"] if o["Status"] != "DELETED" and (
            _same(o["TrackingOptionID"], option_id) if option_id else _same(o["Name"], option_name))),
            None)
        if option is None:
            errors.append("There is no tracking option with the name '%s' in the tracking "
                          "category '%s' (sandbox wording)" % (option_name or "", category["Name"]))
            continue
        if option["Status"] != "ACTIVE":
            # An archived option cannot be used on a new transaction.
            errors.append("The tracking option '%s' of the tracking category '%s' is archived "
                          "(sandbox wording)" % (option["Name"], category["Name"]))
            continue
        out.append({"TrackingCategoryID": category["TrackingCategoryID"], "Name": category["Name"],
                    "TrackingOptionID": option["TrackingOptionID"], "Option": option["Name"]})
    return out
