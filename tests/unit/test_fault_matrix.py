"""Issue 11's fault matrix: each way a candidate's answers could leak or be lost, and the tests that close it.

``TABLE`` holds the issue's table row by row: what was tried on the code of
the time (f36d0cd, main when the issue was filed), what happened then, what
happens now, and the tests that show it. ``ALSO`` does the same for the
guarantees of the issue's "what to build" that the table does not list. The
tests themselves live beside the code they exercise (store, data folder, web
app, command line, voice round, LiveKit); this module is their index, so it
holds only the tests that had no home elsewhere.

The index checks itself: every row names at least one test, and every named
test exists as a test function in the named file, so a renamed or deleted
test breaks the matrix instead of silently emptying a row.

Each named unit test fails on f36d0cd (run there with this tests/ folder and
f36d0cd's agent package, 2026-12-07): ten by their assertions (the store
faults, SIGTERM/SIGHUP, SIGKILL, the proxy rate limit), the rest at import,
because what they test did not exist yet (owners, retention, ``redacted``,
``DropFrameworkPii``). Rows that already held there are not listed (a SIGKILL
always kept the turns). The voice rows, the Piper row and the token row were
run against the code just before their fix and failed there (for the token row, the two
tests in test_token_reuse.py).

Read it as a table: ``python -m tests.unit.test_fault_matrix`` prints it.
"""

from __future__ import annotations

import ast
import itertools
import types
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pytest

from agent.session import RoundRequest, past_scorecards, start_round
from agent.store import Store
from agent.store.owners import web_owner
from tests.fakes.content import FAKE_LEXICON, fake_persona, fake_question

pytestmark = pytest.mark.unit

REPO = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Row:
    tried: str  # what was tried, as the issue's table says it
    then: str  # what happened on f36d0cd
    now: str  # what happens instead
    tests: tuple[str, ...]  # "path::test_function" (a parametrized test counts once, by its function)


TABLE = (
    Row("`GET /history`, `GET /rounds/{id}` on the web app, no credential",
        "the last 50 round ids and full transcripts, to anyone who can reach the port",
        "a round answers only its owner's browser (404 to anyone else); history lists only the caller's rounds",
        ("tests/unit/test_web_ownership.py::test_reports_and_history_answer_only_their_owner",
         "tests/unit/test_store_migration.py::test_rounds_from_before_owners_are_not_shown_to_a_browser")),
    Row("a report's \"compared with an earlier attempt\"",
        "compares against any user's round of the same question, showing its id and score",
        "comparisons and --loop see only the same owner's rounds",
        ("tests/unit/test_fault_matrix.py::test_comparisons_and_loops_see_only_the_owners_rounds",
         "tests/unit/test_web_ownership.py::test_the_dispatch_carries_the_callers_owner_to_the_worker")),
    Row("database locked for more than 10 s mid-round (text round)",
        "traceback, the answer lost, the round stuck as \"running\", no report",
        "bounded retry with backoff; then one line, the round ends, the report is written from memory, exit 1",
        ("tests/unit/test_store_faults.py::test_a_write_waits_out_a_short_lock",
         "tests/unit/test_store_faults.py::test_a_lock_that_outlasts_the_wait_is_one_store_error",
         "tests/unit/test_store_faults.py::test_a_database_locked_mid_round_keeps_the_answer_and_reports_from_memory")),
    Row("disk full mid-round",
        "the same",
        "handled like a lasting lock; the line says the disk holding the database is full",
        ("tests/unit/test_private_data.py::test_a_full_disk_is_one_store_error_that_says_so",
         "tests/unit/test_private_data.py::test_a_disk_that_fills_mid_round_keeps_the_answer_and_reports_from_memory")),
    Row("one corrupt stored turn",
        "`report` and `history` both crash with a traceback",
        "the turn is skipped with a warning naming it; the rest of the round reads",
        ("tests/unit/test_store_faults.py::test_a_damaged_turn_is_skipped_and_the_rest_of_the_round_reads",
         "tests/unit/test_store_faults.py::test_report_and_history_read_past_a_damaged_turn")),
    Row("SIGTERM during a text round",
        "exit -15, round left \"running\", no report (Ctrl-C closes it cleanly)",
        "SIGTERM and SIGHUP end the round like Ctrl-C: stored interrupted, report written",
        ("tests/unit/test_store_faults.py::test_sigterm_or_sighup_ends_a_text_round_like_ctrl_c",)),
    Row("SIGKILL",
        "turns kept, but the round shows \"running\" forever",
        "a round whose writing process is gone reads as interrupted, with a partial report",
        ("tests/unit/test_store_crash.py::test_killed_round_gives_a_partial_report",)),
    Row("model endpoint that sends 1 byte a second, 1.5 s budget",
        "the answer waited 123 s",
        "a wall-clock deadline on the whole call; a slow endpoint then rests",
        ("tests/unit/test_llm_assessor.py::test_an_endpoint_that_trickles_its_reply_is_cut_at_the_deadline",
         "tests/unit/test_llm_assessor.py::test_a_slow_endpoint_costs_its_budget_once_then_rests")),
    Row("read-only data folder",
        "`history`, `practice`, `report`: PermissionError traceback",
        "one line naming the folder and the way out, exit 2; history and report still read",
        ("tests/unit/test_private_data.py::test_a_read_only_data_folder_still_reads_and_refuses_writes_in_one_line",
         "tests/unit/test_private_data.py::test_a_database_named_in_a_read_only_folder_names_that_folder",
         "tests/unit/test_private_data.py::test_a_file_where_the_data_folder_should_be_is_one_line")),
    Row("several views of a round still \"running\"",
        "the 2-thread page pool stalls; 504s after 10 s",
        "a view waits for the round on the event loop, not in a page thread",
        ("tests/unit/test_web_ownership.py::test_many_views_of_a_finishing_round_never_starve_the_page_pool",)),
    Row("database schema changes",
        "only version 1 is accepted; the advice is to move the file aside, losing history",
        "Alembic upgrades the file in place in one transaction, history kept; a failed upgrade changes nothing",
        ("tests/unit/test_store_migration.py::test_a_version_1_file_upgrades_in_place_with_its_rounds",
         "tests/unit/test_store_migration.py::test_an_upgrade_that_fails_leaves_the_file_as_it_was",
         "tests/integration/test_store_postgres.py::test_a_version_1_database_upgrades_in_place_on_postgresql")),
    Row("every round, text or voice",
        "a 4.8 MB self-contained HTML report, never pruned",
        "reports kept by count and age, per owner; written 0600 in 0700 folders, the database too",
        ("tests/unit/test_private_data.py::test_a_round_prunes_the_reports_folder_after_writing_its_report",
         "tests/unit/test_private_data.py::test_prune_keeps_the_newest_reports_and_only_touches_reports",
         "tests/unit/test_private_data.py::test_prune_by_age_never_removes_the_report_just_written",
         "tests/unit/test_private_data.py::test_retention_counts_per_owner_on_a_worker_that_serves_many_browsers",
         "tests/unit/test_private_data.py::test_what_a_round_creates_is_owner_only_whatever_the_umask")),
    Row("a model URL with credentials",
        "logged verbatim",
        "user, password and query are stripped from the logged URL",
        ("tests/unit/test_llm_assessor.py::test_an_endpoint_with_credentials_is_logged_without_them",)),
    Row("the rate limit",
        "keyed on the peer address: behind a proxy everyone shares one bucket",
        "forwarding headers trusted only from configured proxies; a global cap on top",
        ("tests/unit/test_web_app.py::test_behind_a_trusted_proxy_each_forwarded_client_has_its_own_bucket",
         "tests/unit/test_web_app.py::test_client_address_reads_only_the_hops_a_trusted_proxy_added",
         "tests/unit/test_operations_limits.py::test_rounds_from_all_clients_together_are_capped")),
)

ALSO = (
    Row("a spoken round (browser, microphone, simulated) loses its database mid-round",
        "the interview went on; nothing told the candidate",
        "the interviewer says one line aloud, the round ends and closes, the report comes from memory",
        ("tests/integration/test_voice_store_faults.py::"
         "test_a_spoken_round_that_loses_its_database_says_so_and_ends_cleanly",)),
    Row("a spoken round whose report cannot be written",
        "traceback from `interviewer simulate` (and the microphone round)",
        "one line naming the round and how to write its report later, exit 1",
        ("tests/integration/test_voice_store_faults.py::test_a_spoken_round_whose_report_cannot_be_written_ends_with_one_line",)),
    Row("a browser token used again after its round's room closed, within its lifetime",
        "the room came back with a new interviewer dispatched: a second round",
        "the app opens the room and dispatches once; the token only joins (refused where rooms are not auto-created)",
        ("tests/e2e/test_token_reuse.py::test_a_reused_token_after_its_room_closed_starts_no_second_round",
         "tests/e2e/test_token_reuse.py::test_on_our_server_config_a_reused_token_is_refused",
         "tests/e2e/test_tokens_livekit.py::test_a_token_cannot_create_its_room",
         "tests/unit/test_web_tokens.py::test_session_opens_the_room_with_the_interviewer_and_the_token_only_joins")),
    Row("a candidate drops out of a spoken round",
        "the round ended at once",
        "the same round waits for them (default 60 s), then ends and reports",
        ("tests/e2e/test_worker_rejoin.py::test_a_candidate_who_drops_out_carries_on_in_the_same_round",
         "tests/e2e/test_worker_rejoin.py::test_a_candidate_who_does_not_come_back_ends_the_round_after_the_grace",
         "tests/unit/test_web_rejoin.py::test_the_same_browser_comes_back_into_the_same_room_as_the_same_identity")),
    Row("LiveKit's lk.pii.* log record fields",
        "written by the worker's log handlers",
        "dropped unless --log-pii",
        ("tests/unit/test_operations_limits.py::test_framework_pii_fields_are_dropped_from_log_records",)),
    Row("a long interviewer sentence in a long-lived worker",
        "Piper's arena kept its memory for good (the soak grew 633 -> 732 MB)",
        "the arena shrinks after every sentence",
        ("tests/integration/test_piper_memory.py::test_a_long_sentence_gives_its_memory_back",)),
)


# -- the index checks itself ----------------------------------------------------------


@cache
def _tests_in(path: str) -> frozenset[str]:
    tree = ast.parse((REPO / path).read_text(encoding="utf-8"))
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and node.name.startswith("test_"):
            names.add(node.name)
    return frozenset(names)


@pytest.mark.parametrize("row", TABLE + ALSO, ids=lambda r: r.tried[:48])
def test_every_row_names_tests_that_exist(row: Row) -> None:
    assert row.tests, f"no test covers: {row.tried}"
    for ref in row.tests:
        path, _, name = ref.partition("::")
        assert (REPO / path).is_file(), f"{ref}: no such file"
        assert path.split("/")[1] in {"unit", "integration", "e2e", "evals"}, f"{ref}: not in a test folder"
        assert name in _tests_in(path), f"{ref}: no such test"


def test_the_table_is_the_issues_table() -> None:
    """Fourteen rows, in the issue's order; a row is never dropped to make the matrix pass."""
    assert len(TABLE) == 14
    assert TABLE[0].tried.startswith("`GET /history`") and TABLE[-1].tried == "the rate limit"
    assert len({r.tried for r in TABLE + ALSO}) == len(TABLE) + len(ALSO)


# -- rows with no other home ------------------------------------------------------------


def _bank() -> types.SimpleNamespace:
    persona, question = fake_persona(), fake_question()
    return types.SimpleNamespace(personas={persona.id: persona}, questions={question.id: question},
                                 lexicon=FAKE_LEXICON)


def _one_round(bank: types.SimpleNamespace, store: Store, answer: str) -> str:
    ticks = itertools.count(0.0, 5.0)
    request = RoundRequest(persona_id=next(iter(bank.personas)), question_ids=(next(iter(bank.questions)),))
    logged = start_round(bank, store, request, clock=lambda: next(ticks))
    logged.start()
    logged.answer(answer, speaking_s=20.0)
    logged.end("candidate_left")
    return str(logged.round.meta.round_id)


def test_comparisons_and_loops_see_only_the_owners_rounds(tmp_path: Path) -> None:
    """Alice's earlier attempt is compared with Alice's next round, never with Bob's; Bob's loop sees nothing."""
    url = f"sqlite:///{tmp_path / 'rounds.sqlite3'}"
    bank = _bank()
    qid = next(iter(bank.questions))
    with Store(url) as store:
        alice, bob = store.as_owner(web_owner("alice-browser")), store.as_owner(web_owner("bob-browser"))
        first = _one_round(bank, alice, "We would track adoption by the teams and their time to first deploy.")
        assert [s.round_id for s in alice.list_rounds()] == [first]

        request = RoundRequest(persona_id=next(iter(bank.personas)), question_ids=(qid,))
        bobs = start_round(bank, bob, request, clock=lambda: 0.0)
        assert bob.previous_attempts([qid], before_round_id=bobs.round.meta.round_id) == {}
        assert bob.signal_history(limit_rounds=10) == []
        assert [c.round_id for c in past_scorecards(bob, bank)] == [bobs.round.meta.round_id]  # what --loop reads

        again = start_round(bank, alice, request, clock=lambda: 0.0)
        assert alice.previous_attempts([qid], before_round_id=again.round.meta.round_id)[qid].round_id == first
        assert {c.round_id for c in past_scorecards(alice, bank)} == {again.round.meta.round_id, first}
        assert {o.round_id for o in alice.signal_history(limit_rounds=10)} <= {first, again.round.meta.round_id}


def main() -> None:
    """Print the matrix as a table."""
    for title, rows in (("Issue 11's table", TABLE), ("Also built", ALSO)):
        print(f"\n## {title}\n")
        for row in rows:
            print(f"- {row.tried}\n  then: {row.then}\n  now:  {row.now}")
            for ref in row.tests:
                print(f"    {ref}")


if __name__ == "__main__":
    main()
