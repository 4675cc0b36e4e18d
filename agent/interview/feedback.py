"""The short spoken feedback the interviewer gives when it closes a round.

Spoken feedback has to fit in a few breaths, so it names one thing that
landed (quoting the candidate) and the biggest gap (against what a strong
answer covers); the written report carries everything else.
"""

from __future__ import annotations

from agent.interview.scorecard import QuestionScore, Scorecard

_MAX_QUOTE_WORDS = 14


def _quote(text: str) -> str:
    words = text.split()
    if len(words) <= _MAX_QUOTE_WORDS:
        return " ".join(words)
    return " ".join(words[:_MAX_QUOTE_WORDS]) + "..."


def _lower_first(text: str) -> str:
    text = text.strip().rstrip(".")
    return text[:1].lower() + text[1:] if text else text


def _short_prompt(q: QuestionScore) -> str:
    return q.question_id.replace("-", " ")


def spoken_feedback(card: Scorecard) -> str:
    """Two or three sentences: the score, the best moment quoted, the main gap."""
    answered = [q for q in card.questions if q.score is not None]
    if not answered:
        return "We did not get far enough for me to give you feedback this time."
    parts = []
    if card.overall_score is not None:
        parts.append(f"Overall I would put this round at about {card.overall_score:g} out of 5.")
    best = max(answered, key=lambda q: (len(q.hit), q.score or 0))
    if best.hit:
        hit = best.hit[0]
        parts.append(
            f"What worked: on {_short_prompt(best)} you said \"{_quote(hit.evidence)}\". "
            f"That is one of the points I listen for: {_lower_first(hit.description)}."
        )
    worst = min(answered, key=lambda q: (q.score or 0, -len(q.missed)))
    if worst.missed:
        parts.append(
            f"The biggest gap was on {_short_prompt(worst)}. A strong answer also covers this: "
            f"{_lower_first(worst.missed[0].description)}."
        )
    elif worst.weak:
        parts.append(f"Watch out for this on {_short_prompt(worst)}: \"{_quote(worst.weak[0].evidence)}\".")
    parts.append("Your written report has every quote and a strong-answer outline for each question.")
    return " ".join(parts)
