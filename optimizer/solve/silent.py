"""A HiGHS instance that prints nothing: HiGHS's start-up banner is caught where it is written.

highspy 1.16 prints ``Running HiGHS 1.16.0 (git hash: …): Copyright …`` and a second line on
the process's standard output when the first ``Highs()`` of a process is created, before any
option (``output_flag``) can be set. It is written by C++ to file descriptor 1, so Python's
``sys.stdout`` never sees it. :func:`new_highs` creates every HiGHS instance procure uses with
descriptors 1 and 2 pointed at a temporary file, then writes back whatever else landed there
(another thread's output), so only the banner is dropped, whatever highspy version prints it.
"""

from __future__ import annotations

import ctypes
import os
import re
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager, suppress
from typing import IO

import highspy

BANNER = re.compile(rb"^(Running HiGHS .*|Includes third-party software components.*|Copyright \(c\).*)\r?\n?$")
"""The lines HiGHS prints unasked when an instance is created (1.16: the first two)."""

_lock = threading.Lock()


def new_highs() -> highspy.Highs:
    """A new ``highspy.Highs`` with its output off and nothing printed on stdout or stderr."""
    with _lock, _captured((1, 2)) as captured:
        h = highspy.Highs()
    for fd, text in captured.items():
        _write(fd, b"".join(line for line in text.splitlines(keepends=True) if not BANNER.match(line)))
    h.setOptionValue("output_flag", False)
    return h


def _flush_c_streams() -> None:
    """Flush C's stdio buffers, so that text HiGHS printed lands in the file it was meant for."""
    with suppress(OSError, AttributeError, TypeError):  # no C library to load (e.g. Windows): nothing to flush
        ctypes.CDLL(None).fflush(None)


@contextmanager
def _captured(fds: tuple[int, ...]) -> Iterator[dict[int, bytes]]:
    """Point the file descriptors ``fds`` at temporary files; on exit restore them and fill the dict
    with what was written to each. A descriptor that is closed or cannot be redirected is left alone."""
    for stream in (sys.stdout, sys.stderr):
        if stream is not None:
            with suppress(OSError, ValueError, AttributeError):
                stream.flush()
    captured: dict[int, bytes] = {}
    with ExitStack() as files:
        saved: dict[int, tuple[int, IO[bytes]]] = {}
        try:
            for fd in fds:
                try:
                    copy = os.dup(fd)
                except OSError:
                    continue
                sink = files.enter_context(tempfile.TemporaryFile())
                os.dup2(sink.fileno(), fd)
                saved[fd] = (copy, sink)
            yield captured
        finally:
            _flush_c_streams()
            for fd, (copy, sink) in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
                sink.seek(0)
                captured[fd] = sink.read()


def _write(fd: int, data: bytes) -> None:
    while data:
        data = data[os.write(fd, data):]
