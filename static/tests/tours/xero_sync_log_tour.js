import { registry } from "@web/core/registry";

/**
 * A failed invoice on the Xero Sync Log: Retry, see the invoice queued beside
 * its status, then Ignore, confirm, and read what was done. Data from
 * account_xero/tests/test_sync_log_tour.py.
 */
registry.category("web_tour.tours").add("account_xero_sync_log_tour", {
    steps: () => [
        {
            content: "The job failed, with Xero's words",
            trigger: ".o_form_view .alert-danger:contains(lock date)",
        },
        {
            content: "Retry it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_retry]",
            run: "click",
        },
        {
            content: "Pending, the old error gone",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Pending)",
        },
        {
            trigger: ".o_form_view:not(:has(.alert-danger)):not(:has(.alert-warning))",
        },
        {
            content: "Open its invoice",
            trigger: ".o_form_view button[name=action_open_document]",
            run: "click",
        },
        {
            content: "The invoice says Xero: Queued beside its status",
            trigger: ".o_form_statusbar .o_xero_state_badge:contains(Xero: Queued)",
        },
        {
            trigger: ".o_form_statusbar .o_statusbar_status:contains(Posted)",
        },
        {
            content: "Back to the job",
            trigger: ".o_breadcrumb .breadcrumb-item a:contains(Customer Invoice:)",
            run: "click",
        },
        {
            content: "Ignore it",
            trigger: ".o_form_view .o_statusbar_buttons button[name=action_ignore]",
            run: "click",
        },
        {
            content: "Ignore asks first",
            trigger: ".modal .modal-body:contains(Not sent)",
        },
        {
            trigger: ".modal .modal-footer .btn-primary",
            run: "click",
        },
        {
            content: "and says what it did",
            trigger: ".o_notification:contains(Ignored):contains(Not sent)",
        },
        {
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Ignored)",
        },
    ],
});
