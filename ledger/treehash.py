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
import subprocess
import sys
from collections.abc import Iterable, Iterator
from hashlib import sha256
from itertools import chain, islice
from typing import IO

from .merkle import EMPTY_ROOT

CHUNK = 1 << 18
#: below this many bytes, starting a helper process costs more than it saves
PARALLEL_THRESHOLD = 8 << 20
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
    return big and cores > 1


class BackgroundHasher:
    """A helper process that builds the tree from the chunks it is fed (header line first).

    A plain subprocess rather than :mod:`multiprocessing`: spawning re-imports the caller's
    main script, which breaks callers without a ``__main__`` guard, and forking is unsafe in
    threaded hosts such as a web worker.
    """

    def __init__(self, sizes: Iterable[int]):
        package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
        code = _HELPER.format(package_parent=package_parent)
        self._process = subprocess.Popen(
            [sys.executable, "-c", code, *map(str, sizes)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )

    def tee(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        """Pass the chunks through, sending each to the helper first."""
        write = self._process.stdin.write  # buffered: writes each chunk whole
        for chunk in chunks:
            write(chunk)
            yield chunk

    def finish(self) -> tuple[int, dict[int, bytes]]:
        """The number of entry lines the helper hashed and the roots at the sizes asked for."""
        try:
            output, _ = self._process.communicate()
            count, *pairs = output.decode().splitlines()
            roots = {int(size): bytes.fromhex(root) for size, root in (pair.split() for pair in pairs)}
            if self._process.returncode:
                raise ValueError(f"exit status {self._process.returncode}")
            return int(count), roots
        except (OSError, ValueError) as error:
            raise RuntimeError(f"the hashing helper process failed: {error}") from error
        finally:
            self.close()

    def close(self) -> None:
        """Stop the helper if it is still running (the export failed before the end)."""
        if self._process.returncode is None:
            self._process.kill()
            self._process.communicate()
