{
    "name": "Xero Connector",
    "summary": "Post invoices, bills, credit notes, payments and trust "
    "transactions to Xero, mapped to Xero's accounts, taxes and currencies",
    "version": "18.0.1.2.0",
    "category": "Accounting/Accounting",
    "author": "account_xero authors",
    "license": "LGPL-3",
    # Listed under Apps' default "Apps" filter; the card's "Module Info"
    # opens static/description/index.html (no website: nothing outside).
    "application": True,
    # bus: the Xero state of an open form follows the push (bus.bus, bus_service).
    "depends": ["account", "bus"],
    # Odoo 18 reads these as distribution names with version specifiers; the
    # client reaches into the SDK's internals, so only the tested major.
    "external_dependencies": {"python": ["xero-python>=15,<16"]},
    "data": [
        "security/account_xero_security.xml",
        "security/account_trust_groups.xml",
        "security/ir.model.access.csv",
        "views/xero_connection_views.xml",
        "security/xero_tracking_security.xml",
        "views/xero_tracking_views.xml",
        "views/account_journal_views.xml",
        "views/res_config_settings_views.xml",
        "security/xero_push_security.xml",
        "data/ir_cron_data.xml",
        "views/xero_sync_job_views.xml",
        "views/account_move_views.xml",
        "views/res_partner_views.xml",
        "views/account_payment_views.xml",
        "data/account_trust_data.xml",
        "security/account_trust_security.xml",
        "views/account_trust_transaction_views.xml",
        "views/account_trust_matter_views.xml",
        "views/account_trust_ledger_views.xml",
        "views/account_trust_ops_views.xml",
        "wizard/account_trust_reversal_wizard_views.xml",
        "wizard/account_trust_reconciliation_wizard_views.xml",
        "wizard/account_trust_ledger_export_views.xml",
        "report/account_trust_reconciliation_templates.xml",
        "report/account_trust_receipt_templates.xml",
        "report/account_trust_statement_templates.xml",
        "views/account_trust_report_views.xml",
        "views/xero_oauth_templates.xml",
        "security/xero_reconcile_security.xml",
        "views/xero_reconcile_views.xml",
        "security/xero_webhook_security.xml",
        "views/xero_webhook_event_views.xml",
    ],
    "uninstall_hook": "uninstall_hook",
    "assets": {
        "web.assets_backend": [
            "account_xero/static/src/scss/xero_connection.scss",
            "account_xero/static/src/views/xero_state_form_patch.js",
            "account_xero/static/src/views/fields/*",
        ],
        "web.report_assets_common": [
            "account_xero/static/src/scss/account_trust_report.scss",
        ],
        "web.assets_tests": [
            "account_xero/static/tests/tours/*.js",
        ],
    },
}
