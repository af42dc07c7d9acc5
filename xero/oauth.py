"""OAuth2 helpers: PKCE (RFC 7636, S256) and signed, expiring ``state``."""

import base64
import hashlib
import hmac
import json
import secrets
import time


def _b64(raw):
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def make_pkce_pair():
    """Return (code_verifier, code_challenge) for the S256 method."""
    verifier = _b64(secrets.token_bytes(48))  # 64 characters, within 43..128
    challenge = _b64(hashlib.sha256(verifier.encode("ascii")).digest())
    return verifier, challenge


def pkce_challenge(verifier):
    return _b64(hashlib.sha256(verifier.encode("ascii")).digest())


class StateError(ValueError):
    """The state parameter is malformed, forged or expired (``reason`` says which)."""

    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def sign_state(key, payload, ttl=600, now=None):
    """Encode ``payload`` (a dict) with an expiry and an HMAC-SHA256 signature."""
    body = dict(payload, exp=int((now or time.time()) + ttl))
    raw = _b64(json.dumps(body, sort_keys=True, separators=(",", ":")).encode())
    sig = _b64(hmac.new(key, raw.encode("ascii"), hashlib.sha256).digest())
    return "%s.%s" % (raw, sig)


def verify_state(key, state, now=None):
    """Return the payload of a state made by :func:`sign_state`.

    Raises :class:`StateError` with reason ``malformed``, ``signature`` or
    ``expired``. The signature is compared in constant time.
    """
    if not state or not isinstance(state, str) or state.count(".") != 1:
        raise StateError("malformed")
    raw, sig = state.split(".")
    expected = _b64(hmac.new(key, raw.encode("ascii"), hashlib.sha256).digest())
    if not hmac.compare_digest(sig.encode("ascii", "replace"), expected.encode("ascii")):
        raise StateError("signature")
    try:
        payload = json.loads(_unb64(raw))
    except ValueError as exc:
        raise StateError("malformed") from exc
    if not isinstance(payload, dict) or not isinstance(payload.get("exp"), int):
        raise StateError("malformed")
    if payload["exp"] < (now or time.time()):
        raise StateError("expired")
    return payload
