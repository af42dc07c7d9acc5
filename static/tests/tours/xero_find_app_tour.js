import { registry } from "@web/core/registry";

/**
 * A newcomer looks for the app: Apps with its default "Apps" filter, search
 * "Xero", open the card's description and read the screenshots. The addon
 * is installed in the test database: the tour finds it, it does not install
 * it. Run by account_xero/tests/test_apps_listing.py.
 */
registry.category("web_tour.tours").add("account_xero_find_app_tour", {
    steps: () => [
        {
            content: "Apps opens with its default filter",
            trigger: ".o_searchview_facet:contains(Apps)",
        },
        {
            content: "Search Xero",
            trigger: ".o_searchview_input",
            run: "edit Xero",
        },
        {
            trigger: ".dropdown-menu.o_searchview_autocomplete",
        },
        {
            trigger: ".o_searchview_input",
            run: "press Enter",
        },
        {
            content: "The app is listed, the Apps filter still on",
            trigger: ".o_searchview_facet:contains(Apps)",
        },
        {
            trigger: ".o_kanban_record:contains(Xero Connector) img[src='/account_xero/static/description/icon.png']",
        },
        {
            content: "Its card opens the description in Odoo",
            trigger: ".o_kanban_record:contains(Xero Connector) a:contains(Module Info)",
            run: "click",
        },
        {
            content: "The screenshots are shown at a readable size",
            trigger: ".o_field_widget[name=description_html] img[src*='screenshot_invoice.png']",
            async run() {
                const img = this.anchor;
                if (!img.complete) {
                    await new Promise((resolve) => img.addEventListener("load", resolve));
                }
                const width = img.getBoundingClientRect().width;
                if (width < 0.9 * Math.min(img.naturalWidth, img.parentElement.clientWidth)) {
                    throw new Error(
                        `screenshot shown ${width}px wide (natural ${img.naturalWidth}px, room ${img.parentElement.clientWidth}px)`
                    );
                }
            },
        },
    ],
});
