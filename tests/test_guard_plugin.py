"""The action server's guard fails closed (actions/action_server_guard.py,
rasa_sdk_plugins/): rasa-sdk serves on without plugins when importing its
plugin package raises ModuleNotFoundError, so a guard that cannot be loaded
must stop the action server, with a message that says why, rather than leave
it answering anyone without the token check."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import time
from pathlib import Path

import pluggy
import pytest
import requests
from rasa_sdk import plugin

import actions
from devtools.paths import BIN, PROJECT
from devtools.servers import free_port, stop_group

REFUSAL = "refusing to serve without the token check"


def test_a_guard_that_cannot_be_imported_stops_the_action_server(monkeypatch: pytest.MonkeyPatch) -> None:
    """rasa-sdk's own plugin discovery, with the guard's import failing as a
    missing module fails (ModuleNotFoundError, which rasa-sdk passes over)."""
    monkeypatch.delitem(sys.modules, "rasa_sdk_plugins", raising=False)
    monkeypatch.delattr(actions, "action_server_guard", raising=False)
    monkeypatch.setitem(sys.modules, "actions.action_server_guard", None)  # importing it now fails
    manager = pluggy.PluginManager("rasa_sdk")
    manager.add_hookspecs(plugin)
    with pytest.raises(SystemExit, match=REFUSAL) as stopped:
        plugin._discover_plugins(manager)
    assert "ModuleNotFoundError" in str(stopped.value.code)


@pytest.mark.e2e
def test_the_action_server_will_not_serve_when_rasa_sdk_loads_no_guard(tmp_path: Path) -> None:
    """The real `rasa run actions`, finding a plugin package that fails to
    import before this project's (as a broken or missing dependency would):
    rasa-sdk itself would start without the guard. `rasa` puts the folder it
    runs in on sys.path, before the project's installed packages."""
    broken = tmp_path / "rasa_sdk_plugins"
    broken.mkdir()
    (broken / "__init__.py").write_text("import a_module_that_is_not_installed  # noqa\n")
    port = free_port()
    env = {
        **os.environ,
        "ACTION_SERVER_TOKEN": secrets.token_hex(32),
        "SANIC_HOST": "127.0.0.1",
        "ANSWER_STORE": str(PROJECT / "answer_store"),
    }
    log = tmp_path / "actions.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
            cwd=tmp_path,  # its rasa_sdk_plugins is found before the project's own
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + 120
        while server.poll() is None and time.monotonic() < deadline:
            try:
                unguarded = requests.get(f"http://127.0.0.1:{port}/actions", timeout=2)
            except requests.RequestException:
                time.sleep(0.5)
                continue
            pytest.fail(f"the action server is serving without its guard: GET /actions gave {unguarded.status_code}")
        assert server.returncode not in (None, 0)
        assert REFUSAL in log.read_text(errors="replace").lower()
    finally:
        stop_group(server)
