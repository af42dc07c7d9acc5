import { registry } from "@web/core/registry";
import { BadgeField, badgeField } from "@web/views/fields/badge/badge_field";

/**
 * A document's Xero state as a badge beside its status ("Xero: Sent"), so the
 * header says where the document stands in Xero without opening a tab.
 */
export class XeroStateBadgeField extends BadgeField {
    static template = "account_xero.XeroStateBadgeField";
}

registry.category("fields").add("xero_state_badge", {
    ...badgeField,
    component: XeroStateBadgeField,
});
