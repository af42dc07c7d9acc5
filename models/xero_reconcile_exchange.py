"""Reconcile with Xero: Odoo's exchange differences.

Xero books a realised currency gain or loss itself, as it records the
payment (or allocation) whose rate is not the document's; Odoo books it in
an entry of its own (its exchange difference journal), made by the match
(``account.partial.reconcile.exchange_move_id``) and never sent. So that
entry is in Xero as what it comes from is: while that payment is not in
Xero (blocked, failed, queued), the entry is explained by it, with its
message; once it is, Xero booked the difference itself and the entry
explains nothing. An exchange difference reversed by Odoo (the match taken
off), with its reversal, explains nothing either: they cancel out.
"""

from odoo import models
from odoo.tools import SQL


class XeroReconcile(models.Model):
    _inherit = "xero.reconcile"

    def _with_exchange_sources(self, documents):
        """``documents`` ({move id: document}, from ``_move_documents``)
        with each exchange difference entry not sent itself taking the
        reason and message of what its match joined: a payment first, then
        a document not in Xero as it is; none when they all are."""
        exchange_ids = [move_id for move_id, doc in documents.items()
                        if doc["res_model"] == "account.move" and doc["reason"] == "not_sent"]
        if not exchange_ids:
            return documents
        # An exchange difference and its reversal (a match taken off), both
        # never sent: they cancel out, nothing for Xero.
        self.env.cr.execute(SQL(
            """
            SELECT am.id, am.reversed_entry_id FROM account_move am
              JOIN res_company rc ON rc.currency_exchange_journal_id = am.journal_id
             WHERE am.id IN %s AND am.reversed_entry_id IN %s
            """, tuple(exchange_ids), tuple(exchange_ids)))
        for pair in self.env.cr.fetchall():
            for move_id in pair:
                documents[move_id] = dict(documents[move_id], reason=None, xero_id=None,
                                          kind=None)
        exchange_ids = [move_id for move_id in exchange_ids if documents[move_id]["reason"]]
        if not exchange_ids:
            return documents
        self.env.cr.execute(SQL(
            """
            SELECT part.exchange_move_id, debit.move_id, credit.move_id
              FROM account_partial_reconcile part
              JOIN account_move_line debit ON debit.id = part.debit_move_id
              JOIN account_move_line credit ON credit.id = part.credit_move_id
             WHERE part.exchange_move_id IN %s
            """, tuple(exchange_ids)))
        sources = {}
        for exchange_id, debit_move, credit_move in self.env.cr.fetchall():
            sources.setdefault(exchange_id, set()).update((debit_move, credit_move))
        if not sources:
            return documents
        wanted = set().union(*sources.values()) - set(documents)
        known = {**documents, **self._move_documents(wanted)} if wanted else documents
        for exchange_id, move_ids in sources.items():
            docs = sorted((known[m] for m in move_ids if m in known and m != exchange_id),
                          key=lambda d: (d["reason"] is None, d["res_model"] != "account.payment"))
            first = docs[0] if docs else None
            if first is None:
                continue
            documents[exchange_id] = dict(first, xero_id=None, kind=None, total=0.0) \
                if first["reason"] else dict(documents[exchange_id], reason=None, xero_id=None,
                                             kind=None)
        return documents
