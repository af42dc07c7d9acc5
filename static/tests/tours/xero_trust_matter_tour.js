import { registry } from "@web/core/registry";

/**
 * The trust matter flow of a trust clerk (Invoicing and Trust rights only):
 * open a matter for a client, receive money into trust on it, pay some out,
 * see the matter's balance, and be refused a payment that would overdraw
 * the matter (the client holds more on another matter). Data from
 * account_xero/tests/test_trust_matters.py.
 */
registry.category("web_tour.tours").add("account_xero_trust_matter_tour", {
    steps: () => [
        {
            content: "Trust is in the Invoicing menus",
            trigger: ".o_menu_sections button:contains(Trust)",
        },
        {
            content: "Open a new matter",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=reference] input",
            run: "edit TOUR-M1",
        },
        {
            trigger: ".o_field_widget[name=name] input",
            run: "edit Purchase of 12 High Street",
        },
        {
            content: "For the client",
            trigger: ".o_field_widget[name=partner_id] input",
            run: "edit Tour Client Ltd",
        },
        {
            trigger: ".o_field_widget[name=partner_id] .o-autocomplete--dropdown-menu li a:contains(Tour Client Ltd)",
            run: "click",
        },
        {
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            content: "The matter's trust transactions",
            trigger: "button[name=action_open_transactions]",
            run: "click",
        },
        {
            content: "Receive money into trust on the matter",
            trigger: ".o_list_button_add",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=kind] select",
            run: 'select "receipt"',
        },
        {
            trigger: ".o_field_widget[name=amount] input",
            run: "edit 500",
        },
        {
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        {
            content: "Posted: the matter holds 500",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Posted)",
        },
        {
            trigger: ".o_field_widget[name=matter_balance]:contains(500.00)",
        },
        {
            content: "Pay out of trust for the matter",
            trigger: ".o_form_button_create",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=kind] select",
            run: 'select "payment"',
        },
        {
            trigger: ".o_field_widget[name=amount] input",
            run: "edit 200",
        },
        {
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        {
            content: "Posted: the matter holds 300, the client 1,300 (another matter holds 1,000)",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Posted)",
        },
        {
            trigger: ".o_field_widget[name=matter_balance]:contains(300.00)",
        },
        {
            trigger: ".o_field_widget[name=client_balance]:contains(1,300.00)",
        },
        {
            content: "A payment of more than the matter holds",
            trigger: ".o_form_button_create",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=kind] select",
            run: 'select "payment"',
        },
        {
            trigger: ".o_field_widget[name=amount] input",
            run: "edit 300.01",
        },
        {
            trigger: ".o_form_view button[name=action_post]",
            run: "click",
        },
        {
            content: "is refused: it would overdraw the matter",
            trigger: ".modal .modal-body:contains(would overdraw matter TOUR-M1)",
        },
        {
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "Back to the matter",
            trigger: ".breadcrumb-item a:contains(TOUR-M1)",
            run: "click",
        },
        {
            content: "Its balance: 300",
            trigger: "button[name=action_open_ledger] .o_stat_value:contains(300.00)",
        },
        {
            content: "The trust ledger, per client and matter",
            trigger: "button[name=action_open_ledger]",
            run: "click",
        },
        {
            trigger: ".o_list_view .o_group_header:contains(Trust Account):contains(300.00)",
        },
    ],
});
