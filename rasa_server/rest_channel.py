"""Rasa's REST channel (POST /webhooks/rest/webhook) with two guarantees:

* the person always gets a reply: when nothing was said (Rasa sends nothing when
  the action server is down or an action fails), a short "I can't reach my
  answers right now" message in the conversation's language is sent instead;
* what the person wrote never reaches the server log: failures are logged
  without the message text, and only the known metadata key (lang) is kept.
"""

import logging
import re
from typing import Any, Awaitable, Callable, Dict

from rasa.core.channels.channel import CollectingOutputChannel, UserMessage
from rasa.core.channels.rest import RestInput as RasaRestInput
from sanic import Blueprint
from sanic.request import Request

from rasa_server import fallback_messages

logger = logging.getLogger(__name__)
MAX_MESSAGE_CHARS = 2000
# what the assistant's own buttons send: "/home_visits"
BUTTON_PAYLOAD = re.compile(r"/[a-z][a-z0-9_]*")


class RestInput(RasaRestInput):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def get_metadata(self, request: Request) -> Dict[str, Any] | None:
        metadata = (request.json or {}).get("metadata") if isinstance(request.json, dict) else None
        if isinstance(metadata, dict) and isinstance(metadata.get("lang"), str):
            return {"lang": metadata["lang"][:8]}
        return None

    def _extract_message(self, req: Request) -> str | None:
        text = super()._extract_message(req)
        if not isinstance(text, str):
            return ""
        text = text.replace("\x00", "")[:MAX_MESSAGE_CHARS]
        if text.startswith("/") and not BUTTON_PAYLOAD.fullmatch(text):
            # Rasa logs the whole line of a "/..." message it cannot parse as an
            # intent; a person's words must never reach a log, so it is text.
            text = text.lstrip("/ ")
        return text

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        return super().blueprint(self.guarded(on_new_message))

    @staticmethod
    def guarded(on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Callable[[UserMessage], Awaitable[bool]]:
        """Wrap Rasa's message handler; the wrapper returns True when the
        assistant said nothing and the "can't reach my answers" line was sent."""

        async def handle(message: UserMessage) -> bool:
            try:
                await on_new_message(message)
            except Exception as error:  # noqa: BLE001 - the person must still get a reply
                logger.error("Handling a message failed: %s", type(error).__name__)
            output = message.output_channel
            if isinstance(output, CollectingOutputChannel) and not output.messages:
                text = fallback_messages.unavailable(message.text, message.metadata)
                await output.send_text_message(message.sender_id, text)
                return True
            return False

        return handle
