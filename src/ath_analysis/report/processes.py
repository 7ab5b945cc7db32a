"""Independent pieces of a report made in several processes, as the job's threads allow.

Matplotlib holds the GIL while it lays out and renders, so threads do not help; processes do. The workers are
forked after the report's data are in memory, so nothing but an index goes to a worker and only the result
comes back (pickled). They only draw and write figures; the result's order is the indices' order whatever
the number of processes, so the report is the same with one process or many.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

T = TypeVar("T")

_TASK: tuple[Callable[..., Any], Sequence[Any]] | None = None  # set in the parent just before the fork


def _call(index: int) -> Any:
    assert _TASK is not None, "map_indexed's worker started without its task"
    function, shared = _TASK
    return function(*shared, index)


def map_indexed(function: Callable[..., T], shared: Sequence[Any], count: int, processes: int = 1) -> list[T]:
    """[function(*shared, k) for k in range(count)], in up to `processes` forked processes.

    One process (or one piece, or a platform without fork) runs in this process. An exception in a worker is
    raised here, as it would be without workers.
    """
    processes = max(1, min(int(processes), count))
    if processes == 1 or "fork" not in multiprocessing.get_all_start_methods():
        return [function(*shared, k) for k in range(count)]
    global _TASK
    _TASK = (function, shared)
    try:
        with ProcessPoolExecutor(processes, mp_context=multiprocessing.get_context("fork")) as pool:
            return list(pool.map(_call, range(count)))
    finally:
        _TASK = None


@contextmanager
def in_background(function: Callable[..., T], *args: Any, enabled: bool = True) -> Iterator[Callable[[], T]]:
    """function(*args) in a forked process while the caller goes on; the getter it yields waits for the result
    (and raises the worker's exception). Not enabled, or no fork: the getter calls function(*args) itself."""
    if not enabled or "fork" not in multiprocessing.get_all_start_methods():
        yield lambda: function(*args)
        return
    global _TASK
    _TASK = (function, args)
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) as pool:
        future = pool.submit(_call_all)
        _TASK = None  # the worker has its copy: the parent may fork others
        yield future.result


def _call_all() -> Any:
    assert _TASK is not None, "in_background's worker started without its task"
    function, args = _TASK
    return function(*args)
