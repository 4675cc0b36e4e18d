"""Runs browser_round.mjs (Debian Chromium through playwright-core) for the browser tests, and reads its result."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

from .conftest import AppThread

SCRIPT = Path(__file__).with_name("browser_round.mjs")
RUN_TIMEOUT_S = 240


def run_browser(app: AppThread, wav: Path, artifacts: Path, expect: str, extra: tuple[str, ...] = ()) -> dict:
    node = shutil.which("node")
    assert node, "node is required for the browser tests"
    done = subprocess.run(
        [
            node,
            str(SCRIPT),
            "--url",
            app.url,
            "--audio",
            str(wav),
            "--artifacts",
            str(artifacts),
            "--expect",
            expect,
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=RUN_TIMEOUT_S,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no result from the browser script (exit {done.returncode}): {done.stderr[-2000:]}"
    result: dict = json.loads(lines[-1])
    assert done.returncode == 0 and result["ok"], (
        f"browser round failed: {result.get('error')}; steps={result['steps']}; "
        f"console errors={result['consoleErrors'][:5]}; screenshots in {artifacts}"
    )
    return result
