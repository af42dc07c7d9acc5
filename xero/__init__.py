"""Everything that speaks to Xero, free of the ORM.

- ``client``: the one choke point for HTTP to Xero (identity and accounting),
  with pacing, retries and error mapping;
- ``errors``: the exceptions the rest of the addon handles;
- ``oauth``: PKCE and signed ``state`` helpers.

Nothing here imports ``odoo``: the package is usable (and tested) on its own.
"""
