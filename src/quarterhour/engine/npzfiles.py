"""Files written beside a stored network, safely for several processes at once."""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from pathlib import Path

import numpy as np
import numpy.typing as npt

#: what reading a missing, truncated, half-written or foreign ``.npz`` file can raise
NPZ_READ_ERRORS: tuple[type[Exception], ...] = (
    OSError,
    ValueError,
    KeyError,
    EOFError,
    zipfile.BadZipFile,
)


def save_npz(path: Path, **arrays: npt.ArrayLike) -> None:
    """``np.savez(path, **arrays)`` (uncompressed), atomically: written to a temporary file in
    the same folder, then renamed over ``path``. A reader never sees a half-written file, and a
    process that has the old file mapped keeps reading the old one (overwriting it in place
    would change, or truncate, the pages under its feet). ``OSError`` when the folder is not
    writable (nothing is left behind)."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")  # as np.savez names it
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez(fh, **arrays)  # type: ignore[arg-type]
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
