"""A local LiveKit server for development and end-to-end tests.

No package registry ships a ``livekit-server`` binary, so the project builds it
once from the Go module proxy (``scripts/build-livekit-server.sh``) into the
user's cache directory and reuses it. This module finds that binary, builds it
when asked, and runs it bound to 127.0.0.1 with ports and keys written to a
config file, so several servers (a dev server and a test's) can run side by
side without clashing.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path
from types import TracebackType

VERSION = "1.13.5"
BINARY = "livekit-server"
BUILD_TIMEOUT_S = 30 * 60
START_TIMEOUT_S = 20.0
PORT_ATTEMPTS = 3  # starts on freshly picked ports before a port clash counts as a failure
STOP_TIMEOUT_S = 10.0
DRAIN_WAIT_S = 2.0  # rooms still open make the first SIGTERM wait for them
DEV_API_KEY = "devkey"
DEV_API_SECRET = "secret"  # the server's published --dev key; never use it off localhost

REPO_ROOT = Path(__file__).resolve().parents[2]
BUILD_SCRIPT = REPO_ROOT / "scripts" / "build-livekit-server.sh"


class LiveKitServerError(RuntimeError):
    """The server binary is missing, failed to build or did not start."""


def cache_dir() -> Path:
    """``$INTERVIEWER_CACHE_DIR`` or ``~/.cache/pm-interviewer`` (same rule as the build script)."""
    configured = os.environ.get("INTERVIEWER_CACHE_DIR")
    return Path(configured) if configured else Path.home() / ".cache" / "pm-interviewer"


def _is_livekit(path: Path) -> bool:
    try:
        out = subprocess.run(
            [str(path), "--version"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.stdout.startswith("livekit-server")


def find_server() -> Path | None:
    """The cached build first, then ``livekit-server`` on PATH; ``None`` when neither exists."""
    candidates = [cache_dir() / "bin" / BINARY]
    on_path = shutil.which(BINARY)
    if on_path:
        candidates.append(Path(on_path))
    # `go install` names the binary after its package directory
    candidates.append(cache_dir() / "bin" / "server")
    for path in candidates:
        if path.is_file() and os.access(path, os.X_OK) and _is_livekit(path):
            return path
    return None


def build_server(script: Path = BUILD_SCRIPT) -> Path:
    """Run the build script (minutes on first use) and return the binary it made."""
    if not script.is_file():
        raise LiveKitServerError(
            f"{script}: build script not found; build it yourself with "
            f"`go install github.com/livekit/livekit-server/cmd/server@v{VERSION}`"
        )
    print(
        f"Building livekit-server v{VERSION} from the Go module proxy into {cache_dir() / 'bin'}; "
        "the first build takes a few minutes...",
        file=sys.stderr,
        flush=True,
    )
    try:
        subprocess.run(["bash", str(script)], check=True, timeout=BUILD_TIMEOUT_S, stdout=sys.stderr)
    except subprocess.CalledProcessError as exc:
        raise LiveKitServerError(f"{script}: build failed with exit code {exc.returncode}") from None
    except subprocess.TimeoutExpired:
        minutes = BUILD_TIMEOUT_S // 60
        raise LiveKitServerError(f"{script}: build took longer than {minutes} minutes") from None
    found = find_server()
    if found is None:
        raise LiveKitServerError(f"{script}: finished but no {BINARY} binary was found")
    return found


def ensure_server(*, build: bool = True) -> Path:
    """Find the binary, building it when missing and ``build`` is true."""
    found = find_server()
    if found is not None:
        return found
    if not build:
        raise LiveKitServerError(
            f"{BINARY} not found in {cache_dir() / 'bin'} or on PATH; run scripts/build-livekit-server.sh"
        )
    return build_server()


def free_port(kind: int = socket.SOCK_STREAM) -> int:
    """A port free on 127.0.0.1 right now (TCP by default, UDP with SOCK_DGRAM)."""
    with socket.socket(socket.AF_INET, kind) as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _config_yaml(
    *, port: int, tcp_port: int, udp_port: int, api_key: str, api_secret: str, redis: str | None = None,
    auto_create: bool = False,
) -> str:
    # JSON strings are valid YAML scalars, which keeps odd characters in keys safe;
    # with a shared Redis, several servers form one multi-node deployment
    shared = ["redis:", f"  address: {json.dumps(redis)}"] if redis else []
    return "\n".join(
        [*shared,
            f"port: {port}",
            "bind_addresses:",
            "  - 127.0.0.1",
            "rtc:",
            f"  tcp_port: {tcp_port}",
            f"  udp_port: {udp_port}",
            "  use_external_ip: false",
            "  node_ip: 127.0.0.1",
            "  enable_loopback_candidate: true",
            "logging:",
            "  level: info",
            # rooms exist only once the web app opened them (agent/web/rooms.py): a token for a room that
            # has closed cannot bring it back
            "room:",
            f"  auto_create: {'true' if auto_create else 'false'}",
            "keys:",
            f"  {json.dumps(api_key)}: {json.dumps(api_secret)}",
            "",
        ]
    )


class LiveKitServer:
    """One ``livekit-server`` process on 127.0.0.1, started and stopped by its owner."""

    def __init__(
        self,
        binary: Path,
        *,
        port: int = 7880,
        tcp_port: int = 7881,
        udp_port: int = 7882,
        api_key: str = DEV_API_KEY,
        api_secret: str = DEV_API_SECRET,
        log_path: Path | None = None,
        redis: str | None = None,
        auto_create: bool = False,
    ) -> None:
        """``redis`` (``host:port``) joins this server to the other nodes that share that Redis;
        ``auto_create`` makes it create a room on join, as LiveKit does unless told otherwise.
        """
        self.binary = binary
        self.redis = redis
        self.auto_create = auto_create
        self.port = port
        self.tcp_port = tcp_port
        self.udp_port = udp_port
        self.api_key = api_key
        self.api_secret = api_secret
        self._workdir = Path(tempfile.mkdtemp(prefix="livekit-"))
        self.log_path = log_path or self._workdir / "livekit.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._log_start = 0  # where the current start's lines begin in the log

    @property
    def url(self) -> str:
        """The ws:// URL clients and workers connect to."""
        return f"ws://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int | None:
        """The server process id while it runs (for stopping it by id)."""
        return self._process.pid if self._process else None

    def env(self) -> dict[str, str]:
        """The variables the worker and the web app read to reach this server."""
        return {
            "LIVEKIT_URL": self.url,
            "LIVEKIT_API_KEY": self.api_key,
            "LIVEKIT_API_SECRET": self.api_secret,
        }

    def start(self, timeout: float = START_TIMEOUT_S) -> LiveKitServer:
        """Write the config, launch the process and wait until it answers HTTP."""
        config = self._workdir / "livekit.yaml"
        config.write_text(
            _config_yaml(
                port=self.port,
                tcp_port=self.tcp_port,
                udp_port=self.udp_port,
                api_key=self.api_key,
                api_secret=self.api_secret,
                redis=self.redis,
                auto_create=self.auto_create,
            )
        )
        config.chmod(0o600)
        self._log_start = self.log_path.stat().st_size if self.log_path.exists() else 0
        log = open(self.log_path, "ab")  # noqa: SIM115 - handed to the child, closed below
        try:
            self._process = subprocess.Popen(
                [str(self.binary), "--dev", "--bind", "127.0.0.1", "--config", str(config)],
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
            )
        finally:
            log.close()
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self._process is not None
            if self._process.poll() is not None:
                raise LiveKitServerError(
                    f"livekit-server exited with code {self._process.returncode}; see {self.log_path}"
                )
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{self.port}/", timeout=1) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise LiveKitServerError(f"livekit-server did not answer on port {self.port} in {timeout:.0f} s")

    def lost_a_port(self) -> bool:
        """Whether the last start failed because another process held one of its ports."""
        try:
            with open(self.log_path, "rb") as log:
                log.seek(self._log_start)
                return b"address already in use" in log.read()
        except OSError:
            return False

    def start_on_free_ports(self, attempts: int = PORT_ATTEMPTS) -> LiveKitServer:
        """Start on loopback ports picked free just before, picking again when one was taken in between.

        A port found free cannot be held for the child: between the pick and the child's bind, any process
        on the host may take it as an ephemeral port (a browser, a WebRTC peer, another test's client). Seen
        in the e2e suite as "listen tcp :53249: bind: address already in use".
        """
        for attempt in range(attempts):
            self.port, self.tcp_port, self.udp_port = free_port(), free_port(), free_port(socket.SOCK_DGRAM)
            try:
                return self.start()
            except LiveKitServerError:
                if attempt == attempts - 1 or not self.lost_a_port():
                    raise
        raise AssertionError("unreachable")

    def stop(self) -> None:
        """Ask politely, insist (a second signal skips draining rooms), then kill; safe to call twice."""
        process, self._process = self._process, None
        # the config holds the API secret; the log stays for post-mortems
        (self._workdir / "livekit.yaml").unlink(missing_ok=True)
        if process is None or process.poll() is not None:
            return
        for wait_s in (DRAIN_WAIT_S, STOP_TIMEOUT_S):
            process.terminate()
            try:
                process.wait(timeout=wait_s)
                return
            except subprocess.TimeoutExpired:
                continue
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)

    def __enter__(self) -> LiveKitServer:
        return self.start()

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()
