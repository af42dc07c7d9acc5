import { registry } from "@web/core/registry";

/**
 * The link the Xero Integration Configuration page gives for the trust
 * accounts opens Settings on them, and the Xero block is there too. Run as a
 * Community administrator and as one with "Show Full Accounting Features"
 * (account_xero/tests/test_settings_visibility.py).
 */
registry.category("web_tour.tours").add("account_xero_settings_tour", {
    steps: () => [
        {
            content: "The configuration page links to the trust accounts",
            trigger: "a[name=open_trust_settings]",
            run: "click",
        },
        {
            content: "The trust accounts are shown",
            trigger: "#account_trust_accounts .o_field_widget[name=trust_liability_account_id]",
        },
        {
            trigger: "#account_trust_journals .o_field_widget[name=trust_journal_ids]",
        },
        {
            content: "The Xero block is shown, with its way to the configuration page",
            trigger: "#account_xero_connection button[name=action_open_xero_connection]",
        },
        {
            content: "How the push paces Xero is for debug mode only",
            trigger: "body:not(:has(#account_xero_push))",
        },
    ],
});
