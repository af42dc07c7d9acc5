"""The chatter of a trust record is part of the trust records: who changed
what and when (tracking) on a posted trust transaction, or on a matter with
trust records, is never deleted nor rewritten, by anyone. Odoo lets whoever
may write on a document delete or edit its messages (mail.message's access
follows the document's: ``_get_mail_message_access``), so a trust user could
otherwise erase the record of their own change (NZ reg 11(2): records secure
against retrospective alteration or deletion). Notes users write stay
theirs; drafts' history goes with the draft; nothing here runs at uninstall
(refused anyway while posted trust records exist: ir_module_module.py)."""

from odoo import _, api, models
from odoo.addons.base.models.ir_model import MODULE_UNINSTALL_FLAG
from odoo.exceptions import UserError

from .account_trust_transaction import trust_write_allowed

TRUST_MODELS = ("account.trust.transaction", "account.trust.matter")
# What a history message says; its other fields (read flags, stars, the
# links to attachments...) may change.
HISTORY_FIELDS = {"body", "tracking_value_ids", "author_id", "date", "model", "res_id",
                  "message_type", "subtype_id"}


def _kept_records(messages):
    """The trust records among those ``messages`` are posted on whose
    history is kept: posted (or reversed) transactions, matters with trust
    records."""
    env = messages.env
    kept = []
    for model in TRUST_MODELS:
        ids = {m.res_id for m in messages if m.model == model}
        records = env[model].sudo().with_context(active_test=False).browse(ids).exists()
        if model == "account.trust.transaction":
            kept += records.filtered(lambda tx: tx.state == "posted")
        else:
            kept += records.filtered(lambda matter: matter._has_trust_records())
    return kept


class MailMessage(models.Model):
    _inherit = "mail.message"

    def _trust_history(self):
        """The messages of ``self`` that record a trust record's history."""
        history = self.sudo().filtered(lambda m: m.model in TRUST_MODELS and (
            m.tracking_value_ids or m.message_type == "notification"))
        if not history:
            return self.browse()
        kept = {(r._name, r.id) for r in _kept_records(history)}
        return history.filtered(lambda m: (m.model, m.res_id) in kept)

    def _trust_refuse_history(self, what):
        if trust_write_allowed(self.env):
            return
        history = self._trust_history()
        if history:
            record = self.env[history[0].model].sudo().browse(history[0].res_id)
            raise UserError(_(
                "The history of %(record)s (who changed what, and when) is part of the trust "
                "records and cannot be %(what)s.", record=record.display_name, what=what))

    def write(self, vals):
        if HISTORY_FIELDS.intersection(vals):
            self._trust_refuse_history(_("changed"))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_trust_history(self):
        self._trust_refuse_history(_("deleted"))


class MailTrackingValue(models.Model):
    _inherit = "mail.tracking.value"

    def write(self, vals):
        self.mail_message_id._trust_refuse_history(_("changed"))
        return super().write(vals)

    @api.ondelete(at_uninstall=False)
    def _unlink_except_trust_history(self):
        self.mail_message_id._trust_refuse_history(_("deleted"))


class AccountTrustTransaction(models.Model):
    _inherit = "account.trust.transaction"

    def unlink(self):
        # mail.thread deletes the messages before the record's own guard runs
        # (BaseModel.unlink): refuse in the record's words first.
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self._unlink_only_draft()
        return super().unlink()


class AccountTrustMatter(models.Model):
    _inherit = "account.trust.matter"

    def unlink(self):
        if not self.env.context.get(MODULE_UNINSTALL_FLAG):
            self._unlink_except_trust_records()
        return super().unlink()
