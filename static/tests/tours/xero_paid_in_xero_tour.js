import { rpc } from "@web/core/network/rpc";
import { registry } from "@web/core/registry";

/**
 * An invoice Odoo sent is paid in Xero (the bookkeeper matched the bank
 * line there): Xero's webhook reaches Odoo, the pull registers the payment,
 * and the open form turns "Paid" without reloading. Data, the payment in
 * the sandbox, its webhook and the pull from
 * account_xero/tests/test_paid_in_xero_tour.py.
 */
registry.category("web_tour.tours").add("account_xero_paid_in_xero_tour", {
    steps: () => [
        {
            content: "The invoice is posted and sent to Xero, not paid",
            trigger: ".o_statusbar_status:has(.o_arrow_button_current:contains(Posted))",
            async run() {
                if (document.querySelector(".o_widget_web_ribbon")) {
                    throw new Error("The invoice shows a payment ribbon before it is paid.");
                }
                // Gone if the page is reloaded: "Paid" must come without it.
                window.accountXeroTourPage = true;
                // Tells the test that the unpaid invoice was seen: Xero may pay it.
                const resId = Number(window.location.pathname.split("/").pop());
                await rpc("/web/dataset/call_kw/account.move/web_read", {
                    model: "account.move",
                    method: "web_read",
                    args: [[resId]],
                    kwargs: {
                        specification: { payment_state: {} },
                        context: { account_xero_tour: "unpaid" },
                    },
                });
            },
        },
        {
            content: "Paid in Xero: Paid in Odoo, without reloading the page",
            trigger: ".o_widget_web_ribbon .ribbon span:contains(Paid)",
            timeout: 30000,
            run() {
                if (!window.accountXeroTourPage) {
                    throw new Error("The page was reloaded.");
                }
            },
        },
    ],
});
