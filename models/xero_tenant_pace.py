"""The pace of each Xero organisation, shared by every process of this
database that calls it (table ``xero_tenant_pace``).

Xero's limits are per organisation (tenant), whoever calls: 60 calls a
minute and 5 in flight. In production the push runs in one cron worker
process while the pull, the poll and the daily check of *Reconcile with
Xero* run in the other (and a second server may run crons on the same
database). Every client of an organisation gets its pacer from
``xero.connection._xero_pacer`` (``_xero_accounting_client`` is the only
way to a client), and that pacer decides and records each call in a turn of
this ledger (xero/pacer.py, ``TenantPacer``): the minute's calls and the
calls in flight of every process count for all of them, as they are at the
moment of the call.

The ledger works on its own database connection and commits each turn at
once: the caller's transaction (a cron call's, a user's) may last long or
be rolled back, and another process must see the call now. When the ledger
cannot be read (a lock not obtained within ``LOCK_TIMEOUT``), the pacer
goes on with what it knows: Xero's own count still holds it back.
"""

import contextlib
import json
import logging
import time

import psycopg2

from odoo import models, sql_db
from odoo.tools import SQL

from ..xero.identity import Endpoints
from ..xero.pacer import LedgerTurn, pacer_for

_logger = logging.getLogger(__name__)

LOCK_TIMEOUT = "2s"


def _live(entry, now):
    return any(t > now - 60 for t in entry.get("calls") or ()) \
        or any(t > now for t in entry.get("flying") or ())


class PaceLedger:
    """The calls to one organisation that the processes of a database make:
    one row per tenant, ``{process key: {"calls": [epoch start times of its
    last minute], "flying": [epoch times until which each of its calls in
    flight counts]}}``."""

    def __init__(self, dbname, tenant_id):
        self.dbname = dbname
        self.tenant_id = tenant_id

    def __repr__(self):
        return "PaceLedger(%r, %r)" % (self.dbname, self.tenant_id)

    @contextlib.contextmanager
    def turn(self, me):
        """The row of the tenant, locked until our entry is written and
        committed (READ COMMITTED: each process reads what the one before it
        committed, not a snapshot from before its wait)."""
        try:
            cr = sql_db.db_connect(self.dbname).cursor()
        except psycopg2.Error as exc:  # no connection to spare
            _logger.info("Xero pace of %s not read (%s): this process goes by its own count",
                         self.tenant_id, exc)
            cr = None
        if cr is None:
            yield LedgerTurn(me, None)
            return
        with contextlib.closing(cr):
            try:
                cr.execute(SQL("SET TRANSACTION ISOLATION LEVEL READ COMMITTED"))
                cr.execute(SQL("SET LOCAL lock_timeout = %s", LOCK_TIMEOUT))
                cr.execute(SQL("""
                    INSERT INTO xero_tenant_pace (tenant_id) VALUES (%s)
                        ON CONFLICT (tenant_id) DO UPDATE SET calls = xero_tenant_pace.calls
                    RETURNING calls
                """, self.tenant_id), log_exceptions=False)
                turn = LedgerTurn(me, cr.fetchone()[0])
            except psycopg2.Error as exc:
                _logger.info("Xero pace of %s not read (%s): this process goes by its own count",
                             self.tenant_id, exc)
                cr.rollback()
                turn = None
            if turn is None:
                yield LedgerTurn(me, None)
                return
            try:
                yield turn
            except BaseException:
                cr.rollback()
                raise
            if turn.mine is None:
                cr.rollback()
                return
            now = time.time()
            entries = {key: entry for key, entry in turn.others.items() if _live(entry, now)}
            entries[me] = turn.mine
            try:
                cr.execute(SQL("UPDATE xero_tenant_pace SET calls = %s WHERE tenant_id = %s",
                               json.dumps(entries), self.tenant_id), log_exceptions=False)
                cr.commit()  # pylint: disable=invalid-commit  # the ledger's own connection
            except psycopg2.Error as exc:
                _logger.info("Xero pace of %s not recorded (%s)", self.tenant_id, exc)
                cr.rollback()

    def look(self, me):
        """The other processes' entries, read without waiting for a turn."""
        try:
            with contextlib.closing(sql_db.db_connect(self.dbname).cursor()) as cr:
                cr.execute(SQL("SELECT calls FROM xero_tenant_pace WHERE tenant_id = %s",
                               self.tenant_id), log_exceptions=False)
                row = cr.fetchone()
                cr.rollback()
        except psycopg2.Error as exc:
            _logger.info("Xero pace of %s not read (%s)", self.tenant_id, exc)
            return {}
        return {key: entry for key, entry in ((row and row[0]) or {}).items() if key != me}


class XeroConnection(models.Model):
    _inherit = "xero.connection"

    def init(self):
        res = super().init()
        # Written at every call to Xero, on its own connection, and worth
        # nothing after a crash (a minute later it is stale anyway): unlogged.
        self.env.cr.execute(SQL("""
            CREATE UNLOGGED TABLE IF NOT EXISTS xero_tenant_pace (
                tenant_id varchar PRIMARY KEY,
                calls jsonb NOT NULL DEFAULT '{}')
        """))
        return res

    def _xero_pacer(self):
        """The pacer of this connection's organisation in this process,
        sharing its calls with the other processes of the database."""
        self.ensure_one()
        conn = self.sudo()
        return pacer_for(Endpoints(**conn._xero_endpoints()).api_url, conn.tenant_id,
                         shared=PaceLedger(self.env.cr.dbname, conn.tenant_id))
