"""The validation stage of `make test` fails on broken data: scripts/validate.sh
is run on a copy of the project with a deliberately broken domain, and on a
copy with a rule that uses an intent the domain does not have. Each failure
must name what was broken, so that it comes from the breakage and not from
the copy. (On the real data the stage itself runs the same script and must
pass: a copy that is not broken is not checked here again.)"""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from devtools.paths import PROJECT

pytestmark = pytest.mark.validate
SCRIPT = PROJECT / "scripts" / "validate.sh"


def project_copy(tmp_path: Path) -> Path:
    target = tmp_path / "project"
    target.mkdir()
    for name in ("domain.yml", "config.yml"):
        shutil.copy(PROJECT / name, target / name)
    shutil.copytree(PROJECT / "data", target / "data")
    return target


def validate(project: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    # as make sets it up: Rasa's telemetry off (the tests run two of these at once)
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "RASA_TELEMETRY_ENABLED": "false",
        "VALIDATE_LOG": str(tmp_path / "validate.log"),
    }
    return subprocess.run(["bash", str(SCRIPT), str(project)], capture_output=True, text=True, env=env, timeout=600)


def test_a_rule_with_an_unknown_intent_fails_the_stage(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    rules = project / "data" / "rules.yml"
    rules.write_text(rules.read_text().replace("- intent: greet", "- intent: greeet", 1))
    result = validate(project, tmp_path)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "rasa data validate failed" in result.stderr
    assert "greeet" in result.stdout  # rasa's own words about the broken rule are shown
    # and every warning comes from it: the broken rule, its misspelt intent and
    # the intent it no longer uses, besides the two that pass on the real data
    # (answer_helped and answer_not_helped come from buttons only)
    warnings = re.findall(r"UserWarning: (.*)", result.stdout)
    explained = ("data/rules.yml", "'greeet'", "'greet'", "'answer_helped'", "'answer_not_helped'")
    assert warnings and [w for w in warnings if not any(e in w for e in explained)] == [], warnings


def test_a_domain_that_is_not_yaml_fails_the_stage(tmp_path: Path) -> None:
    project = project_copy(tmp_path)
    (project / "domain.yml").write_text("intents: [greet\n  - : :\n")
    result = validate(project, tmp_path)
    assert result.returncode != 0, result.stdout + result.stderr
    assert "rasa data validate failed" in result.stderr
    assert f'in "{project / "domain.yml"}", line 2' in result.stdout  # the YAML error, where it is
