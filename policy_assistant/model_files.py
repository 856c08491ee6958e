"""What names a model file wherever it is copied: the sha-256 of its bytes.
The console serves its serving model under it (staff_console/views/internal.py)
and the Rasa servers that follow the console compare it with their own
(rasa_server/model_follower.py): a copy, a download and the original have
the same fingerprint, where names and modification times differ."""

from __future__ import annotations

import functools
import hashlib
import os
from pathlib import Path

CHUNK = 1 << 20  # read 1 MiB at a time: a model is about 530 MB


def fingerprint(path: Path) -> str:
    """The sha-256 of the file at `path`, in hex. Hashing a model takes about a
    second, so it is kept per file version: a file replaced, even under the
    same name (os.replace), has another inode, size or modification time."""
    info = os.stat(path)
    return _hashed(str(path), info.st_ino, info.st_size, info.st_mtime_ns)


@functools.lru_cache(maxsize=16)
def _hashed(path: str, inode: int, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as model:
        while chunk := model.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
