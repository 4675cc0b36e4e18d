"""Content loading: the shipped bank loads, and every kind of broken file gets its exact one-line error."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from agent.content.loader import (
    REQUIRED_QUESTION_IDS,
    ContentError,
    expand_paths,
    json_schemas,
    load_bank,
    load_files,
)
from agent.content.models import QuestionType
from agent.interview.assess import CueAssessor
from agent.interview.records import RoundMeta, Speaker
from agent.interview.round import InterviewRound
from agent.paths import PROJECT_ROOT

pytestmark = pytest.mark.unit

EXE = str(Path(sys.executable).with_name("interviewer"))
REQUIRED = REQUIRED_QUESTION_IDS


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def test_every_shipped_file_loads_and_the_required_questions_exist(bank):
    assert REQUIRED <= set(bank.questions)
    assert len(bank.personas) >= 3
    root = PROJECT_ROOT
    shipped = [*(root / "question_bank").glob("*.yaml"), *(root / "interviewer_personas").glob("*.yaml")]
    for path in shipped:
        errors: list[str] = []
        load_files([path], errors)
        assert errors == [], errors


def test_shipped_questions_carry_the_material_the_round_needs(bank):
    for q in bank.questions.values():
        assert {s.polarity.value for s in q.signals} == {"strong", "weak"}, q.id
        assert all(len(p.phrasings) >= 2 for p in q.probes), q.id
        assert len(q.strong_answer) >= 3 and q.weak_answer, q.id
        assert q.restatement and q.restatement != q.prompt, q.id  # "what do you mean?" gets new words
    assert {q.type for q in bank.questions.values()} == set(QuestionType)


def test_the_curveballs_the_guides_describe_are_in_the_bank(bank):
    def curveball_text(qid):
        return " ".join(p for cb in bank.questions[qid].curveballs for p in cb.phrasings).lower()

    assert "security" in curveball_text("api-breaking-change")
    assert "one" in curveball_text("platform-success-metrics")
    assert "agent" in curveball_text("agent-consumer-interface")


def test_weak_platform_answer_gets_the_value_probe(bank):
    from agent.interview.oneshot import judge

    v = judge(bank.questions["platform-success-metrics"], bank.personas["platform-lead"],
              CueAssessor(bank.lexicon), "We'd report uptime, the adoption rate and the number of integrations.")
    assert v.action.kind.value == "probe" and v.action.probe_id == "value-beyond-usage"
    assert v.score <= 2


@pytest.mark.parametrize("text,weak_counts", [
    ("We would report uptime and the number of integrations.", True),
    ("Uptime and the number of integrations on their own aren't enough.", False),
    ("We would report uptime and the number of integrations, which are table stakes.", False),
    ("We would report uptime and the number of integrations. Staffing is not enough either.", True),
])
def test_a_weak_cue_set_aside_in_its_own_sentence_does_not_count(bank, text, weak_counts):
    a = CueAssessor(bank.lexicon).assess(bank.questions["platform-success-metrics"], text)
    assert ("infra-metrics-only" in {h.id for h in a.signals}) is weak_counts


@pytest.mark.parametrize("text,gap", [
    ("I'm not sure, sorry.", True),
    ("I'm not familiar with this one.", True),
    ("I'm not sure it matters much.", False),  # a stance: pressed on, not moved past
    ("I'm not sure that's the right metric for a platform team.", False),
])
def test_the_shipped_lexicon_tells_a_gap_from_a_hedge(bank, text, gap):
    a = CueAssessor(bank.lexicon).assess(bank.questions["platform-success-metrics"], text)
    assert (a.answer_kind == "dont_know") is gap


@pytest.mark.parametrize("persona_id", ["platform-lead", "big-tech-panel", "friendly-coach"])
def test_every_persona_runs_a_round_end_to_end(bank, persona_id):
    persona = bank.personas[persona_id]
    qs = [q for q in bank.questions.values() if set(q.tracks) & set(persona.tracks)][:2]
    clock = [0.0]
    meta = RoundMeta(round_id="r-" + persona_id, persona_id=persona_id, track=None,
                     question_ids=tuple(q.id for q in qs), minutes=10.0, started_at="2026-01-01T00:00:00+00:00")
    r = InterviewRound(meta=meta, questions=qs, persona=persona, assessor=CueAssessor(bank.lexicon),
                       clock=lambda: clock[0])
    r.start()
    for _ in range(40):
        if r.done:
            break
        clock[0] += 45.0
        r.answer("I would start from who uses it and what they need, then measure whether it helps them.")
    assert r.done
    spoken = [t for t in r.turns if t.speaker is Speaker.INTERVIEWER]
    assert spoken[0].kind == "opening" and spoken[-1].kind == "wrap_up"
    assert all("{" not in t.text for t in spoken), [t.text for t in spoken if "{" in t.text]


def test_personas_differ_in_behaviour_not_only_wording(bank):
    ps = [bank.personas[p] for p in ("platform-lead", "big-tech-panel", "friendly-coach")]
    for field in ("probe_budget", "probe_below_score"):
        assert len({getattr(p, field) for p in ps}) >= 2, field
    assert len({p.turn_taking.min_endpointing_delay_s for p in ps}) >= 2
    assert len({p.rambling.cut_off for p in ps}) == 2
    assert len({p.curveballs.use for p in ps}) >= 2


# -- broken files -------------------------------------------------------------

def _question(**overrides):
    q = dict(
        id="q-one", title="the first question", prompt="How would you know the platform works for its users?",
        tracks=["internal-platform"],
        type="success-metrics", time_budget_s=240,
        signals=[
            dict(id="adoption-depth", polarity="strong", description="Depth", cues=dict(phrases=["share of"])),
            dict(id="infra-only", polarity="weak", description="Counts", cues=dict(phrases=["uptime"])),
        ],
        probes=[dict(id="depth", trigger=dict(missing=["adoption-depth"]), assesses=["adoption-depth"],
                     phrasings=["How deep?", "How much of their work?"])],
        strong_answer=["depth", "speed"], weak_answer="uptime", topic_words=["platform", "team", "measure"],
    )
    q.update(overrides)
    return q


def _write(tmp_path: Path, data, name="bank.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def _errors(path: Path) -> list[str]:
    errors: list[str] = []
    load_files([path], errors)
    return errors


def test_a_valid_file_has_no_errors(tmp_path):
    assert _errors(_write(tmp_path, {"schema_version": 1, "questions": [_question()]})) == []


@pytest.mark.parametrize("build,expected", [
    (lambda: {"schema_version": 1, "questions": [_question(), _question(
        id="q-two", probes=[dict(id="pp", trigger=dict(missing=["adopton-depth"]), assesses=["adoption-depth"],
                                 phrasings=["a?", "b?"])])]},
     "questions[1].probes[0].trigger.missing[0]: unknown signal 'adopton-depth' (did you mean 'adoption-depth'?)"),
    (lambda: {"schema_version": 1, "questions": [_question(colour="blue")]},
     "questions[0].colour: unknown field"),
    (lambda: {"questions": [_question()]},
     "schema_version: expected 1, got 'missing'"),
    (lambda: {"schema_version": 2, "questions": [_question()]},
     "schema_version: expected 1, got 2"),
    (lambda: {"schema_version": 1, "questions": [_question(time_budget_s=5)]},
     "questions[0].time_budget_s: Input should be greater than or equal to 30"),
    (lambda: {"schema_version": 1, "questions": [_question(tracks=["space-pm"])]},
     "questions[0].tracks[0]: Input should be"),
    (lambda: {"schema_version": 1, "questions": [_question(signals=[
        dict(id="a-b", polarity="strong", description="x", cues=dict(patterns=["(unclosed"])),
        dict(id="c-d", polarity="weak", description="y", cues=dict(phrases=["z"]))])]},
     "questions[0].signals[0].cues.patterns: patterns[0] is not a valid regular expression"),
    (lambda: {"schema_version": 1, "questions": [_question(), _question()]},
     "questions[1].id: duplicate question id 'q-one'"),
    (lambda: {"schema_version": 1, "questions": [_question(probes=[
        dict(id="pp", trigger=dict(missing=["adoption-depth"]), assesses=["adoption-depth"],
             phrasings=["only one"])])]},
     "questions[0].probes[0].phrasings: Tuple should have at least 2 items"),
    (lambda: {"schema_version": 1, "something": []},
     "expected a top-level 'questions', 'persona', 'lexicon' or 'job_ad' key"),
])
def test_each_broken_file_gives_one_line_naming_file_and_field(tmp_path, build, expected):
    path = _write(tmp_path, build())
    errors = _errors(path)
    assert len(errors) == 1, errors
    assert errors[0].startswith(f"{path}: "), errors[0]
    assert expected in errors[0], errors[0]
    assert "\n" not in errors[0]


def test_broken_yaml_names_line_and_column(tmp_path):
    path = _write(tmp_path, "schema_version: 1\nquestions:\n  - id: [unclosed\n")
    (err,) = _errors(path)
    assert "bank.yaml: line " in err and "invalid YAML" in err and "\n" not in err


def test_a_bad_persona_names_its_field(tmp_path):
    data = yaml.safe_load((PROJECT_ROOT / "interviewer_personas" / "platform-lead.yaml").read_text())
    data["persona"]["turn_taking"]["min_endpointing_delay_s"] = 4.0
    data["persona"]["turn_taking"]["max_endpointing_delay_s"] = 1.0
    (err,) = _errors(_write(tmp_path, data, "p.yaml"))
    assert "p.yaml: persona.turn_taking: max_endpointing_delay_s must be >= min_endpointing_delay_s" in err


def test_load_bank_reports_all_problems_together(tmp_path):
    qdir, pdir = tmp_path / "q", tmp_path / "p"
    qdir.mkdir()
    pdir.mkdir()
    (qdir / "a.yaml").write_text("schema_version: 1\nquestions: [", encoding="utf-8")
    _write(qdir, {"schema_version": 1, "questions": [_question(id="q-x", colour=1)]}, "b.yaml")
    with pytest.raises(ContentError) as info:
        load_bank(qdir, pdir)
    errs = info.value.errors
    assert any("a.yaml: line" in e for e in errs)
    assert any("b.yaml: questions[0].colour: unknown field" in e for e in errs)
    assert any("_lexicon.yaml: missing" in e for e in errs)


def test_missing_path_is_named(tmp_path):
    errors: list[str] = []
    assert expand_paths([tmp_path / "nope.yaml"], errors) == []
    assert errors == [f"{tmp_path / 'nope.yaml'}: no such file or folder"]


def test_bank_validate_command(tmp_path):
    ok = subprocess.run([EXE, "bank", "validate"], capture_output=True, text=True, timeout=60)
    assert ok.returncode == 0 and ok.stdout.startswith("ok: ")
    bad = _write(tmp_path, {"schema_version": 1, "questions": [_question(id="Bad Id")]})
    proc = subprocess.run([EXE, "bank", "validate", str(bad)], capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1
    first = proc.stderr.splitlines()[0]
    assert first.endswith("questions[0].id: String should match pattern '^[a-z0-9]+(?:-[a-z0-9]+)*$'"), first
    folder = subprocess.run([EXE, "bank", "validate", str(PROJECT_ROOT / "question_bank")],
                            capture_output=True, text=True, timeout=60)
    assert folder.returncode == 0, folder.stderr


def test_json_schemas_are_exported_and_current(tmp_path):
    schemas = json_schemas()
    assert schemas["question-file"]["additionalProperties"] is False
    proc = subprocess.run([EXE, "bank", "schema", "--out", str(tmp_path)], capture_output=True, text=True,
                          timeout=60, env=dict(os.environ))
    assert proc.returncode == 0, proc.stderr
    shipped = PROJECT_ROOT / "question_bank" / "schema"
    for name in ("question-file", "persona-file", "lexicon-file", "job-ad-file"):
        fresh = json.loads((tmp_path / f"{name}.schema.json").read_text())
        assert fresh == json.loads((shipped / f"{name}.schema.json").read_text()), (
            f"{name}: regenerate with `interviewer bank schema --out question_bank/schema`")


def test_list_prints_ids():
    proc = subprocess.run([EXE, "bank", "list", "--json"], capture_output=True, text=True, timeout=60)
    data = json.loads(proc.stdout)
    assert {q["id"] for q in data["questions"]} >= REQUIRED
