"""The e2e stage's two pytest-xdist groups hold (tests/conftest.py): under
`--dist loadgroup`, every test carries its group, and a group's tests run on
one worker. Without that, each worker started the session's servers and the
model of its own, and the retraining test ran last instead of beside the rest."""

import os
import re
import subprocess
import sys

from devtools.paths import PROJECT
from tests.conftest import worker_group

SOME_TESTS = "tests/test_staff_console_retraining.py"  # four quick tests in the "servers" group; no Rasa import


def nested_pytest(args: list[str], **env: str) -> subprocess.CompletedProcess:
    """pytest run on its own, with `env` added to the environment (and none of this run's)."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *args],
        cwd=PROJECT,
        env={**{k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))}, **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_under_loadgroup_every_test_is_in_its_group_on_one_worker():
    done = nested_pytest(["-n", "2", "--dist", "loadgroup", "-v", SOME_TESTS])
    assert done.returncode == 0, done.stdout[-2000:]
    ran = re.findall(r"^\[(gw\d+)\] \[ *\d+%\] PASSED (\S+)", done.stdout, re.MULTILINE)
    assert len(ran) == 4
    assert all(nodeid.endswith("@servers") for _, nodeid in ran), ran
    assert len({worker for worker, _ in ran}) == 1, ran


def test_the_retraining_and_the_tests_that_load_the_model_share_the_worker_without_the_session_servers():
    assert worker_group("test_e2e_retrain.py", ["stack"]) == "model"
    assert worker_group("test_nlu_holdout.py", ["agent", "holdout"]) == "model"
    assert worker_group("test_e2e_phone.py", ["live", "twilio_stub"]) == "servers"
    assert worker_group("test_nlu_holdout.py", []) == "servers"  # a check of the files alone: no model


# a plugin for a collection of its own: each test's group, as the hook marked it
GROUPS_PLUGIN = """
def pytest_collection_finish(session):
    for item in session.items:
        print("GROUP", item.nodeid, item.get_closest_marker("xdist_group").args[0])
"""


def test_the_hook_groups_each_test_by_the_fixtures_it_uses(tmp_path):
    (tmp_path / "print_groups.py").write_text(GROUPS_PLUGIN, encoding="utf-8")
    done = nested_pytest(
        ["-p", "print_groups", "--collect-only", "-q", "tests/test_nlu_holdout.py", "tests/test_e2e_http.py"],
        PYTHONPATH=str(tmp_path),
    )
    assert done.returncode == 0, done.stdout[-2000:]
    groups = dict(re.findall(r"^GROUP (\S+) (\S+)$", done.stdout, re.MULTILINE))
    assert groups["tests/test_nlu_holdout.py::test_intent_accuracy_on_held_out_questions[holdout_en]"] == "model"
    assert groups["tests/test_nlu_holdout.py::test_every_language_has_a_holdout_file"] == "servers"
    assert {group for node, group in groups.items() if "test_e2e_http.py" in node} == {"servers"}
