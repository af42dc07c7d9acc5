"""18.0.1.1.0, before the module's update: a journal's trust flag is named
for trust, not Xero (``account.journal.xero_is_trust`` becomes
``is_trust_account``: trust accounting works with no Xero connection).

Renamed in place, never dropped and re-created: a trust journal that
silently stopped being one would switch every trust guard off. The column,
its ``ir_model_fields`` row (and that row's XML id) keep their data; the
views, filters and actions that name the field (the addon's own, and any a
user customised) name the new one before the views are loaded again."""

from odoo.tools import SQL
from odoo.tools.sql import column_exists, rename_column

OLD, NEW = "xero_is_trust", "is_trust_account"


def migrate(cr, version):
    if not column_exists(cr, "account_journal", OLD) or column_exists(cr, "account_journal", NEW):
        return
    rename_column(cr, "account_journal", OLD, NEW)
    cr.execute(SQL("UPDATE ir_model_fields SET name = %s WHERE model = 'account.journal' "
                   "AND name = %s", NEW, OLD))
    cr.execute(SQL("UPDATE ir_model_data SET name = %s WHERE model = 'ir.model.fields' "
                   "AND module = 'account_xero' AND name = %s",
                   "field_account_journal__" + NEW, "field_account_journal__" + OLD))
    # What names the field in text: view architectures (JSONB, one text per
    # language), saved filters, window actions' domains and contexts.
    cr.execute(SQL("UPDATE ir_ui_view SET arch_db = replace(arch_db::text, %s, %s)::jsonb "
                   "WHERE arch_db::text LIKE %s", OLD, NEW, "%" + OLD + "%"))
    for table, columns in (("ir_filters", ("domain", "context")),
                           ("ir_act_window", ("domain", "context"))):
        for column in columns:
            cr.execute(SQL("UPDATE %s SET %s = replace(%s, %s, %s) WHERE %s LIKE %s",
                           SQL.identifier(table), SQL.identifier(column),
                           SQL.identifier(column), OLD, NEW, SQL.identifier(column),
                           "%" + OLD + "%"))
