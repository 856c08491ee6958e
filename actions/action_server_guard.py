"""Guards on the action server (`rasa run actions`), attached through rasa-sdk's
plugin hook (rasa_sdk_plugins/):

* it answers only the Rasa server: every call but GET /health must carry the
  token shared through the environment (ACTION_SERVER_TOKEN; endpoints.yml
  sends it as a header); without a token set it refuses to start;
* bodies are limited, compressed ones too: a deflate body that would inflate
  beyond MAX_BODY_BYTES is refused before it is inflated;
* an error never echoes the request: rasa-sdk's own handler answers with the
  whole tracker, every message of the conversation, and Rasa would log it.

The action server listens on 127.0.0.1 unless SANIC_HOST says otherwise
(scripts/run.sh).

It fails closed: the action server refuses to serve without the guard. A
failure to load the plugin stops it (rasa_sdk_plugins/), and so does a plugin
package that rasa-sdk did not find or could not import, which rasa-sdk itself
would pass over in silence: this module is imported with the actions
(`--actions actions` imports every module of the package) and checks, before
the server starts, that the guard was attached (refuse_to_serve_unguarded)."""

from __future__ import annotations

import hmac
import logging
import zlib

import pluggy
from sanic import Sanic, response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from policy_assistant.secret_check import WeakSecret, check_secret
from policy_assistant.settings import AnswerSettings

logger = logging.getLogger(__name__)
hookimpl = pluggy.HookimplMarker("rasa_sdk")

TOKEN_ENV = "ACTION_SERVER_TOKEN"  # noqa: S105 - the name of the variable, not a secret
MAX_BODY_BYTES = 1024 * 1024
OPEN_PATHS = frozenset({"/health"})
ACTION_SERVER_APP = "rasa_sdk"  # the name rasa-sdk gives its Sanic app (rasa_sdk/endpoint.py)


class MissingToken(SystemExit):
    pass


class Unguarded(SystemExit):
    pass


@hookimpl
def attach_sanic_app_extensions(app: Sanic) -> None:
    token = AnswerSettings().action_server_token
    try:
        check_secret(TOKEN_ENV, token)
    except WeakSecret as weak:
        raise MissingToken(
            f"{weak} The action server only answers the Rasa server, with the token they share. "
            "`make run` sets one; see the README."
        ) from None
    guard(app, token)


def guard(app: Sanic, token: str) -> None:
    app.ctx.guarded = True  # what refuse_to_serve_unguarded looks for
    app.config.REQUEST_MAX_SIZE = MAX_BODY_BYTES
    expected = f"Bearer {token}".encode()

    async def only_the_rasa_server(request: Request) -> HTTPResponse | None:
        if request.path in OPEN_PATHS:
            return None
        given = request.headers.get("Authorization", "").encode()
        if not hmac.compare_digest(given, expected):
            return response.json({"error": "unauthorized"}, status=401)
        return bounded_body(request)

    app.register_middleware(only_the_rasa_server, "request")
    app.error_handler.add(Exception, without_the_request)


def bounded_body(request: Request) -> HTTPResponse | None:
    encoding = request.headers.get("Content-Encoding", "identity").lower()
    if encoding == "identity":
        return None
    if encoding != "deflate":
        return response.json({"error": "unsupported content encoding"}, status=415)
    inflater = zlib.decompressobj()
    try:
        inflated = inflater.decompress(request.body, MAX_BODY_BYTES + 1)
    except zlib.error:
        return response.json({"error": "the body is not deflate data"}, status=400)
    if len(inflated) > MAX_BODY_BYTES or inflater.unconsumed_tail:
        return response.json({"error": "the body is too large"}, status=413)
    return None


def without_the_request(request: Request, exception: Exception) -> HTTPResponse:
    status = getattr(exception, "status_code", 500)
    if not isinstance(status, int) or not 400 <= status < 600:
        status = 500
    if status >= 500:
        logger.error("An action failed: %s", type(exception).__name__)
    return response.json({"error": type(exception).__name__}, status=status)


def refuse_to_serve_unguarded() -> None:
    """Inside the action server, make it stop before serving unless the guard
    was attached to it. rasa-sdk makes its app, then imports the actions (and
    so this module), and only then loads the plugins and attaches them: the
    check runs when the server starts (main_process_start, once, before any
    worker). Elsewhere (tests, tools) there is no such app, and nothing to do."""
    try:
        app = Sanic.get_app(ACTION_SERVER_APP)
    except SanicException:
        return
    if getattr(app.ctx, "guard_check", False):  # imported again (rasa-sdk's --auto-reload)
        return
    app.ctx.guard_check = True

    async def only_if_guarded(app: Sanic, loop: object) -> None:
        if not getattr(app.ctx, "guarded", False):
            raise Unguarded(
                "The action server's guard (actions/action_server_guard.py) was not attached: rasa-sdk did not "
                "load the plugin package rasa_sdk_plugins. Refusing to serve without the token check."
            )

    app.register_listener(only_if_guarded, "main_process_start")


refuse_to_serve_unguarded()
