"""The one rule for an internal call, wherever it is served (the staff
console's internal endpoints, the Rasa server's model loading): it carries
$INTERNAL_TOKEN as a bearer token, and it did not come through a proxy. The
front doors (nginx, the Kubernetes Ingress, a TLS proxy) add one of
PROXY_HEADERS to what they pass on, so a call from outside is refused even
with the token; the services call each other directly."""

from __future__ import annotations

import hmac
from typing import Protocol

from policy_assistant.secret_check import strong

# what a proxy adds: nginx's template sets X-Forwarded-Proto, ingress-nginx all but Forwarded
PROXY_HEADERS = ("Forwarded", "X-Forwarded-For", "X-Forwarded-Proto", "X-Real-IP")


class Headers(Protocol):
    """A request's headers, as Flask and Sanic both give them (names without case)."""

    def get(self, name: str) -> str | None: ...


def through_proxy(headers: Headers) -> bool:
    return any(headers.get(name) for name in PROXY_HEADERS)


def bearer_matches(headers: Headers, token: str) -> bool:
    """The call carries `token`, and `token` is a real secret (an unset or
    weak one matches nothing)."""
    given = headers.get("Authorization") or ""
    return strong(token) and hmac.compare_digest(given.encode(), f"Bearer {token}".encode())
