"""Every search field of every search view of the addon answers.

A search box is typed into by accountants all day: each <field> of the
addon's search views (its own, and the account views it extends) is run the
way the web client runs it (the field's ``filter_domain``, else ``[(field,
'ilike', text)]``; a many2one also autocompletes with ``name_search`` on its
comodel) under a time limit, so that a search which never returns fails
here instead of spinning a server process at 100 % CPU.
"""

import contextlib
import signal
import threading

from lxml import etree

from odoo import fields
from odoo.tests import new_test_user, tagged
from odoo.tests.common import TransactionCase
from odoo.tools.safe_eval import safe_eval

TIME_LIMIT = 10  # seconds a search may take before the test calls it hung


class SearchTimeout(Exception):
    pass


@contextlib.contextmanager
def time_limit(env, seconds, what):
    """Raise SearchTimeout when the block runs longer than ``seconds``: a
    timer signal for Python loops, PostgreSQL's statement_timeout for a
    query that never ends."""
    in_main = threading.current_thread() is threading.main_thread()

    def on_alarm(signum, frame):
        raise SearchTimeout(what)

    previous = signal.signal(signal.SIGALRM, on_alarm) if in_main else None
    if in_main:
        signal.setitimer(signal.ITIMER_REAL, seconds)
    env.cr.execute("SET LOCAL statement_timeout = %s", ("%ds" % seconds,))
    try:
        yield
    finally:
        if in_main:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)
        env.cr.execute("SET LOCAL statement_timeout = 0")


@tagged("post_install", "-at_install")
class TestSearchViews(TransactionCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company = cls.env.company
        cls.user = new_test_user(
            cls.env, login="xero_search_manager",
            groups="account.group_account_manager,account.group_account_readonly,"
                   "account_xero.group_xero_manager,"
                   "base.group_multi_company",
            company_id=cls.company.id, company_ids=[cls.company.id],
        )
        cls.connection = cls.env["xero.connection"].sudo().create({"company_id": cls.company.id})
        cls.partner = cls.env["res.partner"].create({"name": "Quillfeather Solicitors"})
        cls.other = cls.env["res.partner"].create({"name": "Brambleworth Ltd"})
        Job = cls.env["xero.sync.job"].sudo()
        cls.job = Job.create({
            "connection_id": cls.connection.id, "res_model": "res.partner",
            "res_id": cls.partner.id, "operation": "contact"})
        cls.other_job = Job.create({
            "connection_id": cls.connection.id, "res_model": "res.partner",
            "res_id": cls.other.id, "operation": "contact"})

    # -- the views ----------------------------------------------------------
    def _addon_search_views(self):
        """(model, arch) of every search view the addon makes or extends,
        extended views as the user gets them (with every extension applied)."""
        data = self.env["ir.model.data"].sudo().search(
            [("module", "=", "account_xero"), ("model", "=", "ir.ui.view")])
        views = self.env["ir.ui.view"].sudo().browse(data.mapped("res_id")).filtered(
            lambda v: v.type == "search")
        roots = {}
        for view in views:
            root = view
            while root.inherit_id and root.mode == "extension":
                root = root.inherit_id
            roots[root.id] = root
        result = []
        for root in roots.values():
            Model = self.env[root.model].with_user(self.user)
            arch = Model.get_views([(root.id, "search")])["views"]["search"]["arch"]
            result.append((root, Model, etree.fromstring(arch)))
        return result

    def _field_domains(self, Model, node, text):
        """The domains the web client runs for ``text`` typed into the field."""
        name = node.get("name")
        field = Model._fields[name]
        if node.get("filter_domain"):
            return [safe_eval(node.get("filter_domain"), {"self": text, "raw_value": text})]
        operator = node.get("operator")
        if field.type in ("char", "text", "html", "many2one", "many2many", "one2many",
                          "reference", "properties"):
            return [[(name, operator or "ilike", text)]]
        if field.type == "selection":
            selection = field._description_selection(Model.env)
            return [[(name, operator or "=", selection[0][0])]] if selection else []
        if field.type in ("integer", "float", "monetary", "many2one_reference"):
            return [[(name, operator or "=", 1)]]
        if field.type == "date":
            return [[(name, operator or "=", fields.Date.today())]]
        if field.type == "datetime":
            return [[(name, operator or "<=", fields.Datetime.now())]]
        if field.type == "boolean":
            return [[(name, operator or "=", True)]]
        return [[(name, operator or "ilike", text)]]

    def _run(self, Model, domain, what):
        with time_limit(Model.env, TIME_LIMIT, what):
            return Model.web_search_read(domain, {"display_name": {}}, limit=80)["records"]

    # -- tests --------------------------------------------------------------
    def test_every_search_field_answers(self):
        views = self._addon_search_views()
        self.assertIn("xero.sync.job", [root.model for root, _m, _a in views])
        self.assertIn("account.move", [root.model for root, _m, _a in views])
        hung = []
        for root, Model, arch in views:
            try:  # the model's own autocomplete (a many2one to it, "Search More...")
                with time_limit(Model.env, TIME_LIMIT, root.model + ": name_search"):
                    Model.name_search("x", limit=8)
            except SearchTimeout:
                hung.append(root.model + ": name_search")
            for node in arch.iter("field"):
                name = node.get("name")
                what = "%s: field %s of %s" % (root.model, name, root.xml_id or root.name)
                field = Model._fields[name]
                try:
                    for domain in self._field_domains(Model, node, "x"):
                        self._run(Model, domain, what)
                    if field.type == "many2one":
                        Comodel = self.env[field.comodel_name].with_user(self.user)
                        with time_limit(Model.env, TIME_LIMIT, what + " (autocomplete)"):
                            Comodel.name_search("x", limit=8)
                except SearchTimeout:
                    hung.append(what)
        self.assertFalse(hung, "These searches did not answer within %ds" % TIME_LIMIT)

    def test_sync_log_job_name_search(self):
        """Typing a contact's (or a document's) name in the Sync Log's "Job"
        search finds its jobs, and only them."""
        Job = self.env["xero.sync.job"].with_user(self.user)
        found = self._run(Job, [("display_name", "ilike", "quillfeather")], "Job search")
        self.assertEqual([r["id"] for r in found], self.job.ids)
        self.assertEqual(found[0]["display_name"], "Contact: Quillfeather Solicitors")
        # The operation's label is part of the name too.
        found = self._run(Job, [("display_name", "ilike", "contact")], "Job search")
        self.assertEqual({r["id"] for r in found}, set((self.job | self.other_job).ids))
        # "does not contain" is the complement.
        found = self._run(Job, [("display_name", "not ilike", "quillfeather")], "Job search")
        self.assertEqual([r["id"] for r in found], self.other_job.ids)
        with time_limit(Job.env, TIME_LIMIT, "Job name_search"):
            self.assertEqual([i for i, _n in Job.name_search("Brambleworth")], self.other_job.ids)
