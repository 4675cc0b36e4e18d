"""The rule the root conftest enforces: one kind marker per test, the same as its folder."""

import pytest

from tests.conftest import kind_problem

pytestmark = pytest.mark.unit


@pytest.mark.parametrize("folder,kinds,wanted", [
    ("unit", ["unit"], None),
    ("evals", ["evals"], None),
    ("unit", [], "no kind marker"),
    ("e2e", ["unit"], "marked unit but lives in tests/e2e/"),
    ("integration", ["integration", "e2e"], "more than one kind"),
])
def test_kind_problem(folder, kinds, wanted):
    problem = kind_problem(folder, kinds)
    assert (problem is None) if wanted is None else (wanted in problem)
