"""`python -m staff_console`: bring in the project's answer store and write the
Rasa server's texts from the live answers ($SERVER_TEXTS), then serve the
console with waitress (a production WSGI server) on
$STAFF_CONSOLE_HOST:$STAFF_CONSOLE_PORT (127.0.0.1:5002 by default).
`python -m staff_console prepare` only prepares (the content repository and
the Rasa server's texts), and `python -m staff_console serve` only serves
(make run prepares first, before the action server and the Rasa server start
reading what it prepared, then serves). Where the Rasa servers follow the
console's model (RETRAIN_FOLLOWED, the deployments), preparing also takes a
newly deployed image's model as the serving model.
It refuses to serve with a guessable $STAFF_SECRET_KEY, saying why."""

from __future__ import annotations

import logging
import sys

from waitress import serve

from policy_assistant.secret_check import WeakSecret, check_secret
from staff_console.app import create_app
from staff_console.config import Config
from staff_console.content_repo import ContentRepo, PublishError


def prepare(config: Config) -> bool:
    try:
        for line in ContentRepo(config.content, config.server_texts).ensure(config.project_store):
            print(f"Staff console: {line}")
    except PublishError as error:
        print(f"Staff console: the content repository cannot be prepared: {error}", file=sys.stderr)
        return False
    if config.retrain_followed:
        # the Rasa servers follow the serving model on this console's volume: a newly
        # deployed image's model replaces it (devtools/retrain.py, take_image_model)
        from devtools.paths import MODEL
        from devtools.retrain import RetrainSettings, take_image_model

        serving = RetrainSettings().retrain_model
        if take_image_model(MODEL, serving):
            print(f"Staff console: the image's model is the serving model now ({serving}).")
    return True


def main(argv: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = Config.from_env()
    if argv[:1] != ["prepare"]:
        try:
            check_secret("STAFF_SECRET_KEY", config.secret_key)
        except WeakSecret as error:
            print(f"Staff console: not started: {error}", file=sys.stderr)
            return 2
    if argv[:1] != ["serve"] and not prepare(config):
        return 1
    if argv[:1] == ["prepare"]:
        return 0
    # waitress logs no requests: no form content or address reaches the log
    serve(create_app(config), host=config.host, port=config.port, threads=4, ident="staff-console")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
