"""config.yml's NLU pipeline as the tests read it."""

from typing import Any, Dict, List, Tuple

import yaml

from devtools.paths import PROJECT


def pipeline() -> Tuple[List[str], List[Dict[str, Any]]]:
    """The steps' short class names ("nlu_pipeline.gates.UrgencyGate" -> "UrgencyGate"), and the steps."""
    steps = yaml.safe_load((PROJECT / "config.yml").read_text(encoding="utf-8"))["pipeline"]
    return [step["name"].rsplit(".", 1)[-1] for step in steps], steps


def settings() -> Dict[str, Dict[str, Any]]:
    """Each step's settings by its short class name (the last step of a name wins)."""
    return dict(zip(*pipeline(), strict=True))
