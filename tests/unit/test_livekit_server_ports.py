"""A dev LiveKit server started on freshly picked ports picks again when another process took one first."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from agent.devtools.livekit_server import LiveKitServer, LiveKitServerError

pytestmark = pytest.mark.unit

# A fake livekit-server: the first launch reports a port clash and exits as the real one does ("listen tcp
# :53249: bind: address already in use", exit 0); later launches answer HTTP on the configured port.
FAKE_SERVER = '''
import http.server, pathlib, re, sys
config = pathlib.Path(sys.argv[sys.argv.index("--config") + 1]).read_text()
port = int(re.search(r"^port: (\\d+)", config, re.M).group(1))
marker = pathlib.Path(sys.argv[0]).with_suffix(".launched")
if {clash} and not marker.exists():
    marker.write_text("1")
    print(f"listen tcp :{{port}}: bind: address already in use", flush=True)
    sys.exit(0)
class Ok(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200); self.end_headers(); self.wfile.write(b"OK")
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", port), Ok).serve_forever()
'''


def fake_binary(tmp_path: Path, *, clash: bool) -> Path:
    script = tmp_path / "fake_livekit_server.py"
    script.write_text(FAKE_SERVER.format(clash=clash))
    binary = tmp_path / "fake-livekit-server"
    binary.write_text(f"#!/bin/sh\nexec {sys.executable} {script} \"$@\"\n")
    binary.chmod(0o755)
    return binary


def test_a_port_taken_between_the_pick_and_the_start_is_picked_again(tmp_path: Path) -> None:
    server = LiveKitServer(fake_binary(tmp_path, clash=True), log_path=tmp_path / "livekit.log")
    try:
        server.start_on_free_ports()
        assert server.lost_a_port() is False  # the start that counted found its ports free
        assert (tmp_path / "livekit.log").read_text().count("address already in use") == 1
    finally:
        server.stop()


def test_a_server_that_fails_for_another_reason_is_not_started_again(tmp_path: Path) -> None:
    binary = tmp_path / "broken-livekit-server"
    binary.write_text("#!/bin/sh\necho 'config: unknown field' >&2\nexit 1\n")
    binary.chmod(0o755)
    server = LiveKitServer(binary, log_path=tmp_path / "livekit.log")
    with pytest.raises(LiveKitServerError, match="exited with code 1"):
        server.start_on_free_ports()
    assert (tmp_path / "livekit.log").read_text().count("unknown field") == 1
