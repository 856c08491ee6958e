"""The one message the server itself sends: when the assistant produced no
reply at all (action server down, an action failed). Read from the answer
store's language files when they can be read, with a built-in English line when
even that fails."""

from typing import Any, Dict

from policy_assistant import language
from policy_assistant.live_store import shared_store
from policy_assistant.store import DEFAULT_LANGUAGE, StoreError

LAST_RESORT = "I can't reach my answers right now. Please try again in a moment. If anyone is in danger, call 911."


def unavailable(text: str | None, metadata: Dict[str, Any] | None) -> str:
    try:
        store = shared_store().get()
    except StoreError:
        return LAST_RESORT
    lang = language.choose(text or "", store.languages, metadata=metadata)
    return (
        store.language(lang).messages.get("unavailable")
        or store.language(DEFAULT_LANGUAGE).messages.get("unavailable")
        or LAST_RESORT
    )
