"""The action servers' calls to the staff console's internal endpoints
(/staff/internal/...): a question a person agreed to share, and the usage
counts. Plain Python, no Rasa.

Each call goes straight to $CONSOLE_INTERNAL_URL (no proxy of the
environment, no redirect: the token and what is sent go to the address given,
nowhere else), with $INTERNAL_TOKEN as a bearer token, which the console asks
of every internal call (policy_assistant.settings). With either unset, or a
token too weak to trust, nothing is sent."""

from __future__ import annotations

import functools
import json
import logging
import urllib.request
from typing import Any

from policy_assistant.secret_check import strong
from policy_assistant.settings import ConsoleSettings

logger = logging.getLogger(__name__)

TIMEOUT = 5.0


class ConsoleClient:
    def __init__(self, base_url: str, token: str) -> None:
        self.base_url, self.token = base_url.rstrip("/"), token

    @property
    def enabled(self) -> bool:
        return strong(self.token) and self.base_url.startswith(("http://", "https://"))

    def post(self, endpoint: str, body: Any) -> bool:
        """POST `body` as JSON to the internal `endpoint`; True when the console
        took it. A failure is logged by its status only, never with the body."""
        if not self.enabled:
            return False
        request = urllib.request.Request(  # noqa: S310 (enabled: an http(s) URL of the settings)
            f"{self.base_url}/{endpoint}",
            data=json.dumps(body).encode(),
            method="POST",
            headers={"Content-Type": "application/json", "Authorization": f"Bearer {self.token}"},
        )
        try:
            with DIRECT.open(request, timeout=TIMEOUT) as response:
                return 200 <= response.status < 300
        except Exception as error:  # noqa: BLE001 (any failure: the caller decides what it means)
            status = getattr(error, "code", None) or error.__class__.__name__
            logger.warning("The staff console did not take a call to %s: %s", endpoint, status)
            return False


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None  # a redirect is a failure


DIRECT = urllib.request.build_opener(urllib.request.ProxyHandler({}), _NoRedirects())


@functools.cache
def shared_client() -> ConsoleClient:
    settings = ConsoleSettings()
    return ConsoleClient(settings.console_internal_url, settings.internal_token)
