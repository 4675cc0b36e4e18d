"""``interviewer bank``: check, list and describe the interview content.

Authors add questions and personas by editing YAML; ``validate`` is how they
find out, one line per problem, what a change broke before a round does.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping
from pathlib import Path

import yaml

from agent.commands._common import load_content
from agent.content.loader import ContentError, expand_paths, json_schemas, load_bank_at, load_files
from agent.content.models import Question
from agent.interview.specificity import cue_flags
from agent.settings import Settings

# The development answers (every development set, pooled): the background a cue's specificity is measured on.
DEV_SETS = Path("tests") / "evals"  # under the content folder
DEV_PATTERN = "dev_answers*.yaml"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("bank", help="validate and list the question bank and personas")
    bsub = p.add_subparsers(dest="bank_command", required=True, metavar="ACTION")
    v = bsub.add_parser("validate", help="check content files (default: the shipped bank); exit 1 on any error")
    v.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="YAML files or folders to check")
    v.add_argument("--background", type=Path, metavar="FILE", action="append",
                   help="answers (an evaluation-set YAML) that cue specificity is measured on; may be repeated "
                        f"(default: every {DEV_SETS}/{DEV_PATTERN}, pooled, when they exist)")
    v.set_defaults(handler=run_validate)
    ls = bsub.add_parser("list", help="list questions and personas")
    ls.add_argument("--json", action="store_true", help="print JSON")
    ls.set_defaults(handler=run_list)
    sch = bsub.add_parser("schema", help="write JSON Schemas of the content files, for editors")
    sch.add_argument("--out", type=Path, metavar="DIR", help="folder to write *.schema.json into (default: print)")
    sch.set_defaults(handler=run_schema)


def run_validate(args: argparse.Namespace, settings: Settings) -> int:
    if not args.paths:
        try:
            bank = load_bank_at(settings.content_root)
        except ContentError as exc:
            return _report(exc.errors)
        questions, summary = bank.questions, f"{len(bank.questions)} questions, {len(bank.personas)} personas"
    else:
        errors: list[str] = []
        loaded = load_files(expand_paths(args.paths, errors), errors)
        if errors:
            return _report(errors)
        questions = loaded.questions
        summary = (f"{len(loaded.questions)} questions, {len(loaded.personas)} personas"
                   + (", a lexicon" if loaded.lexicon is not None else ""))
    flags = _specificity(questions, args.background or sorted((settings.content_root / DEV_SETS).glob(DEV_PATTERN)))
    if flags is None:
        return 2
    if flags:
        return _report(flags, what="cue(s) not specific enough")
    print(f"ok: {summary}")
    return 0


def _report(lines: list[str], what: str = "error(s)") -> int:
    for line in lines:
        print(line, file=sys.stderr)
    print(f"{len(lines)} {what}", file=sys.stderr)
    return 1


def _specificity(questions: Mapping[str, Question], paths: list[Path]) -> list[str] | None:
    """Lines for cues that fire too widely on the background answers; None when the background is unusable."""
    if not paths:
        return []  # an installed package has no development answers; say nothing rather than guess
    answers: list[tuple[str, str]] = []
    for path in paths:
        try:
            data = yaml.safe_load(path.read_text(encoding="utf-8"))
            answers.extend((str(a["question"]), str(a["text"])) for a in data["answers"])
        except OSError as exc:
            reason = exc.strerror or str(exc)
        except yaml.YAMLError as exc:
            reason = f"not valid YAML ({str(exc).splitlines()[0]})"
        except (KeyError, TypeError):
            reason = "expected an 'answers' list whose items have 'question' and 'text'"
        else:
            continue
        print(f"interviewer bank validate: --background {path}: {reason}", file=sys.stderr)
        return None
    return [f.line() for f in cue_flags(questions, answers)]


def run_list(args: argparse.Namespace, settings: Settings) -> int:
    bank = load_content(settings)
    if args.json:
        print(json.dumps({
            "questions": [{"id": q.id, "type": q.type.value, "tracks": [t.value for t in q.tracks],
                           "time_budget_s": q.time_budget_s} for q in bank.questions.values()],
            "personas": [{"id": p.id, "name": p.name, "title": p.title, "tracks": [t.value for t in p.tracks]}
                         for p in bank.personas.values()],
        }, indent=2))
        return 0
    print("personas:")
    for p in bank.personas.values():
        print(f"  {p.id:<22} {p.name}, {p.title} ({', '.join(t.value for t in p.tracks)})")
    print("questions:")
    for q in bank.questions.values():
        print(f"  {q.id:<30} {q.type.value:<24} {', '.join(t.value for t in q.tracks)}")
    return 0


def run_schema(args: argparse.Namespace, settings: Settings) -> int:
    schemas = json_schemas()
    if args.out is None:
        print(json.dumps(schemas, indent=2))
        return 0
    args.out.mkdir(parents=True, exist_ok=True)
    for name, schema in schemas.items():
        path = args.out / f"{name}.schema.json"
        path.write_text(json.dumps(schema, indent=2) + "\n", encoding="utf-8")
        print(path)
    return 0
