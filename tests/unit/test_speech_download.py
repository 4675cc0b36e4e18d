"""Resume and digest checks against a real HTTP server on 127.0.0.1."""

import argparse
import hashlib
import http.server
import socket
import threading

import pytest

from agent.commands import models as models_cmd
from agent.settings import Settings
from agent.speech.download import OfflineError, download_model, fetch
from agent.speech.models import KnownModel, ModelIntegrityError, RemoteFile

pytestmark = pytest.mark.unit

SETTINGS = Settings.from_env({})  # the default models folder, as a command gets it with nothing set

PAYLOAD = bytes(range(256)) * 400  # 100 KiB


class RangeHandler(http.server.BaseHTTPRequestHandler):
    """Serves PAYLOAD at any path, honouring ``Range: bytes=N-`` like a model hub does."""

    requests: list[str | None] = []

    def do_GET(self):  # noqa: N802
        RangeHandler.requests.append(self.headers.get("Range"))
        body, status = PAYLOAD, 200
        rng = self.headers.get("Range")
        if rng:
            start = int(rng.removeprefix("bytes=").split("-")[0])
            if start >= len(PAYLOAD):
                self.send_response(416)
                self.end_headers()
                return
            body, status = PAYLOAD[start:], 206
        self.send_response(status)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def server():
    RangeHandler.requests = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), RangeHandler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_fresh_download_verifies_and_renames(server, tmp_path):
    seen = []
    result = fetch(
        RemoteFile("w.bin", f"{server}/w.bin", _sha(PAYLOAD)),
        tmp_path / "w.bin",
        progress=lambda done, total: seen.append((done, total)),
    )
    assert (tmp_path / "w.bin").read_bytes() == PAYLOAD
    assert not (tmp_path / "w.bin.part").exists()
    assert result.verified and result.resumed_from == 0
    assert seen[-1] == (len(PAYLOAD), len(PAYLOAD))


def test_interrupted_download_resumes_with_range(server, tmp_path):
    (tmp_path / "w.bin.part").write_bytes(PAYLOAD[:30000])
    result = fetch(RemoteFile("w.bin", f"{server}/w.bin", _sha(PAYLOAD)), tmp_path / "w.bin")
    assert RangeHandler.requests == ["bytes=30000-"]
    assert result.resumed_from == 30000
    assert (tmp_path / "w.bin").read_bytes() == PAYLOAD


def test_complete_part_file_gets_416_and_is_still_verified(server, tmp_path):
    (tmp_path / "w.bin.part").write_bytes(PAYLOAD)
    fetch(RemoteFile("w.bin", f"{server}/w.bin", _sha(PAYLOAD)), tmp_path / "w.bin")
    assert (tmp_path / "w.bin").read_bytes() == PAYLOAD


def test_wrong_digest_removes_the_part_file_and_names_both_digests(server, tmp_path):
    with pytest.raises(ModelIntegrityError) as err:
        fetch(RemoteFile("w.bin", f"{server}/w.bin", "a" * 64), tmp_path / "w.bin")
    assert "a" * 64 in str(err.value) and _sha(PAYLOAD) in str(err.value)
    assert not (tmp_path / "w.bin").exists() and not (tmp_path / "w.bin.part").exists()


def test_unpinned_model_records_digests_in_manifest(server, tmp_path):
    model = KnownModel(
        "toy",
        "stt",
        1,
        "test",
        (RemoteFile("model.bin", f"{server}/m"), RemoteFile("config.json", f"{server}/c")),
    )
    download_model(model, tmp_path)
    manifest = (tmp_path / "toy" / "manifest.json").read_text()
    assert _sha(PAYLOAD) in manifest
    # a second run finds the files and does not fetch again
    before = len(RangeHandler.requests)
    download_model(model, tmp_path)
    assert len(RangeHandler.requests) == before


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_unreachable_host_raises_offline(tmp_path):
    url = f"http://127.0.0.1:{_closed_port()}/model.bin"
    with pytest.raises(OfflineError):
        fetch(RemoteFile("model.bin", url), tmp_path / "model.bin", timeout=1.0)


def test_download_command_offline_exits_1_with_one_line(tmp_path, capsys, monkeypatch):
    from agent.speech import models

    url = f"http://127.0.0.1:{_closed_port()}"
    fake = KnownModel("base.en", "stt", 145, "test", (RemoteFile("model.bin", f"{url}/model.bin"),))
    monkeypatch.setitem(models.REGISTRY, "base.en", fake)
    code = models_cmd._download(argparse.Namespace(name="base.en", dir=tmp_path, force=False), SETTINGS)
    err = capsys.readouterr().err.strip()
    assert code == 1
    assert len(err.splitlines()) == 1
    assert "offline" in err and "tiny.en" in err and "en_US-joe-medium" in err
    assert str(tmp_path / "base.en") in err


def test_download_command_unknown_name_is_a_usage_error(tmp_path):
    from agent.cli import UsageError

    with pytest.raises(UsageError, match="unknown model 'gigantic'"):
        models_cmd._download(argparse.Namespace(name="gigantic", dir=tmp_path, force=False), SETTINGS)


def test_list_command_json(capsys):
    import json

    assert models_cmd._list(argparse.Namespace(json=True), SETTINGS) == 0
    rows = json.loads(capsys.readouterr().out)
    assert {"name", "kind", "installed", "size_mb", "source"} <= set(rows[0])
    assert any(r["name"] == "tiny.en" and r["installed"] for r in rows)
