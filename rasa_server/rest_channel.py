"""Rasa's REST channel (POST /webhooks/rest/webhook), hardened:

* the body is read with limits before anything reaches Rasa
  (rasa_server/incoming.py); a body that cannot be read gets a friendly 400;
* every conversation is private: conversation ids are kept apart per channel,
  and a request without a sender gets a new conversation of its own (its id is
  the reply's recipient_id);
* every message gets a reply within a bounded time (rasa_server/turns.py): when
  the assistant said nothing (action server down or slow, an action failed), a
  short "I can't reach my answers right now" in the conversation's language;
* what the person wrote, and who they are, never reach the server log.
"""

from __future__ import annotations

import uuid
from typing import Any, Awaitable, Callable, Collection

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from policy_assistant.names import LANG_METADATA, LANGUAGE_SLOT, PAGE_LANG_METADATA
from rasa_server import fallback_messages, http_limits, tracker_store
from rasa_server.incoming import CONTROL_INTENTS, Refused, read
from rasa_server.tracker_store import conversation
from rasa_server.turns import Outcome, TurnRunner


class RestInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "rest"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        channel = Blueprint(f"{self.name()}_channel", __name__)

        @channel.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            """Up, and where conversations are kept: 200 while it answers,
            with "status": "degraded" while Redis cannot be reached."""
            agent = getattr(request.app.ctx, "agent", None)
            return response.json(tracker_store.health(getattr(agent, "tracker_store", None)))

        return self.with_webhook(channel, on_new_message)

    def with_webhook(self, channel: Blueprint, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """POST .../webhook on `channel`, and the server-wide limits."""
        turns = TurnRunner(on_new_message)
        channel.listener("before_server_start")(http_limits.apply)

        @channel.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self.respond(request, turns)

        return channel

    async def respond(self, request: Request, turns: TurnRunner) -> HTTPResponse:
        try:
            incoming = read(request.body, domain_intents(request))
        except Refused as refused:
            return fallback_messages.refusal(refused.reason, refused.status)
        sender = incoming.sender or uuid.uuid4().hex
        languages = {LANG_METADATA: incoming.lang, PAGE_LANG_METADATA: incoming.page_lang}
        metadata = {key: code for key, code in languages.items() if code} or None
        collector = CollectingOutputChannel()
        message = UserMessage(
            incoming.text,
            collector,
            f"{self.name()}:{sender}",  # a REST client cannot join the page's conversations
            input_channel=self.name(),
            metadata=metadata,
        )
        outcome = await turns.run(message)
        messages = [{**m, "recipient_id": sender} for m in collector.messages]
        if messages:
            return response.json(messages)

        async def server_message(key: str) -> str:
            # in the conversation's language when the message does not choose one
            kept = await conversation(getattr(request.app.ctx, "agent", None), message.sender_id)
            slot = kept.get_slot(LANGUAGE_SLOT) if kept is not None else None
            return fallback_messages.server_message(key, incoming.text, metadata, slot)

        if outcome is Outcome.BUSY:
            return response.json([{"recipient_id": sender, "text": await server_message("busy")}])
        if outcome is Outcome.DONE and incoming.intent_payload in CONTROL_INTENTS:
            # /restart, /session_start, /back rightly say nothing: greet instead
            return response.json([{"recipient_id": sender, "text": await server_message("greet")}])
        return self.unanswered(sender, await server_message("unavailable"))

    def unanswered(self, sender: str, text: str) -> HTTPResponse:
        """The assistant could not answer: REST clients get the message as the reply."""
        return response.json([{"recipient_id": sender, "text": text}])


def domain_intents(request: Request) -> Collection[str]:
    agent = getattr(request.app.ctx, "agent", None)
    domain = getattr(agent, "domain", None)
    return domain.intents if domain is not None else ()
