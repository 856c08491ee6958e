"""rasa_server/model_channel.py at start-up: once the server has started,
the memory that loading the model took and freed goes back to the system
(glibc keeps freed pages otherwise: docs/results.md, twentieth session)."""

import asyncio

from sanic import Sanic

from rasa_server import model_channel


def test_what_the_start_up_load_freed_goes_back_to_the_system_once_started(monkeypatch):
    given_back = []
    monkeypatch.setattr(model_channel, "_give_back_memory", lambda: given_back.append("freed"))
    monkeypatch.delenv("INTERNAL_TOKEN", raising=False)  # no console to follow
    app = Sanic("model_channel_start")
    app.blueprint(model_channel.ModelInput().blueprint(lambda message: None))

    async def started() -> None:
        # what Sanic signals once the server has started ("after_server_start")
        app.signal_router.finalize()
        await app.dispatch("server.init.after", inline=True, context={"app": app, "loop": asyncio.get_running_loop()})

    asyncio.run(started())
    assert given_back == ["freed"]
