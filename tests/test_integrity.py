"""Integrity in a real deployment: what only the push engine writes (sync
jobs, the Xero fields of documents), the guarded connection, and the
retention of the sync log. Server-side guards: a readonly field in a view
protects nothing against a plain ``write`` over RPC."""

import uuid

from odoo.exceptions import AccessError, ValidationError
from odoo.tests import new_test_user, tagged

from .test_push_common import XeroPushCommon


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
                         {"xero_error": False}, {"xero_sent_at": False}):
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
        action = self.env.ref("account_xero.action_server_move_xero_post")
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

