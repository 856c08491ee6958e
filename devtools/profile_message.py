"""Profile one message end to end, in process: where the time of a turn goes.

Loads the trained model the way `rasa run` does (rasa.core.agent.load_agent
with endpoints.yml, so the project's tracker store; structlog at INFO like the
server), then sends realistic questions (English and Spanish) through
Agent.handle_message, conversation after conversation, and prints the median
milliseconds per stage and each stage's share of the turn:

* every node of Rasa's NLU graph (spaCy, tokenizer, entity ruler, featurizers,
  the intent ensemble and each of its members, fallback, the project's gates)
  and of the policy graph (Memoization, Rule, the ensemble), timed around each
  GraphComponent's run function, plus the graph runner's (dask) own overhead;
* the dialogue side of Rasa: tracker store retrieve/save, tracker.copy() before
  each action, building the JSON sent to the action server, validating its
  reply, and what is left in the processor;
* the action call: JSON encoding and decoding both ways, rasa_sdk's executor,
  the action itself (policy_assistant: the store's get(), the choice of
  language, the rendering of the answer).

By default the action server runs in this process (rasa_sdk's ActionExecutor on
the `actions` package, with the JSON round trip done as the HTTP server would:
no network, so the action's own time is measured exactly); --action-server
starts the real one (`rasa run actions`) on a free port and the action call is
then one HTTP round trip.

Times are exclusive: a stage's time excludes the stages timed inside it, so the
stages add up to the turn. The instrumentation's own cost is printed (a run of
the same turns unwrapped, with the CPU time of the turn: steadier than wall
time on a shared machine).

Also printed: the size of the JSON sent to the action server per turn and of
the reply, the per-turn cost of the parts that grow with the conversation at
several conversation lengths (--turns 1,5,20,100), the pipes inside spaCy, and
with --cprofile N the top functions of a cProfile run.

The patches the Rasa server applies to Rasa when it starts (SERVER_START_PATCHES:
Rasa's check of its reply schema runs once, rasa_server/schema_check_cache.py)
are applied here too; --stock-rasa or PROFILE_RASA_SCHEMA_CHECK=every-call
leave them out and show Rasa's own behaviour (the schema check was 23 ms of a
41 ms turn, measured 2026-11-26). --model and --endpoints measure another model
(e.g. trained with `rasa train --out /tmp/...`) or another tracker store
setting.

With --parallel P it measures the parse throughput of P processes parsing at
once (each one loads the model), which is how TF's thread settings
(--tf-threads INTRA,INTER) show up on a machine with few cores.

A profiling tool: it prints numbers and asserts nothing. The machine is noisy:
compare shares and ratios, and repeat (--repeat N).

Usage: .venv/bin/python -m devtools.profile_message [--repeat N] [--turns 1,5,20,100]
       [--tf-threads 1,1] [--action-server] [--cprofile 30] [--stock-rasa]
       [--model PATH] [--endpoints PATH] [--parallel 2 --seconds 20]"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import functools
import importlib
import inspect
import json
import logging
import os
import pstats
import secrets
import signal
import statistics
import subprocess
import sys
import time
import uuid
from collections import defaultdict
from pathlib import Path
from typing import Any, Callable, Dict, Iterator, List, Tuple

from devtools.paths import BIN, MODEL, PROJECT

QUESTIONS = [
    "will the police ask about my immigration status?",
    "¿la policía me va a preguntar por mis papeles?",
    "hello",
    "who said that?",
    "Can I call 911 if I'm undocumented?",
    "¿Puedo llamar a la policía si no tengo papeles?",
    "Will police knock on my door for ICE?",
    "when was that said?",
    "what did the kycir report find",
    "la migra esta en mi puerta",
    "do LMPD officers work with ICE at the jail?",
    "gracias",
]

Row = Dict[str, float]
ENDPOINTS = PROJECT / "endpoints.yml"


# ----------------------------------------------------------------- timing


class Stages:
    """Exclusive time per stage: each wrapped call's elapsed time minus the time
    of the wrapped calls it made, so that the stages of a turn add up to the
    turn. Sequential use only (one turn at a time: the awaits of one task nest)."""

    def __init__(self) -> None:
        self.current: Dict[str, float] = defaultdict(float)
        self.notes: Dict[str, float] = {}
        self._children: List[float] = []
        self._undo: List[Callable[[], None]] = []

    def take(self) -> Tuple[Row, Row]:
        """The stage times (ms) and the notes (sizes) of the turn just done."""
        row, notes = dict(self.current), dict(self.notes)
        self.current, self.notes = defaultdict(float), {}
        return row, notes

    def _enter(self) -> float:
        self._children.append(0.0)
        return time.perf_counter()

    def _exit(self, name: str, start: float) -> None:
        elapsed = time.perf_counter() - start
        children = self._children.pop()
        self.current[name] += (elapsed - children) * 1000
        if self._children:
            self._children[-1] += elapsed

    @contextlib.contextmanager
    def stage(self, name: str) -> Iterator[None]:
        start = self._enter()
        try:
            yield
        finally:
            self._exit(name, start)

    @contextlib.contextmanager
    def ignored(self) -> Iterator[None]:
        """Time spent here counts for no stage (the tool's own measurements)."""
        start = time.perf_counter()
        try:
            yield
        finally:
            if self._children:
                self._children[-1] += time.perf_counter() - start

    def wrap(
        self,
        fn: Callable[..., Any],
        name: str | Callable[..., str],
        after: Callable[[Any], None] | None = None,
    ) -> Callable[..., Any]:
        def label(*args: Any, **kwargs: Any) -> str:
            return name(*args, **kwargs) if callable(name) else name

        if inspect.iscoroutinefunction(fn):

            @functools.wraps(fn)
            async def timed_async(*args: Any, **kwargs: Any) -> Any:
                start = self._enter()
                try:
                    return await fn(*args, **kwargs)
                finally:
                    self._exit(label(*args, **kwargs), start)

            return timed_async

        @functools.wraps(fn)
        def timed(*args: Any, **kwargs: Any) -> Any:
            start = self._enter()
            try:
                result = fn(*args, **kwargs)
            finally:
                self._exit(label(*args, **kwargs), start)
            if after is not None:
                with self.ignored():
                    after(result)
            return result

        return timed

    def patch(
        self,
        owner: Any,
        attr: str,
        name: str | Callable[..., str],
        after: Callable[[Any], None] | None = None,
    ) -> None:
        """Time `owner.attr` (a class's function or an instance's method) as `name`."""
        own = attr in getattr(owner, "__dict__", {})
        original = owner.__dict__[attr] if own else getattr(owner, attr)
        if isinstance(original, staticmethod):
            new: Any = staticmethod(self.wrap(original.__func__, name, after))
        else:
            new = self.wrap(original, name, after)
        setattr(owner, attr, new)
        self._undo.append(lambda: setattr(owner, attr, original) if own else delattr(owner, attr))

    def patch_item(self, mapping: Dict[str, Any], key: str, name: str) -> None:
        """Time the callable `mapping[key]` as `name` (rasa_sdk keeps each
        action's bound run method in a dict when it registers it)."""
        original = mapping[key]
        mapping[key] = self.wrap(original, name)
        self._undo.append(lambda: mapping.__setitem__(key, original))

    def unpatch_all(self) -> None:
        while self._undo:
            self._undo.pop()()


# ----------------------------------------------------------------- the assistant in process


def quiet_rasa_logging() -> None:
    """Logging as `rasa run` sets it up (INFO: structlog's debug calls are
    filtered, but their arguments are still built), written to stderr."""
    from rasa.utils.common import configure_logging_and_warnings
    from rasa.utils.log_utils import configure_structlog

    configure_logging_and_warnings(logging.INFO)
    configure_structlog(logging.INFO)
    for handler in logging.getLogger().handlers:
        if isinstance(handler, logging.StreamHandler):
            handler.setStream(sys.stderr)
    logging.getLogger("policy_assistant").setLevel(logging.WARNING)


def set_tf_threads(spec: str | None) -> None:
    """As `rasa run` does (TF_INTRA_OP_PARALLELISM_THREADS and
    TF_INTER_OP_PARALLELISM_THREADS), and then --tf-threads INTRA,INTER."""
    from rasa.utils.tensorflow.environment import setup_tf_environment

    setup_tf_environment()
    if spec:
        import tensorflow as tf

        intra, inter = (int(n) for n in spec.split(","))
        tf.config.threading.set_intra_op_parallelism_threads(intra)
        tf.config.threading.set_inter_op_parallelism_threads(inter)


# What the Rasa server changes in Rasa when it starts (rasa_server/http_limits.py
# applies them when the chat channels register), so that this process measures
# what the server runs. --stock-rasa (or PROFILE_RASA_SCHEMA_CHECK=every-call)
# leaves Rasa as it is, to measure what they save.
SERVER_START_PATCHES = ["rasa_server.schema_check_cache"]


def server_start_patches() -> None:
    for name in SERVER_START_PATCHES:
        importlib.import_module(name).install()


def in_process_action_server(stages: Stages) -> Any:
    """An action endpoint answered in this process by rasa_sdk's ActionExecutor
    on the `actions` package, with the JSON encoding and decoding the two HTTP
    ends would do (no network)."""
    from rasa.utils.endpoints import EndpointConfig
    from rasa_sdk.executor import ActionExecutor

    class InProcessActionServer(EndpointConfig):
        def __init__(self) -> None:
            super().__init__(url="http://in-process/webhook")
            self.executor = ActionExecutor()
            self.executor.register_package("actions")

        async def request(self, method: str = "post", subpath: str | None = None, **kwargs: Any) -> Any:
            with stages.stage("action call: JSON encode request"):
                body = json.dumps(kwargs["json"]).encode()
            with stages.stage("action server: JSON decode request"):
                call = json.loads(body)
            result = await self.executor.run(call)
            with stages.stage("action server: JSON encode reply"):
                reply = json.dumps(result).encode()
            with stages.stage("action call: JSON decode reply"):
                return json.loads(reply)

    return InProcessActionServer()


async def load(action_url: str | None, stages: Stages, endpoints_file: Path = ENDPOINTS, model: Path = MODEL) -> Any:
    """The agent as `rasa run` loads it (endpoints.yml: the project's tracker
    store), its action endpoint pointed at `action_url`, or answered in
    process when that is None."""
    from rasa.core.agent import load_agent
    from rasa.core.utils import AvailableEndpoints

    endpoints = AvailableEndpoints.read_endpoints(str(endpoints_file))
    if action_url:
        endpoints.action.url = action_url
    agent = await load_agent(model_path=str(model), endpoints=endpoints)
    if not action_url:
        agent.action_endpoint = agent.processor.action_endpoint = in_process_action_server(stages)
    return agent


async def ask(agent: Any, text: str, sender: str) -> Any:
    from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

    message = UserMessage(text, CollectingOutputChannel(), sender, input_channel="rest")
    return await agent.handle_message(message)


def graph_nodes(agent: Any) -> Tuple[Dict[str, Any], set]:
    """The predict graph's nodes, and the names of those the NLU target needs."""
    runner = agent.processor.graph_runner
    target = agent.processor.model_metadata.nlu_target
    nlu = set(runner._graph_schema.minimal_graph_schema([target]).nodes)
    return runner._instantiated_nodes, nlu


def node_label(node_name: str, node: Any, nlu: set) -> str:
    cls = node._component_class.__name__
    analyzer = node._component_config.get("analyzer") if cls == "CountVectorsFeaturizer" else None
    detail = f" ({analyzer})" if analyzer else ""
    if node._fn_name == "provide" or node_name in ("nlu_message_converter", "domain_provider"):
        detail += f" .{node._fn_name}"
    return f"{'NLU' if node_name in nlu else 'policies'}: {cls}{detail}"


def instrument(agent: Any, stages: Stages) -> None:
    """Wrap every stage of a turn (see the module's docstring)."""
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.core.trackers import DialogueStateTracker
    from rasa_sdk.executor import ActionExecutor

    import actions.actions
    from policy_assistant.live_store import LiveStore

    processor = agent.processor
    nodes, nlu = graph_nodes(agent)
    for node_name, node in nodes.items():
        stages.patch(node, "_fn", node_label(node_name, node, nlu))
    core_target = processor.model_metadata.core_target

    def runner_label(*args: Any, **kwargs: Any) -> str:
        policies = core_target in (kwargs.get("targets") or [])
        return f"{'policies' if policies else 'NLU'}: graph runner (dask) overhead"

    stages.patch(processor.graph_runner, "run", runner_label)
    # each member of the intent ensemble on its own (the rest of the
    # ensemble's time, its average, stays under "NLU: IntentEnsemble")
    from nlu_pipeline.intent_ensemble import IntentEnsemble, member_name

    def member_label(ensemble: Any, member: Dict[str, Any], *args: Any, **kwargs: Any) -> str:
        return f"NLU: IntentEnsemble member {member_name(member)}"

    stages.patch(IntentEnsemble, "rankings", member_label)
    stages.patch(agent, "handle_message", "agent: handle_message (lock store)")
    stages.patch(processor, "handle_message", "processor: rest of handle_message")
    stages.patch(processor, "log_message", "processor: log_message (session, tracker.update(UserUttered))")
    stages.patch(processor, "parse_message", "NLU: processor.parse_message outside the graph")
    stages.patch(processor, "run_action_extract_slots", "processor: action_extract_slots")
    stages.patch(processor, "predict_next_with_tracker_if_should", "policies: processor outside the graph")
    stages.patch(processor, "_log_action_on_tracker", "processor: _log_action_on_tracker (deepcopy, update)")
    stages.patch(processor.tracker_store, "retrieve", "tracker store: retrieve (JSON decode, replay)")
    stages.patch(processor.tracker_store, "save", "tracker store: save (JSON encode)")
    stages.patch(DialogueStateTracker, "copy", "processor: tracker.copy() before each action (replay)")

    def sizes(call: Dict[str, Any]) -> None:
        stages.notes["request bytes"] = len(json.dumps(call).encode())
        stages.notes["domain bytes"] = len(json.dumps(call["domain"]).encode()) if "domain" in call else 0
        stages.notes["events sent"] = len(call["tracker"]["events"] or [])

    stages.patch(RemoteAction, "_action_call_format", "action call: tracker and domain as a dict", after=sizes)
    stages.patch(RemoteAction, "_validate_action_result", "action call: jsonschema validation of the reply")
    stages.patch(RemoteAction, "run", "action call: rest of RemoteAction.run")
    if not isinstance(processor.action_endpoint.url, str) or "in-process" not in processor.action_endpoint.url:
        stages.patch(processor.action_endpoint, "request", "action call: HTTP round trip incl. action server")
    stages.patch(ActionExecutor, "run", "action server: rasa_sdk executor (Tracker.from_dict)")
    executor: Any = getattr(processor.action_endpoint, "executor", None)  # the in-process action server
    registered: Dict[str, Any] = executor.actions if executor is not None else {}
    for action_name in list(registered):
        stages.patch_item(registered, action_name, f"action: {action_name} (reply, rendering)")
    stages.patch(LiveStore, "get", "action: LiveStore.get() (stat of the store files)")
    stages.patch(actions.actions, "conversation_language", "action: conversation_language()")
    stages.patch(actions.actions, "send", "action: send() (dispatcher)")


# ----------------------------------------------------------------- measuring


async def conversation(agent: Any, stages: Stages | None, turns: int) -> List[Tuple[str, float, Row, Row]]:
    """One conversation of `turns` questions: (question, total ms, stages, notes) per turn."""
    sender = f"profile-{uuid.uuid4().hex[:8]}"
    done = []
    for i in range(turns):
        text = QUESTIONS[i % len(QUESTIONS)]
        start, cpu = time.perf_counter(), time.process_time()
        reply = await ask(agent, text, sender)
        total = (time.perf_counter() - start) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
        row, notes = stages.take() if stages else ({}, {})
        notes.update({"cpu ms": cpu_ms, "reply bytes": len(json.dumps(reply or []).encode())})
        done.append((text, total, row, notes))
    return done


def median(values: List[float]) -> float:
    return statistics.median(values) if values else 0.0


def print_stage_table(turns: List[Tuple[str, float, Row, Row]]) -> None:
    names = sorted({name for _, _, row, _ in turns for name in row})
    totals = [total for _, total, _, _ in turns]
    mean_total = statistics.mean(totals)
    per_stage = {name: [row.get(name, 0.0) for _, _, row, _ in turns] for name in names}
    accounted = [sum(row.values()) for _, _, row, _ in turns]
    per_stage["(outside every timed stage)"] = [t - a for t, a in zip(totals, accounted, strict=True)]
    ranked = sorted(per_stage.items(), key=lambda kv: statistics.mean(kv[1]), reverse=True)
    print(f"\nWhere a turn's time goes ({len(turns)} turns; exclusive times, ms):")
    print(f"  {'stage':<68} {'median':>7} {'mean':>7} {'share':>6}")
    for name, values in ranked:
        mean = statistics.mean(values)
        print(f"  {name:<68} {median(values):7.2f} {mean:7.2f} {mean / mean_total:6.1%}")
    print(f"  {'turn (Agent.handle_message)':<68} {median(totals):7.2f} {mean_total:7.2f} {1:6.1%}")

    groups: Dict[str, List[float]] = defaultdict(lambda: [0.0] * len(turns))
    for name, values in per_stage.items():
        group = name.split(":", 1)[0] if ":" in name else "other"
        groups[group] = [g + v for g, v in zip(groups[group], values, strict=True)]
    print("\n  by part:")
    for group, values in sorted(groups.items(), key=lambda kv: statistics.mean(kv[1]), reverse=True):
        mean = statistics.mean(values)
        print(f"  {group:<68} {median(values):7.2f} {mean:7.2f} {mean / mean_total:6.1%}")


def print_per_question(turns: List[Tuple[str, float, Row, Row]]) -> None:
    by_question: Dict[str, List[Tuple[float, Row]]] = defaultdict(list)
    for text, total, row, _ in turns:
        by_question[text].append((total, row))
    print("\nPer question (median ms): turn, NLU, policies, action call + server + action")
    for text, rows in by_question.items():
        parts = {
            part: median([sum(v for k, v in row.items() if k.startswith(part)) for _, row in rows])
            for part in ("NLU", "policies", "action")
        }
        print(
            f"  {text[:52]:<52} {median([t for t, _ in rows]):7.2f} {parts['NLU']:7.2f} "
            f"{parts['policies']:7.2f} {parts['action']:7.2f}"
        )


def print_growth(turns: List[Tuple[str, float, Row, Row]], lengths: List[int]) -> None:
    """What grows with the conversation: bytes sent to the action server, and
    the per-turn stages that replay or serialise the whole tracker."""

    def part(row: Row, *prefixes: str) -> float:
        return sum(v for k, v in row.items() if k.startswith(prefixes))

    print("\nAs the conversation grows (turn N; ms are medians over turns N-2..N+2):")
    print(
        f"  {'turn':>5} {'events':>7} {'bytes sent':>11} {'of which domain':>16} {'tracker store':>14} "
        f"{'copy':>7} {'to dict':>8} {'JSON':>7} {'policies':>9} {'NLU':>7} {'turn':>7}"
    )
    for n in lengths:
        if n > len(turns):
            continue
        window = turns[max(0, n - 3) : min(len(turns), n + 2)]
        _, _, _, notes = turns[n - 1]

        def med(*prefixes: str, window: List[Tuple[str, float, Row, Row]] = window) -> float:
            return median([part(row, *prefixes) for _, _, row, _ in window])

        print(
            f"  {n:>5} {notes.get('events sent', 0):>7.0f} {notes.get('request bytes', 0):>11,.0f} "
            f"{notes.get('domain bytes', 0):>16,.0f} {med('tracker store'):>14.2f} "
            f"{med('processor: tracker.copy'):>7.2f} {med('action call: tracker and domain'):>8.2f} "
            f"{med('action call: JSON', 'action server: JSON'):>7.2f} {med('policies'):>9.2f} {med('NLU'):>7.2f} "
            f"{median([t for _, t, _, _ in window]):>7.2f}"
        )


def spacy_breakdown(agent: Any, repeat: int) -> None:
    """Inside the spaCy pipeline: the tokenizer and each pipe, per message."""
    nodes, _ = graph_nodes(agent)
    provider = next(n for n in nodes.values() if n._fn_name == "provide" and "SpacyNLP" in n._component_class.__name__)
    nlp = provider._component.provide().model
    times: Dict[str, List[float]] = defaultdict(list)
    for _ in range(repeat):
        for text in QUESTIONS:
            start = time.perf_counter()
            doc = nlp.tokenizer(text.lower())
            times["tokenizer"].append((time.perf_counter() - start) * 1000)
            for name, proc in nlp.pipeline:
                start = time.perf_counter()
                doc = proc(doc)
                times[name].append((time.perf_counter() - start) * 1000)
    print("\nInside spaCy (median ms per message): " + ", ".join(f"{k} {median(v):.3f}" for k, v in times.items()))


async def profile(args: argparse.Namespace) -> None:
    stages = Stages()
    action_server: subprocess.Popen | None = None
    action_url = None
    if args.action_server:
        from devtools.servers import free_port, wait_for

        port = free_port()
        action_server = subprocess.Popen(
            [str(BIN / "rasa"), "run", "actions", "--actions", "actions", "--port", str(port)],
            cwd=PROJECT,
            env={**os.environ, "SANIC_HOST": "127.0.0.1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        wait_for(f"http://127.0.0.1:{port}/health", action_server)
        action_url = f"http://127.0.0.1:{port}/webhook"
    try:
        started = time.perf_counter()
        agent = await load(action_url, stages, args.endpoints, args.model)
        print(f"model loaded in {time.perf_counter() - started:.1f} s; action server: {action_url or 'in process'}")
        await conversation(agent, None, len(QUESTIONS))  # warm up: tf.function tracing, first loads

        instrument(agent, stages)
        await conversation(agent, None, len(QUESTIONS))
        stages.take()
        measured = []
        for _ in range(args.repeat):
            measured += await conversation(agent, stages, len(QUESTIONS))
        print_stage_table(measured)
        print_per_question(measured)
        sizes = [notes["request bytes"] for *_, notes in measured if "request bytes" in notes]
        domain = [notes["domain bytes"] for *_, notes in measured if "domain bytes" in notes]
        if sizes:
            print(
                f"\nJSON sent to the action server per call ({len(QUESTIONS)}-turn conversations): "
                f"median {median(sizes):,.0f} bytes, max {max(sizes):,.0f}; the domain is {median(domain):,.0f} of them"
            )
        replies = [notes["reply bytes"] for *_, notes in measured]
        print(f"reply payload (the REST channel's JSON): median {median(replies):,.0f} bytes, max {max(replies):,.0f}")
        lengths = [int(n) for n in args.turns.split(",")]
        growth = await conversation(agent, stages, max(lengths) + 2)
        print_growth(growth, lengths)
        stages.unpatch_all()

        plain = []
        for _ in range(args.repeat):
            plain += await conversation(agent, None, len(QUESTIONS))
        wall = median([total for _, total, _, _ in plain])
        cpu = median([notes["cpu ms"] for *_, notes in plain])
        instrumented = median([total for _, total, _, _ in measured])
        print(
            f"\nturn without the instrumentation: median {wall:.2f} ms, CPU {cpu:.2f} ms (all threads; "
            f"instrumented {instrumented:.2f} ms: the wrapping costs {instrumented - wall:+.2f} ms)"
        )
        spacy_breakdown(agent, args.repeat)
        if args.cprofile:
            profiler = cProfile.Profile()
            profiler.enable()
            for _ in range(args.repeat):
                await conversation(agent, None, len(QUESTIONS))
            profiler.disable()
            for order in ("tottime", "cumulative"):
                print(f"\ncProfile of {args.repeat} conversations, by {order}:")
                pstats.Stats(profiler, stream=sys.stdout).sort_stats(order).print_stats(args.cprofile)
    finally:
        if action_server is not None:
            os.killpg(action_server.pid, signal.SIGTERM)
            action_server.wait(30)


# ----------------------------------------------------------------- parse throughput of parallel processes


async def parse_loop(seconds: float, model: Path) -> None:
    """Child of --parallel: load, say READY, wait for a line on stdin, parse
    for `seconds`, print RESULT with the count, the median latency and the
    CPU time per parse (process_time: all of the process's threads)."""
    agent = await load(None, Stages(), model=model)
    for text in QUESTIONS * 2:
        await agent.parse_message(text)
    print("READY", flush=True)
    sys.stdin.readline()
    latencies = []
    cpu = time.process_time()
    deadline = time.perf_counter() + seconds
    i = 0
    while time.perf_counter() < deadline:
        start = time.perf_counter()
        await agent.parse_message(QUESTIONS[i % len(QUESTIONS)])
        latencies.append((time.perf_counter() - start) * 1000)
        i += 1
    result = {
        "count": len(latencies),
        "median_ms": median(latencies),
        "cpu_ms": (time.process_time() - cpu) * 1000 / max(1, len(latencies)),
        "threads": len(os.listdir("/proc/self/task")),
    }
    print("RESULT " + json.dumps(result), flush=True)


def parallel(args: argparse.Namespace) -> None:
    command = [sys.executable, "-m", "devtools.profile_message", "--parse-loop", str(args.seconds)]
    command += ["--model", str(args.model)]
    if args.tf_threads:
        command += ["--tf-threads", args.tf_threads]
    children = [
        subprocess.Popen(
            command, cwd=PROJECT, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True
        )
        for _ in range(args.parallel)
    ]
    for child in children:  # every one loaded and warm before any starts
        assert child.stdout is not None
        while (line := child.stdout.readline()) and not line.startswith("READY"):
            pass
    for child in children:
        assert child.stdin is not None
        child.stdin.write("go\n")
        child.stdin.flush()
    results = []
    for child in children:
        assert child.stdout is not None
        for line in child.stdout:
            if line.startswith("RESULT "):
                results.append(json.loads(line[len("RESULT ") :]))
        child.wait()
    if len(results) < len(children):
        raise SystemExit("a parsing process failed (run it alone: --parse-loop 5)")
    total = sum(r["count"] for r in results) / args.seconds
    print(
        f"{args.parallel} processes parsing for {args.seconds:.0f} s (TF threads {args.tf_threads or 'default'}): "
        f"{total:.1f} parses/s in all; per process: median latency, CPU per parse (all threads), threads: "
        + "; ".join(f"{r['median_ms']:.2f} ms, {r['cpu_ms']:.2f} ms, {r['threads']}" for r in results)
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="conversations measured (of every question)")
    parser.add_argument("--turns", default="1,5,20,100", help="conversation lengths to report the growth at")
    parser.add_argument("--tf-threads", help="INTRA,INTER: TensorFlow's thread pools, e.g. 1,1")
    parser.add_argument("--action-server", action="store_true", help="call a real action server over HTTP")
    parser.add_argument("--cprofile", type=int, default=0, help="also print the top N functions of cProfile")
    parser.add_argument("--parallel", type=int, default=0, help="measure the parse throughput of N processes")
    parser.add_argument("--seconds", type=float, default=20.0, help="how long --parallel parses")
    parser.add_argument("--model", type=Path, default=MODEL, help="the trained model (default: models/)")
    parser.add_argument("--endpoints", type=Path, default=ENDPOINTS, help="endpoints file (tracker store, action)")
    parser.add_argument(
        "--stock-rasa", action="store_true", help="without the patches the Rasa server applies at start"
    )
    parser.add_argument("--parse-loop", type=float, help=argparse.SUPPRESS)
    args = parser.parse_args()

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # endpoints.yml sends the action server this shared token (scripts/run.sh makes one the same way)
    os.environ.setdefault("ACTION_SERVER_TOKEN", secrets.token_hex(32))
    if args.parallel:
        parallel(args)
        return
    quiet_rasa_logging()
    set_tf_threads(args.tf_threads)
    if not (args.stock_rasa or os.environ.get("PROFILE_RASA_SCHEMA_CHECK") == "every-call"):
        server_start_patches()
    if args.parse_loop:
        asyncio.run(parse_loop(args.parse_loop, args.model))
        return
    asyncio.run(profile(args))


if __name__ == "__main__":
    main()
