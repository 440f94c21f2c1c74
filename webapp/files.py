"""Files under the data directory are its owner's only: folders 0700, files 0600, whatever the umask.

The data directory holds the SQLite database, the attachments, the inbound mail, the mail drop, the
file broker's queue and the beat schedule — personal data, all of it. Every process of the product
(web server, workers, beat, the command line) sets the umask 077 when it builds the application
(`private_umask`; the test suite turns it off with PRIVATE_UMASK=False), so whatever a library creates
there (SQLite's -wal and -shm files, Celery's schedule file) is the owner's only too; the product's own
writes go through the functions below, which also give explicit modes.
"""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path

DIR_MODE = 0o700
FILE_MODE = 0o600


def private_umask() -> None:
    """New files and folders of this process: owner only."""
    os.umask(0o077)


def private_dir(path: str | Path) -> Path:
    """Create the folder (and its missing parents) with mode 0700."""
    path = Path(path)
    missing = []
    probe = path
    while not probe.exists():
        missing.append(probe)
        if probe.parent == probe:
            break
        probe = probe.parent
    for folder in reversed(missing):
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=DIR_MODE)
        os.chmod(folder, DIR_MODE)  # mkdir's mode is reduced by the umask; this is not
    return path


def write_private(path: str | Path, data: bytes, *, atomic: bool = False) -> Path:
    """Write `data` to a new file of mode 0600 (its folder made with `private_dir`). With `atomic` the
    bytes go to a hidden temporary file first and replace `path` in one step."""
    path = Path(path)
    private_dir(path.parent)
    target = path.with_name(f".{path.name}.{os.getpid()}.tmp") if atomic else path
    fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, FILE_MODE)
    try:
        os.fchmod(fd, FILE_MODE)  # a file that was already there keeps its mode otherwise
        with os.fdopen(fd, "wb") as f:
            fd = -1
            f.write(data)
    finally:
        if fd >= 0:
            os.close(fd)
    if atomic:
        os.replace(target, path)
    return path


def make_private(root: str | Path) -> None:
    """Tighten a data directory made before these modes (or under a wider umask): the folder itself and
    the folders directly in it 0700, the files directly in it (database, secret key, schedule) 0600."""
    root = private_dir(root)
    with contextlib.suppress(PermissionError):  # a mounted volume owned by another user: leave it
        os.chmod(root, DIR_MODE)
    for entry in root.iterdir():
        with contextlib.suppress(OSError):
            mode = entry.lstat().st_mode
            if stat.S_ISDIR(mode):
                os.chmod(entry, DIR_MODE)
            elif stat.S_ISREG(mode):
                os.chmod(entry, FILE_MODE)


def private_sqlite_file(database: str | Path) -> None:
    """Create the SQLite database file empty with mode 0600 before SQLite does (it would use 0644 less
    the umask), and tighten an existing one. A database in a folder that does not exist is left to fail
    as SQLite would (a mistyped path is not a new, empty database)."""
    path = Path(database)
    if not path.parent.is_dir():
        return
    fd = os.open(path, os.O_WRONLY | os.O_CREAT, FILE_MODE)
    os.close(fd)
    os.chmod(path, FILE_MODE)
