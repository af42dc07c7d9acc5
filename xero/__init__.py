"""Everything that speaks to Xero, free of the ORM.

- ``client``: the one choke point for HTTP to Xero's Accounting API, with
  pacing, retries and error mapping; ``identity``: Xero's identity service
  (code exchange, token refresh and revocation, connections);
- ``errors``: the exceptions the rest of the addon handles;
- ``oauth``: the PKCE pair;
- ``payloads*``: the pure payload builders;
- ``mapping``: Suggest mapping's matcher (which Xero account an Odoo account
  means).

Nothing here imports ``odoo``: the package is usable (and tested) on its own.
"""
