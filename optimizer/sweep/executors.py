"""Where sweep tasks run: this process, local worker processes, or a Dask distributed cluster.

Each function takes a picklable top-level function and a list of argument tuples, and yields
``(task index, result)`` as tasks finish (in any order); a task that raised yields the exception
as its result, so one failure never stops the others.
"""

from __future__ import annotations

import multiprocessing
import os
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from typing import Any

Task = tuple[Any, ...]


def in_process(fn: Callable[..., Any], tasks: Sequence[Task]) -> Iterator[tuple[int, Any]]:
    """Run the tasks one after another here (``workers=1``)."""
    for i, args in enumerate(tasks):
        try:
            yield i, fn(*args)
        except KeyboardInterrupt:
            raise
        except Exception as e:
            yield i, e


def local_processes(fn: Callable[..., Any], tasks: Sequence[Task], workers: int) -> Iterator[tuple[int, Any]]:
    """Run the tasks on ``workers`` local processes (forkserver where available, else spawn).

    The forkserver imports :mod:`optimizer.sweep_worker` once, so each worker starts with Pyomo loaded.
    """
    methods = multiprocessing.get_all_start_methods()
    context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
    if "forkserver" in methods:
        context.set_forkserver_preload(["optimizer.sweep.worker"])
    with ProcessPoolExecutor(max_workers=workers, mp_context=context) as pool:
        futures = {pool.submit(fn, *args): i for i, args in enumerate(tasks)}
        try:
            for future in as_completed(futures):
                error = future.exception()
                yield futures[future], error if error is not None else future.result()
        except BaseException:
            for future in futures:
                future.cancel()
            raise


def dask_cluster(fn: Callable[..., Any], tasks: Sequence[Task], scheduler: str) -> Iterator[tuple[int, Any]]:
    """Run the tasks on the Dask distributed cluster whose scheduler listens at ``scheduler``
    (e.g. ``tcp://10.0.0.5:8786``). The workers need procure installed (``pip install procure``)."""
    from distributed import Client
    from distributed import as_completed as dask_completed

    tag = uuid.uuid4().hex[:8]
    with Client(scheduler, set_as_default=False) as client:
        futures = {client.submit(fn, *args, pure=False, key=f"procure-sweep-{tag}-{i}"): i
                   for i, args in enumerate(tasks)}
        try:
            for future in dask_completed(list(futures), loop=client.loop):
                error = future.exception() if future.status == "error" else None
                yield futures[future], error if error is not None else future.result()
        except BaseException:
            client.cancel(list(futures))
            raise


def default_workers() -> int:
    """Local worker processes when none are asked for: one per core."""
    return max(1, os.cpu_count() or 1)
