"""Running one function over many files in worker processes, for ``convert`` and ``lint`` alike.

Results come back in input order.  Ctrl-C reaches the whole process group; the
parent decides what stops: it cancels the queued files, and a worker finishes
the file in hand (its write is atomic) and skips the rest of its chunk instead
of dying half-way or carrying on after the parent has given up.
"""
from __future__ import annotations

import os
from typing import Callable, Iterable, Iterator, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Fewer files than this run in the calling process: starting workers costs more than it saves.
PARALLEL_THRESHOLD = 8

_STATE: dict[str, object] = {}


def _init(initializer: Callable[..., None], initargs: tuple, stop) -> None:
    import signal

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _STATE["stop"] = stop
    initializer(*initargs)


def interrupted() -> bool:
    """In a worker: has the parent given up (Ctrl-C, or its consumer stopped)?"""
    stop = _STATE.get("stop")
    return stop is not None and stop.is_set()  # type: ignore[attr-defined]


def jobs_for(jobs: int | None, count: int) -> int:
    """How many workers ``count`` files get (1: run in this process)."""
    jobs = jobs or os.cpu_count() or 1
    return 1 if count < PARALLEL_THRESHOLD else min(jobs, count)


def map_in_workers(work: Callable[[T], R], items: list[T], jobs: int,
                   initializer: Callable[..., None], initargs: tuple = ()) -> Iterator[R]:
    """``work`` over ``items`` in ``jobs`` worker processes (each set up once by ``initializer``)."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor  # ~20 ms: only when workers start

    stop = multiprocessing.get_context().Event()
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init, initargs=(initializer, initargs, stop))
    try:
        yield from pool.map(work, items, chunksize=max(1, len(items) // (jobs * 8)))
    except BaseException:
        stop.set()
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    pool.shutdown(wait=True)


def run_all(work: Callable[[T], R], items: Iterable[T], jobs: int | None,
            initializer: Callable[..., None], initargs: tuple = ()) -> Iterator[R]:
    """``work`` over ``items``, in workers when there are enough of them, else here (set up the same way)."""
    items = list(items)
    count = jobs_for(jobs, len(items))
    if count <= 1:
        initializer(*initargs)
        yield from map(work, items)
        return
    yield from map_in_workers(work, items, count, initializer, initargs)
