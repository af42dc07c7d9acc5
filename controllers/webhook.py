"""Xero's webhooks: ``POST /xero/webhook/<database>/<token>``.

The route only checks and stores (``xero.webhook.event._xero_receive``) and
answers at once with an empty body, as Xero asks (five seconds at most, no
cookie). It reads the raw body before anything parses it: the signature is
over the bytes Xero sent.

Which database: on a server that serves one database (one database, or a
``dbfilter`` that picks it from the host name) Odoo has opened it already,
and the URL's database must be that one. On a server with several databases
and no such filter, an ``auth='none'`` route of an addon is not served at
all unless the addon is loaded server-wide (``--load=base,web,account_xero``);
then the request has no database, and the route opens the one the URL names,
if ``dbfilter`` lets this host see it.
"""

import contextlib
import logging

import odoo
from odoo import SUPERUSER_ID, api, http
from odoo.http import request

from ..models.xero_webhook_event import MAX_BODY

_logger = logging.getLogger(__name__)


class XeroWebhookController(http.Controller):

    @http.route("/xero/webhook/<string:db>/<string:token>", type="http", auth="none",
                methods=["POST"], csrf=False, save_session=False, readonly=False)
    def xero_webhook(self, db, token, **kwargs):
        httprequest = request.httprequest
        length = httprequest.content_length
        if length is not None and length > MAX_BODY:
            return self._answer(413)
        body = httprequest.get_data(cache=False)
        if len(body) > MAX_BODY:
            return self._answer(413)
        signature = httprequest.headers.get("x-xero-signature")
        with self._environment(db) as env:
            if env is None:
                return self._answer(404)
            status = env["xero.webhook.event"]._xero_receive(token, body, signature)
        return self._answer(status)

    @contextlib.contextmanager
    def _environment(self, db):
        """A superuser environment on the URL's database, or None when this
        server does not serve it to this host."""
        if request.db:
            yield request.env(user=SUPERUSER_ID) if request.db == db else None
            return
        host = request.httprequest.environ.get("HTTP_HOST", "")
        if db not in http.db_list(force=True, host=host):
            yield None
            return
        registry = odoo.modules.registry.Registry(db)
        with registry.cursor() as cr:
            yield api.Environment(cr, SUPERUSER_ID, {})

    @staticmethod
    def _answer(status):
        return request.make_response("", status=status)
