"""Token authentication that throttles guessing (issue 11, finding 8).

DRF authenticates before it runs the view's throttles, so a wrong token is answered 401 without
ever being counted. Here every failed token counts against the caller's address (the
"token_failure" rate in REST_FRAMEWORK's DEFAULT_THROTTLE_RATES); past the rate, every token
from that address, right or wrong, gets 429 until the oldest failure leaves the window, so the
answer tells a guesser nothing.
"""

from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication, get_authorization_header
from rest_framework.throttling import SimpleRateThrottle


class TokenFailureThrottle(SimpleRateThrottle):
    """Counts failed token authentications per client address (not every request)."""

    scope = "token_failure"

    def get_cache_key(self, request, view=None):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}

    def _load(self, request):
        self.key = self.get_cache_key(request)
        self.now = self.timer()
        self.history = [t for t in self.cache.get(self.key, []) if t > self.now - self.duration]

    def refused(self, request) -> bool:
        self._load(request)
        return len(self.history) >= self.num_requests

    def record_failure(self, request) -> None:
        self._load(request)
        self.history.insert(0, self.now)
        self.cache.set(self.key, self.history, self.duration)


class ThrottledTokenAuthentication(TokenAuthentication):
    def authenticate(self, request):
        auth = get_authorization_header(request).split()
        if not auth or auth[0].lower() != self.keyword.lower().encode():
            return None  # no token: another authenticator (or the anonymous throttle) applies
        throttle = TokenFailureThrottle()
        if throttle.refused(request):
            raise exceptions.Throttled(wait=throttle.wait())
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed:
            throttle.record_failure(request)
            raise
