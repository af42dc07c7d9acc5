"""Small helpers: Xero's JSON date forms, ids, money rounding, JSON output."""
import base64
import datetime as dt
import json
import re
import secrets
import uuid
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

UTC = dt.timezone.utc
EPOCH = dt.datetime(1970, 1, 1, tzinfo=UTC)
_MS_RE = re.compile(r"^/Date\((-?\d+)([+-]\d{4})?\)/$")
TWO = Decimal("0.01")
FOUR = Decimal("0.0001")


def new_id():
    return str(uuid.uuid4())


def now():
    return dt.datetime.now(UTC)


def to_ms(value):
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int((value - EPOCH).total_seconds() * 1000)
    if isinstance(value, dt.date):
        return int((dt.datetime(value.year, value.month, value.day, tzinfo=UTC) - EPOCH).total_seconds() * 1000)
    raise TypeError(value)


def ms_date(value):
    """Xero's JSON form of a date or timestamp: "/Date(1518685950940+0000)/"."""
    if value is None:
        return None
    return "/Date(%d+0000)/" % to_ms(value)


def ms_plain(value):
    """The envelope's DateTimeUTC has no offset: "/Date(1551399321121)/"."""
    return "/Date(%d)/" % to_ms(value)


def date_string(value):
    """Xero's companion ...String field: "2026-04-09T00:00:00"."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%dT%H:%M:%S")
    return value.strftime("%Y-%m-%dT00:00:00")


def parse_date(value):
    """Accept what clients send: "2026-11-27", "2026-11-27T00:00:00", "/Date(ms+0000)/".

    Returns a datetime.date, None for empty, raises ValueError otherwise."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = str(value).strip()
    m = _MS_RE.match(s)
    if m:
        ms = int(m.group(1))
        stamp = EPOCH + dt.timedelta(milliseconds=ms)
        if m.group(2):
            sign = 1 if m.group(2)[0] == "+" else -1
            stamp += sign * dt.timedelta(hours=int(m.group(2)[1:3]), minutes=int(m.group(2)[3:5]))
        return stamp.date()
    try:
        return dt.date.fromisoformat(s[:10])
    except ValueError:
        raise ValueError("Invalid date %r" % value) from None


def parse_http_date(value):
    """If-Modified-Since: Xero accepts an ISO timestamp ("2026-01-01T00:00:00")
    as xero-python sends it, and the RFC 7231 form."""
    if not value:
        return None
    from email.utils import parsedate_to_datetime

    s = value.strip()
    try:
        d = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:   # not ISO: the RFC 7231 form, else no date
        try:
            d = parsedate_to_datetime(s)
        except (TypeError, ValueError):
            return None
    return d if d.tzinfo else d.replace(tzinfo=UTC)


def dec(value, default=None):
    if value is None or value == "":
        return default
    if isinstance(value, Decimal):
        return value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError("Invalid number %r" % (value,)) from None


def r2(value):
    return value.quantize(TWO, rounding=ROUND_HALF_UP)


def r4(value):
    return value.quantize(FOUR, rounding=ROUND_HALF_UP)


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64url_json(obj):
    return b64url(json.dumps(obj, separators=(",", ":")).encode())


def random_token(nbytes=32):
    return secrets.token_urlsafe(nbytes)


def dumps(obj):
    return json.dumps(to_jsonable(obj))


def to_jsonable(obj):
    """Deep copy into plain JSON types (dates -> Xero strings, Decimal -> float)."""
    if isinstance(obj, dict):
        # Xero leaves out null fields (and xero-python cannot parse a null date).
        return {k: to_jsonable(v) for k, v in obj.items() if not str(k).startswith("_") and v is not None}
    if isinstance(obj, (list, tuple)):
        return [to_jsonable(v) for v in obj]
    if isinstance(obj, Decimal):
        return float(obj)
    if isinstance(obj, (dt.date, dt.datetime)):
        return ms_date(obj)
    return obj
