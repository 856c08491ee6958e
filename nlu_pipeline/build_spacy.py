"""Build the project's spaCy pipeline from nlu_pipeline/config.cfg and
entity_patterns.yml into build/spacy_pipeline (or the folder given)."""

import hashlib
import json
import shutil
import sys
from pathlib import Path

import spacy
import yaml

import nlu_pipeline.spacy_components  # noqa: F401 - registers the lemmatizer factory

HERE = Path(__file__).resolve().parent
DEFAULT_OUT = HERE.parent / "build" / "spacy_pipeline"
NAME = "lmpd_ice_pipeline"


def built_name(folder: Path) -> str | None:
    """The name in a built pipeline's meta.json; None when there is none."""
    try:
        return json.loads((folder / "meta.json").read_text(encoding="utf-8")).get("name")
    except (OSError, ValueError, AttributeError):
        return None


def build(out: Path = DEFAULT_OUT) -> Path:
    config = spacy.util.load_config(HERE / "config.cfg")
    nlp = spacy.util.load_model_from_config(config, auto_fill=True)
    patterns = yaml.safe_load((HERE / "entity_patterns.yml").read_text(encoding="utf-8"))
    ruler = nlp.get_pipe("entity_ruler")
    nlp.initialize()
    ruler.add_patterns([{"label": label, "pattern": p} for label, items in patterns.items() for p in items])
    nlp.meta.update(
        {
            "name": NAME,
            "version": "1.0.0",
            "description": "Tokenizer, bilingual lookup lemmatizer and entity ruler "
            "for the Louisville police-ICE policy assistant",
        }
    )
    # afresh: a file an older build wrote would stay in the content hash; a
    # folder that holds anything but this pipeline, built before, is not emptied
    if out.is_dir() and any(out.iterdir()):
        if built_name(out) != NAME:
            raise SystemExit(f"{out} holds files and no {NAME} pipeline: give an empty or new folder")
        shutil.rmtree(out)
    out.mkdir(parents=True, exist_ok=True)
    nlp.to_disk(out)
    return out


def content_hash(path: Path) -> str:
    """Hash of every file of a built pipeline: what Rasa fingerprints it by."""
    digest = hashlib.sha256()
    for file in sorted(p for p in Path(path).rglob("*") if p.is_file()):
        digest.update(str(file.relative_to(path)).encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()[:16]


if __name__ == "__main__":
    target = build(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_OUT)
    print(f"built spaCy pipeline in {target} ({content_hash(target)})")
