import { onMounted, onWillUnmount } from "@odoo/owl";
import { useService } from "@web/core/utils/hooks";
import { patch } from "@web/core/utils/patch";
import { FormController } from "@web/views/form/form_controller";

/**
 * A form of a document that goes to Xero (invoice, payment, trust
 * transaction) shows its Xero state as it changes: when the push sends it,
 * the server tells the user who queued it through the bus (notification
 * "account_xero/xero_state", {model, ids}; xero_document_mixin.py), and
 * the form showing one of those records reloads it, unless it has unsaved
 * changes. No timed reload.
 */
patch(FormController.prototype, {
    setup() {
        super.setup(...arguments);
        if (!this.props.fields.xero_state) {
            return;
        }
        const busService = useService("bus_service");
        const onXeroState = async ({ model, ids }) => {
            const record = this.model.root;
            if (model !== this.props.resModel || !ids.includes(record.resId)) {
                return;
            }
            if (record.isNew || (await record.isDirty())) {
                return;
            }
            await record.load();
        };
        onMounted(() => busService.subscribe("account_xero/xero_state", onXeroState));
        onWillUnmount(() => busService.unsubscribe("account_xero/xero_state", onXeroState));
    },
});
