import { registry } from "@web/core/registry";

/**
 * Record a receipt into trust for a client through the UI, post it, and see
 * the client's balance in the trust ledger. Data from
 * account_xero/tests/test_trust_tour.py.
 */
registry.category("web_tour.tours").add("account_xero_trust_tour", {
    steps: () => [
        {
            content: "Record a new trust transaction",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            content: "It is a receipt into trust",
            trigger: ".o_field_widget[name=kind] select",
            run: 'select "receipt"',
        },
        {
            content: "Choose the client",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Client Ltd",
        },
        {
            trigger: ".o_field_widget[name=partner_id] .o-autocomplete--dropdown-menu li a:contains(Tour Client Ltd)",
            run: "click",
        },
        {
            content: "The client's matter",
            trigger: ".o_field_widget[name=matter_id] input",
            run: "edit TOUR-42",
        },
        {
            trigger: ".o_field_widget[name=matter_id] .o-autocomplete--dropdown-menu li a:contains(TOUR-42)",
            run: "click",
        },
        {
            content: "The amount",
            trigger: ".o_field_widget[name=amount] input",
            run: "edit 1234.50",
        },
        {
            content: "Post it",
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        {
            content: "Posted, with the client's balance",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Posted)",
        },
        {
            trigger: ".o_field_widget[name=client_balance]:contains(1,234.50)",
        },
        {
            content: "Open the trust ledger",
            trigger: ".o_menu_sections button:contains(Trust)",
            run: "click",
        },
        {
            trigger: ".o-dropdown--menu .dropdown-item:contains(Trust Ledger)",
            run: "click",
        },
        {
            content: "The client's balance, grouped per client",
            trigger: ".o_list_view .o_group_header:contains(Tour Client Ltd):contains(1,234.50)",
        },
    ],
});
