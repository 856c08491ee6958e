"""Read one chat request before anything reaches Rasa: the body is parsed here,
with limits, and only three things are kept from it: who is writing (a short
id, or none), what they wrote (text), and the page's language choice.

A client cannot choose its reply format, the input channel, intents with
entities or any other value in the conversation: everything else in the body is
ignored. Plain Python, tested without Rasa (tests/test_incoming.py)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Collection

from policy_assistant.names import LANG_METADATA, PAGE_LANG_METADATA

# Sanic refuses bigger bodies before reading them (rasa_server/http_limits.py).
MAX_BODY_BYTES = 32 * 1024  # 2000 characters of escaped emoji fit
MAX_MESSAGE_CHARS = 2000
SENDER = re.compile(r"[A-Za-z0-9_.:@+-]{1,64}")
LANG = re.compile(r"[a-z]{2,3}")
# what the assistant's own buttons send: "/home_visits", nothing after the name
INTENT_PAYLOAD = re.compile(r"/([a-z][a-z0-9_]*)")
# Rasa's own intents that take a turn without a reply of their own
CONTROL_INTENTS = frozenset({"restart", "session_start", "back"})
# Half of a UTF-16 surrogate pair is not a character: JSON lets a body carry one
# ("\ud800"), and Python's json reads it, and the bytes of one (ED A0 80), into
# a str that no encoder takes. Such text is refused here as unreadable, before
# it can fail a turn (which would be answered as an outage); a well-formed pair
# ("\ud83d\ude00") is read as the one character it stands for.
SURROGATE = re.compile("[\ud800-\udfff]")


class Refused(Exception):
    """A request that cannot be read. `reason` names the friendly message."""

    def __init__(self, reason: str, status: int = 400):
        super().__init__(reason)
        self.reason = reason
        self.status = status


@dataclass(frozen=True)
class Incoming:
    sender: str | None  # None: the server gives this request a conversation of its own
    text: str
    lang: str | None  # the language the person chose
    page_lang: str | None = None  # the language the page is shown in

    @property
    def intent_payload(self) -> str | None:
        match = INTENT_PAYLOAD.fullmatch(self.text)
        return match.group(1) if match else None


def parse_body(body: bytes) -> dict[str, Any]:
    """The JSON object in a request body, or Refused."""
    if not body or not body.strip():
        raise Refused("empty")
    if len(body) > MAX_BODY_BYTES:
        raise Refused("too_long", status=413)
    try:
        data = json.loads(body)
    except (ValueError, RecursionError):  # not JSON, not UTF-8, or nested too deep
        raise Refused("unreadable") from None
    if not isinstance(data, dict):
        raise Refused("unreadable")
    return data


def read(body: bytes, intents: Collection[str] = ()) -> Incoming:
    """Read a chat request: {"sender": "...", "message": "...", "metadata": {"lang": "es", "page_lang": "en"}}.
    `intents` are the domain's intents: a "/name" message is an intent only if
    it names one of them."""
    data = parse_body(body)
    return Incoming(
        sender=_sender(data.get("sender")),
        text=clean_text(data.get("message"), intents),
        lang=_lang(data.get("metadata"), LANG_METADATA),
        page_lang=_lang(data.get("metadata"), PAGE_LANG_METADATA),
    )


def _sender(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise Refused("bad_sender")
    sender = str(value)
    if not SENDER.fullmatch(sender):
        raise Refused("bad_sender")
    return sender


def _lang(metadata: Any, key: str) -> str | None:
    if isinstance(metadata, dict):
        lang = metadata.get(key)
        if isinstance(lang, str) and LANG.fullmatch(lang):
            return lang
    return None


def clean_text(value: Any, intents: Collection[str] = ()) -> str:
    """What the person wrote, as text Rasa can take without logging it."""
    if value is None:
        return ""
    if not isinstance(value, str) or SURROGATE.search(value):
        raise Refused("unreadable")
    text = value.replace("\x00", "")[:MAX_MESSAGE_CHARS]
    if text.lstrip().startswith("/"):
        match = INTENT_PAYLOAD.fullmatch(text.strip())
        if match and match.group(1) in intents:
            return text.strip()
        # Rasa prints the whole line of a "/..." message that is not exactly a
        # known intent (yaml_story_reader); a person's words never reach a log.
        text = text.lstrip().lstrip("/").lstrip()
    return text
