"""The messages the server itself sends, without the action server: when the
assistant produced no reply at all (action server down or slow, an action
failed), when a conversation is busy, when a request cannot be read, and the
greeting after a turn that rightly has no reply of its own (/restart). Read from
the answer store's language files when they can be read, with a built-in
English line when even that fails."""

from __future__ import annotations

from typing import Any, Dict

from sanic import response
from sanic.response import HTTPResponse

from policy_assistant import language
from policy_assistant.live_store import shared_store
from policy_assistant.store import DEFAULT_LANGUAGE, StoreError

LAST_RESORT = {
    "unavailable": (
        "I can't reach my answers right now. Please try again in a moment. If anyone is in danger, call 911."
    ),
    "busy": "I'm still answering your last messages. Please wait a moment, then ask again.",
    "unreadable": "Sorry, I could not read that message. Please type your question again.",
    "too_long": "That message is too long for me. Please ask a shorter question.",
    "greet": "Hello. I answer questions about Louisville Metro Police and immigration agents (ICE).",
    "stopped": "Stopped. This conversation is forgotten. If anyone is in danger, call 911.",
}


def server_message(key: str, text: str | None, metadata: Dict[str, Any] | None) -> str:
    """The store's message `key` in the language of the conversation."""
    try:
        store = shared_store().get()
    except StoreError:
        return LAST_RESORT[key]
    lang = language.choose(text or "", store.languages, metadata=metadata)
    return (
        store.language(lang).messages.get(key) or store.language(DEFAULT_LANGUAGE).messages.get(key) or LAST_RESORT[key]
    )


def refusal(reason: str, status: int = 400) -> HTTPResponse:
    """A request that could not be read: nothing of it is known, not even its
    language, so the message is given in every language of the store."""
    key = reason if reason in ("too_long", "busy") else "unreadable"
    try:
        store = shared_store().get()
        texts = list(dict.fromkeys(lang.messages.get(key) or LAST_RESORT[key] for lang in store.languages.values()))
    except StoreError:
        texts = [LAST_RESORT[key]]
    return response.json({"error": reason, "messages": [{"text": "\n".join(texts)}]}, status=status)
