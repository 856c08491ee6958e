"""The messages the server itself sends, without the action server: when the
assistant produced no reply at all (action server down or slow, an action
failed), when a conversation is busy, when a request cannot be read, and the
greeting after a turn that rightly has no reply of its own (/restart). Read
from the server's texts file, written from the answer store at publish time
(policy_assistant.server_texts), with a built-in English line when even that
cannot be read."""

from __future__ import annotations

from typing import Any, Dict

from sanic import response
from sanic.response import HTTPResponse

from policy_assistant import language, server_texts

LAST_RESORT = {
    "unavailable": (
        "I can't reach my answers right now. Please try again in a moment. If anyone is in danger, call 911."
    ),
    "busy": "I'm still answering your last messages. Please wait a moment, then ask again.",
    "unreadable": "Sorry, I could not read that message. Please type your question again.",
    "too_long": "That message is too long for me. Please ask a shorter question.",
    "greet": "Hello. I answer questions about Louisville Metro Police and immigration agents (ICE).",
    "stopped": "Stopped. This conversation is forgotten. If anyone is in danger, call 911.",
    "nothing_to_forget": "There was nothing to forget: this assistant had no conversation kept for this phone. "
    "If anyone is in danger, call 911.",
    "goodbye": "This assistant forgets this conversation 30 minutes after your last message. "
    "If anyone is in danger, call 911.",
}


def server_message(key: str, text: str | None, metadata: Dict[str, Any] | None, slot: str | None = None) -> str:
    """Message `key` in the language that `text`, `metadata` and the
    conversation's language `slot` choose (policy_assistant.language)."""
    texts = server_texts.read()
    if texts is None:
        return LAST_RESORT[key]
    return message_in(key, language.choose(text or "", texts.languages, slot=slot, metadata=metadata))


def message_in(key: str, lang: str | None) -> str:
    """Message `key` in `lang` (else in the default language)."""
    texts = server_texts.read()
    return (texts.message(key, lang) if texts else None) or LAST_RESORT[key]


def every_language(key: str) -> str:
    """Message `key` in every language, for a request or a message nothing of
    which is known, not even its language."""
    texts = server_texts.read()
    return "\n".join(texts.every_language(key) if texts else []) or LAST_RESORT[key]


def refusal(reason: str, status: int = 400) -> HTTPResponse:
    """A request that could not be read: nothing of it is known, not even its
    language, so the message is given in every language."""
    key = reason if reason in ("too_long", "busy") else "unreadable"
    return response.json({"error": reason, "messages": [{"text": every_language(key)}]}, status=status)
