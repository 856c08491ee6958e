"""The Rasa server's own texts: written from the answer store into one file
(policy_assistant/write_server_texts.py), read by the Rasa server
(policy_assistant/server_texts.py, rasa_server/fallback_messages.py), which
never loads the store itself and says its built-in English lines when the
file cannot be read."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from devtools.paths import PROJECT, STORE
from policy_assistant import answers, server_texts, write_server_texts
from policy_assistant.server_texts import SERVER_MESSAGES
from policy_assistant.store import load_store
from rasa_server import fallback_messages, phone_channel
from rasa_server.tracker_store import Forgot

store = load_store(STORE)


@pytest.fixture
def texts_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = write_server_texts.write(store, tmp_path / "texts" / "server_texts.json")
    monkeypatch.setenv("SERVER_TEXTS", str(path))
    return path


def test_the_file_holds_the_stores_messages_words_and_page_strings(texts_file):
    written = json.loads(texts_file.read_text(encoding="utf-8"))
    assert set(written["languages"]) == set(store.languages) >= {"en", "es", "fr", "ar", "uk"}
    for code, language in store.languages.items():
        kept = written["languages"][code]
        assert kept["messages"] == {key: language.messages[key] for key in SERVER_MESSAGES}
        assert kept["keywords"] == {kind: list(words) for kind, words in language.keywords.items()}
        assert set(kept["detection_words"]) == language.detection_words
        assert set(kept["switch_words"]) == language.switch_words
        assert kept["name"] == language.name
    assert written["page"] == json.loads(json.dumps(answers.page_strings(store)))
    assert "STOP" in written["languages"]["en"]["keywords"]["stop"]
    assert "MÁS" in written["languages"]["es"]["keywords"]["more"]


def test_a_message_a_language_lacks_is_the_default_languages(store_copy, tmp_path):
    path = store_copy / "languages" / "es.yml"
    lines = [line for line in path.read_text(encoding="utf-8").splitlines() if not line.startswith("  busy:")]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    changed = load_store(store_copy)
    assert "busy" not in changed.language("es").messages
    texts = server_texts.read(write_server_texts.write(changed, tmp_path / "texts.json"))
    assert texts is not None and texts.message("busy", "es") == store.language("en").messages["busy"]


def test_the_server_says_the_files_texts_in_the_conversations_language(texts_file):
    es = store.language("es").messages
    assert fallback_messages.server_message("unavailable", "¿puedo llamar a la policía?", None) == es["unavailable"]
    assert fallback_messages.server_message("busy", None, {"lang": "es"}) == es["busy"]
    assert fallback_messages.server_message("greet", "MAS", None) == es["greet"]  # a reply word's language
    assert fallback_messages.message_in("stopped", "es") == es["stopped"]
    assert fallback_messages.every_language("unreadable") == "\n".join(
        language.messages["unreadable"] for language in store.languages.values()
    )


def test_the_phone_channel_tells_a_stop_by_the_files_words(texts_file):
    texts = server_texts.read()
    assert phone_channel._stop_language(texts, "¡Alto!", "en", opted_out=False) == "es"
    # Twilio's own word: the conversation's language
    assert phone_channel._stop_language(texts, "STOP", "es", opted_out=False) == "es"
    assert phone_channel._stop_language(texts, "BAJA", None, opted_out=True) == "en"
    assert phone_channel._stop_language(texts, "MAS", "en", opted_out=False) is None  # the NLU's, not the channel's
    assert phone_channel._stop_language(texts, "2", "en", opted_out=False) is None


@pytest.mark.parametrize("broken", ["missing", "not json", "not the format", "not utf-8"])
def test_without_a_readable_file_the_server_says_its_built_in_english_lines(tmp_path, monkeypatch, broken):
    path = tmp_path / "server_texts.json"
    contents = {"missing": None, "not json": b"{", "not the format": b'{"languages": 3}', "not utf-8": b"\xff\xfe{"}
    if contents[broken] is not None:
        path.write_bytes(contents[broken])
    monkeypatch.setenv("SERVER_TEXTS", str(path))
    assert server_texts.read() is None
    for key in ("unavailable", "busy", "greet", "stopped", "nothing_to_forget", "goodbye"):
        assert (
            fallback_messages.server_message(key, "¿puedo llamar a la policía?", {"lang": "es"})
            == (fallback_messages.LAST_RESORT[key])
        )
    refused = json.loads(fallback_messages.refusal("too_long", 413).body)
    assert refused["messages"] == [{"text": fallback_messages.LAST_RESORT["too_long"]}]
    # a stop is still a stop, and ALTO still Spanish, in English words
    assert phone_channel._stop_language(None, "ALTO", None, opted_out=False) == "es"
    assert (
        fallback_messages.message_in(phone_channel.STOP_REPLIES[Forgot.FORGOTTEN], "es")
        == (fallback_messages.LAST_RESORT["stopped"])
    )
    assert phone_channel._unreadable(None) == fallback_messages.LAST_RESORT["unreadable"]


def test_a_new_version_of_the_file_is_read_at_once_and_a_broken_one_falls_back(texts_file, store_copy):
    path = store_copy / "languages" / "en.yml"
    old = store.language("en").messages["busy"]
    path.write_text(path.read_text(encoding="utf-8").replace(old, "Busy right now, one moment."), encoding="utf-8")
    assert fallback_messages.server_message("busy", None, None) == old
    write_server_texts.write(load_store(store_copy), texts_file)
    assert fallback_messages.server_message("busy", None, None) == "Busy right now, one moment."
    texts_file.write_text("{", encoding="utf-8")
    assert fallback_messages.server_message("busy", None, None) == fallback_messages.LAST_RESORT["busy"]


def test_the_command_writes_the_file_from_a_store(tmp_path):
    target = tmp_path / "out" / "server_texts.json"
    env = {**os.environ, "ANSWER_STORE": str(STORE), "SERVER_TEXTS": str(target)}
    result = subprocess.run(
        [sys.executable, "-m", "policy_assistant.write_server_texts"], cwd=PROJECT, env=env, capture_output=True
    )
    assert result.returncode == 0, result.stderr
    texts = server_texts.read(target)
    assert texts is not None and texts.message("stopped", "es") == store.language("es").messages["stopped"]
    broken = subprocess.run(
        [sys.executable, "-m", "policy_assistant.write_server_texts", str(tmp_path / "no-store")],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
    )
    assert broken.returncode == 1 and "cannot be loaded" in broken.stderr
    assert server_texts.read(target) is not None  # the last texts written stay


def test_the_rasa_server_never_loads_the_answer_store():
    """No module of rasa_server/ imports what reads the store (its texts come from the file)."""
    store_readers = {"store", "live_store", "render_check", "write_server_texts"}
    for source in (PROJECT / "rasa_server").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "policy_assistant":
                imported = {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("policy_assistant."):
                imported = {(node.module or "").split(".")[1]}
            elif isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names if alias.name.startswith("policy_assistant.")]
                imported = {module.split(".")[1] for module in modules}
            else:
                continue
            assert not imported & store_readers, f"{source.name} imports {imported & store_readers}"
