"""Exceptions raised by the Xero client.

Every message is meant for the user who acts on it: it carries Xero's own
words where Xero gave some and never a token, a code or a secret.
"""


class XeroError(Exception):
    """Base class. ``retryable`` tells the queue whether trying again later
    can succeed without anybody changing anything."""

    retryable = False

    def __init__(self, message, status=None, detail=None):
        super().__init__(message)
        self.message = message
        self.status = status
        self.detail = detail

    def __str__(self):
        return self.message


class XeroAuthError(XeroError):
    """The access token was refused and a refresh did not help (reconnect)."""


class XeroForbiddenError(XeroError):
    """Xero refused the call for this tenant (connection removed, missing scope)."""


class XeroNotFound(XeroError):
    """The resource does not exist in Xero."""


class XeroValidationError(XeroError):
    """Xero rejected the request's content; ``messages`` are Xero's own."""

    def __init__(self, messages, status=400, detail=None):
        messages = [m for m in (messages or []) if m] or ["Xero rejected the request."]
        super().__init__("; ".join(messages), status=status, detail=detail)
        self.messages = messages


class XeroRateLimited(XeroError):
    """Xero answered 429. ``retry_after`` in seconds; ``problem`` is Xero's
    X-Rate-Limit-Problem (minute, day, concurrent, appminute)."""

    retryable = True

    def __init__(self, retry_after, problem=None):
        self.retry_after = float(retry_after)
        self.problem = problem
        what = {
            "minute": "per-minute",
            "day": "daily",
            "concurrent": "concurrent calls",
            "appminute": "app-wide per-minute",
        }.get(problem or "", "")
        super().__init__(
            "Xero's %s rate limit was reached; retrying in %d seconds."
            % (what or "API", round(self.retry_after)),
            status=429,
        )


class XeroTransientError(XeroError):
    """Xero could not be reached or failed on its side (5xx, timeout, an HTML
    page instead of JSON): the same call can succeed later."""

    retryable = True


class XeroOAuthError(XeroError):
    """Xero's identity service refused a grant (``error`` is the OAuth2 code,
    e.g. invalid_grant, invalid_client)."""

    def __init__(self, error, description=None, status=400):
        self.error = error or "invalid_request"
        self.description = description
        text = {
            "invalid_grant": "Xero refused the authorization (it expired, was revoked "
            "or was already used). Connect to Xero again.",
            "invalid_client": "Xero does not recognise the client ID and secret.",
            "unauthorized_client": "This Xero app may not use this kind of authorization.",
            "access_denied": "Access was not granted in Xero.",
        }.get(self.error, "Xero refused the authorization (%s)." % self.error)
        if description:
            text = "%s Xero said: %s" % (text, description)
        super().__init__(text, status=status)


class XeroOutOfTime(XeroRateLimited):
    """Not Xero's answer: the caller's time (``AccountingClient.deadline``)
    would run out before the call could end, so it was not sent. Nothing
    reached Xero; the caller tries again in its next unit of work."""

    def __init__(self):
        super().__init__(0, "time")
        self.message = "This run's time was spent before the call to Xero; it goes in the next run."
