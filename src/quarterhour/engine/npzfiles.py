"""Files written beside a stored network, safely for several processes at once."""

from __future__ import annotations

import contextlib
import os
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import BinaryIO

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


def write_atomically(
    path: Path, write: Callable[[BinaryIO], object], *, durable: bool = False
) -> None:
    """Write ``path`` with ``write(file)`` atomically: into a temporary file in the same folder,
    then renamed over ``path`` (``durable``: flushed to disk first). A reader never sees a
    half-written file, and a process that has the old file mapped keeps reading the old one.
    ``OSError`` when the folder is not writable; nothing is left behind on any error."""
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_npz(path: Path, **arrays: npt.ArrayLike) -> None:
    """``np.savez(path, **arrays)`` (uncompressed), atomically (:func:`write_atomically`):
    overwriting a file in place would change, or truncate, the pages under the feet of a process
    that has it mapped."""
    path = Path(path)
    if path.suffix != ".npz":
        path = path.with_name(path.name + ".npz")  # as np.savez names it
    write_atomically(path, lambda fh: np.savez(fh, **arrays))  # type: ignore[arg-type]
