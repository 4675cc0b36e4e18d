"""Which questions a round asks, and in what order.

A round draws from the persona's tracks and preferred question types, spreads
itself over different question types, and in a practice loop puts the
candidate's weakest questions first so repeated rounds return to what they
keep missing.
"""

from __future__ import annotations

import difflib
import random
from collections.abc import Mapping, Sequence

from agent.content.models import Persona, Question, Track
from agent.interview.scorecard import Scorecard


class UnknownQuestion(KeyError):
    """A question id that the bank does not have."""

    def __str__(self) -> str:
        return str(self.args[0])


def resolve_ids(questions: Mapping[str, Question], ids: Sequence[str]) -> list[Question]:
    """Look up explicit ids, naming close matches for an unknown one."""
    out = []
    for qid in ids:
        if qid not in questions:
            close = difflib.get_close_matches(qid, list(questions), n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else f"; known ids: {', '.join(questions)}"
            raise UnknownQuestion(f"unknown question id '{qid}'{hint}")
        out.append(questions[qid])
    return out


def select_questions(
    questions: Mapping[str, Question],
    persona: Persona,
    *,
    count: int,
    track: Track | None = None,
    focus: Sequence[str] = (),
    seed: int | None = None,
) -> list[Question]:
    """Pick ``count`` questions for a round.

    ``focus`` ids (from a practice loop) come first; the rest are drawn from
    the persona's tracks (or ``track``) and preferred types, alternating
    question types so a round does not ask three metrics questions in a row.
    """
    tracks = {track} if track else set(persona.tracks)
    pool = [q for q in questions.values() if tracks & set(q.tracks)]
    preferred = [q for q in pool if not persona.question_types or q.type in persona.question_types]
    if len(preferred) >= count:
        pool = preferred
    else:
        pool = preferred + [q for q in pool if q not in preferred]
    chosen = [questions[qid] for qid in focus if qid in questions][:count]
    rest = [q for q in pool if q not in chosen]
    rng = random.Random(seed)
    rng.shuffle(rest)
    if len(chosen) < count and not focus:
        pref_ids = {q.id for q in preferred}
        rest.sort(key=lambda q: q.id not in pref_ids)  # stable: preferred first, shuffled within
    used_types = {q.type for q in chosen}
    while len(chosen) < count and rest:
        fresh = next((q for q in rest if q.type not in used_types), rest[0])
        rest.remove(fresh)
        chosen.append(fresh)
        used_types.add(fresh.type)
    return chosen


def weakest_questions(history: Sequence[Scorecard], limit: int) -> list[str]:
    """Question ids from earlier rounds, weakest first (latest attempt counts).

    A question is weaker when its latest score is lower and more of its
    strong signals were missed; unanswered questions count as weakest.
    """
    latest: dict[str, tuple[int, int]] = {}
    for card in sorted(history, key=lambda c: c.started_at):
        for q in card.questions:
            latest[q.question_id] = (q.score if q.score is not None else 0, len(q.missed))
    ranked = sorted((v[0], -v[1], qid) for qid, v in latest.items() if v[0] < 5)
    return [qid for _, _, qid in ranked][:limit]
