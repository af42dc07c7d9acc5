"""A local stand-in for Xero (login/identity/api hosts in one HTTP server).

    from odoo.addons.account_xero.xero_sandbox import SandboxServer
    srv = SandboxServer().start()
    tokens = srv.grant("demo")       # demo/demo app, one "Demo Company (NZ)" tenant
    ... requests to srv.url + "/api.xro/2.0/Invoices" with Bearer + xero-tenant-id
    srv.stop()

Plain Python + werkzeug; no Odoo import (also runs as `python -m xero_sandbox`).
"""
from .faults import Faults
from .server import SandboxServer
from .store import DEFAULT_LIMITS, DEFAULT_SCOPES, Store

__all__ = ["SandboxServer", "Store", "Faults", "DEFAULT_SCOPES", "DEFAULT_LIMITS"]
