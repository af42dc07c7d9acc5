import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

/**
 * Post an invoice and see it reach Xero without reloading: the form shows
 * "Queued", then "Sent" when the push has sent it (the server tells the
 * form through the bus). Data and the push from
 * account_xero/tests/test_push_tour.py.
 */
registry.category("web_tour.tours").add("account_xero_post_invoice_tour", {
    steps: () => [
        {
            content: "The invoice's Xero tab",
            trigger: ".o_notebook_headers a.nav-link:contains(Xero)",
            run: "click",
        },
        {
            trigger: ".o_field_widget[name=xero_state]:contains(Not sent)",
            run() {
                // Gone if the page is reloaded: "Sent" must come without it.
                window.accountXeroTourPage = true;
            },
        },
        {
            content: "Confirm the invoice",
            trigger: ".o_form_view .o_form_statusbar button[name=action_post]",
            run: "click",
        },
        {
            content: "Posted, queued for Xero",
            trigger: ".o_statusbar_status .o_arrow_button_current:contains(Posted)",
        },
        {
            trigger: ".o_field_widget[name=xero_state]:contains(Queued)",
            async run() {
                // Tells the test that "Queued" was seen: its push may start.
                const resId = Number(window.location.pathname.split("/").pop());
                await rpc("/web/dataset/call_kw/account.move/web_read", {
                    model: "account.move",
                    method: "web_read",
                    args: [[resId]],
                    kwargs: {
                        specification: { xero_state: {} },
                        context: { account_xero_tour: "queued" },
                    },
                });
            },
        },
        {
            content: "Sent, without reloading the page",
            trigger: ".o_field_widget[name=xero_state]:contains(Sent)",
            timeout: 30000,
            run() {
                if (!window.accountXeroTourPage) {
                    throw new Error("The page was reloaded.");
                }
            },
        },
        {
            content: "Xero's id and the link to the invoice in Xero are shown",
            trigger: ".o_field_widget[name=xero_id]",
        },
    ],
});
