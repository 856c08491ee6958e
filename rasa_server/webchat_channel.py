"""The web chat page, served by the Rasa server itself (same origin, so no CORS
to open): GET /webhooks/webchat/ serves the page and its script and styles from
rasa_server/webchat/, GET .../strings.json the page's words in every language of
the answer store (kept in the server's texts file, policy_assistant.server_texts),
POST .../webhook takes messages like the REST channel (rasa_server/rest_channel.py),
in conversations of its own.

Every response carries a Content-Security-Policy that allows only this origin,
and no cookies are ever set."""

from pathlib import Path
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import UserMessage
from sanic import Blueprint, HTTPResponse, response
from sanic.request import Request

from policy_assistant import server_texts
from policy_assistant.names import WEBCHAT_CHANNEL
from rasa_server.rest_channel import RestInput

STATIC = Path(__file__).resolve().parent / "webchat"
FILES = {
    "": ("index.html", "text/html; charset=utf-8"),
    "app.js": ("app.js", "text/javascript; charset=utf-8"),
    "style.css": ("style.css", "text/css; charset=utf-8"),
}
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'",
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
    "Cache-Control": "no-store",
}


class WebChatInput(RestInput):
    @classmethod
    def name(cls) -> str:
        return WEBCHAT_CHANNEL

    def unanswered(self, sender: str, text: str) -> HTTPResponse:
        # the page keeps the question and offers a retry
        return response.json({"error": "unavailable", "messages": [{"recipient_id": sender, "text": text}]}, status=503)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webchat = Blueprint("webchat", __name__)

        @webchat.middleware("response")
        async def secure(request: Request, resp: HTTPResponse) -> None:
            resp.headers.update(SECURITY_HEADERS)

        async def serve(name: str) -> HTTPResponse:
            filename, content_type = FILES[name]
            return response.raw((STATIC / filename).read_bytes(), content_type=content_type)

        @webchat.route("", methods=["GET"], strict_slashes=True)
        async def to_page(request: Request) -> HTTPResponse:
            # the page's script and styles are relative to the folder
            return response.redirect(request.path + "/")

        @webchat.route("/", methods=["GET"], strict_slashes=True)
        async def page(request: Request) -> HTTPResponse:
            return await serve("")

        @webchat.route("/app.js", methods=["GET"])
        async def script(request: Request) -> HTTPResponse:
            return await serve("app.js")

        @webchat.route("/style.css", methods=["GET"])
        async def styles(request: Request) -> HTTPResponse:
            return await serve("style.css")

        @webchat.route("/strings.json", methods=["GET"])
        async def strings(request: Request) -> HTTPResponse:
            texts = server_texts.read()
            if texts is None:
                return response.json({"error": "unavailable"}, status=503)
            return response.json(texts.page)

        return self.with_webhook(webchat, on_new_message)
