"""The optional model second opinion, against a fake OpenAI-compatible server on loopback.

The server is a fake (a canned chat-completions reply, a delay, or an error),
so what is tested is this wrapper and the real ``openai`` client it drives:
what it accepts from a model, and that a slow, dead or confused endpoint
costs at most its time budget and never the candidate's answer.
"""

from __future__ import annotations

import io
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from agent.assist.endpoint import LLMSettings
from agent.assist.llm_assessor import (
    COOL_DOWN_S,
    LLMRefinedAssessor,
    assessor_for,
    openai_complete,
    redacted,
    verbatim,
)
from agent.interview.assess import CueAssessor
from agent.logs import configure_logging
from agent.settings import Settings, SettingsError
from tests.fakes.content import FAKE_LEXICON, fake_question

pytestmark = pytest.mark.unit

# Says two strong ideas in words the fake question's cues do not know.
PLAIN = ("Mostly I'd ask whether each group got their product out sooner because of us, "
         "and how many hours they stopped spending on plumbing.")


class FakeChatServer:
    """A fake chat-completions endpoint: replies with ``content`` after ``delay`` seconds, or fails."""

    def __init__(self) -> None:
        self.content = json.dumps({"found": []})
        self.delay = 0.0
        self.status = 200
        self.trickle_s = 0.0  # when set, the reply body goes out one byte per this many seconds
        self.requests: list[dict] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                outer.requests.append(body)
                time.sleep(outer.delay)
                payload = json.dumps({
                    "id": "fake", "object": "chat.completion", "created": 0, "model": body["model"],
                    "choices": [{"index": 0, "finish_reason": "stop",
                                 "message": {"role": "assistant", "content": outer.content}}],
                }).encode()
                self.send_response(outer.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                if not outer.trickle_s:
                    self.wfile.write(payload)
                    return
                for i in range(len(payload)):
                    try:
                        self.wfile.write(payload[i : i + 1])
                        self.wfile.flush()
                    except OSError:
                        return  # the client gave up
                    time.sleep(outer.trickle_s)

            def log_message(self, *args: object) -> None:
                pass

        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._httpd.daemon_threads = True
        self._httpd.block_on_close = False  # a deliberately slow reply must not hold up the test's end
        self.url = f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"
        threading.Thread(target=self._httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def _restore_logging():
    """These tests point the log at a buffer or a captured stream; later tests must not inherit it."""
    yield
    import sys

    configure_logging(stream=sys.__stderr__)


@pytest.fixture
def server():
    s = FakeChatServer()
    yield s
    s.close()


def refined(url: str, timeout_s: float = 2.0, clock=None) -> LLMRefinedAssessor:
    settings = LLMSettings(base_url=url, model="fake-model", timeout_s=timeout_s)
    return LLMRefinedAssessor(CueAssessor(FAKE_LEXICON), openai_complete(settings), endpoint=url,
                              clock=clock or time.monotonic, deadline_s=timeout_s)


def found(*items: tuple[str, str]) -> str:
    return json.dumps({"found": [{"id": i, "quote": q} for i, q in items]})


def test_a_quoted_strong_signal_the_cues_missed_is_added(server):
    q = fake_question()
    cues_only = CueAssessor(FAKE_LEXICON).assess(q, PLAIN)
    assert cues_only.signals == [] and cues_only.score == 1 and cues_only.answer_kind == "off_topic"
    server.content = found(("job-first", "GOT their product out sooner  because of us"))
    a = refined(server.url).assess(q, PLAIN)
    (hit,) = a.signals
    assert (hit.id, hit.polarity) == ("job-first", "strong")
    assert hit.evidence == "got their product out sooner because of us"  # the candidate's words, not the model's
    assert a.score > cues_only.score and a.answer_kind == "answer"
    (request,) = server.requests
    asked = request["messages"][1]["content"]
    assert "job-first" in asked and "adoption-depth" in asked
    assert "infra-only" not in asked  # weak signals are never offered to the model


@pytest.mark.parametrize("reply", [
    found(("job-first", "they shipped twice as fast thanks to the platform")),  # not in the answer
    found(("job-first", "sooner")),  # too short to be evidence of reasoning
    found(("infra-only", "how many hours they stopped spending")),  # weak signals cannot be added
    found(("made-up-signal", "how many hours they stopped spending")),
    "the answer is great, five stars",  # not JSON
    json.dumps({"verdict": "yes"}),  # JSON of the wrong shape
])
def test_what_a_model_cannot_do(server, reply):
    server.content = reply
    a = refined(server.url).assess(fake_question(), PLAIN)
    assert a.signals == [] and a.score == 1


def test_the_model_cannot_remove_what_the_cues_found(server):
    text = "Uptime, adoption and the number of integrations."
    server.content = found()
    a = refined(server.url).assess(fake_question(), text)
    assert {h.id for h in a.signals} == {"infra-only"}


def test_no_call_when_nothing_is_missing_or_there_is_no_answer(server):
    strong = ("The job to be done for consuming teams, the share of their use cases migrated, and the time to "
              "integrate for a new team.")
    assessor = refined(server.url)
    assessor.assess(fake_question(), strong)
    assessor.assess(fake_question(), "I really don't know.")
    assessor.assess(fake_question(), "")
    assert server.requests == []


def test_a_slow_endpoint_costs_its_budget_once_then_rests(server):
    log = io.StringIO()
    configure_logging(stream=log)
    clock = FakeClock()
    server.delay = 2.0
    assessor = refined(server.url, timeout_s=0.3, clock=clock)
    started = time.monotonic()
    a = assessor.assess(fake_question(), PLAIN)
    assert time.monotonic() - started < 1.5
    assert a.signals == [] and a.answer_kind == "off_topic"  # exactly what the cues alone said
    line = json.loads(log.getvalue().strip().splitlines()[-1])
    assert line["event"] == "llm.assist_unavailable" and line["endpoint"] == server.url
    assert "plumbing" not in log.getvalue()  # the candidate's words stay out of the log
    assessor.assess(fake_question(), PLAIN)
    assert len(server.requests) == 1  # resting: the second turn did not wait on the endpoint
    server.delay = 0.0
    server.content = found(("adoption-depth", "how many hours they stopped spending on plumbing"))
    clock.now += COOL_DOWN_S + 1
    assert [h.id for h in assessor.assess(fake_question(), PLAIN).signals] == ["adoption-depth"]


def test_an_endpoint_that_trickles_its_reply_is_cut_at_the_deadline(server):
    server.trickle_s = 1.0  # one byte a second: the client's per-read timeout never fires
    assessor = refined(server.url, timeout_s=0.5)
    started = time.monotonic()
    a = assessor.assess(fake_question(), PLAIN)
    waited = time.monotonic() - started
    assert waited < 5.0, waited  # the whole reply would take minutes
    assert a.signals == [] and assessor.failures == 1


def test_an_endpoint_with_credentials_is_logged_without_them(server):
    assert redacted("https://bob:s3cret@llm.example:8443/v1?key=abc") == "https://llm.example:8443/v1"
    assert redacted("http://127.0.0.1:8080/v1") == "http://127.0.0.1:8080/v1"
    # and what reaches the log: a failing call logs its endpoint, never the user, password or query
    buffer = io.StringIO()
    configure_logging(stream=buffer)
    server.status = 500
    host = server.url.split("//", 1)[1]
    secret_url = f"http://bob:s3cret@{host}?key=abc"
    failing = LLMRefinedAssessor(CueAssessor(FAKE_LEXICON), openai_complete(LLMSettings(
        base_url=server.url, model="fake-model", timeout_s=2.0)), endpoint=secret_url, deadline_s=2.0)
    failing.assess(fake_question(), PLAIN)
    logged = buffer.getvalue()
    assert "llm.assist_unavailable" in logged and host in logged
    assert "s3cret" not in logged and "bob" not in logged and "key=abc" not in logged


def test_an_endpoint_that_is_down_or_failing_leaves_the_cue_result(server):
    server.status = 500
    failing = refined(server.url)
    assert failing.assess(fake_question(), PLAIN).signals == [] and failing.failures == 1
    closed = FakeChatServer()
    url = closed.url
    closed.close()
    down = refined(url)
    assert down.assess(fake_question(), PLAIN).signals == [] and down.failures == 1


def test_verbatim_finds_the_candidates_span():
    text = "We'd watch, week by week, how many teams moved over."
    assert verbatim(text, "week by week how many") is None  # the comma is part of the words
    assert verbatim(text, "\u201cweek, by week,\u201d") is None
    assert verbatim(text, "how many  Teams moved") == "how many teams moved"


def test_settings_come_from_the_environment():
    assert Settings.from_env({}).llm is None
    s = Settings.from_env({"INTERVIEWER_LLM_URL": "http://127.0.0.1:8080/v1", "INTERVIEWER_LLM_MODEL": "m",
                           "INTERVIEWER_LLM_TIMEOUT_S": "0.8"}).llm
    assert s is not None and (s.model, s.timeout_s, s.api_key) == ("m", 0.8, "not-needed")
    assert isinstance(assessor_for(CueAssessor(FAKE_LEXICON), None), CueAssessor)
    assert isinstance(assessor_for(CueAssessor(FAKE_LEXICON), s), LLMRefinedAssessor)


@pytest.mark.parametrize("env,named", [
    ({"INTERVIEWER_LLM_URL": "http://x/v1"}, "INTERVIEWER_LLM_MODEL"),
    ({"INTERVIEWER_LLM_URL": "x.example/v1", "INTERVIEWER_LLM_MODEL": "m"}, "INTERVIEWER_LLM_URL"),
    ({"INTERVIEWER_LLM_URL": "http://x/v1", "INTERVIEWER_LLM_MODEL": "m", "INTERVIEWER_LLM_TIMEOUT_S": "soon"},
     "INTERVIEWER_LLM_TIMEOUT_S"),
    ({"INTERVIEWER_LLM_URL": "http://x/v1", "INTERVIEWER_LLM_MODEL": "m", "INTERVIEWER_LLM_TIMEOUT_S": "90"},
     "INTERVIEWER_LLM_TIMEOUT_S"),
])
def test_a_half_configured_endpoint_is_one_line_naming_the_variable(env, named):
    with pytest.raises(SettingsError) as err:
        Settings.from_env(env)
    assert str(err.value).startswith(named + ":") and "\n" not in str(err.value)


def test_the_cli_refuses_a_half_configured_endpoint(monkeypatch, capsys, tmp_path):
    from agent.cli import main

    monkeypatch.setenv("INTERVIEWER_LLM_URL", "http://127.0.0.1:9/v1")
    monkeypatch.delenv("INTERVIEWER_LLM_MODEL", raising=False)
    answers = tmp_path / "answers.txt"
    answers.write_text("Uptime and integrations.\n")
    code = main(["--db", f"sqlite:///{tmp_path / 'r.db'}", "practice", "--text", "--answers-file", str(answers)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert err[-1].startswith("interviewer practice: INTERVIEWER_LLM_MODEL:")


def test_a_text_round_through_the_console_script_uses_the_configured_model(server, tmp_path):
    import os
    import subprocess
    import sys
    from pathlib import Path

    exe = str(Path(sys.executable).with_name("interviewer"))
    answer = "Mostly whether each group got their product out sooner because of us, and what it cost them."
    server.content = found(("job-to-be-done", "got their product out sooner because of us"))
    (tmp_path / "answers.txt").write_text(answer + "\n", encoding="utf-8")
    env = dict(os.environ, INTERVIEWER_DATA_DIR=str(tmp_path / "data"), INTERVIEWER_LLM_URL=server.url,
               INTERVIEWER_LLM_MODEL="fake-model")
    db = f"sqlite:///{tmp_path / 'rounds.sqlite3'}"
    proc = subprocess.run([exe, "--db", db, "practice", "--text", "--question-ids", "platform-success-metrics",
                           "--answers-file", str(tmp_path / "answers.txt")],
                          capture_output=True, text=True, env=env, timeout=120, check=True)
    assert server.requests, "the round never asked the model"
    assert "sooner because of us" not in proc.stderr  # the candidate's words stay out of the log
    rid = proc.stdout.strip().splitlines()[-1].split()[1]
    card = subprocess.run([exe, "--db", db, "report", rid, "--format", "json", "--out", "-"],
                          capture_output=True, text=True, env=env, timeout=120, check=True).stdout
    hits = [json.dumps(h) for h in json.loads(card)["questions"][0]["hit"]]
    assert any("job-to-be-done" in h and "got their product out sooner because of us" in h for h in hits), hits
