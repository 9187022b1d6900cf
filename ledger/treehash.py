"""Rehashing an export's lines into Merkle roots, in this process or beside it.

Verifying an export is two jobs of about equal weight: SHA-256 over every line (the tree)
and parsing plus replaying every line (the rules). Neither can be split further, but they
are independent, so on a machine with two cores the verifier hands the *same bytes* it reads
to a helper process that builds the tree while it replays the rules: a million entries then
verify in little more than the time the hashing alone takes. The helper is given the bytes,
not the file name, so what is hashed is exactly what is replayed, even if the file changes.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import suppress
from hashlib import sha256
from itertools import chain, islice
from typing import IO

from .merkle import EMPTY_ROOT

try:
    from fcntl import F_SETPIPE_SZ, fcntl
except ImportError:  # not Linux: pipes keep their default size
    F_SETPIPE_SZ = None

CHUNK = 1 << 18
#: below this many bytes, starting a helper process costs more than it saves
PARALLEL_THRESHOLD = 8 << 20
#: bytes read ahead of the helper: enough to cover its start-up, bounded so memory stays flat
BACKLOG = 4 << 20
#: a pipe this large holds several chunks, so the helper does not wait for the next write
PIPE_SIZE = 1 << 20
_HELPER = (
    "import sys; sys.path.insert(0, {package_parent!r}); "
    "from ledger.treehash import helper_main; helper_main(sys.argv[1:])"
)


def read_chunks(stream: IO[bytes], size: int = CHUNK) -> Iterator[bytes]:
    while chunk := stream.read(size):
        yield chunk


def split_lines(chunks: Iterable[bytes]) -> Iterator[bytes]:
    """Lines without their newline; a last line without a newline counts, a final empty one not."""
    return chain.from_iterable(_line_lists(chunks))  # iterated in C, line by line


def _line_lists(chunks: Iterable[bytes]) -> Iterator[list[bytes]]:
    rest = b""
    for chunk in chunks:
        lines = (rest + chunk).split(b"\n")
        rest = lines.pop()
        yield lines
    if rest:
        yield [rest]


def hash_lines(lines: Iterator[bytes], count: int | None, stack: list[bytes], start: int) -> int:
    """Append up to ``count`` (None: all) leaves to the right edge ``stack`` of a tree of ``start`` leaves.

    The same algorithm as :meth:`ledger.merkle.Frontier.append`, inlined because this runs
    once per entry. Returns the new size.
    """
    sha, push, pop = sha256, stack.append, stack.pop
    seq = start
    for raw in islice(lines, count):
        h = sha(b"\x00" + raw).digest()
        n = seq
        while n & 1:
            h = sha(b"\x01" + pop() + h).digest()
            n >>= 1
        push(h)
        seq += 1
    return seq


def edge_root(stack: list[bytes]) -> bytes:
    """The root of a tree from its right edge (see :meth:`ledger.merkle.Frontier.root`)."""
    if not stack:
        return EMPTY_ROOT
    h = stack[-1]
    for left in reversed(stack[:-1]):
        h = sha256(b"\x01" + left + h).digest()
    return h


def roots_at(lines: Iterator[bytes], sizes: Iterable[int]) -> tuple[int, dict[int, bytes]]:
    """Hash every line; return how many there were and the root at each of ``sizes`` reached
    and at the end."""
    stack: list[bytes] = []
    seq, roots = 0, {}
    for size in sorted(set(sizes)):
        seq = hash_lines(lines, size - seq, stack, seq)
        if seq < size:
            break
        roots[size] = edge_root(stack)
    seq = hash_lines(lines, None, stack, seq)
    roots[seq] = edge_root(stack)
    return seq, roots


def helper_main(argv: list[str]) -> None:
    """The helper process: hash the entry lines of the export on stdin (header first).

    Prints the number of entry lines, then ``size root`` for each size in ``argv`` reached.
    """
    lines = split_lines(read_chunks(sys.stdin.buffer))
    next(lines, None)
    count, roots = roots_at(lines, [int(size) for size in argv])
    sys.stdout.write(f"{count}\n" + "".join(f"{size} {root.hex()}\n" for size, root in roots.items()))


def can_parallelise(stream: IO[bytes]) -> bool:
    """Worth a helper: a big regular file and a second core to run it on."""
    try:
        big = os.fstat(stream.fileno()).st_size >= PARALLEL_THRESHOLD
    except (OSError, ValueError, AttributeError):
        return False
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    # POSIX: the helper is fed through a non-blocking pipe
    return big and cores > 1 and os.name == "posix"


class BackgroundHasher:
    """A helper process that builds the tree from the chunks it is fed (header line first); POSIX.

    A plain subprocess rather than :mod:`multiprocessing`: spawning re-imports the caller's
    main script, which breaks callers without a ``__main__`` guard, and forking is unsafe in
    threaded hosts such as a web worker.
    """

    def __init__(self, sizes: Iterable[int]):
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        code = _HELPER.format(package_parent=package_parent)
        # -I -S: the helper needs only the standard library and this package, and starts faster
        # without site-packages.
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", code, *map(str, sizes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        self._pipe = self._process.stdin.fileno()
        if F_SETPIPE_SZ is not None:
            with suppress(OSError):  # not allowed this large: the helper waits for writes more often
                fcntl(self._pipe, F_SETPIPE_SZ, PIPE_SIZE)
        # Writes never block while the helper starts or catches up: what the pipe does not take
        # waits here, up to BACKLOG bytes. (A writer thread would wait for the GIL between writes.)
        os.set_blocking(self._pipe, False)
        self._writable = select.poll()
        self._writable.register(self._pipe, select.POLLOUT)
        self._backlog: deque[memoryview] = deque()  # the chunks themselves, not copies
        self._backlog_size = 0
        self._helper_gone = False

    def tee(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Pass the chunks through, sending each to the helper first."""
        for chunk in chunks:
            self._send(chunk)
            yield chunk

    def _send(self, chunk: bytes, *, wait: bool = False) -> None:
        if self._helper_gone:
            return
        backlog = self._backlog
        if chunk:
            backlog.append(memoryview(chunk))
            self._backlog_size += len(chunk)
        try:
            while backlog:
                try:
                    sent = os.write(self._pipe, backlog[0])
                except BlockingIOError:
                    if not wait and self._backlog_size <= BACKLOG:
                        return
                    self._writable.poll()  # the helper is far behind: let it catch up
                    continue
                self._backlog_size -= sent
                if sent == len(backlog[0]):
                    backlog.popleft()
                else:
                    backlog[0] = backlog[0][sent:]
        except OSError:  # the helper is gone: finish() reports how it ended
            self._helper_gone = True

    def finish(self) -> tuple[int, dict[int, bytes]]:
        """The number of entry lines the helper hashed and the roots at the sizes asked for."""
        try:
            self._send(b"", wait=True)
            self._process.stdin.close()
            output = self._process.stdout.read()
            if self._process.wait():
                raise ValueError(f"exit status {self._process.returncode}")
            count, *pairs = output.decode().splitlines()
            roots = {int(size): bytes.fromhex(root) for size, root in (pair.split() for pair in pairs)}
            return int(count), roots
        except (OSError, ValueError) as error:
            raise RuntimeError(f"the hashing helper process failed: {error}") from error
        finally:
            self.close()

    def close(self) -> None:
        """Stop the helper if it is still running (the export failed before the end)."""
        if self._process.poll() is None:
            self._process.kill()
        self._process.wait()
        self._process.stdin.close()  # written with os.write: nothing buffered to flush
        self._process.stdout.close()
