"""``interviewer assess``: judge one answer and print the interviewer's next move."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from agent.assist.llm_assessor import assessor_for
from agent.cli import UsageError
from agent.commands._common import load_content, persona_of
from agent.interview.assess import CueAssessor
from agent.interview.limits import MAX_ANSWER_CHARS
from agent.interview.oneshot import judge
from agent.interview.plan import UnknownQuestion, resolve_ids
from agent.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("assess", help="score one answer and show the next move")
    p.add_argument("--question", required=True, metavar="ID", help="question id (see `interviewer bank list`)")
    src = p.add_mutually_exclusive_group(required=True)
    src.add_argument("--answer", metavar="TEXT", help="the answer text")
    src.add_argument("--answer-file", metavar="PATH", type=Path, help="a file holding the answer")
    p.add_argument("--persona", metavar="ID", help="persona whose policy decides the next move")
    p.add_argument("--json", action="store_true", help="print the JSON contract")
    p.set_defaults(handler=run)


def run(args: argparse.Namespace, settings: Settings) -> int:
    bank = load_content(settings)
    try:
        (question,) = resolve_ids(bank.questions, [args.question])
    except UnknownQuestion as exc:
        raise UsageError(f"--question: {exc}") from None
    persona = persona_of(bank, args.persona)
    if args.answer_file is not None:
        try:
            text = args.answer_file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UsageError(f"--answer-file: cannot read {args.answer_file}: {exc}") from None
    else:
        text = args.answer
    if not text or not text.strip():
        raise UsageError("--answer: the answer is empty")
    if len(text) > MAX_ANSWER_CHARS:
        where = "--answer-file" if args.answer_file is not None else "--answer"
        raise UsageError(f"{where}: the answer is {len(text):,} characters; at most {MAX_ANSWER_CHARS:,} are "
                         "judged (split a transcript into its answers)")
    verdict = judge(question, persona, assessor_for(CueAssessor(bank.lexicon), settings.llm), text)
    result = verdict.to_contract(question.id)
    if args.json:
        print(json.dumps(result, ensure_ascii=False))
        return 0
    print(f"{question.id}: score {verdict.score}/5")
    for s in verdict.assessment.signals:
        print(f"  {s.polarity:<6} {s.id}: \"{s.evidence}\"")
    nxt = verdict.action
    contract = nxt.to_contract()
    print(f"next: {contract['action']} ({nxt.kind.value}{', ' + nxt.probe_id if nxt.probe_id else ''})")
    if nxt.text:
        print(f"  \"{nxt.text}\"")
    return 0
