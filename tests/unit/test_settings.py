"""The one settings object: every variable read once, each bad value one line naming it, nothing else reading."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from agent.paths import PROJECT_ROOT
from agent.report.retention import Retention
from agent.settings import Settings, SettingsError

pytestmark = pytest.mark.unit

AGENT = Path(__file__).resolve().parents[2] / "agent"
# Where the process environment may be touched: the command's composition root, `serve --dev` handing its
# environment on to the worker it starts, and the development LiveKit server's cache (the build script's rule).
ENVIRONMENT_READERS = {"cli.py", "commands/serve.py", "devtools/livekit_server.py"}


def test_nothing_set_gives_the_defaults(tmp_path: Path) -> None:
    settings = Settings.from_env({"INTERVIEWER_DATA_DIR": str(tmp_path)})
    assert settings.content_root == PROJECT_ROOT and settings.data_dir == tmp_path
    assert settings.database_url == f"sqlite:///{tmp_path / 'interviewer.sqlite3'}" and not settings.database_named
    assert settings.retention == Retention() and settings.llm is None and settings.db_wait_s == 30.0
    assert settings.livekit.url == "" and settings.rejoin_grace_s == 60.0


def test_settings_are_frozen_and_keep_the_secret_out_of_their_repr() -> None:
    settings = Settings.from_env({"LIVEKIT_API_SECRET": "s3cret-value", "INTERVIEWER_LLM_URL": "http://x/v1",
                                  "INTERVIEWER_LLM_MODEL": "m", "INTERVIEWER_LLM_API_KEY": "k3y-value"})
    with pytest.raises(ValueError):
        settings.db_wait_s = 1.0  # type: ignore[misc]
    assert "s3cret-value" not in repr(settings) and "k3y-value" not in repr(settings)


@pytest.mark.parametrize(("name", "value"), [
    ("INTERVIEWER_DB_WAIT_S", "soon"), ("INTERVIEWER_DB_WAIT_S", "4000"),
    ("INTERVIEWER_KEEP_REPORTS", "lots"), ("INTERVIEWER_KEEP_REPORT_DAYS", "-1"),
    ("INTERVIEWER_TOKEN_TTL_S", "5"), ("INTERVIEWER_TOKEN_TTL_S", "ten"),
    ("INTERVIEWER_GLOBAL_RATE_LIMIT", "0"), ("INTERVIEWER_TRUSTED_PROXIES", "nope"),
    ("INTERVIEWER_REJOIN_GRACE_S", "nan"), ("INTERVIEWER_LLM_URL", "http://x/v1"),
])
def test_every_bad_value_is_one_line_that_starts_with_its_variable(name: str, value: str) -> None:
    with pytest.raises(SettingsError) as err:
        Settings.from_env({name: value})
    line = str(err.value)
    named = "INTERVIEWER_LLM_MODEL" if name == "INTERVIEWER_LLM_URL" else name  # a URL needs its model named
    assert line.startswith(f"{named}:") and "\n" not in line


def test_the_web_settings_say_which_livekit_variable_is_missing() -> None:
    with pytest.raises(SettingsError, match="^LIVEKIT_API_KEY"):
        Settings.from_env({"LIVEKIT_URL": "ws://127.0.0.1:7880"}).web()
    dev = Settings.from_env({"LIVEKIT_PUBLIC_URL": "https://rtc.example.org"}).with_livekit("ws://127.0.0.1:7880",
                                                                                             "devkey", "secret")
    assert dev.web().browser_livekit_url == "ws://127.0.0.1:7880"  # a local server is reached where it runs


def test_only_the_entry_points_read_the_environment() -> None:
    readers = set()
    for path in AGENT.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Attribute) and node.attr in ("environ", "getenv", "environb"):
                readers.add(path.relative_to(AGENT).as_posix())
    assert readers == ENVIRONMENT_READERS
