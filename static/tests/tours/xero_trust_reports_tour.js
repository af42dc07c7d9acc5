import { registry } from "@web/core/registry";

/**
 * A trust clerk prints the trust reports from where they are offered: the
 * trust reconciliation from Trust > Trust Reconciliation, a matter's client
 * ledger from the matter, a receipt from the receipt's form. The reports open
 * in the web client's report viewer (an iframe on the URL the web client
 * builds), where the clients and figures are read. Data and the viewer (not a
 * download) from account_xero/tests/test_trust_reports_tour.py.
 */
registry.category("web_tour.tours").add("account_xero_trust_reports_tour", {
    steps: () => [
        {
            content: "Trust > Trust Reconciliation",
            trigger: ".o_menu_sections button:contains(Trust)",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .dropdown-item:contains(Trust Reconciliation)",
            run: "click",
        },
        {
            content: "The trust account is chosen: print",
            trigger: ".modal .o_field_widget[name=journal_id] input:value(Tour Trust Account)",
        },
        {
            trigger: ".modal button[name=action_print]",
            run: "click",
        },
        {
            content: "The reconciliation names the client and its balance",
            trigger: ":iframe .o_trust_client:contains(Tour Client Ltd):contains(500.00)",
        },
        {
            trigger: ":iframe .o_trust_money:contains(500.00)",
        },
        {
            content: "Trust > Matters",
            trigger: ".o_menu_sections button:contains(Trust)",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .dropdown-item:contains(Matters)",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_cell:contains(TOUR-R1)",
            run: "click",
        },
        {
            content: "Print the matter's client ledger",
            trigger: ".o_form_view button:contains(Print Client Ledger)",
            run: "click",
        },
        {
            trigger: ":iframe .o_trust_statement_client:contains(Tour Client Ltd)",
        },
        {
            trigger: ":iframe .o_trust_statement_closing:contains(500.00)",
        },
        {
            content: "Trust > Trust Transactions",
            trigger: ".o_menu_sections button:contains(Trust)",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .dropdown-item:contains(Trust Transactions)",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_data_cell:contains(Tour Client Ltd)",
            run: "click",
        },
        {
            content: "Print the receipt",
            trigger: ".o_form_view button:contains(Print Receipt)",
            run: "click",
        },
        {
            trigger: ":iframe .o_trust_receipt_client:contains(Tour Client Ltd)",
        },
        {
            trigger: ":iframe .o_trust_receipt_amount:contains(500.00)",
        },
    ],
});

/** The trust reconciliation from the trust journal's button. */
registry.category("web_tour.tours").add("account_xero_trust_journal_reconciliation_tour", {
    steps: () => [
        {
            trigger: ".o_form_view button[name=action_open_trust_reconciliation]",
            run: "click",
        },
        {
            trigger: ".modal .o_field_widget[name=journal_id] input:value(Tour Trust Account)",
        },
        {
            trigger: ".modal button[name=action_print]",
            run: "click",
        },
        {
            trigger: ":iframe .o_trust_client:contains(Tour Client Ltd):contains(500.00)",
        },
    ],
});
