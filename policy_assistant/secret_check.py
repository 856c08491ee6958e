"""One rule for every secret the services take from the environment (the
console's STAFF_SECRET_KEY, the shared ACTION_SERVER_TOKEN, the
TWILIO_SENDER_SECRET that hides phone numbers): long, random, and not a
placeholder copied from an example file. The message names the variable,
never the value."""

from __future__ import annotations

import re

MIN_SECRET = 32
# Words of the example files and of common defaults: a secret holding one was
# copied, not made (compared without case, spaces or punctuation).
PLACEHOLDERS = ("replaceme", "changeme", "placeholder", "example", "secret", "password", "default")


class WeakSecret(ValueError):
    """A secret from the environment that anyone could guess."""


def check_secret(name: str, value: str) -> None:
    """Refuse a secret shorter than MIN_SECRET characters, holding a
    placeholder word, made of few characters or of one piece repeated."""
    folded = re.sub(r"[^a-z0-9]", "", value.lower())
    if not value:
        problem = "is not set"
    elif len(value) < MIN_SECRET:
        problem = f"is shorter than {MIN_SECRET} characters"
    elif any(word in folded for word in PLACEHOLDERS):
        problem = "holds a placeholder word (such as REPLACE_ME or changeme)"
    elif len(set(value)) < 8 or (value + value).find(value, 1) < len(value):
        problem = "is one short piece repeated or uses too few different characters"
    else:
        return
    raise WeakSecret(f"{name} {problem}: set it to a random value, for example `openssl rand -hex 32`.")


def strong(value: str) -> bool:
    """`value` passes check_secret: a token used without a start-up check of
    its own (INTERNAL_TOKEN) counts as unset while it does not."""
    try:
        check_secret("secret", value)
    except WeakSecret:
        return False
    return True
