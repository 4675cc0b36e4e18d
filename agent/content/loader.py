"""Loading the question bank and the personas from YAML, with one-line errors.

Content authors are not expected to read pydantic tracebacks. Every problem,
from a YAML syntax error to a probe naming a signal that does not exist, is
reported as ``file: field.path: message`` so the fix is obvious, and all
problems in a bank are reported together rather than one per run.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from agent.content.job_ad import JOB_AD_FILE, JobAdFile, JobAdRules
from agent.content.lexicon import Lexicon, LexiconFile
from agent.content.models import SCHEMA_VERSION, Curveball, Persona, PersonaFile, Probe, Question, QuestionFile
from agent.paths import PROJECT_ROOT

QUESTIONS_DIR = PROJECT_ROOT / "question_bank"
PERSONAS_DIR = PROJECT_ROOT / "interviewer_personas"
LEXICON_NAME = "_lexicon.yaml"
DEFAULT_PERSONA = "platform-lead"  # used when no persona is named, and offered first on the page

# Question ids other tools rely on (DESIGN.md, "Contracts"): the shipped bank must keep them.
REQUIRED_QUESTION_IDS = frozenset({
    "platform-success-metrics", "api-breaking-change", "internal-one-off-request", "api-versioning-choice",
    "agent-consumer-interface", "api-north-star", "explain-api", "explain-caching", "url-enter", "maps-routing",
    "feed-ranking", "design-lite", "personalization-feasibility", "technical-background",
})


class ContentError(Exception):
    """The content does not load; ``errors`` holds one line per problem."""

    def __init__(self, errors: Sequence[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = list(errors)


@dataclass(frozen=True)
class Bank:
    """Everything the interviewer knows: questions, personas and the shared lexicon."""

    questions: dict[str, Question]
    personas: dict[str, Persona]
    lexicon: Lexicon
    job_ad: JobAdRules = JobAdRules()  # no rules when the bank ships no _job_ad.yaml


def load_bank(questions_dir: Path = QUESTIONS_DIR, personas_dir: Path = PERSONAS_DIR) -> Bank:
    """Load and cross-check the whole bank, raising ``ContentError`` with every problem found."""
    errors: list[str] = []
    question_files = _yaml_files(questions_dir, errors)
    persona_files = _yaml_files(personas_dir, errors)
    loaded = load_files([*question_files, *persona_files], errors)
    if loaded.lexicon is None and not any(p.name == LEXICON_NAME for p in question_files):
        errors.append(f"{_rel(questions_dir / LEXICON_NAME)}: missing: the shared lexicon file is required")
    if not loaded.questions and question_files:
        errors.append(f"{_rel(questions_dir)}: no question loaded")
    if not loaded.personas and persona_files:
        errors.append(f"{_rel(personas_dir)}: no persona loaded")
    if errors:
        raise ContentError(errors)
    assert loaded.lexicon is not None
    return Bank(loaded.questions, loaded.personas, loaded.lexicon, loaded.job_ad or JobAdRules())


def load_bank_at(root: Path) -> Bank:
    """The bank kept under ``root`` (its question_bank/ and interviewer_personas/ folders)."""
    return load_bank(root / "question_bank", root / "interviewer_personas")


@dataclass
class Loaded:
    """What a set of files held, before the bank-level checks."""

    questions: dict[str, Question] = field(default_factory=dict)
    personas: dict[str, Persona] = field(default_factory=dict)
    lexicon: Lexicon | None = None
    job_ad: JobAdRules | None = None
    sources: dict[str, str] = field(default_factory=dict)


def load_files(paths: Iterable[Path], errors: list[str]) -> Loaded:
    """Load the given YAML files, appending one line per problem to ``errors``."""
    out = Loaded()
    for path in paths:
        name = _rel(path)
        data = _read_yaml(path, name, errors)
        if data is None:
            continue
        kind = _kind_of(path, data)
        if kind is None:
            errors.append(f"{name}: expected a top-level 'questions', 'persona', 'lexicon' or 'job_ad' key")
            continue
        if data.get("schema_version") != SCHEMA_VERSION:
            got = data.get("schema_version", "missing")
            errors.append(f"{name}: schema_version: expected {SCHEMA_VERSION}, got {got!r}")
            continue
        model = _validate(kind, data, name, errors)
        if model is None:
            continue
        if isinstance(model, QuestionFile):
            for i, q in enumerate(model.questions):
                where = f"{name}: questions[{i}]"
                if q.id in out.questions:
                    errors.append(f"{where}.id: duplicate question id '{q.id}' (also in {out.sources[q.id]})")
                    continue
                errors.extend(f"{where}.{e}" for e in cross_reference(q))
                out.questions[q.id] = q
                out.sources[q.id] = name
        elif isinstance(model, PersonaFile):
            p = model.persona
            key = f"persona:{p.id}"
            if p.id in out.personas:
                errors.append(f"{name}: persona.id: duplicate persona id '{p.id}' (also in {out.sources[key]})")
                continue
            out.personas[p.id] = p
            out.sources[key] = name
        elif isinstance(model, LexiconFile):
            if out.lexicon is not None:
                errors.append(f"{name}: lexicon: a second lexicon (the first is in {out.sources['lexicon']})")
                continue
            out.lexicon = model.lexicon
            out.sources["lexicon"] = name
        elif isinstance(model, JobAdFile):
            if out.job_ad is not None:
                errors.append(f"{name}: job_ad: a second set of job-ad rules (the first is in {out.sources['job_ad']})")
                continue
            out.job_ad = model.job_ad
            out.sources["job_ad"] = name
    _check_personas(out, errors)
    _check_job_ad(out, errors)
    return out


def cross_reference(q: Question) -> list[str]:
    """Problems inside one question that the field models cannot see, as ``field.path: message``."""
    errors: list[str] = []
    signal_ids = [s.id for s in q.signals]
    known = set(signal_ids)
    errors.extend(_duplicates("signals", signal_ids))
    errors.extend(_duplicates("probes", [p.id for p in q.probes]))
    errors.extend(_duplicates("curveballs", [c.id for c in q.curveballs]))
    clash = {p.id for p in q.probes} & {c.id for c in q.curveballs}
    errors.extend(f"curveballs: id '{cid}' is also a probe id" for cid in sorted(clash))
    groups: tuple[tuple[str, Sequence[Probe | Curveball]], ...] = (("probes", q.probes), ("curveballs", q.curveballs))
    for group, items in groups:
        for i, item in enumerate(items):
            refs = (("trigger.missing", item.trigger.missing), ("trigger.present", item.trigger.present),
                    ("assesses", item.assesses))
            for fname, ids in refs:
                for j, sid in enumerate(ids):
                    if sid not in known:
                        errors.append(f"{group}[{i}].{fname}[{j}]: unknown signal '{sid}'{_hint(sid, known)}")
    return errors


def _check_personas(out: Loaded, errors: list[str]) -> None:
    """A persona must have questions to ask: at least one question shares one of its tracks."""
    if not out.questions:
        return
    tracks = {t for q in out.questions.values() for t in q.tracks}
    for pid, p in out.personas.items():
        if not tracks & set(p.tracks):
            errors.append(f"{out.sources[f'persona:{pid}']}: persona.tracks: no question in the bank has any of "
                          f"{', '.join(t.value for t in p.tracks)}")


def _check_job_ad(out: Loaded, errors: list[str]) -> None:
    """Every question a job-ad rule points at is in the bank (checked only when questions were loaded too)."""
    if out.job_ad is None or not out.questions:
        return
    name = out.sources["job_ad"]
    for i, rule in enumerate(out.job_ad.rules):
        for j, qid in enumerate(rule.questions):
            if qid not in out.questions:
                errors.append(f"{name}: job_ad.rules[{i}].questions[{j}]: unknown question '{qid}'"
                              f"{_hint(qid, out.questions)}")


def _duplicates(group: str, ids: list[str]) -> list[str]:
    seen: set[str] = set()
    out = []
    for i, x in enumerate(ids):
        if x in seen:
            out.append(f"{group}[{i}].id: duplicate id '{x}'")
        seen.add(x)
    return out


def _hint(word: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(word, list(known), n=1)
    return f" (did you mean '{close[0]}'?)" if close else ""


def _kind_of(path: Path, data: Mapping[str, Any]) -> type[BaseModel] | None:
    if "questions" in data:
        return QuestionFile
    if "persona" in data:
        return PersonaFile
    if "lexicon" in data or path.name == LEXICON_NAME:
        return LexiconFile
    if "job_ad" in data or path.name == JOB_AD_FILE:
        return JobAdFile
    return None


def _validate(kind: type[BaseModel], data: Any, name: str, errors: list[str]) -> BaseModel | None:
    try:
        return kind.model_validate(data)
    except ValidationError as exc:
        raw = exc.errors()
        # pydantic also reports a too-short container when an item inside it failed: that is noise
        inner = [tuple(e["loc"]) for e in raw]
        raw = [e for e in raw if not (e["type"] == "too_short" and any(
            len(o) > len(e["loc"]) and o[: len(e["loc"])] == tuple(e["loc"]) for o in inner))]
        for err in raw:
            loc = _format_loc(err["loc"])
            msg = err["msg"].removeprefix("Value error, ")
            if err["type"] == "extra_forbidden":
                msg = "unknown field"
            errors.append(f"{name}: {loc}: {msg}" if loc else f"{name}: {msg}")
        return None


def _format_loc(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def _read_yaml(path: Path, name: str, errors: list[str]) -> dict[str, Any] | None:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        errors.append(f"{name}: cannot read: {exc}")
        return None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        errors.append(f"{name}: {where}invalid YAML: {problem}")
        return None
    if not isinstance(data, dict):
        errors.append(f"{name}: expected a mapping at the top level, got {type(data).__name__}")
        return None
    return data


def _yaml_files(folder: Path, errors: list[str]) -> list[Path]:
    if not folder.is_dir():
        errors.append(f"{_rel(folder)}: not a folder")
        return []
    return sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def expand_paths(paths: Sequence[Path], errors: list[str]) -> list[Path]:
    """Files named directly plus the YAML files inside named folders."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out.extend(_yaml_files(p, errors))
        elif p.is_file():
            out.append(p)
        else:
            errors.append(f"{_rel(p)}: no such file or folder")
    return out


def _rel(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        try:
            return str(path.resolve().relative_to(PROJECT_ROOT))
        except ValueError:
            return str(path)


def json_schemas() -> dict[str, dict[str, Any]]:
    """JSON Schemas of the four file kinds, for editors."""
    return {
        "question-file": QuestionFile.model_json_schema(),
        "persona-file": PersonaFile.model_json_schema(),
        "lexicon-file": LexiconFile.model_json_schema(),
        "job-ad-file": JobAdFile.model_json_schema(),
    }
