"""Whether this worker host can take one more round and still answer in time: admission by measured load.

Counting rounds against a fixed capacity (two per core) says nothing about a
host whose cores are busy with something else, or about rounds that cost more
than planned, and on two cores a round that arrives when the CPU is already
taken slows every round on the host: voice detection falls behind real time
and replies come late for everyone. So the worker samples, once a second, how
many of the host's cores are busy (whatever keeps them busy) and what one of
its running rounds uses, and admits a further round only while the busy cores
plus one round's measured cost stay under ``ceiling`` of the cores.

A refused round is not simply turned down: LiveKit does not offer a job one
worker rejected to another, so the page would wait for an interviewer who
never comes. The worker accepts it with the ``interviewer.refused`` attribute
set; its job process joins only to let the page show that line, and leaves
(see ``agent.voice.room_round``). The first round is always admitted: a worker
that refused every round would serve no one.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import psutil

from agent.logs import get_logger
from agent.settings import DEFAULT_ADMIT_CPU
from agent.voice.room_protocol import REFUSED_ATTRIBUTE, REFUSED_LINE

__all__ = ["REFUSED_ATTRIBUTE", "REFUSED_LINE", "HostLoad", "LoadReading"]

log = get_logger(__name__)

# What one running round uses before any has been measured, in cores: the voice detector and the turn model
# run all the time, Whisper and Piper in short bursts (bench.browser_load prints the measured figure).
DEFAULT_ROUND_CORES = 0.35
# A further round is admitted while the host's busy cores plus one round stay under this share of its cores
# (INTERVIEWER_ADMIT_CPU, read by agent.settings).
DEFAULT_CEILING = DEFAULT_ADMIT_CPU
SAMPLE_S = 1.0
SMOOTHING = 0.3  # the newest sample's weight: readings follow a change within a few seconds


@dataclass(frozen=True)
class LoadReading:
    """The host as last measured."""

    cores: int
    busy_cores: float  # the whole host, other programs included, smoothed
    round_cores: float  # what one running round uses, smoothed (the default until a round has run)
    rounds: int

    def room_for_one_more(self, ceiling: float) -> bool:
        return self.rounds == 0 or self.busy_cores + self.round_cores <= ceiling * self.cores


class HostLoad:
    """Samples the host's CPU and its rounds' CPU; answers whether one more round fits."""

    def __init__(self, *, job_pids: Callable[[], Iterable[int]], ceiling: float = DEFAULT_CEILING,
                 cores: int | None = None, host_busy: Callable[[], float] | None = None,
                 process_cpu: Callable[[int], float | None] | None = None,
                 spare_pids: Callable[[], Iterable[int]] | None = None) -> None:
        """``job_pids``: the processes running a round now; ``spare_pids``: the worker's processes waiting for
        one (loading models after a round ended is a few seconds' work that a new round does not compete with
        for long, so it is not counted as busy); ``host_busy``: the host's busy share (0-1) since the last call;
        ``process_cpu``: a process's CPU in cores since the last call, None the first time it is asked about
        (both default to psutil).
        """
        self.cores = cores or os.cpu_count() or 1
        self.ceiling = ceiling
        self._job_pids = job_pids
        self._spare_pids = spare_pids or (lambda: ())
        self._host_busy = host_busy or _psutil_host_busy()
        self._process_cpu = process_cpu or _PsutilProcesses()
        self._busy: float | None = None
        self._round = DEFAULT_ROUND_CORES
        self._rounds = 0

    def sample(self) -> LoadReading:
        busy = max(0.0, min(1.0, self._host_busy())) * self.cores
        spare = list(self._spare_pids())
        busy = max(0.0, busy - sum(cpu or 0.0 for cpu in (self._process_cpu(pid) for pid in spare)))
        self._busy = busy if self._busy is None else self._busy + SMOOTHING * (busy - self._busy)
        pids = list(self._job_pids())
        keep = getattr(self._process_cpu, "keep", None)
        if keep is not None:
            keep({*spare, *pids})
        self._rounds = len(pids)
        known = [cpu for cpu in (self._process_cpu(pid) for pid in pids) if cpu is not None]
        if known:
            self._round += SMOOTHING * (sum(known) / len(known) - self._round)
        return self.reading()

    def reading(self) -> LoadReading:
        return LoadReading(self.cores, round(self._busy or 0.0, 3), round(self._round, 3), self._rounds)

    def admits(self) -> bool:
        """Room for one more round at the targets (see the module docstring)."""
        return self.reading().room_for_one_more(self.ceiling)

    async def run(self) -> None:
        """Sample every second until cancelled; a sample that fails is skipped."""
        while True:
            try:
                self.sample()
            except Exception as exc:  # noqa: BLE001 - a missing process or a /proc hiccup: keep the last reading
                log.debug("worker.load_sample_failed", error=type(exc).__name__)
            await asyncio.sleep(SAMPLE_S)


def _psutil_host_busy() -> Callable[[], float]:
    psutil.cpu_percent(interval=None)  # the first reading only starts the clock
    return lambda: psutil.cpu_percent(interval=None) / 100.0


class _PsutilProcesses:
    """A process's CPU in cores since it was last asked, per pid (psutil keeps the counters per object)."""

    def __init__(self) -> None:
        self._procs: dict[int, Any] = {}

    def keep(self, pids: set[int]) -> None:
        """Forget the processes that are gone or no longer asked about."""
        for pid in [p for p in self._procs if p not in pids]:
            del self._procs[pid]

    def __call__(self, pid: int) -> float | None:
        try:
            proc = self._procs.get(pid)
            if proc is None:
                proc = self._procs[pid] = psutil.Process(pid)
                proc.cpu_percent(interval=None)  # the first reading only starts the clock
                return None
            return float(proc.cpu_percent(interval=None)) / 100.0
        except psutil.NoSuchProcess:
            self._procs.pop(pid, None)
            return None
