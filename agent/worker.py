"""The LiveKit worker: one interview round per job process, models loaded once per process.

``interviewer worker`` builds an ``AgentServer`` from a :class:`WorkerConfig`
and runs it until SIGTERM or SIGINT. What the server is told, and why:

- **setup hook** (``setup_fnc``): each job process loads Whisper, the Piper
  voice and the content bank once, before it is offered work, so a round
  never waits for a model. It is the job process's entry point: it takes the
  worker's settings (pickled into it with :class:`WorkerConfig`, never read
  again from the environment) and hands the round what it needs. Measured here: about 1.8 s alone, several times
  that when four processes start together on two cores, hence
  ``initialize_process_timeout`` of 60 s instead of the framework's 10 s.
- **explicit dispatch** as ``pm-interviewer``: the web app's token names the
  agent, so a worker never joins a room nobody asked it to.
- **load** is the number of running rounds over ``capacity`` (default two
  per CPU core) with the threshold at 1.0: the LiveKit server stops sending a
  worker rounds when it is full and sends them to another worker instead.
- **admission by measured load** (``agent.admission``): below capacity, a
  further round is admitted only while the host's busy cores, smoothed over a
  few seconds, plus one round's measured cost stay under
  ``INTERVIEWER_ADMIT_CPU`` of the cores (default 0.85); otherwise the round is
  refused up front and the page says so. Smoothing matters: speech decoding
  comes in bursts, and one busy moment says little about the next minute.
- **per-job memory**: a warning at 75 % of the limit, and a process that goes
  past the limit is killed (its round keeps every turn already stored).
- **health endpoint**: the framework's HTTP server, ``GET /`` (200 ``OK`` while
  connected to LiveKit, 503 otherwise) and ``GET /worker`` (JSON with the
  agent name, active jobs and load), on ``--health-port`` (8081 by default),
  bound to 127.0.0.1 unless told otherwise.
- **stopping**: the first SIGTERM/SIGINT marks the worker full (no new
  rounds), tells every round in progress to close (each says a short line,
  stores its turns and its partial report, see ``agent.voice.room_round``)
  and waits up to ``stop_grace_s`` for them. A second signal skips the wait;
  rounds are then closed by the framework's shutdown path, which still
  stores what exists.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import functools
import logging
import os
import signal
import sys
import time
from collections import deque
from collections.abc import Collection
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from agent.admission import REFUSED_ATTRIBUTE, REFUSED_LINE, HostLoad
from agent.assist.llm_assessor import assessor_for
from agent.content.loader import load_bank_at
from agent.interview.assess import CueAssessor
from agent.logs import DropFrameworkPii, configure_logging, get_logger
from agent.settings import Settings
from agent.speech.models import use_models_dir

if TYPE_CHECKING:
    from livekit.agents import AgentServer, JobContext, JobProcess, JobRequest

AGENT_NAME = "pm-interviewer"
DEFAULT_HEALTH_PORT = 8081
DEFAULT_MEMORY_LIMIT_MB = 1500
INITIALIZE_PROCESS_TIMEOUT_S = 60.0
STOP_GRACE_S = 12.0
REFUSED_KEPT = 64  # refused jobs remembered (each leaves its room within seconds; a long list costs nothing)
# A round accepted this long ago and still not running is not coming (its candidate left, or its process failed):
# it stops holding back a warm process.
STARTING_WAIT_S = 20.0
# the signal the worker sends a job process to say "close your round now";
# job processes ignore SIGTERM/SIGINT (the framework's parent handles them)
STOP_ROUND_SIGNAL = signal.SIGUSR2

log = get_logger("agent.worker")


def default_capacity() -> int:
    """Two rounds per core: a round is mostly listening, and decoding comes in short bursts."""
    return max(1, 2 * (os.cpu_count() or 1))


@dataclass(frozen=True)
class WorkerConfig:
    """Everything a worker and its job processes need; pickled into each process."""

    settings: Settings  # what the environment said when the worker started
    url: str
    api_key: str
    api_secret: str
    capacity: int
    idle_processes: int
    memory_limit_mb: int = DEFAULT_MEMORY_LIMIT_MB
    health_host: str = "127.0.0.1"
    health_port: int = DEFAULT_HEALTH_PORT
    stop_grace_s: float = STOP_GRACE_S
    log_pii: bool = False
    verbose: bool = False

    @property
    def database_url(self) -> str:
        return self.settings.database_url

    @property
    def rejoin_grace_s(self) -> float:
        """How long a dropped candidate may take to come back into their round."""
        return self.settings.rejoin_grace_s

    @property
    def admit_ceiling(self) -> float:
        """The share of the host's cores rounds may fill (agent.admission)."""
        return self.settings.admit_cpu

    def __repr__(self) -> str:  # keep the secret out of logs and tracebacks
        return f"WorkerConfig(url={self.url!r}, capacity={self.capacity}, db={self.database_url.split(':')[0]})"


class RoundLoad:
    """``load_fnc``: running rounds over capacity, so the server stops dispatching at capacity."""

    def __init__(self, capacity: int) -> None:
        self.capacity = capacity

    def __call__(self, server: AgentServer) -> float:
        return min(1.0, len(server.active_jobs) / self.capacity)


class WarmPool:
    """``on_request``: keep warm only the processes a round could still use, then accept.

    The framework refills its warm pool the moment a round takes a process,
    and lowers the target from the load only on its next tick. With four
    rounds starting at once on two cores that meant four more processes
    loading Whisper and Piper (about 40 s of CPU each) beside four live rounds:
    voice detection fell behind real time and a question's audio stalled. A
    host at capacity cannot give a warm process a round, so the target is
    lowered here, before the process is taken. (``_proc_pool`` is the
    framework's own pool; livekit-agents is pinned to 1.8.)

    Lowering it once was not enough. The framework's load tick (every few
    tenths of a second) sets the target again from the jobs it counts as
    running, and a round it has accepted is not counted until its process
    has been handed the job. A tick in that gap set the target back to the
    full pool, the rounds then took their processes, and a fresh one loaded
    its models beside four live rounds (seen in the e2e suite: 27 s to load,
    voice detection slower than real time, an "Okay." the candidate talked
    into). So every target the framework sets goes through :meth:`target`,
    which also counts the rounds accepted here and not running yet.
    """

    def __init__(self, server: AgentServer, capacity: int, load: HostLoad | None = None,
                 refused_ids: deque[str] | None = None) -> None:
        """``refused_ids``: where the ids of refused requests' jobs are kept, shared with the load's own count
        of running rounds (``_round_pids``).
        """
        self.server = server
        self.capacity = capacity
        self.load = load  # measured admission; None admits up to capacity
        self.in_flight = 0  # requests being accepted right now
        self.starting: dict[str, float] = {}  # job id -> when accepted, until the framework counts it as running
        self.refused = 0
        self.refused_ids: deque[str] = refused_ids if refused_ids is not None else deque(maxlen=REFUSED_KEPT)

    def target(self) -> int:
        """How many warm processes a round could still use: capacity less the rounds running or on their way."""
        return max(0, self.capacity - len(self.server.active_jobs) - self.in_flight - self._not_running_yet())

    def _not_running_yet(self) -> int:
        running = {_job_id(job) for job in self.server.active_jobs}
        now = time.monotonic()
        for job_id, accepted_at in list(self.starting.items()):
            if job_id in running or now - accepted_at > STARTING_WAIT_S:
                del self.starting[job_id]
        return len(self.starting)

    def _clamp(self, pool: Any) -> None:
        """Route the framework's own target updates through :meth:`target` (once per pool)."""
        if getattr(pool, "_interviewer_clamped", False):
            return
        framework_set = pool.set_target_idle_processes

        def set_target_idle_processes(n: int) -> None:
            framework_set(min(n, self.target()))

        pool.set_target_idle_processes = set_target_idle_processes
        pool._interviewer_clamped = True

    def running_rounds(self) -> list[Any]:
        """The active jobs that are rounds.

        A refused request's job is active too for the second or two it takes to tell the page why; counted
        as a round, it made the next request look like a second round and refused that one as well (seen in
        the browser tests on two cores).
        """
        return [job for job in self.server.active_jobs
                if _job_id(job) not in self.refused_ids]

    async def __call__(self, request: JobRequest) -> None:
        if self.load is not None and (self.running_rounds() or self.in_flight) and not self.load.admits():
            # refused up front: the job joins only to tell the page why, then leaves (agent.admission)
            self.refused += 1
            self.refused_ids.append(request.id)
            reading = self.load.reading()
            log.info("worker.round_refused", busy_cores=reading.busy_cores, round_cores=reading.round_cores,
                     rounds=reading.rounds, cores=reading.cores, ceiling=self.load.ceiling)
            await request.accept(attributes={REFUSED_ATTRIBUTE: REFUSED_LINE})
            return
        self.in_flight += 1
        try:
            pool = getattr(self.server, "_proc_pool", None)
            if pool is not None and hasattr(pool, "set_target_idle_processes"):
                self._clamp(pool)
                pool.set_target_idle_processes(min(self.target(), pool.target_idle_processes))
            await request.accept()
            if (job_id := getattr(request, "id", None)) is not None:
                self.starting[job_id] = time.monotonic()
        finally:
            self.in_flight -= 1


def setup_process(config: WorkerConfig, proc: JobProcess) -> None:
    """``setup_fnc``: runs once in every job process before it is offered a round."""
    # deferred: the voice library imports livekit-agents (seconds) and the session SQLAlchemy, which
    # `interviewer --help` does without (it imports this module for the worker's defaults)
    from agent.session import ReportOutputs
    from agent.voice.room_setup import install_stop_signal, prewarm_process

    configure_logging(verbose=config.verbose, include_pii=config.log_pii)
    started = time.perf_counter()
    settings = config.settings
    use_models_dir(settings.models_dir)
    bank = load_bank_at(settings.content_root)
    prewarm_process(proc, bank)
    install_stop_signal(STOP_ROUND_SIGNAL)
    proc.userdata["config"] = config
    proc.userdata["bank"] = bank
    proc.userdata["assessor"] = assessor_for(CueAssessor(bank.lexicon), settings.llm)
    proc.userdata["report_outputs"] = ReportOutputs(settings.data_dir, settings.retention)
    seconds = round(time.perf_counter() - started, 3)
    proc.userdata["setup_seconds"] = seconds
    log.info("worker.process_ready", pid=os.getpid(), setup_seconds=seconds)


async def entrypoint(ctx: JobContext) -> None:
    """The rtc_session entry: one round in one room (see ``agent.voice.room_round``)."""
    from agent.voice.room_round import run_room_round  # deferred: livekit-agents, see setup_process

    await run_room_round(ctx)


def build_server(config: WorkerConfig, load: HostLoad | None = None,
                 refused_ids: deque[str] | None = None) -> AgentServer:
    """The ``AgentServer`` for ``config``; call :func:`serve` (or ``server.run``) to start it.

    ``load``: the measured admission (see ``agent.admission``); None admits rounds up to capacity.
    """
    from livekit.agents import AgentServer  # deferred: livekit-agents takes seconds to import

    server = AgentServer(
        ws_url=config.url,
        api_key=config.api_key,
        api_secret=config.api_secret,
        setup_fnc=functools.partial(setup_process, config),
        load_fnc=RoundLoad(config.capacity),
        load_threshold=1.0,
        num_idle_processes=config.idle_processes,
        initialize_process_timeout=INITIALIZE_PROCESS_TIMEOUT_S,
        job_memory_limit_mb=config.memory_limit_mb,
        job_memory_warn_mb=config.memory_limit_mb * 0.75 if config.memory_limit_mb else 1000,
        shutdown_process_timeout=config.stop_grace_s + 5.0,
        host=config.health_host,
        port=config.health_port,
    )
    server.rtc_session(entrypoint, agent_name=AGENT_NAME,
                       on_request=WarmPool(server, config.capacity, load, refused_ids))
    return server


def _job_id(info: Any) -> str | None:
    """The id of a running job's framework record (``RunningJobInfo``)."""
    return getattr(getattr(info, "job", None), "id", None)


def _round_pids(server: AgentServer | None, *, running: bool = True, refused: Collection[str] = ()) -> list[int]:
    """The job processes running a round now, or (``running=False``) those waiting for one (the framework has
    no public list of them). A process whose job was refused (``refused``: job ids) is neither: it only tells
    its page why, and its few seconds would count as a round's cost and as a round on the host.
    """
    pool = getattr(server, "_proc_pool", None)
    pids = []
    for proc in list(getattr(pool, "processes", [])):
        job = getattr(proc, "running_job", None)
        if (pid := getattr(proc, "pid", None)) and (job is not None) is running and _job_id(job) not in refused:
            pids.append(pid)
    return pids



def _signal_rounds(server: AgentServer) -> int:
    """Tell every process with a running round to close it; returns how many were told."""
    told = 0
    pool = getattr(server, "_proc_pool", None)  # the framework has no public list of job processes
    for proc in list(getattr(pool, "processes", [])):
        pid = getattr(proc, "pid", None)
        if pid and getattr(proc, "running_job", None) is not None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, STOP_ROUND_SIGNAL)
                told += 1
    return told


async def serve(server: AgentServer, config: WorkerConfig, load: HostLoad | None = None) -> int:
    """Run until a stop signal, then close rounds in order; 0 on a clean stop, 1 if the server failed."""
    loop = asyncio.get_running_loop()
    sampler = asyncio.create_task(load.run(), name="worker.load") if load is not None else None
    stop = asyncio.Event()
    hurry = asyncio.Event()

    def on_signal() -> None:
        if stop.is_set():
            hurry.set()
        stop.set()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, on_signal)

    def on_started() -> None:
        log.info("worker.started", agent_name=AGENT_NAME, capacity=config.capacity, admit_cpu=config.admit_ceiling,
                 health=f"http://{config.health_host}:{server.worker_info.http_port}/")

    server.on("worker_started", on_started)
    run_task = asyncio.create_task(server.run(devmode=False), name="agent-server")
    stop_task = asyncio.create_task(stop.wait())
    try:
        await asyncio.wait({run_task, stop_task}, return_when=asyncio.FIRST_COMPLETED)
        if run_task.done():
            exc = run_task.exception()
            if isinstance(exc, OSError) and exc.errno == errno.EADDRINUSE:
                reason = f"--health-port {config.health_port} is in use; pick another port (0 takes a free one)"
            else:
                reason = str(exc or "unknown reason")
            print(f"interviewer worker: the worker stopped: {reason}", file=sys.stderr)
            return 1
        log.info("worker.stopping", active=len(server.active_jobs))
        drain = asyncio.create_task(server.drain(timeout=int(config.stop_grace_s + 1)))
        await asyncio.sleep(0)  # let drain mark the worker full before rounds start closing
        told = _signal_rounds(server)
        log.info("worker.rounds_told_to_stop", rounds=told)
        hurry_task = asyncio.create_task(hurry.wait())
        done, _ = await asyncio.wait({drain, hurry_task}, return_when=asyncio.FIRST_COMPLETED)
        if drain in done:
            with contextlib.suppress(TimeoutError, asyncio.TimeoutError):
                drain.result()
                log.info("worker.drained")
        else:
            drain.cancel()
            log.warning("worker.stop_hurried")
        hurry_task.cancel()
        await server.aclose()
        return 0
    finally:
        stop_task.cancel()
        if sampler is not None:
            sampler.cancel()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
        if not run_task.done():
            run_task.cancel()
        with contextlib.suppress(BaseException):
            await run_task


def run_worker(config: WorkerConfig) -> int:
    """Blocking entry for ``interviewer worker``."""
    level = logging.DEBUG if config.verbose else logging.INFO
    logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("agent").setLevel(level)
    if not config.log_pii:
        for handler in logging.getLogger().handlers:
            handler.addFilter(DropFrameworkPii())
    server: AgentServer | None = None
    refused: deque[str] = deque(maxlen=REFUSED_KEPT)
    load = HostLoad(job_pids=lambda: _round_pids(server, refused=refused),
                    spare_pids=lambda: _round_pids(server, running=False), ceiling=config.admit_ceiling)
    server = build_server(config, load, refused)
    return asyncio.run(serve(server, config, load))
