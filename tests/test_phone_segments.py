"""How many SMS segments the first message of each topic answer takes, in
every language of the answer store (issue 27). A message written only in the
GSM 03.38 alphabet goes as one segment of up to 160 characters, or as linked
segments of 153 (a character of the alphabet's extension table, such as "€",
counts twice). One character outside it (á, í, ó, ú, Arabic or Devanagari
script, an emoji) sends the whole message in UCS-2: one segment of up to 70
UTF-16 units, or linked segments of 67. Every segment is billed, and a phone
shows the message only once all have arrived, so the first message of an
answer (its short answer) stays within MAX_SEGMENTS in every language."""

import gsm0338  # noqa: F401 - registers the "gsm03.38" codec
import pytest

from devtools.paths import STORE
from policy_assistant.phone_messages import topic_messages
from policy_assistant.store import load_store

MAX_SEGMENTS = 6
ANSWERS = load_store(STORE)


def segments(text: str) -> int:
    """Segments as a phone network fills them: a character that takes two
    units (an extension character's escape and itself; a UTF-16 surrogate
    pair) is never split between two segments."""
    try:
        sizes = [len(c.encode("gsm03.38")) for c in text]  # in septets
        single, linked = 160, 153
    except UnicodeEncodeError:
        sizes = [len(c.encode("utf-16-le")) // 2 for c in text]  # in UTF-16 units
        single, linked = 70, 67
    if sum(sizes) <= single:
        return 1
    count, room = 1, linked
    for size in sizes:
        if size > room:
            count, room = count + 1, linked
        room -= size
    return count


@pytest.mark.parametrize(
    "text,expected",
    [
        ("a" * 160, 1),
        ("a" * 161, 2),
        ("a" * 306, 2),
        ("a" * 307, 3),
        ("é" * 160, 1),  # é and ñ are in the GSM alphabet
        ("€" * 80, 1),
        ("€" * 81, 2),
        ("a" * 69 + "á", 1),  # á is not: the whole message is UCS-2
        ("a" * 70 + "á", 2),
        ("á" * 134, 2),
        ("á" * 135, 3),
        ("مرحبا" * 14, 1),
        ("😀" * 35, 1),  # two UTF-16 units each
        ("😀" * 36, 2),
        ("a" * 152 + "€" + "a" * 152, 3),  # the € does not fit in the first segment's last septet
        ("a" * 66 + "😀" + "a" * 66, 3),  # nor the emoji's two units in the first segment's last one
    ],
)
def test_segments_are_counted_as_the_network_counts_them(text: str, expected: int) -> None:
    assert segments(text) == expected


@pytest.mark.parametrize("lang", sorted(ANSWERS.languages))
def test_the_first_message_of_every_topic_answer_is_within_six_segments(lang: str) -> None:
    counts = {topic: segments(topic_messages(ANSWERS, topic, lang)[0]) for topic in ANSWERS.topics}
    over = {topic: n for topic, n in counts.items() if n > MAX_SEGMENTS}
    assert not over, f"{lang}: first messages over {MAX_SEGMENTS} SMS segments: {over}"
