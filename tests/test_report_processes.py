"""The report's figures drawn in several processes: the same result, in the same order, errors surfaced; and the
job's threads reach a stage that takes them without being a param."""

from __future__ import annotations

import logging
import os

import pytest

from ath_analysis.report.processes import map_indexed
from ath_analysis.stages.runner import run_stage


def _square_and_pid(base: int, index: int) -> tuple[int, int]:
    return base + index * index, os.getpid()


def _fails_on_three(index: int) -> int:
    if index == 3:
        raise ValueError("piece 3 is broken")
    return index


def test_results_come_back_in_order_from_other_processes():
    results = map_indexed(_square_and_pid, (10,), 9, processes=3)
    assert [value for value, _ in results] == [10 + k * k for k in range(9)]
    assert os.getpid() not in {pid for _, pid in results}  # drawn elsewhere


def test_one_process_or_one_piece_runs_here():
    assert {pid for _, pid in map_indexed(_square_and_pid, (0,), 4, processes=1)} == {os.getpid()}
    assert {pid for _, pid in map_indexed(_square_and_pid, (0,), 1, processes=4)} == {os.getpid()}
    assert map_indexed(_square_and_pid, (0,), 0, processes=4) == []


def test_a_workers_error_is_raised_here():
    with pytest.raises(ValueError, match="piece 3 is broken"):
        map_indexed(_fails_on_three, (), 6, processes=2)


def test_threads_reach_only_a_stage_that_takes_them(tmp_path):
    seen: dict[str, object] = {}

    def with_threads(input, output, params, log: logging.Logger, threads: int = 1) -> None:
        seen["threads"] = threads

    def without(input, output, params, log: logging.Logger) -> None:
        seen["plain"] = True

    assert run_stage(with_threads, "a", {}, {}, {}, str(tmp_path / "a.log"), threads=3) == 0
    assert run_stage(without, "b", {}, {}, {}, str(tmp_path / "b.log"), threads=3) == 0
    assert seen == {"threads": 3, "plain": True}


def _pid_after(seconds: float) -> int:
    import time

    time.sleep(seconds)
    return os.getpid()


def _broken() -> int:
    raise RuntimeError("the cards could not be written")


def test_work_in_the_background_runs_elsewhere_beside_other_workers():
    from ath_analysis.report.processes import in_background

    with in_background(_pid_after, 0.2) as result:
        others = map_indexed(_square_and_pid, (0,), 4, processes=2)  # forked while the background one runs
        background = result()
    assert background != os.getpid() and background not in {pid for _, pid in others}
    with in_background(_pid_after, 0.0, enabled=False) as result:
        assert result() == os.getpid()
    with pytest.raises(RuntimeError, match="could not be written"), in_background(_broken) as result:
        result()
