"""A new model for a running Rasa server, without a restart and without
losing a conversation (issue 29's gated retraining, devtools/retrain.py):

* POST /webhooks/model/load {"model": "<file name in $MODELS_DIR>"} starts
  loading that model and answers 202 at once (a model takes longer to load
  than a response may take, http_limits.RESPONSE_SECONDS);
* GET /webhooks/model/ says which model serves, whether one is loading, and
  why the last load failed, if it did.

The model loads in a worker thread through Rasa's own Agent.load_model, which
builds a new MessageProcessor on the agent's tracker and lock stores and then
takes the old one's place: conversations carry on (even in memory, make run),
a turn under way finishes on the old model, and the next turn gets the new
one. While it loads, the server keeps answering on the old model, with both
models in memory (docs/results.md has what that costs). A load that fails
leaves the old model serving.

Internal only (policy_assistant.internal_calls): each call needs
$INTERNAL_TOKEN and is refused when it came through a proxy, so the front
door that passes /webhooks/ to the Rasa servers does not expose it. With no
token set, the endpoint answers 404 to everything.

With MODEL_ORIGIN set as well, the server also follows the console's serving
model (rasa_server/model_follower.py), through the same loading: that is how
pods load a new model, where the console cannot name them."""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import gc
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from policy_assistant.internal_calls import bearer_matches, through_proxy
from rasa_server import model_follower
from rasa_server.settings import ModelSettings

logger = logging.getLogger(__name__)
# a model file's name: no folder, nothing that climbs out of $MODELS_DIR
MODEL_FILE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,120}\.tar\.gz")


@dataclass
class Loading:
    """What this server's model loading is doing (one load at a time)."""

    task: asyncio.Task | None = None
    failed: str = ""  # the last load's failure, by kind (never a path or a message)

    @property
    def busy(self) -> bool:
        return self.task is not None and not self.task.done()

    def start(self, agent: Any, path: Path) -> bool:
        """Starts loading `path`; False when a load already runs."""
        if self.busy:
            return False
        self.failed = ""
        self.task = asyncio.create_task(_load(agent, path, self))
        return True

    async def load(self, agent: Any, path: Path) -> str:
        """Loads `path` and waits: "" once it serves, else why not ("busy", or the failure's kind)."""
        if not self.start(agent, path):
            return "busy"
        assert self.task is not None
        await self.task
        return self.failed


class ModelInput(InputChannel):
    @classmethod
    def name(cls) -> str:
        return "model"

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        model = Blueprint("model_loading", __name__)
        loading = Loading()

        def refused(request: Request) -> HTTPResponse | None:
            settings = ModelSettings()
            if not settings.internal_token or through_proxy(request.headers):
                return response.json({"error": "not_found"}, status=404)
            if not bearer_matches(request.headers, settings.internal_token):
                return response.json({"error": "unauthorised"}, status=401)
            return None

        def state(request: Request) -> dict[str, Any]:
            agent = request.app.ctx.agent
            return {
                "model": agent.model_name,
                "model_id": agent.model_id,
                "loading": loading.busy,
                "failed": loading.failed,
            }

        @model.route("/", methods=["GET"])
        async def current(request: Request) -> HTTPResponse:
            return refused(request) or response.json(state(request))

        @model.route("/load", methods=["POST"])
        async def load(request: Request) -> HTTPResponse:
            if no := refused(request):
                return no
            body = request.json if request.body else None
            name = body.get("model") if isinstance(body, dict) else None
            if not isinstance(name, str) or not MODEL_FILE.fullmatch(name):
                return response.json({"error": "bad_model_name"}, status=400)
            path = ModelSettings().models_dir / name
            if not path.is_file():
                return response.json({"error": "no_such_model"}, status=404)
            if not loading.start(request.app.ctx.agent, path):
                return response.json({"error": "already_loading", **state(request)}, status=409)
            return response.json(state(request), status=202)

        @model.listener("after_server_start")
        async def give_back_what_loading_freed(_app: Any, _loop: Any) -> None:
            # the model Rasa loaded before the server started freed much of
            # what loading it took: back to the system, as after a load here
            await asyncio.get_running_loop().run_in_executor(None, _give_back_memory)

        @model.listener("after_server_start")
        async def follow_the_console(app: Any, _loop: Any) -> None:
            settings = ModelSettings()
            if settings.model_origin and settings.internal_token:
                agent = app.ctx.agent
                await model_follower.start(agent, lambda path: loading.load(agent, path), settings)

        return model


async def _load(agent: Any, path: Path, loading: Loading) -> None:
    """Rasa's Agent.load_model in a worker thread: the event loop goes on
    answering while the new model loads."""
    loop = asyncio.get_running_loop()
    try:
        await loop.run_in_executor(None, agent.load_model, path)
        logger.info("Loaded model %s (id %s).", path.name, agent.model_id)
    except Exception as error:  # noqa: BLE001 (any failure keeps the old model serving)
        loading.failed = type(error).__name__
        logger.error("The model %s did not load (%s); the last model keeps serving.", path.name, loading.failed)
    await loop.run_in_executor(None, _give_back_memory)


def _give_back_memory() -> None:
    """Memory a model's load freed (and, after a new model, the old one's)
    back to the system: Python's collector first (the old processor's objects
    refer to each other), then glibc's malloc_trim, without which the process
    keeps the freed pages (measured in docs/results.md)."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)
