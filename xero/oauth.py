"""OAuth2 helper: the PKCE pair (RFC 7636, S256) of a "Connect to Xero".

The signed, expiring ``state`` lives in models/xero_oauth_state.py (one row
per click, keyed from ``database.secret``)."""

import base64
import hashlib
import secrets


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def make_pkce_pair():
    """Return (code_verifier, code_challenge) for the S256 method."""
    verifier = _b64(secrets.token_bytes(48))  # 64 characters, within 43..128
    challenge = _b64(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier, challenge
