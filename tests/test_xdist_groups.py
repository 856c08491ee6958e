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

SOME_TESTS = "tests/test_schema_check_cache.py"  # four quick tests in the "servers" group


def test_under_loadgroup_every_test_is_in_its_group_on_one_worker():
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-n", "2", "--dist", "loadgroup", "-v", SOME_TESTS],
        cwd=PROJECT,
        env={k: v for k, v in os.environ.items() if not k.startswith(("PYTEST_", "COV_"))},
        capture_output=True,
        text=True,
        timeout=300,
    )
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
