"""``interviewer practice --job-ad FILE``: read the ad, fit the round to it, show why.

The matching itself is the core's (``agent.interview.job_ad``); this module is
the edge around it: reading a file a person pointed at (which may be empty,
binary, huge or missing, each told in one line naming the file), turning the
plan into the round options, and printing every reason before the round, of
which the interviewer then says the first few aloud.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from agent.cli import UsageError
from agent.commands._common import persona_of
from agent.content.loader import Bank
from agent.content.models import Track
from agent.interview.job_ad import ad_problem, plan_for_ad
from agent.interview.limits import MAX_AD_CHARS

_MAX_BYTES = 4 * MAX_AD_CHARS  # UTF-8 never needs more than four bytes for one character


def read_ad(path: Path) -> str:
    """The ad's text, or UsageError naming the file when it cannot be a job ad."""
    try:
        with path.open("rb") as handle:
            raw = handle.read(_MAX_BYTES + 1)
    except OSError as exc:
        raise UsageError(f"--job-ad: cannot read {path}: {exc.strerror or exc}") from None
    if len(raw) > _MAX_BYTES:
        raise UsageError(f"--job-ad: {path} is too long; a job ad may have at most {MAX_AD_CHARS:,} characters")
    if b"\x00" in raw:
        raise UsageError(f"--job-ad: {path} looks like a binary file, not text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UsageError(f"--job-ad: {path} is not UTF-8 text") from None
    problem = ad_problem(text)
    if problem is not None:
        raise UsageError(f"--job-ad: {path} {problem}")
    return text


def apply_job_ad(args: argparse.Namespace, bank: Bank) -> None:
    """Turn ``--job-ad`` into the round's track and question ids, and print what led to them."""
    clash = [flag for flag, value in (("--question-ids", args.question_ids), ("--loop", args.loop),
                                      ("--redo", args.redo)) if value]
    if clash:
        raise UsageError(f"--job-ad: chooses the questions itself; leave out {', '.join(clash)}")
    text = read_ad(args.job_ad)
    persona = persona_of(bank, args.persona)
    plan = plan_for_ad(text, bank.job_ad, bank.questions, persona, count=args.questions or persona.default_questions,
                       track=Track(args.track) if args.track else None, seed=args.seed)
    args.question_ids = ",".join(plan.question_ids)
    args.track = plan.track.value if plan.track else None
    args.job_ad_fit = plan.fit
    if not plan.fit.matched:
        print(f"Job ad {args.job_ad}: nothing in it matched the rules, so this is the usual round.")
        return
    print(f"Fitted to the job ad {args.job_ad}:")
    if plan.fit.track_quotes and plan.track:
        print(f"  track {plan.track.value}: {_quoted(plan.fit.track_quotes)}")
    for n, reason in enumerate(plan.fit.reasons, 1):
        print(f"  {n}. {bank.questions[reason.question_id].title}: {_quoted(reason.quotes)}")


def _quoted(quotes: tuple[str, ...]) -> str:
    return "; ".join(f'"{q}"' for q in quotes)
