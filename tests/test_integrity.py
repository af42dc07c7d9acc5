"""Integrity in a real deployment: what only the push engine writes (sync
jobs, the Xero fields of documents), the guarded connection, and the
retention of the sync log. Server-side guards: a readonly field in a view
protects nothing against a plain ``write`` over RPC."""

import uuid

from odoo.exceptions import AccessError, UserError, ValidationError
from odoo.tests import new_test_user, tagged

from .common import XeroPushCommon


def guid():
    return str(uuid.uuid4())


@tagged("post_install", "-at_install")
class TestJobIntegrity(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.poster = new_test_user(
            cls.env, login="xero_poster",
            groups="account.group_account_invoice,account_xero.group_xero_user",
            company_id=cls.company.id, company_ids=[cls.company.id])
        cls.billing = new_test_user(
            cls.env, login="xero_billing", groups="account.group_account_invoice",
            company_id=cls.company.id, company_ids=[cls.company.id])

    def test_poster_cannot_aim_a_job_at_any_xero_document(self):
        """A "Xero: post documents" user writing a job's Xero id and state
        would have the cron void whatever Xero document that id names."""
        victim = self.make_invoice(amounts=(500.0,))
        self.push()
        self.assertEqual(victim.xero_state, "sent", victim.xero_error)
        mine = self.make_invoice(amounts=(10.0,))
        job = self.jobs(mine, "invoice").with_user(self.poster)
        with self.assertRaises(AccessError):
            job.write({"xero_id": victim.xero_id, "state": "pending", "operation": "void"})
        with self.assertRaises(AccessError):
            self.Job.with_user(self.poster).create({
                "connection_id": self.connection.id, "res_model": "account.move",
                "res_id": mine.id, "operation": "void", "version": 7,
                "xero_id": victim.xero_id})
        with self.assertRaises(AccessError):
            job.unlink()
        self.push()
        self.assertEqual(self.xero_doc("Invoices", victim.xero_id)["Status"], "AUTHORISED")
        self.assertEqual(mine.xero_state, "sent", mine.xero_error)

    def test_retry_and_ignore_are_the_users_part(self):
        invoice = self.make_invoice()
        job = self.jobs(invoice, "invoice")
        job.sudo()._set_failed("Refused")
        self.assertEqual(invoice.xero_state, "failed")
        # Without the group: refused on the server, whatever the view shows.
        with self.assertRaises(AccessError):
            job.with_user(self.billing).action_retry()
        with self.assertRaises(AccessError):
            job.with_user(self.billing).action_ignore()
        job.with_user(self.poster).action_ignore()
        self.assertEqual(job.state, "cancelled")
        job.with_user(self.poster).action_retry()
        self.assertEqual(job.state, "pending")
        self.assertEqual(invoice.xero_state, "queued")
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)

    def test_job_constraints(self):
        invoice = self.make_invoice()
        Job = self.Job.sudo()
        base = {"connection_id": self.connection.id, "res_model": "account.move",
                "res_id": invoice.id, "operation": "void", "version": 9}
        with self.assertRaisesRegex(ValidationError, "not a document the Xero push sends"):
            Job.create(dict(base, res_model="res.users", res_id=self.env.uid,
                            operation="contact"))
        with self.assertRaisesRegex(ValidationError, "not sent to Xero as"):
            Job.create(dict(base, operation="delete_payment"))
        with self.assertRaisesRegex(ValidationError, "does not exist"):
            Job.create(dict(base, res_id=invoice.id + 100000))
        with self.assertRaisesRegex(ValidationError, "not a Xero id"):
            Job.create(dict(base, xero_id="anything, really"))
        with self.assertRaisesRegex(ValidationError, "not a Xero id"):
            self.jobs(invoice, "invoice").sudo().write({"xero_id": "1234"})
        # A document of another company never goes through this connection.
        other = self.env["res.company"].create({"name": "Other firm"})
        partner = self.env["res.partner"].create({"name": "Theirs", "company_id": other.id})
        with self.assertRaisesRegex(ValidationError, "the company of the Xero connection"):
            Job.create(dict(base, res_model="res.partner", res_id=partner.id,
                            operation="contact"))
        # What the engine stores passes: a GUID, GUIDs comma separated (a
        # trust job partly made), a contact shared between companies.
        shared = self.env["res.partner"].create({"name": "Shared"})
        Job.create(dict(base, res_model="res.partner", res_id=shared.id, operation="contact",
                        xero_id=guid()))
        Job.create(dict(base, version=10, xero_id="%s,,%s" % (guid(), guid().upper())))

    # -- the Xero fields of documents --------------------------------------------
    def test_xero_fields_of_documents_are_the_engines(self):
        """Writing an invoice's Xero id would have its payments (and its
        void) go to another Xero document; its Xero state, hide it from
        the push."""
        invoice = self.make_invoice()
        self.push()
        other = self.make_invoice(amounts=(7.0,))
        self.push()
        payment = self.pay(invoice)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        for record in (invoice, payment):
            for vals in ({"xero_id": other.xero_id}, {"xero_state": "not_sent"},
                         {"xero_error": False}, {"xero_warning": "all is well"},
                         {"xero_sent_at": False}):
                with self.assertRaises(AccessError, msg="%s %s" % (record, vals)):
                    record.with_user(self.poster).write(vals)
                with self.assertRaises(AccessError, msg="%s %s" % (record, vals)):
                    record.with_user(self.billing).write(vals)
        self.assertEqual(invoice.xero_state, "sent")
        self.assertNotEqual(invoice.xero_id, other.xero_id)
        # Nor at creation (an import).
        with self.assertRaises(AccessError):
            self.env["account.move"].with_user(self.billing).create({
                "move_type": "out_invoice", "partner_id": self.partner_a.id,
                "xero_state": "sent", "xero_id": other.xero_id})
        # The user's own work on the document is untouched, and the engine's
        # refresh of these fields still runs in the user's transaction.
        draft = self.make_invoice(post=False, amounts=(3.0,))
        draft.with_user(self.billing).write({"ref": "PO 12"})
        draft.with_user(self.billing).action_post()
        self.assertEqual(draft.xero_state, "queued")
        self.push()
        self.assertEqual(draft.xero_state, "sent", draft.xero_error)

    def test_post_to_xero_needs_the_group(self):
        invoice = self.make_invoice()
        payment = self.pay(invoice)
        self.jobs(invoice, "invoice").sudo()._set_failed("Refused")
        for record in (invoice, payment):
            with self.assertRaises(AccessError, msg=record._name):
                record.with_user(self.billing).action_xero_post()
        # The list action runs the same method as the user.
        action = self.env.ref("account_xero.account_move_action_xero_post")
        with self.assertRaises(AccessError):
            action.with_user(self.billing).with_context(
                active_model="account.move", active_ids=invoice.ids, active_id=invoice.id).run()
        self.assertEqual(invoice.xero_state, "failed")
        invoice.with_user(self.poster).action_xero_post()
        payment.with_user(self.poster).action_xero_post()
        self.assertEqual(invoice.xero_state, "queued")
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)


@tagged("post_install", "-at_install")
class TestConnectionIntegrity(XeroPushCommon):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.manager = new_test_user(
            cls.env, login="xero_conn_manager", groups="account.group_account_manager",
            company_id=cls.company.id, company_ids=[cls.company.id])
        cls.admin = new_test_user(
            cls.env, login="xero_conn_admin",
            groups="base.group_system,account.group_account_manager",
            company_id=cls.company.id, company_ids=[cls.company.id])

    def connect_to(self, tenant_id, connection=None):
        """What the OAuth callback does when Xero grants ``tenant_id``."""
        connection = connection or self.connection
        grant = self._xero_grant([tenant_id])
        connection._xero_set_tenant(
            {"tenantId": tenant_id, "tenantName": self.srv.store.tenant(tenant_id).name,
             "id": grant["connection_id"]},
            {"access_token": grant["access_token"], "refresh_token": grant["refresh_token"],
             "token_expires_at": "2099-01-01 00:00:00"})
        connection.flush_recordset()
        return grant

    def revocations(self):
        return [r for r in list(self.srv.store.requests)
                if r["path"].rstrip("/").endswith("/connect/revocation")]

    def test_oauth_fields_are_the_flows(self):
        other_tenant = self.srv.add_tenant("Elsewhere Ltd", "NZ", self.company.currency_id.name)
        for user in (self.manager, self.admin):
            conn = self.connection.with_user(user)
            for vals in ({"tenant_id": other_tenant}, {"xero_connection_id": guid()},
                         {"state": "connected"}, {"ids_tenant_id": other_tenant},
                         {"scopes": "offline_access accounting.transactions"}):
                with self.assertRaises(AccessError, msg="%s %s" % (user.login, vals)):
                    conn.write(vals)
        with self.assertRaises(AccessError):
            self.env["xero.connection"].with_user(self.admin).create({
                "company_id": self.env["res.company"].create({"name": "New firm"}).id,
                "tenant_id": other_tenant, "state": "connected"})
        self.assertEqual(self.connection.tenant_id, self.xero_tenant_id)
        # Administrators keep the app's credentials, and the scopes while
        # not connected (asked for at the next consent).
        self.connection.with_user(self.admin).write({"client_id": self.xero_client_id})
        self.connection.action_disconnect()
        self.connection.with_user(self.admin).write({"scopes": "offline_access openid"})
        self.assertEqual(self.connection.scopes, "offline_access openid")

    def test_connection_in_use_is_archived_not_deleted(self):
        invoice = self.make_invoice()
        with self.assertRaisesRegex(UserError, "jobs still to send"):
            self.connection.unlink()
        self.push()
        self.assertEqual(invoice.xero_state, "sent", invoice.xero_error)
        with self.assertRaisesRegex(UserError, "linked to Xero contacts"):
            self.connection.unlink()
        self.connection.action_archive()
        self.assertFalse(self.connection.active)
        self.assertTrue(self.jobs(invoice))
        # One never used goes.
        unused = self.env["xero.connection"].create(
            {"company_id": self.env["res.company"].create({"name": "Unused firm"}).id})
        unused.unlink()

    def test_reconnect_to_another_organisation_resets_what_it_held(self):
        self.connect_to(self.xero_tenant_id)  # the organisation of the ids
        invoice = self.make_invoice()
        self.push()
        payment = self.pay(invoice)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        queued = self.make_invoice(amounts=(42.0,))
        self.assertEqual(queued.xero_state, "queued")
        old_tenant = self.xero_tenant_id
        self.connection.action_disconnect()
        new_tenant = self.srv.add_tenant("New Books Ltd", "NZ", self.company.currency_id.name)
        self.connect_to(new_tenant)
        self.assertFalse(self.env["xero.contact.binding"].search(
            [("connection_id", "=", self.connection.id)]))
        for record in (invoice, payment, queued):
            self.assertEqual((record.xero_state, record.xero_id), ("not_sent", False), record)
        self.assertEqual(set(self.Job.search([("connection_id", "=", self.connection.id)])
                             .mapped("state")), {"cancelled"})
        body = self.connection.message_ids[:1].body
        self.assertIn("New Books Ltd", body)
        self.assertIn("1 jobs not yet sent cancelled", body)
        # Post to Xero sends them to the new organisation; nothing more goes
        # to the old one.
        old_count = len(self.srv.store.documents(old_tenant, "Invoices"))
        self.xero_tenant_id = new_tenant
        (invoice | queued).action_xero_post()
        payment.action_xero_post()
        self.push()
        for record in (invoice, payment, queued):
            self.assertEqual(record.xero_state, "sent", record.xero_error)
        self.assertEqual(self.xero_doc("Invoices", invoice.xero_id)["Status"], "PAID")
        self.assertEqual(len(self.srv.store.documents(old_tenant, "Invoices")), old_count)

    def test_disconnect_leaves_a_shared_connection_alone(self):
        company_b = self.env["res.company"].create({"name": "Sister firm"})
        conn_b = self._xero_connect(company_b, tenant_id=self.xero_tenant_id)
        self.assertEqual(conn_b.xero_connection_id, self.connection.xero_connection_id)
        revoked = len(self.revocations())
        self.connection.action_disconnect()
        self.assertEqual(self.connection.state, "disconnected")
        self.assertFalse(self.connection.sudo().refresh_token)
        self.assertEqual(len(self.revocations()), revoked)
        self.assertIn(conn_b.xero_connection_id, self.srv.store.connections)
        self.assertIn("Sister firm", self.connection.message_ids[:1].body)
        # Company B still reaches Xero.
        self.assertTrue(conn_b._xero_accounting_client().get_accounts())
        # The last company to leave revokes.
        conn_b.action_disconnect()
        self.assertEqual(len(self.revocations()), revoked + 1)
        self.assertNotIn(conn_b.xero_connection_id, self.srv.store.connections)

    def test_uninstall_revokes(self):
        from odoo.addons.account_xero import uninstall_hook

        refresh = self.connection.sudo().refresh_token
        revoked = len(self.revocations())
        uninstall_hook(self.env)
        self.assertEqual(len(self.revocations()), revoked + 1)
        self.assertTrue(self.srv.store.refresh_tokens[refresh].get("revoked"))
        self.assertNotIn(self.connection.xero_connection_id, self.srv.store.connections)


@tagged("post_install", "-at_install")
class TestRetention(XeroPushCommon):

    def age_jobs(self, days=800):
        self.env.flush_all()
        self.env.cr.execute("UPDATE xero_sync_job SET create_date = now() - %s * interval '1 day'",
                            [days])
        self.env.invalidate_all()

    def test_cleaning_the_log_never_forgets_what_is_in_xero(self):
        paid = self.make_invoice(amounts=(100.0,))
        unpaid = self.make_invoice(amounts=(60.0,))
        self.push()
        payment = self.pay(paid)
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        xero_payment = payment.xero_id
        self.age_jobs()
        self.Job.sudo()._gc_done_jobs()
        self.env.invalidate_all()
        for record in (paid, unpaid, payment):
            record._xero_refresh_state()
            self.assertEqual(record.xero_state, "sent", record)
        # Years later: both are reset; Xero's payment is deleted and both voided.
        (paid | unpaid).button_draft()
        self.assertEqual(unpaid.xero_state, "queued")
        self.push()
        self.assertEqual(self.xero_doc("Payments", xero_payment)["Status"], "DELETED")
        for move in (paid, unpaid):
            self.assertEqual(move.xero_state, "voided", move.xero_error)
            self.assertEqual(self.xero_doc("Invoices", move.xero_id)["Status"], "VOIDED")

    def test_cleaning_drops_what_says_nothing(self):
        invoice = self.make_invoice()
        ignored = self.make_invoice(amounts=(5.0,))
        self.jobs(ignored, "invoice").action_ignore()
        self.push()
        payment = self.pay(invoice)
        self.push()
        xero_payment = payment.xero_id
        # The payment taken off: its Xero Payment is deleted, and the money,
        # still received in Odoo, stays in Xero as an overpayment.
        payment.move_id.line_ids.remove_move_reconcile()
        self.push()
        self.assertEqual(payment.xero_state, "sent", payment.xero_error)
        self.assertEqual(self.xero_doc("Payments", xero_payment)["Status"], "DELETED")
        self.age_jobs()
        self.Job.sudo()._gc_done_jobs()
        self.assertFalse(self.jobs(ignored))
        # The deleted Payment says nothing more; the deposit Xero holds stays.
        self.assertFalse(self.jobs(payment, "payment"))
        self.assertTrue(self.jobs(payment, "deposit"))
        self.assertTrue(self.jobs(invoice, "invoice"))

    def test_deleting_a_reset_draft_voids_it_in_xero(self):
        invoice = self.make_invoice()
        self.push()
        xero_id = invoice.xero_id
        invoice.button_draft()
        invoice.unlink()
        self.push()
        self.assertEqual(self.xero_doc("Invoices", xero_id)["Status"], "VOIDED")
        void = self.Job.search([("operation", "=", "void"), ("xero_id", "=", xero_id)])
        self.assertEqual(void.state, "done", void.error)

    def test_a_paid_draft_is_deleted_once_its_payments_are(self):
        invoice = self.make_invoice()
        self.push()
        payment = self.pay(invoice)
        self.push()
        xero_id, xero_payment = invoice.xero_id, payment.xero_id
        invoice.button_draft()
        with self.assertRaisesRegex(UserError, "still to be deleted in Xero"):
            invoice.unlink()
        self.push()
        invoice.unlink()
        self.assertEqual(self.xero_doc("Payments", xero_payment)["Status"], "DELETED")
        self.assertEqual(self.xero_doc("Invoices", xero_id)["Status"], "VOIDED")
