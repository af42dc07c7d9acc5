"""Xero tracking categories: matters and departments as Xero tracks them.

- Reference data: Xero's tracking categories and their options, per
  connection, read with the rest by "Refresh from Xero" (GET
  TrackingCategories, archived ones included so that the maps see them go).
- Maps: one Odoo analytic plan (a root plan) per Xero tracking category
  (``xero.tracking.category.map``; Xero keeps at most two active categories)
  and each analytic account of a mapped plan to one option of that category
  (``xero.tracking.map``).
- ``xero.connection._xero_tracking(line)``: the one function that gives a
  line's Xero ``Tracking`` from its analytic distribution; every payload
  builder calls it (invoices, bills and credit notes here; manual journals and
  bank transactions likewise). A line split across several accounts of a
  mapped plan is refused with a message (see ``xero/payloads_tracking.py``).
- "Check mapping" names the gaps (``_check_mapping_tracking``).
"""

from odoo import api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools import SQL, ormcache

from ..xero import payloads_tracking
from ..xero.errors import XeroError
from .xero_reference import _selection_value, _xero_value

XERO_TRACKING_STATUSES = [
    ("ACTIVE", "Active"),
    ("ARCHIVED", "Archived"),
    ("DELETED", "Deleted"),
]


class XeroTrackingCategory(models.Model):
    _name = "xero.tracking.category"
    _inherit = ["xero.reference.mixin"]
    _description = "Xero Tracking Category"
    _order = "connection_id, name"

    xero_id = fields.Char("Xero TrackingCategoryID", required=True, readonly=True)
    name = fields.Char(required=True, readonly=True)
    xero_status = fields.Selection(XERO_TRACKING_STATUSES, "Status in Xero", readonly=True)
    option_ids = fields.One2many("xero.tracking.option", "category_id", "Options")
    map_ids = fields.One2many("xero.tracking.category.map", "xero_category_id", "Mapped from")

    _sql_constraints = [
        ("xero_id_uniq", "unique(connection_id, xero_id)",
         "A Xero tracking category can be listed once per connection."),
    ]


class XeroTrackingOption(models.Model):
    _name = "xero.tracking.option"
    _inherit = ["xero.reference.mixin"]
    _description = "Xero Tracking Option"
    _order = "connection_id, category_id, name"
    _rec_names_search = ["name", "category_id.name"]

    xero_id = fields.Char("Xero TrackingOptionID", required=True, readonly=True)
    name = fields.Char(required=True, readonly=True)
    category_id = fields.Many2one(
        "xero.tracking.category", "Tracking category", required=True, readonly=True,
        ondelete="cascade", index=True)
    xero_status = fields.Selection(XERO_TRACKING_STATUSES, "Status in Xero", readonly=True)
    map_ids = fields.One2many("xero.tracking.map", "xero_option_id", "Mapped from")
    is_mapped = fields.Boolean(
        compute="_compute_is_mapped", store=True,
        help="An Odoo analytic account is mapped to this option.")

    _sql_constraints = [
        ("xero_id_uniq", "unique(connection_id, xero_id)",
         "A Xero tracking option can be listed once per connection."),
    ]

    @api.depends("map_ids")
    def _compute_is_mapped(self):
        for option in self:
            option.is_mapped = bool(option.map_ids)

    @api.depends("name", "category_id.name")
    def _compute_display_name(self):
        for option in self:
            option.display_name = f"{option.category_id.name} / {option.name}"


class XeroTrackingCategoryMap(models.Model):
    _name = "xero.tracking.category.map"
    _inherit = ["xero.map.mixin"]
    _description = "Xero Tracking Category Map"
    _order = "connection_id, id"

    plan_id = fields.Many2one(
        "account.analytic.plan", "Odoo analytic plan", required=True, ondelete="cascade",
        domain="[('parent_id', '=', False)]")
    xero_category_id = fields.Many2one(
        "xero.tracking.category", "Xero tracking category", required=True, ondelete="restrict",
        domain="[('connection_id', '=', connection_id)]")

    _sql_constraints = [
        ("plan_uniq", "unique(connection_id, plan_id)",
         "An analytic plan can be mapped once per Xero connection."),
        ("category_uniq", "unique(connection_id, xero_category_id)",
         "A Xero tracking category can be mapped from one analytic plan only."),
    ]

    @api.constrains("connection_id", "xero_category_id")
    def _check_xero_category_connection(self):
        self._check_xero_connection(["xero_category_id"])

    @api.constrains("plan_id")
    def _check_root_plan(self):
        for row in self:
            if row.plan_id.parent_id:
                raise ValidationError(self.env._(
                    "Map the top analytic plan %(root)s, not its sub-plan %(plan)s: a journal "
                    "item carries one account per top plan.",
                    root=row.plan_id.root_id.name, plan=row.plan_id.complete_name))


class XeroTrackingMap(models.Model):
    _name = "xero.tracking.map"
    _inherit = ["xero.map.mixin"]
    _description = "Xero Tracking Option Map"
    _order = "connection_id, id"

    analytic_account_id = fields.Many2one(
        "account.analytic.account", "Odoo analytic account", required=True, ondelete="cascade")
    plan_id = fields.Many2one(related="analytic_account_id.root_plan_id", string="Analytic plan")
    xero_option_id = fields.Many2one(
        "xero.tracking.option", "Xero tracking option", required=True, ondelete="restrict",
        domain="[('connection_id', '=', connection_id)]")

    _sql_constraints = [
        ("account_uniq", "unique(connection_id, analytic_account_id)",
         "An analytic account can be mapped once per Xero connection."),
    ]

    @api.constrains("connection_id", "xero_option_id")
    def _check_xero_option_connection(self):
        self._check_xero_connection(["xero_option_id"])


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    xero_tracking_category_ids = fields.One2many(
        "xero.tracking.category", "connection_id", "Xero tracking categories")
    xero_tracking_option_ids = fields.One2many(
        "xero.tracking.option", "connection_id", "Xero Tracking Reference")
    tracking_category_map_ids = fields.One2many(
        "xero.tracking.category.map", "connection_id", "Tracking category map")
    tracking_map_ids = fields.One2many(
        "xero.tracking.map", "connection_id", "Tracking option map")

    # ------------------------------------------------------------------------
    # Reference data
    # ------------------------------------------------------------------------
    def _xero_refresh_tracking(self):
        """Part of "Refresh from Xero" (xero_reference.py): read and store
        the tracking categories; their number."""
        try:
            categories = self._xero_accounting_client().get_tracking_categories()
        except XeroError as exc:
            raise UserError(self.env._("Xero could not be read: %s", exc.message)) from exc
        return self._xero_store_tracking(categories)

    def _xero_store_tracking(self, categories):
        """Upsert Xero's tracking categories and options (xero-python
        ``TrackingCategory`` objects with their ``options``), as the other
        reference data: matched on their ids, what Xero archived archived
        here, what Xero no longer lists archived and flagged DELETED.
        Returns the number of categories Xero listed."""
        self.ensure_one()
        category_vals, option_vals = [], []
        for category in categories:
            if not category.tracking_category_id:
                continue
            status = _selection_value(category.status, XERO_TRACKING_STATUSES, "tracking status")
            category_vals.append({
                "xero_id": category.tracking_category_id,
                "name": category.name or category.tracking_category_id,
                "xero_status": status,
                "active": status in (False, "ACTIVE"),
            })
            for option in category.options or []:
                if not option.tracking_option_id:
                    continue
                option_status = _selection_value(
                    option.status, XERO_TRACKING_STATUSES, "tracking status")
                option_vals.append({
                    "xero_id": option.tracking_option_id,
                    "name": option.name or option.tracking_option_id,
                    "xero_status": option_status,
                    "active": option_status in (False, "ACTIVE"),
                    "category": category.tracking_category_id,
                })
        self._xero_upsert("xero.tracking.category", "xero_id", category_vals,
                          gone_vals={"xero_status": "DELETED"})
        by_xero_id = {
            c.xero_id: c.id
            for c in self.env["xero.tracking.category"].with_context(active_test=False).search(
                [("connection_id", "=", self.id)])
        }
        for vals in option_vals:
            vals["category_id"] = by_xero_id[vals.pop("category")]
        self._xero_upsert("xero.tracking.option", "xero_id", option_vals,
                          gone_vals={"xero_status": "DELETED"})
        return len(category_vals)

    # ------------------------------------------------------------------------
    # The maps, and a line's tracking
    # ------------------------------------------------------------------------
    def _get_tracking_maps(self):
        """``{"plans": {root analytic plan id: xero.tracking.category id},
        "accounts": {analytic account id: xero.tracking.option id}}``,
        cached like the other maps (dropped when a map row changes)."""
        self.ensure_one()
        return self._get_tracking_maps_cached(self.id)

    @api.model
    @ormcache("connection_id")
    def _get_tracking_maps_cached(self, connection_id):
        env = self.env(su=True)
        domain = [("connection_id", "=", connection_id)]
        plans = env["xero.tracking.category.map"].search_fetch(
            domain, ["plan_id", "xero_category_id"])
        accounts = env["xero.tracking.map"].search_fetch(
            domain, ["analytic_account_id", "xero_option_id"])
        return {
            "plans": {row.plan_id.id: row.xero_category_id.id for row in plans},
            "accounts": {row.analytic_account_id.id: row.xero_option_id.id for row in accounts},
        }

    def _xero_tracking(self, line, issues=None, label=None):
        """Xero's ``Tracking`` of a line: ``[{"Name": category, "Option":
        option}, ...]`` (LineItemTracking in Xero's OpenAPI spec), from the
        analytic distribution of ``line`` (an ``account.move.line``, or the
        ``analytic_distribution`` dict itself) for the analytic plans mapped
        to Xero tracking categories. Unmapped plans are not tracked.

        What Xero cannot take (an analytic account of a mapped plan without
        an option, an archived option, a line split across several accounts
        of one plan or only partly assigned in it, more than two categories)
        is appended to ``issues``, each message naming the analytic account
        or plan, and that category is left out; with ``issues`` None, a
        UserError with the messages is raised instead.

        Payload builders call this for every line they send: invoices, bills
        and credit notes (LineItem.Tracking), bank transactions (likewise)
        and manual journals (ManualJournalLine.Tracking, built with
        ``payloads_tracking.journal_line_tracking``).
        """
        self.ensure_one()
        if isinstance(line, models.BaseModel):
            distribution = line.analytic_distribution
            if label is None:
                label = line.name or line.product_id.display_name or line.move_id.display_name
        else:
            distribution = line
        maps = self._get_tracking_maps()
        if not distribution or not maps["plans"]:
            return []
        env = self.env(su=True)
        shares = payloads_tracking.distribution_shares(distribution)
        accounts = env["account.analytic.account"].with_context(active_test=False).browse(
            list(shares)).exists()
        root_plan = {account.id: account.root_plan_id.id for account in accounts}
        per_plan = payloads_tracking.plan_shares(
            shares, lambda account_id: root_plan.get(account_id)
            if root_plan.get(account_id) in maps["plans"] else None)
        where = self.env._(' on line "%s"', label) if label else ""
        Account = env["account.analytic.account"]
        tracking, problems = [], []
        for plan_id in sorted(per_plan, key=lambda p: env["account.analytic.plan"].browse(p).sequence):
            entries = per_plan[plan_id]
            plan = env["account.analytic.plan"].browse(plan_id)
            category = env["xero.tracking.category"].browse(maps["plans"][plan_id])
            if not payloads_tracking.is_whole(entries):
                split = ", ".join(
                    "%s %s%%" % (Account.browse(a).display_name, "%g" % round(p, 2))
                    for a, p in entries)
                problems.append(self.env._(
                    "The analytic distribution%(where)s splits plan %(plan)s (%(split)s); a Xero "
                    "line takes one option of the tracking category %(category)s: split the line "
                    "in Odoo, one line per analytic account at 100%%.",
                    where=where, plan=plan.name, split=split, category=category.name))
                continue
            account = Account.browse(entries[0][0])
            option = env["xero.tracking.option"].browse(maps["accounts"].get(account.id) or [])
            if not option:
                problems.append(self.env._(
                    "Analytic account %(account)s (plan %(plan)s)%(where)s is not mapped to a "
                    "Xero tracking option of %(category)s.",
                    account=account.display_name, plan=plan.name, where=where,
                    category=category.name))
            elif option.category_id != category:
                problems.append(self.env._(
                    "Analytic account %(account)s is mapped to Xero tracking option %(option)s, "
                    "but its plan %(plan)s is mapped to the tracking category %(category)s.",
                    account=account.display_name, option=option.display_name, plan=plan.name,
                    category=category.name))
            elif not option.active or not category.active:
                problems.append(self.env._(
                    "Analytic account %(account)s is mapped to Xero tracking option %(option)s, "
                    "which is %(why)s.", account=account.display_name,
                    option=option.display_name,
                    why=self._xero_gone_reason(option if not option.active else category)))
            else:
                tracking.append(payloads_tracking.tracking_item(category.name, option.name))
        if len(tracking) > payloads_tracking.MAX_CATEGORIES:
            problems.append(self.env._(
                "The line%(where)s would carry %(count)s Xero tracking categories; Xero takes at "
                "most %(max)s: map at most two analytic plans.", where=where,
                count=len(tracking), max=payloads_tracking.MAX_CATEGORIES))
            tracking = tracking[:payloads_tracking.MAX_CATEGORIES]
        if problems:
            if issues is None:
                raise UserError("\n".join(problems))
            issues.extend(problems)
        return tracking

    # ------------------------------------------------------------------------
    # Check mapping
    # ------------------------------------------------------------------------
    def _check_mapping_tracking(self, add):
        """The tracking gaps: more plans mapped than Xero's two categories,
        categories and options Xero archived, options of another category
        than their plan's, and the analytic accounts of mapped plans used on
        posted documents that sync without an option."""
        maps = self._get_tracking_maps()
        if not maps["plans"]:
            return
        rows = self.tracking_category_map_ids
        if len(rows) > payloads_tracking.MAX_CATEGORIES:
            add("tracking", self.env._(
                "%(count)s analytic plans are mapped to Xero tracking categories (%(plans)s); "
                "Xero tracks a line with at most two.", count=len(rows),
                plans=", ".join(rows.plan_id.mapped("name"))))
        for row in rows.filtered(lambda r: not r.xero_category_id.active):
            add("tracking", self.env._(
                "Analytic plan %(plan)s is mapped to Xero tracking category %(category)s, which "
                "is %(why)s.", plan=row.plan_id.name, category=row.xero_category_id.name,
                why=self._xero_gone_reason(row.xero_category_id)), row.plan_id)
        categories = {row.plan_id.id: row.xero_category_id for row in rows}
        for row in self.tracking_map_ids:
            account, option = row.analytic_account_id, row.xero_option_id
            category = categories.get(account.root_plan_id.id)
            if not category:
                continue
            if option.category_id != category:
                add("tracking", self.env._(
                    "Analytic account %(account)s is mapped to Xero tracking option %(option)s, "
                    "but its plan %(plan)s is mapped to the tracking category %(category)s.",
                    account=account.display_name, option=option.display_name,
                    plan=account.root_plan_id.name, category=category.name), account)
            elif not option.active:
                add("tracking", self.env._(
                    "Analytic account %(account)s is mapped to Xero tracking option %(option)s, "
                    "which is %(why)s.", account=account.display_name,
                    option=option.display_name, why=self._xero_gone_reason(option)), account)
        for account in self._xero_tracked_analytic_accounts():
            if account.root_plan_id.id in maps["plans"] and account.id not in maps["accounts"]:
                add("tracking", self.env._(
                    "Analytic account %(account)s (plan %(plan)s) is used on documents that "
                    "sync to Xero and is not mapped to a Xero tracking option.",
                    account=account.display_name, plan=account.root_plan_id.name), account)

    def _xero_tracked_analytic_accounts(self):
        """The analytic accounts on the lines of the posted invoices, bills
        and credit notes of the synchronizations switched on."""
        move_types = []
        if self.sync_sales_invoices:
            move_types += ["out_invoice", "out_refund"]
        if self.sync_supplier_invoices:
            move_types += ["in_invoice", "in_refund"]
        if not move_types:
            return self.env["account.analytic.account"]
        self.env["account.move.line"].flush_model(
            ["analytic_distribution", "move_id", "company_id", "display_type", "parent_state"])
        self.env["account.move"].flush_model(["move_type", "date"])
        date_clause = SQL("m.date >= %s", self.sync_from_date) if self.sync_from_date else SQL("TRUE")
        self.env.cr.execute(SQL(
            """SELECT DISTINCT jsonb_object_keys(l.analytic_distribution)
                 FROM account_move_line l
                 JOIN account_move m ON m.id = l.move_id
                WHERE l.company_id = %(company)s AND l.parent_state = 'posted'
                  AND l.display_type = 'product' AND l.analytic_distribution IS NOT NULL
                  AND m.move_type IN %(types)s AND %(date)s""",
            company=self.company_id.id, types=tuple(move_types), date=date_clause,
        ))
        ids = {int(part) for (key,) in self.env.cr.fetchall()
               for part in key.split(",") if part.strip().isdigit()}
        return self.env["account.analytic.account"].browse(sorted(ids)).exists()
