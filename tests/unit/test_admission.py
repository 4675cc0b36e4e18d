"""Admission by measured load: a host admits one more round only while its measured CPU leaves room for it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from agent.admission import DEFAULT_CEILING, DEFAULT_ROUND_CORES, REFUSED_ATTRIBUTE, HostLoad
from agent.settings import Settings, SettingsError

pytestmark = pytest.mark.unit


class FakeHost:
    """Readings the test sets: the host's busy share, and each round process's CPU (None: first time asked)."""

    def __init__(self) -> None:
        self.busy = 0.0
        self.pids: list[int] = []
        self.cpu: dict[int, float | None] = {}

    def host_busy(self) -> float:
        return self.busy

    def process_cpu(self, pid: int) -> float | None:
        return self.cpu.get(pid)


def load_for(host: FakeHost, ceiling: float = DEFAULT_CEILING) -> HostLoad:
    return HostLoad(job_pids=lambda: host.pids, ceiling=ceiling, cores=2, host_busy=host.host_busy,
                    process_cpu=host.process_cpu)


def settle(load: HostLoad, n: int = 30) -> None:
    for _ in range(n):
        load.sample()


def test_a_quiet_host_admits_and_a_busy_one_refuses_a_further_round():
    host = FakeHost()
    load = load_for(host)
    host.pids, host.cpu = [11, 12], {11: 0.2, 12: 0.2}
    host.busy = 0.25  # half a core: the two rounds and a little else
    settle(load)
    assert load.reading().round_cores == pytest.approx(0.2, abs=0.01) and load.admits()
    host.busy = 0.8  # something else took most of the host: one more round would slow every round
    settle(load)
    reading = load.reading()
    assert reading.busy_cores == pytest.approx(1.6, abs=0.01) and not load.admits()


def test_the_first_round_is_always_admitted():
    host = FakeHost()
    load = load_for(host, ceiling=0.0)
    host.busy = 1.0
    settle(load)
    assert load.admits()  # no round running: a worker that refused every round would serve no one
    host.pids, host.cpu = [11], {11: 0.3}
    settle(load)
    assert not load.admits()


def test_one_busy_moment_does_not_refuse_a_round():
    host = FakeHost()
    load = load_for(host)
    host.pids, host.cpu = [11], {11: 0.3}
    host.busy = 0.2
    settle(load)
    host.busy = 1.0  # a decode burst
    load.sample()
    assert load.admits()  # smoothed over a few seconds


def test_a_round_just_started_does_not_count_as_free():
    host = FakeHost()
    load = load_for(host)
    host.pids, host.cpu = [11], {11: None}  # its first reading only starts psutil's clock
    settle(load)
    assert load.reading().round_cores == DEFAULT_ROUND_CORES


@pytest.mark.parametrize("raw,value", [(None, DEFAULT_CEILING), ("0", 0.0), ("0.6", 0.6), ("1", 1.0)])
def test_the_ceiling_comes_from_the_environment(raw, value):
    assert Settings.from_env({} if raw is None else {"INTERVIEWER_ADMIT_CPU": raw}).admit_cpu == value


@pytest.mark.parametrize("raw", ["lots", "-0.1", "1.5"])
def test_a_bad_ceiling_is_one_line_naming_the_variable(raw):
    with pytest.raises(SettingsError, match=r"^INTERVIEWER_ADMIT_CPU: .*got"):
        Settings.from_env({"INTERVIEWER_ADMIT_CPU": raw})


class FakeJobRequest:
    """A job request that records how it was accepted."""

    def __init__(self, job_id: str = "AJ_1") -> None:
        self.id = job_id
        self.accepted: list[dict | None] = []

    async def accept(self, *, attributes: dict | None = None) -> None:
        self.accepted.append(attributes)


async def test_a_refused_round_is_accepted_only_to_tell_the_page_why():
    from agent.worker import WarmPool

    host = FakeHost()
    load = load_for(host)
    host.pids, host.cpu, host.busy = [11, 12, 13], {11: 0.3, 12: 0.3, 13: 0.3}, 0.9
    settle(load)
    server = SimpleNamespace(active_jobs=[object()] * 3, _proc_pool=None)
    warm = WarmPool(server, 4, load)  # type: ignore[arg-type]
    request = FakeJobRequest()
    await warm(request)  # type: ignore[arg-type]
    attributes = request.accepted[0]
    assert attributes is not None and "busy" in attributes[REFUSED_ATTRIBUTE] and warm.refused == 1
    host.busy = 0.3
    settle(load)
    await warm(request)  # type: ignore[arg-type]
    assert request.accepted[1] is None and warm.refused == 1


async def test_a_refused_request_still_telling_its_page_is_not_a_round_that_refuses_the_next():
    from agent.worker import WarmPool

    host = FakeHost()
    load = load_for(host)
    host.pids, host.cpu, host.busy = [11], {11: 0.5}, 0.9
    settle(load)
    server = SimpleNamespace(active_jobs=[SimpleNamespace(job=SimpleNamespace(id="AJ_live"))], _proc_pool=None)
    warm = WarmPool(server, 4, load)  # type: ignore[arg-type]
    first = FakeJobRequest("AJ_refused")
    await warm(first)  # type: ignore[arg-type]
    assert first.accepted[0] is not None and warm.refused == 1
    # the live round ends; the refused job is still in the room telling its page, and the host is still busy
    server.active_jobs = [SimpleNamespace(job=SimpleNamespace(id="AJ_refused"))]
    second = FakeJobRequest("AJ_next")
    await warm(second)  # type: ignore[arg-type]
    assert second.accepted == [None] and warm.refused == 1 and warm.running_rounds() == []


def test_a_refused_jobs_process_is_neither_a_round_nor_a_spare():
    from agent.worker import _round_pids

    def proc(pid, job_id):
        return SimpleNamespace(pid=pid, running_job=SimpleNamespace(job=SimpleNamespace(id=job_id)) if job_id else None)

    server = SimpleNamespace(_proc_pool=SimpleNamespace(processes=[proc(1, "AJ_live"), proc(2, "AJ_refused"),
                                                                   proc(3, None)]))
    assert _round_pids(server, refused=["AJ_refused"]) == [1]  # type: ignore[arg-type]
    assert _round_pids(server, running=False, refused=["AJ_refused"]) == [3]  # type: ignore[arg-type]


def test_the_workers_own_spare_processes_loading_models_do_not_count_as_busy():
    host = FakeHost()
    spare = [21]
    load = HostLoad(job_pids=lambda: host.pids, spare_pids=lambda: spare, cores=2, host_busy=host.host_busy,
                    process_cpu=host.process_cpu)
    host.pids, host.cpu = [11], {11: 0.3, 21: 1.0}
    host.busy = 0.7  # 1.4 cores: 1.0 of it a spare process warming up after the last round
    settle(load)
    assert load.reading().busy_cores == pytest.approx(0.4, abs=0.01) and load.admits()
