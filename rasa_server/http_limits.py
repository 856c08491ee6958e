"""Limits and answers that hold for the whole Rasa server, set once when it
starts (a listener of the chat channels' blueprints):

* request bodies bigger than incoming.MAX_BODY_BYTES are refused by Sanic before
  they are read, with a friendly JSON answer;
* a response is never slower than RESPONSE_SECONDS (turns are bounded well
  inside it, rasa_server/turns.py);
* GET / says the assistant is running, without Rasa's version;
* an unexpected error is a short JSON 500 with no detail of the request;
* Rasa's check of its own reply schema runs once, not on every action call
  (rasa_server/schema_check_cache.py).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sanic import Sanic, response
from sanic.exceptions import PayloadTooLarge
from sanic.request import Request
from sanic.response import HTTPResponse

from rasa_server import fallback_messages, schema_check_cache
from rasa_server.incoming import MAX_BODY_BYTES

logger = logging.getLogger(__name__)
RESPONSE_SECONDS = 30


def apply(app: Sanic, loop: asyncio.AbstractEventLoop | None = None) -> None:
    """Idempotent: every chat channel registers it."""
    if getattr(app.ctx, "http_limits_applied", False):
        return
    app.ctx.http_limits_applied = True
    schema_check_cache.install()
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    app.config.RESPONSE_TIMEOUT = RESPONSE_SECONDS
    app.register_middleware(root_without_version, "request")
    app.error_handler.add(PayloadTooLarge, too_large)
    app.error_handler.add(Exception, unexpected)


async def root_without_version(request: Request) -> HTTPResponse | None:
    if request.path == "/":
        return response.text("The assistant is running.")
    return None


def too_large(request: Request, exception: Exception) -> HTTPResponse:
    return fallback_messages.refusal("too_long", status=413)


def unexpected(request: Request, exception: Exception) -> HTTPResponse:
    status: Any = getattr(exception, "status_code", 500)
    if isinstance(status, int) and 400 <= status < 500:
        return response.json({"error": type(exception).__name__}, status=status)
    logger.error("Unexpected server error: %s", type(exception).__name__)
    return response.json({"error": "server_error"}, status=500)
