"""The short spoken feedback the interviewer gives when it closes a round.

Spoken feedback has to fit in a few breaths and must never mislead: it names
one idea the candidate explained (quoting them), one they only named (their
own term, and what would have explained it), and the weightiest idea a
strong answer covers that they left out. Questions are called by their
titles. The written report carries everything else.
"""

from __future__ import annotations

from agent.interview.scorecard import QuestionScore, QuotedSignal, Scorecard

_MAX_QUOTE_WORDS = 14


def _quote(text: str) -> str:
    words = text.split()
    if len(words) <= _MAX_QUOTE_WORDS:
        return " ".join(words)
    return " ".join(words[:_MAX_QUOTE_WORDS]) + "..."


def _lower_first(text: str) -> str:
    text = " ".join(text.split()).rstrip(".")
    return text[:1].lower() + text[1:] if text else text


def _best_explained(answered: list[QuestionScore]) -> tuple[QuestionScore, QuotedSignal] | None:
    found = [(q, h) for q in answered for h in q.hit]
    return max(found, key=lambda qh: (qh[1].weight, qh[0].score or 0)) if found else None


def _weightiest_named(answered: list[QuestionScore]) -> tuple[QuestionScore, QuotedSignal] | None:
    found = [(q, h) for q in answered for h in q.named if h.term]
    return max(found, key=lambda qh: (qh[1].weight, -(qh[0].score or 0))) if found else None


def spoken_feedback(card: Scorecard) -> str:
    """A few sentences: the score, the best explained idea quoted, a named one to explain, the main gap."""
    answered = [q for q in card.questions if q.score is not None]
    if not answered:
        return "We did not get far enough for me to give you feedback this time."
    parts = []
    if card.overall_score is not None:
        parts.append(f"Overall I would put this round at about {card.overall_score:g} out of 5.")
    best = _best_explained(answered)
    if best is not None:
        q, hit = best
        parts.append(
            f"What worked: on {q.title} you said \"{_quote(hit.evidence)}\". "
            f"That is one of the points I listen for: {_lower_first(hit.description)}."
        )
    named = _weightiest_named(answered)
    if named is not None:
        q, hit = named
        parts.append(
            f"On {q.title} you mentioned {hit.term} but did not say why it matters or how it would work, "
            "so it stayed a name rather than a point."
        )
    worst = min(answered, key=lambda q: (q.score or 0, -sum(m.weight for m in q.missed)))
    if worst.missed:
        gap = worst.missed[0]  # missed ideas come weightiest first
        parts.append(f"The biggest gap was on {worst.title}. A strong answer also covers this: "
                     f"{_lower_first(gap.description)}.")
    elif worst.weak:
        parts.append(f"Watch out for this on {worst.title}: \"{_quote(worst.weak[0].evidence)}\".")
    parts.append("Your written report has every quote and a strong-answer outline for each question.")
    return " ".join(parts)
