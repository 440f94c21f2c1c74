"""The embedded broker (no REDIS_URL): kombu's filesystem transport, made safe for processes that die.

kombu's own version writes a message file in place and reads whatever it finds: a producer killed mid-write
(or read mid-write by a consumer) leaves a truncated file, and the next worker that reads it stops with a
JSON error. Here a message is written under a hidden temporary name and renamed into the queue (atomic on
one filesystem), taken by renaming it into the `processed` folder (so one consumer wins), and a message
that cannot be read is dropped with a warning: every task is a periodic, idempotent sweep over the
database, so a lost message costs one interval, never a notice or a closure.
"""

from __future__ import annotations

import contextlib
import logging
import os
import uuid
from queue import Empty
from time import monotonic
from typing import Any

from kombu.exceptions import ChannelError
from kombu.transport import filesystem
from kombu.utils.encoding import bytes_to_str, str_to_bytes
from kombu.utils.json import dumps, loads

from webapp.files import write_private

log = logging.getLogger(__name__)


class Channel(filesystem.Channel):
    def _put(self, queue: str, payload: Any, **kwargs: Any) -> None:  # type: ignore[override]
        name = f"{round(monotonic() * 1000)}_{uuid.uuid4()}.{queue}.msg"
        final = os.path.join(self.data_folder_out, name)
        partial = os.path.join(self.data_folder_out, f".{name}.tmp")  # never matches a queue's names
        try:
            write_private(partial, str_to_bytes(dumps(payload)))
            os.replace(partial, final)
        except OSError as exc:
            raise ChannelError(f"Cannot add file {name!r} to the queue folder") from exc

    def _get(self, queue: str, timeout: float | None = None) -> Any:
        suffix = f"{queue}.msg"
        for name in sorted(os.listdir(self.data_folder_in)):
            if name.startswith(".") or name.partition(".")[2] != suffix:
                continue
            taken = os.path.join(self.processed_folder, name)
            try:
                os.replace(os.path.join(self.data_folder_in, name), taken)
            except OSError:  # another consumer took it first
                continue
            try:
                with open(taken, "rb") as f:
                    payload = f.read()
            except OSError as exc:
                raise ChannelError(f"Cannot read {name!r} from the queue") from exc
            finally:
                with contextlib.suppress(OSError):
                    os.remove(taken)
            try:
                return loads(bytes_to_str(payload))
            except ValueError:
                log.warning("embedded broker: dropped an unreadable message %s", name)
        raise Empty()


class Transport(filesystem.Transport):
    Channel = Channel
