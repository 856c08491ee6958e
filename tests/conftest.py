"""Shared fixtures: the real answer store (or a copy of it to edit), and the
real action server and Rasa server started on free ports (devtools.servers)."""

import contextlib
import gc
import os
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterable, Iterator

import pytest
from argon2 import PasswordHasher, profiles

from devtools.nlu_evaluation import REPORT
from devtools.paths import BIN, MODEL, PROJECT, STORE
from devtools.servers import Servers, free_port, start_console, stop_group
from devtools.supervise import console_internal_url
from devtools.twilio_stub import TwilioStub
from staff_console import accounts
from staff_console.content_repo import ContentRepo

# Actions run in tests count questions in a file of their own, never in var/.


# The console's password hasher as it ships: argon2id with argon2-cffi's
# recommended parameters (RFC 9106's low-memory profile), about a tenth of a
# second of CPU per hash or check here.
SHIPPED_HASHER = accounts.hasher
CHEAP_HASHER = PasswordHasher.from_parameters(profiles.CHEAPEST)


@pytest.fixture(autouse=True)
def cheap_password_hashes(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Staff passwords hashed in this process with argon2-cffi's own profile for
    tests (`profiles.CHEAPEST`): the same argon2id code and stored format, in
    microseconds. The unit tests hash about 400 times (a third of a minute on
    two cores). Tests marked `shipped_hasher` keep the shipped parameters, and
    the consoles the e2e tests start as processes always do."""
    if request.node.get_closest_marker("shipped_hasher") is None:
        monkeypatch.setattr(accounts, "hasher", CHEAP_HASHER)


@pytest.fixture
def store_copy(tmp_path: Path) -> Path:
    """A copy of the real answer store that a test may edit."""
    target = tmp_path / "answer_store"
    shutil.copytree(STORE, target)
    return target


# The small answer store of tests/fixtures/store/: stable content for tests of
# the loader's rules, which edit a copy of it.
SMALL_STORE = Path(__file__).resolve().parent / "fixtures" / "store"


@pytest.fixture
def small_store(tmp_path: Path) -> Path:
    """A copy of the fixture store that a test may edit."""
    target = tmp_path / "small_store"
    shutil.copytree(SMALL_STORE, target)
    return target


def problems_of(root: Path) -> list[str]:
    """Every problem the loader finds in the store at `root` (it must find one)."""
    from policy_assistant.store import StoreError, load_store

    with pytest.raises(StoreError) as error:
        load_store(root)
    return error.value.problems


def replace(path: Path, old: str, new: str, count: int = 1) -> None:
    """Edit a store file by its text; `old` must be there."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, count), encoding="utf-8")


TWILIO_TOKEN = "test-auth-token-0123456789abcdef"


@pytest.fixture(scope="session")
def agent() -> Any:
    """The trained model, loaded once for every test that parses with it."""
    from devtools.nlu_evaluation import load_agent

    if not MODEL.exists():
        pytest.fail("no trained model: run `make test` (it trains first)")
    return load_agent(MODEL)


@pytest.fixture(scope="session")
def twilio_stub() -> Iterator[TwilioStub]:
    """Where the phone channel's outgoing messages go in tests (never Twilio)."""
    stub = TwilioStub()
    yield stub
    stub.close()


# A turn's limit for the e2e session's servers, shorter than the 9 s people
# get: the tests that stop the action server wait for it. Every other turn
# must end well within it, even while the server loads a model
# (tests/test_e2e_model_loading.py; measured in docs/results.md).
TEST_TURN_SECONDS = 6.0


@pytest.fixture(scope="session")
def servers(tmp_path_factory: pytest.TempPathFactory, twilio_stub: TwilioStub) -> Iterator[Servers]:
    if not MODEL.exists():
        pytest.fail("no trained model: run `make train` first (`make test` trains)")
    # the servers answer from a content repository, as `make run` sets them up
    workdir = tmp_path_factory.mktemp("servers")
    content = workdir / "content"
    ContentRepo(content).ensure(STORE)
    # the phone channel is on, with test credentials, sending to the local stub
    phone = {
        "TWILIO_ACCOUNT_SID": "AC" + "0" * 32,
        "TWILIO_AUTH_TOKEN": TWILIO_TOKEN,
        "TWILIO_NUMBER": "+15025550100",
        "TWILIO_API_URL": twilio_stub.url,
        "TWILIO_SENDER_SECRET": secrets.token_hex(32),
    }
    # the action server passes shared questions to the console the `console` fixture starts on this port
    console_port = free_port()
    sharing = {"INTERNAL_TOKEN": secrets.token_hex(32), "CONSOLE_INTERNAL_URL": console_internal_url(console_port)}
    s = Servers(workdir, ANSWER_STORE=str(content), TURN_SECONDS=str(TEST_TURN_SECONDS), **phone, **sharing)
    s.console_port = console_port  # type: ignore[attr-defined]
    try:
        s.start()
        yield s
    finally:
        s.stop()


STAFF_PASSWORDS = {"maria": "maria-editor-password", "sam": "sam-publisher-password", "kim": "kim-publisher-password"}


@dataclass(frozen=True)
class RunningConsole:
    url: str
    db: Path  # the staff database: accounts, drafts, shared questions
    log: Path  # what the console process printed


@contextlib.contextmanager
def running_console(servers: Servers, work: Path, **settings: str) -> Iterator[RunningConsole]:
    """The staff console, publishing to the content repository the running
    action server reads, and receiving the questions it passes on
    (INTERNAL_TOKEN, on the port the servers were told); accounts made with
    `make staff-user`'s module (STAFF_PASSWORDS); `settings`, more of its
    environment."""
    port = servers.console_port  # type: ignore[attr-defined]
    env = {
        **os.environ,
        "CONTENT_REPO": str(servers.store),
        "STAFF_DB": str(work / "staff.sqlite3"),
        "STAFF_CONSOLE_PORT": str(port),
        "INTERNAL_TOKEN": servers.env["INTERNAL_TOKEN"],
        **settings,
    }
    for name, role in (("maria", "editor"), ("sam", "publisher"), ("kim", "publisher")):
        subprocess.run(
            [str(BIN / "python"), "-m", "staff_console.accounts"],
            env={**env, "STAFF_USER": name, "STAFF_ROLE": role, "STAFF_PASSWORD": STAFF_PASSWORDS[name]},
            check=True,
            cwd=PROJECT,
        )
    log = work / "console.log"
    proc = start_console(env, log, port)
    try:
        yield RunningConsole(f"http://127.0.0.1:{port}", work / "staff.sqlite3", log)
    finally:
        stop_group(proc)
    log_text = log.read_text(encoding="utf-8")
    assert not any(p in log_text for p in STAFF_PASSWORDS.values()), "a password reached the console's log"


@pytest.fixture(scope="module")
def console(servers: Servers, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningConsole]:
    with running_console(servers, tmp_path_factory.mktemp("console")) as running:
        yield running


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless Chromium (tests/browser_support.py), one per test module."""
    from tests.browser_support import start_chromium

    driver = start_chromium()
    yield driver
    driver.quit()


@pytest.fixture
def live(servers: Servers) -> Servers:
    """The running servers, with the action server up even if a test stopped it."""
    if servers.actions is None or servers.actions.poll() is not None:
        servers.start_actions()
    return servers


# The e2e stage runs on two pytest-xdist workers (`--dist loadgroup`, the
# Makefile's e2e target). On one, the tests that use no session server: the
# retraining test, which brings up servers of its own and trains, then the
# tests that read the model in the test process (the `agent` fixture). On the
# other, every test that shares the session's servers. So the session's servers
# start once, the model is loaded in one test process only, and the retraining
# test's waits (training, loading models) overlap the other tests. xdist reads
# the groups in its own pytest_collection_modifyitems, which pluggy would call
# before this one (this conftest is registered first): tryfirst puts the marks
# there in time (tests/test_xdist_groups.py).
def worker_group(file_name: str, fixtures: Iterable[str]) -> str:
    return "model" if file_name == "test_e2e_retrain.py" or "agent" in fixtures else "servers"


def pytest_collection_finish(session: pytest.Session) -> None:
    """Every test module is imported now, and with them TensorFlow, Rasa and
    spaCy: millions of objects that live as long as the process. Moved out of
    the garbage collector's reach, they are no longer walked by every full
    collection (about a tenth of a unit-test worker's time went to those,
    docs/results.md); what the tests create is collected as before."""
    gc.freeze()


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        item.add_marker(pytest.mark.xdist_group(worker_group(item.path.name, getattr(item, "fixturenames", ()))))


# what the scaled tests measure (tests/test_scaled.py, tests/test_supervision.py),
# printed at the end of the run; kept here, so that printing it imports none of
# their modules (the controller of an xdist run collects none)
SCALED_REPORT: list[str] = []


def end_of_run_reports() -> dict[str, list[str]]:
    """What tests print at the end of the run, by the title it is printed under."""
    return {"held-out NLU accuracy": REPORT, "scale-out: measured in the scaled tests": SCALED_REPORT}


# On pytest-xdist, a worker's lines reach the controller in the properties of
# each test's teardown report.
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo) -> Iterator[None]:
    outcome = yield
    if call.when == "teardown" and hasattr(item.config, "workerinput"):
        report = outcome.get_result()
        for title, lines in end_of_run_reports().items():
            report.user_properties.extend((title, line) for line in lines)
            lines.clear()


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if report.when == "teardown" and hasattr(report, "node"):  # a worker's report, on the controller
        reports = end_of_run_reports()
        for title, line in report.user_properties:
            if title in reports:
                reports[title].append(line)


def pytest_terminal_summary(terminalreporter) -> None:  # type: ignore[no-untyped-def]
    for title, lines in end_of_run_reports().items():
        if lines:
            terminalreporter.section(title)
            for line in lines:
                terminalreporter.write_line(line)
