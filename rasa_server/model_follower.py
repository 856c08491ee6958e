"""A Rasa server that follows the console's serving model (issue 29, in
deployments): where the console cannot name the Rasa servers, because pods
come and go, each server asks the console instead. With MODEL_ORIGIN and
INTERNAL_TOKEN set (rasa_server/settings.py), every MODEL_FOLLOW_SECONDS, and
once as soon as the server has started:

1. it asks the console which model serves (GET $MODEL_ORIGIN: the sha-256 of
   the file devtools/retrain.py installed, policy_assistant/model_files.py);
2. when that is not the model this server serves, and did not fail to load
   here before, it asks the console for the turn (POST $MODEL_ORIGIN/turn):
   one server loads at a time, the others keep answering and ask again later;
3. it downloads the file into MODELS_DIR, checks its sha-256, loads it as the
   model endpoint does (rasa_server/model_channel.py: in a worker thread, the
   conversations carry on), deletes the model it followed before, and gives the
   turn back (DELETE $MODEL_ORIGIN/turn).

A model that fails to load leaves the last one serving and is not tried again
here. A console that cannot be reached is asked again at the next round; the
server serves what it has. So a new pod starts on the image's model and
follows the console within a load's time.

The rounds are jobs of Rasa's own scheduler (rasa.core.jobs, which Rasa's
model-server pulling uses), not a loop of ours. Rasa's model server itself
(endpoints.yml `models:`) is not used: it loads a pulled model on the event
loop, so a server would stop answering for the half minute a load takes; it
reads the whole file into memory first; and a server that starts while the
console is down would start with no model at all."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
import logging
import os
import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Awaitable, Callable, Dict, Set

import requests
from rasa.core import jobs

from policy_assistant.model_files import CHUNK, fingerprint
from rasa_server.settings import ModelSettings

logger = logging.getLogger(__name__)
JOB_ID = "follow-the-console-model"
FOLLOWED = "followed-"  # the names of downloaded models in MODELS_DIR: followed-<sha-256>.tar.gz
REQUEST_SECONDS = 10
# connecting, and then each read of the download; the whole download may take longer
DOWNLOAD_SECONDS = 60
# a load (model_channel): "" when the model serves, else why not ("busy": another load runs)
Load = Callable[[Path], Awaitable[str]]


class Mismatch(RuntimeError):
    """The downloaded file is not the model the console named (it changed meanwhile)."""


@dataclass
class Following:
    """What this server knows while it follows the console."""

    # this server, as the console's turn names it
    holder: str = field(default_factory=lambda: f"{socket.gethostname()}:{os.getpid()}")
    # each model file this server loaded → its fingerprint, taken once: the file
    # a server started with may be replaced under the same name (make run's)
    served: Dict[str, str] = field(default_factory=dict)
    failed: Set[str] = field(default_factory=set)  # fingerprints that failed to load here


class Console:
    """The console's internal model endpoint (staff_console/views/internal.py)."""

    def __init__(self, origin: str, token: str):
        self.origin = origin.rstrip("/")
        self.headers = {"Authorization": f"Bearer {token}"}

    def serving(self) -> str | None:
        """The fingerprint of the console's serving model; None while it has none."""
        reply = requests.get(self.origin, headers=self.headers, timeout=REQUEST_SECONDS)
        if reply.status_code == 404:
            return None
        reply.raise_for_status()
        return str(reply.json()["sha256"])

    def take_turn(self, holder: str, wanted: str) -> bool:
        body = {"holder": holder, "sha256": wanted}
        reply = requests.post(f"{self.origin}/turn", json=body, headers=self.headers, timeout=REQUEST_SECONDS)
        if reply.status_code == 409:
            return False
        reply.raise_for_status()
        return True

    def give_back_turn(self, holder: str) -> None:
        with contextlib.suppress(requests.RequestException):
            body = {"holder": holder}
            requests.delete(f"{self.origin}/turn", json=body, headers=self.headers, timeout=REQUEST_SECONDS)

    def download(self, wanted: str, into: Path) -> Path:
        """The console's serving model as into/followed-<wanted>.tar.gz, checked
        against `wanted`: a model the console replaced meanwhile is deleted."""
        into.mkdir(parents=True, exist_ok=True)
        model = into / f"{FOLLOWED}{wanted}.tar.gz"
        part = model.with_name(model.name + ".part")
        digest = hashlib.sha256()
        try:
            url = f"{self.origin}/file"
            with requests.get(url, headers=self.headers, stream=True, timeout=DOWNLOAD_SECONDS) as reply:
                reply.raise_for_status()
                with open(part, "wb") as out:
                    for chunk in reply.iter_content(CHUNK):
                        digest.update(chunk)
                        out.write(chunk)
            if digest.hexdigest() != wanted:
                raise Mismatch("the console's model changed during the download")
            os.replace(part, model)
        finally:
            part.unlink(missing_ok=True)
        return model


async def follow(agent: Any, load: Load, following: Following, settings: ModelSettings) -> str:
    """One round; returns what it did, for the log and the tests."""
    loop = asyncio.get_running_loop()
    console = Console(settings.model_origin, settings.internal_token)
    try:
        wanted = await loop.run_in_executor(None, console.serving)
        if wanted is None:
            return "nothing to follow"
        # a server whose own model did not load has none: the console's is its way back
        path = str(agent.processor.model_path) if agent.processor is not None else ""
        if path and path not in following.served:
            following.served[path] = await loop.run_in_executor(None, fingerprint, Path(path))
        if wanted == following.served.get(path) or wanted in following.failed:
            return "current"
        if not await loop.run_in_executor(None, console.take_turn, following.holder, wanted):
            return "waiting for the turn"  # another server loads, or the console installed another model
        try:
            model = await loop.run_in_executor(None, console.download, wanted, settings.models_dir)
            failed = await load(model)
        finally:
            await loop.run_in_executor(None, console.give_back_turn, following.holder)
    except (requests.RequestException, ValueError, KeyError, OSError, Mismatch) as error:
        logger.warning("The console's model could not be followed this time (%s).", type(error).__name__)
        return "not reached"
    if failed == "busy":
        return "another load is running here"
    if failed:
        following.failed.add(wanted)
        return "failed"
    following.served[str(model)] = wanted
    for old in settings.models_dir.glob(f"{FOLLOWED}*.tar.gz"):
        if old != model:
            old.unlink(missing_ok=True)
    logger.info("Following the console: its model %s serves here now.", wanted[:12])
    return "loaded"


async def start(agent: Any, load: Load, settings: ModelSettings) -> None:
    """The rounds, as a job of Rasa's scheduler: the first at once."""
    following = Following()
    (await jobs.scheduler()).add_job(
        follow,
        "interval",
        seconds=settings.model_follow_seconds,
        args=[agent, load, following, settings],
        id=JOB_ID,
        replace_existing=True,
        next_run_time=dt.datetime.now(),
        max_instances=1,  # a round that downloads and loads outlasts the interval: the next waits
        coalesce=True,
        misfire_grace_time=None,
    )
    logger.info("Following the console's model every %s s.", settings.model_follow_seconds)
