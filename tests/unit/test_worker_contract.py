"""The worker's checks that need no server: job metadata, load, command-line errors.

Hermetic (marker ``unit``); they sit beside the worker's e2e tests because
they pin the same contract (agent/web/PROTOCOL.md) from the worker's side.
"""

from __future__ import annotations

import argparse
import json
from types import SimpleNamespace

import pytest

from agent.cli import UsageError
from agent.settings import Settings, SettingsError
from agent.voice.room_protocol import MetadataError, parse_metadata
from agent.worker import RoundLoad, WorkerConfig
from tests.fakes.content import fake_persona, fake_question

pytestmark = pytest.mark.unit


@pytest.fixture
def bank() -> SimpleNamespace:
    question = fake_question()
    persona = fake_persona()
    return SimpleNamespace(personas={persona.id: persona}, questions={question.id: question})


def meta(**fields: object) -> str:
    return json.dumps({"persona": "fake-persona", "track": "internal-platform", "minutes": 10, **fields})


def test_valid_metadata_is_accepted(bank: SimpleNamespace) -> None:
    job = parse_metadata(meta(questions=["fake-metrics"]), bank)
    choice = job.choice
    assert (choice.persona, choice.track, choice.minutes, choice.questions) == (
        "fake-persona", "internal-platform", 10, ("fake-metrics",))
    assert job.owner is None  # a dispatch without an owner: only the operator sees the round


def test_the_owner_the_web_app_sends_is_kept(bank: SimpleNamespace) -> None:
    owner = "web:" + "0123456789abcdef" * 2
    assert parse_metadata(meta(owner=owner), bank).owner == owner


@pytest.mark.parametrize(
    ("raw", "field"),
    [
        ("", "metadata:"),
        ("{not json", "metadata:"),
        ("[1, 2]", "metadata:"),
        (meta(persona="nobody"), "metadata.persona"),
        (meta(track="consumer"), "metadata.track"),
        (meta(minutes=1), "metadata.minutes"),
        (meta(minutes=True), "metadata.minutes"),
        (meta(minutes="10"), "metadata.minutes"),
        (meta(questions=["no-such-question"]), "metadata.questions"),
        (meta(questions="fake-metrics"), "metadata.questions"),
        (meta(admin=True), "metadata.admin"),
        (meta(owner="local:root"), "metadata.owner"),
        (meta(owner=7), "metadata.owner"),
        ("x" * 5000, "metadata:"),
    ],
)
def test_bad_metadata_names_the_field(bank: SimpleNamespace, raw: str, field: str) -> None:
    with pytest.raises(MetadataError) as err:
        parse_metadata(raw, bank)
    assert str(err.value).startswith(field)
    assert "nobody" not in str(err.value) and "no-such-question" not in str(err.value)  # input is not echoed


def test_load_is_running_rounds_over_capacity() -> None:
    load = RoundLoad(4)
    assert load(SimpleNamespace(active_jobs=[])) == 0.0
    assert load(SimpleNamespace(active_jobs=[1, 2, 3])) == 0.75
    assert load(SimpleNamespace(active_jobs=[1, 2, 3, 4, 5])) == 1.0


def test_config_repr_hides_the_secret() -> None:
    settings = Settings.from_env({"LIVEKIT_API_SECRET": "s3cret-value", "INTERVIEWER_DB": "sqlite:////tmp/x.sqlite3"})
    config = WorkerConfig(settings=settings, url="ws://127.0.0.1:7880", api_key="key", api_secret="s3cret-value",
                          capacity=2, idle_processes=2)
    assert "s3cret-value" not in repr(config) and "s3cret-value" not in str(config)


def worker_args(**overrides: object) -> argparse.Namespace:
    base = dict(capacity=None, url=None, health_port=8081, health_host="127.0.0.1", idle_processes=None,
                memory_limit_mb=None, stop_grace=12.0, db=None, log_pii=False, verbose=False)
    base.update(overrides)
    return argparse.Namespace(**base)


@pytest.mark.parametrize(
    ("env", "args", "message"),
    [
        ({}, {}, "LIVEKIT_URL"),
        ({"LIVEKIT_URL": "ws://h:7880"}, {}, "LIVEKIT_API_KEY is not set"),
        ({"LIVEKIT_URL": "ws://h:7880", "LIVEKIT_API_KEY": "k"}, {}, "LIVEKIT_API_SECRET is not set"),
        ({"LIVEKIT_URL": "ftp://h"}, {}, "--url/LIVEKIT_URL"),
        ({}, {"capacity": 0}, "--capacity"),
        ({}, {"capacity": 2, "idle_processes": 3}, "--idle-processes"),
        ({}, {"memory_limit_mb": 100}, "--memory-limit-mb"),
        ({}, {"stop_grace": 0.1}, "--stop-grace"),
        ({}, {"health_port": 70000}, "--health-port"),
    ],
)
def test_worker_command_errors_are_one_line(env: dict[str, str], args: dict[str, object], message: str) -> None:
    from agent.commands.worker import build_config

    full = {"LIVEKIT_URL": "ws://h:7880", "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s"} if args else env
    with pytest.raises(UsageError) as err:
        build_config(worker_args(**args), Settings.from_env(full))
    assert message in str(err.value) and "\n" not in str(err.value)


def test_worker_defaults(tmp_path: object) -> None:
    from agent.commands.worker import build_config
    from agent.worker import default_capacity

    settings = Settings.from_env({"LIVEKIT_URL": "ws://127.0.0.1:7880", "LIVEKIT_API_KEY": "k",
                                  "LIVEKIT_API_SECRET": "s"}).with_database(f"sqlite:///{tmp_path}/w.sqlite3")
    config = build_config(worker_args(), settings)
    assert config.capacity == default_capacity() and config.idle_processes == config.capacity
    assert config.health_host == "127.0.0.1" and config.memory_limit_mb > 0


class FakeProcPool:
    """Stands in for the framework's process pool: records the warm-process target it is given."""

    def __init__(self, target: int) -> None:
        self.target_idle_processes = target

    def set_target_idle_processes(self, n: int) -> None:
        self.target_idle_processes = n


class FakeRequest:
    """A job request that records when it was accepted and what the pool's target was then."""

    def __init__(self, pool: FakeProcPool, seen: list[int]) -> None:
        self.pool, self.seen = pool, seen

    async def accept(self) -> None:
        self.seen.append(self.pool.target_idle_processes)


async def test_a_full_host_keeps_no_process_warm_before_taking_one() -> None:
    from agent.worker import WarmPool

    pool = FakeProcPool(4)
    server = SimpleNamespace(active_jobs=[object(), object()], _proc_pool=pool)
    warm = WarmPool(server, 4)  # type: ignore[arg-type]
    seen: list[int] = []
    await warm(FakeRequest(pool, seen))  # type: ignore[arg-type]
    assert seen == [1]  # two running, this one starting: one more round fits, so one warm process
    server.active_jobs = [object()] * 3
    warm.in_flight = 1  # another round accepted a moment ago and not yet active
    await warm(FakeRequest(pool, seen))  # type: ignore[arg-type]
    assert seen[-1] == 0 and warm.in_flight == 1
    server.active_jobs = []
    await warm(FakeRequest(pool, seen))  # type: ignore[arg-type]
    assert seen[-1] == 0  # never raised here: the framework raises it again from the load once rounds end


class FakeJobRequest(FakeRequest):
    """A job request with the id the framework gives it."""

    def __init__(self, pool: FakeProcPool, seen: list[int], job_id: str) -> None:
        super().__init__(pool, seen)
        self.id = job_id


def running(*job_ids: str) -> list[SimpleNamespace]:
    """The framework's records of running jobs, as ``active_jobs`` lists them."""
    return [SimpleNamespace(job=SimpleNamespace(id=j)) for j in job_ids]


async def test_the_frameworks_load_tick_cannot_refill_the_pool_while_accepted_rounds_start(
        monkeypatch: pytest.MonkeyPatch) -> None:
    import agent.worker as worker_module
    from agent.worker import WarmPool

    pool = FakeProcPool(4)
    server = SimpleNamespace(active_jobs=[], _proc_pool=pool)
    warm = WarmPool(server, 4)  # type: ignore[arg-type]
    seen: list[int] = []
    for i in range(4):
        await warm(FakeJobRequest(pool, seen, f"AJ_{i}"))  # type: ignore[arg-type]
    assert seen == [3, 2, 1, 0] and pool.target_idle_processes == 0
    # the tick with none of the four counted as running yet (its "no jobs" branch) asks for the whole pool, with
    # three counted for one warm process: either would load a process beside four live rounds
    pool.set_target_idle_processes(4)
    assert pool.target_idle_processes == 0
    server.active_jobs = running("AJ_0", "AJ_1", "AJ_2")
    pool.set_target_idle_processes(1)
    assert pool.target_idle_processes == 0
    # all four run, then end: the tick raises the target again
    server.active_jobs = running("AJ_0", "AJ_1", "AJ_2", "AJ_3")
    pool.set_target_idle_processes(0)
    server.active_jobs = running("AJ_3")
    pool.set_target_idle_processes(3)
    assert pool.target_idle_processes == 3 and warm.starting == {}
    # a round accepted but never started (its candidate left) stops holding a process back after a while
    await warm(FakeJobRequest(pool, seen, "AJ_gone"))  # type: ignore[arg-type]
    pool.set_target_idle_processes(3)
    assert pool.target_idle_processes == 2
    monkeypatch.setattr(worker_module, "STARTING_WAIT_S", 0.0)
    pool.set_target_idle_processes(3)
    assert pool.target_idle_processes == 3 and warm.starting == {}


LIVEKIT = {"LIVEKIT_URL": "ws://127.0.0.1:7880", "LIVEKIT_API_KEY": "k", "LIVEKIT_API_SECRET": "s"}


@pytest.mark.parametrize("value,grace", [(None, 60.0), ("0", 0.0), ("12.5", 12.5)])
def test_the_rejoin_grace_comes_from_the_environment(tmp_path: object, value: str | None, grace: float) -> None:
    from agent.commands.worker import build_config

    env = LIVEKIT | ({} if value is None else {"INTERVIEWER_REJOIN_GRACE_S": value})
    settings = Settings.from_env(env).with_database(f"sqlite:///{tmp_path}/w.sqlite3")
    assert build_config(worker_args(), settings).rejoin_grace_s == grace


@pytest.mark.parametrize("value", ["soon", "-1", "900"])
def test_a_bad_rejoin_grace_is_one_line_naming_the_variable(value: str) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env(LIVEKIT | {"INTERVIEWER_REJOIN_GRACE_S": value})
    assert "INTERVIEWER_REJOIN_GRACE_S" in str(err.value) and "\n" not in str(err.value)
