"""The Makefile's recipes (make run, make train, make test...) run with Rasa's
telemetry off, whatever the machine's Rasa configuration says: no usage or
error report leaves the machine."""

import os
import subprocess

from devtools.paths import PROJECT


def recipe_environment(name: str) -> str:
    """The value a recipe's shell sees for the variable, with none given from outside."""
    env = {key: value for key, value in os.environ.items() if key != name and not key.startswith("MAKE")}
    show = f'show-env: ; @echo "[$${{{name}:-}}]"'
    done = subprocess.run(
        ["make", "-s", "--no-print-directory", f"--eval={show}", "show-env"],
        cwd=PROJECT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def test_every_recipe_runs_with_rasa_telemetry_off():
    assert recipe_environment("RASA_TELEMETRY_ENABLED") == "[false]"
