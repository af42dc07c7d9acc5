import { registry } from "@web/core/registry";

/**
 * The Xero Integration Configuration page: map an Odoo account and a tax,
 * save, and see the mapped Xero account crossed out in the Xero GL Account
 * Reference list. Data from account_xero/tests/test_ui_tour.py.
 */
registry.category("web_tour.tours").add("account_xero_mapping_tour", {
    steps: () => [
        {
            content: "Xero account 850 is listed and not mapped yet",
            trigger:
                ".o_xero_account_reference .o_data_row:not(.text-muted) td[name=code]:contains(850)",
        },
        {
            content: "Add a row to the GL account map",
            trigger: ".o_field_widget[name=account_map_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Choose the Odoo account",
            trigger:
                ".o_field_widget[name=account_map_ids] .o_selected_row .o_field_widget[name=account_id] input",
            run: "edit 215000",
        },
        {
            trigger:
                ".o_field_widget[name=account_id] .o-autocomplete--dropdown-menu li a:contains(215000 Trust Liability)",
            run: "click",
        },
        {
            content: "Choose the Xero account",
            trigger:
                ".o_field_widget[name=account_map_ids] .o_selected_row .o_field_widget[name=xero_account_id] input",
            run: "edit 850",
        },
        {
            trigger:
                ".o_field_widget[name=xero_account_id] .o-autocomplete--dropdown-menu li a:contains(850 – Trust Liability)",
            run: "click",
        },
        {
            content: "Add a row to the GST / Sales Tax / VAT map",
            trigger: ".o_field_widget[name=tax_map_ids] .o_field_x2many_list_row_add a",
            run: "click",
        },
        {
            content: "Choose the Odoo tax",
            trigger:
                ".o_field_widget[name=tax_map_ids] .o_selected_row .o_field_widget[name=tax_id] input",
            run: "edit Sales 9%",
        },
        {
            trigger:
                ".o_field_widget[name=tax_id] .o-autocomplete--dropdown-menu li a:contains(Sales 9%)",
            run: "click",
        },
        {
            content: "Choose the Xero output tax",
            trigger:
                ".o_field_widget[name=tax_map_ids] .o_selected_row .o_field_widget[name=xero_output_tax_id] input",
            run: "edit GST on Income",
        },
        {
            trigger:
                ".o_field_widget[name=xero_output_tax_id] .o-autocomplete--dropdown-menu li a:contains(GST on Income)",
            run: "click",
        },
        {
            content: "Save",
            trigger: ".o_form_button_save",
            run: "click",
        },
        {
            trigger: ".o_form_saved",
        },
        {
            content: "Xero account 850 is now crossed out",
            trigger:
                ".o_xero_account_reference .o_data_row.text-muted td[name=name]:contains(Trust Liability)",
            run() {
                const decoration = getComputedStyle(this.anchor).textDecorationLine;
                if (!decoration.includes("line-through")) {
                    throw new Error(`Mapped Xero account is not crossed out (${decoration})`);
                }
            },
        },
        {
            content: "An account not mapped is not crossed out",
            trigger:
                ".o_xero_account_reference .o_data_row:not(.text-muted) td[name=code]:contains(851)",
        },
    ],
});
