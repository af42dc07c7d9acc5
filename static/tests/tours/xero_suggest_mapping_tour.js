import { registry } from "@web/core/registry";

/**
 * Suggest mapping on the Xero Integration Configuration page: the suggested
 * rows carry a badge, the admin changes one (its badge goes when saved) and
 * confirms the others. Data from account_xero/tests/test_mapping_suggest.py.
 */
const TOUR_SALES_ROW =
    ".o_field_widget[name=account_map_ids] .o_data_row:has(td[name=account_id]:contains(Tour Sales))";

registry.category("web_tour.tours").add("account_xero_suggest_mapping_tour", {
    steps: () => [
        {
            content: "Nothing mapped yet: ask for suggestions",
            trigger: "button[name=action_suggest_mapping]",
            run: "click",
        },
        {
            content: "The income account is suggested by its name, the reason on its badge",
            trigger: `${TOUR_SALES_ROW} td[name=suggested_by] .badge:contains(Suggested: similar name)`,
        },
        {
            content: "The sales tax is suggested by rate",
            trigger: ".o_field_widget[name=tax_map_ids] td[name=suggested_by] .badge:contains(same rate)",
        },
        {
            content: "The page says there are suggestions to review",
            trigger: ".o_xero_suggestions:contains(to review)",
        },
        {
            content: "Check mapping does not call the mapping complete",
            trigger: "button[name=action_check_mapping]",
            run: "click",
        },
        {
            content: "It says the suggested rows await confirmation",
            trigger: ".o_xero_mapping_report.alert-warning:contains(await confirmation)",
        },
        {
            content: "Review a suggestion: open its row",
            trigger: `${TOUR_SALES_ROW} td[name=xero_account_id]`,
            run: "click",
        },
        {
            content: "Choose another Xero account",
            trigger:
                ".o_field_widget[name=account_map_ids] .o_selected_row .o_field_widget[name=xero_account_id] input",
            run: "edit 260",
        },
        {
            trigger:
                ".o_field_widget[name=xero_account_id] .o-autocomplete--dropdown-menu li a:contains(260 – Other Revenue)",
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
            content: "The row the admin changed is no longer marked suggested",
            trigger: `${TOUR_SALES_ROW}:not(:has(.badge)) td[name=xero_account_id]:contains(260)`,
        },
        {
            content: "Confirm the other suggestions",
            trigger: "button[name=action_confirm_suggestions]",
            run: "click",
        },
        {
            content: "No row is marked suggested any more",
            trigger:
                ".o_form_view:not(:has(td[name=suggested_by] .badge)):not(:has(button[name=action_confirm_suggestions]))",
        },
    ],
});
