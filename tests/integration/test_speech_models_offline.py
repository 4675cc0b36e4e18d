"""The download command against the real model hub URL.

This project's build machines reach package registries only, so the hub is
unreachable and the command must say so in one line and exit 1. On a machine
with a connection this test would start a real download instead.
"""

import subprocess
import sys

import pytest

pytestmark = pytest.mark.integration


def test_download_base_en_offline_says_so_in_one_line(tmp_path):
    code = (
        "import argparse, pathlib, sys; from agent.commands import models; from agent.settings import Settings; "
        f"ns = argparse.Namespace(name='base.en', dir=pathlib.Path({str(tmp_path)!r}), force=False); "
        "sys.exit(models._download(ns, Settings.from_env({})))"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=30)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "offline" in lines[0] and "tiny.en" in lines[0] and "en_US-joe-medium" in lines[0]
    assert str(tmp_path / "base.en") in lines[0]
