"""Every test says what kind it is, and lives in the folder of that kind.

The README's test command selects by marker; a test with no marker, or one
whose marker disagrees with its folder, would be silently left out of CI or
run with the wrong expectations (a unit test that needs a LiveKit server). So
collection fails, naming each such test, instead of skipping it quietly.
"""

from __future__ import annotations

from pathlib import Path

import pytest

KINDS = ("unit", "integration", "e2e", "evals")
HERE = Path(__file__).resolve().parent


def kind_problem(folder: str, kinds: list[str]) -> str | None:
    """Why a test in ``tests/<folder>/`` with these kind markers is misplaced, or None when it is fine."""
    if not kinds:
        return f"no kind marker (one of {', '.join(KINDS)})"
    if len(kinds) > 1:
        return f"more than one kind: {', '.join(kinds)}"
    if kinds[0] != folder:
        return f"marked {kinds[0]} but lives in tests/{folder}/"
    return None


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    problems = []
    for item in items:
        path = Path(str(item.path)).resolve()
        if HERE not in path.parents:
            continue
        folder = path.relative_to(HERE).parts[0]
        kinds = [k for k in KINDS if item.get_closest_marker(k) is not None]
        problem = kind_problem(folder, kinds)
        if problem is not None:
            problems.append(f"{item.nodeid}: {problem}")
    if problems:
        raise pytest.UsageError("tests in the wrong kind or folder:\n  " + "\n  ".join(problems))
