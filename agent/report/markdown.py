"""The report as Markdown, for pasting into notes or reading in a terminal.

Candidate words are quoted verbatim but on one line and with Markdown's
special characters escaped, so an answer can never turn into a heading, a
link or raw HTML in whatever viewer renders the file.
"""

from __future__ import annotations

import re
from datetime import datetime

from agent.interview.records import Delivery
from agent.interview.scorecard import FollowUp, QuestionScore, QuotedSignal, Scorecard

# What turns a named idea into an explained one, said once for every named idea in the report.
NAMED_HINT = ("To explain it, add why it matters to the people affected, how it would work, a number or "
              "threshold, or an example.")

_SPECIAL = re.compile(r"([\\`*_\[\]<>|#~&])")


def escape(text: str) -> str:
    """One line of candidate text, safe inside a Markdown paragraph or table cell."""
    return _SPECIAL.sub(r"\\\1", " ".join(text.split()))


def when(iso: str) -> str:
    """An ISO timestamp as "YYYY-MM-DD HH:MM UTC" (unparseable values are shown as they are)."""
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        return iso
    offset = moment.utcoffset()
    return moment.strftime("%Y-%m-%d %H:%M") + (" UTC" if offset is not None and not offset else "")


def describe(signal_id: str, q: QuestionScore) -> str:
    """A signal's description as the rubric words it, for ids listed in comparisons."""
    described = {s.id: s.description for group in (q.weak, q.set_aside, q.missed, q.rejected, q.named, q.hit)
                 for s in group}
    return described.get(signal_id, signal_id)


def heading(title: str) -> str:
    """A question's spoken title ("measuring an internal platform") as a heading: first letter upper case."""
    return title[:1].upper() + title[1:]


def plural(n: int, word: str) -> str:
    """A count with its noun in the right number: 1 question, 2 questions."""
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def quote(text: str) -> str:
    """Candidate words as a one-line Markdown blockquote."""
    return f'> "{escape(text)}"'


def score_text(score: int | float | None) -> str:
    """A score out of 5, or "no score" for unanswered questions."""
    return f"{score:g}/5" if score is not None else "no score"


def duration_text(seconds: float, planned_minutes: float) -> str:
    """Time used against time planned, in minutes."""
    return f"{seconds / 60.0:.1f} of {planned_minutes:g} minutes"


def delivery_line(d: Delivery) -> str:
    """Delivery figures as a phrase; jargon and pace appear only when they were measured."""
    parts = [f"{d.words} words", f"{d.filler_per_100:g} fillers per 100 words"]
    if d.jargon_per_100 is not None:
        parts.append(f"{d.jargon_per_100:g} jargon terms per 100 words")
    if d.words_per_minute is not None:
        parts.append(f"{d.words_per_minute:g} words per minute")
    return ", ".join(parts)


def render_markdown(card: Scorecard) -> str:
    """The whole scorecard as a Markdown document."""
    out: list[str] = [f"# Mock interview report: round {card.round_id}", ""]
    facts = [f"Interviewer: {card.persona_id}"]
    if card.track:
        facts.append(f"track: {card.track}")
    facts += [f"{card.mode} round", f"started {when(card.started_at)}", duration_text(card.duration_s,
                                                                                   card.minutes_planned)]
    out += [" · ".join(facts), ""]
    out += _job_ad(card)
    if not card.completed:
        out += ["> **Round ended early: partial report.** "
                "It covers only what was said before the round stopped.", ""]
    answered = sum(1 for q in card.questions if q.score is not None)
    out += [f"**Overall: {score_text(card.overall_score)}** across {plural(len(card.questions), 'question')} "
            f"({answered} scored)", ""]
    if card.questions:
        out += ["| # | Question | Score | Strong ideas explained | Named only | Follow-ups |",
                "|---|---|---|---|---|---|"]
        for i, q in enumerate(card.questions, 1):
            strong = len(q.hit) + len(q.named) + len(q.rejected) + len(q.missed)
            out.append(f"| {i} | {escape(heading(q.title))} | {score_text(q.score)} | {len(q.hit)} of {strong} "
                       f"| {len(q.named)} | {len(q.follow_ups)} |")
        out.append("")
    for i, q in enumerate(card.questions, 1):
        out += _question(i, q)
    out += ["## Delivery across the round", "", delivery_line(card.delivery) + "."]
    if card.delivery.background_apologies:
        out += ["", "Apologising for your background undersells you; you said:"]
        out += [quote(s) for s in card.delivery.background_apologies]
    if card.delivery.engineering_deferrals:
        out += ["", "Handing the decision to engineering instead of owning it; you said:"]
        out += [quote(s) for s in card.delivery.engineering_deferrals]
    out.append("")
    return "\n".join(out)


def _job_ad(card: Scorecard) -> list[str]:
    """Which parts of the job ad led to which questions, when the round was fitted to one."""
    fit = card.job_ad
    if fit is None:
        return []
    if not fit.matched:
        return ["Fitted to a job ad: nothing in it matched the rules, so this was the usual round.", ""]
    out = ["## Fitted to a job ad", ""]
    if fit.track_quotes and card.track:
        out.append(f"- Track {card.track}: " + "; ".join(f"\u201c{escape(q)}\u201d" for q in fit.track_quotes))
    out += [f"- {escape(heading(r.title))}: " + "; ".join(f"\u201c{escape(q)}\u201d" for q in r.quotes)
            for r in fit.reasons]
    return [*out, ""]


def _question(i: int, q: QuestionScore) -> list[str]:
    out = [f"## {i}. {escape(heading(q.title))} ({score_text(q.score)})", "", f"*{escape(q.prompt)}*", "",
           f"Type: {q.type}. Outcome: {q.outcome.replace('_', ' ')}.", ""]
    out += ["### What you said", ""]
    out += [quote(q.answer), ""] if q.answer else ["No answer was recorded.", ""]
    out += _quoted("Explained", q.hit)
    if q.named:
        out += _quoted("Named, not explained", q.named)[:-1] + [f"*{NAMED_HINT}*", ""]
    out += _quoted("You argued against", q.rejected)
    if q.missed:
        out += ["### Missed, weightiest first", ""]
        out += [f"- {escape(m.description)}" for m in q.missed]
        out.append("")
    out += _quoted("Watch out", q.weak)
    out += _quoted("Rightly set aside", q.set_aside)
    if q.follow_ups:
        out += ["### Follow-ups", ""]
        for n, f in enumerate(q.follow_ups, 1):
            out += _follow_up(n, f)
        out.append("")
    out += ["### A strong answer covers", ""]
    out += [f"- {escape(point)}" for point in q.strong_answer]
    out += ["", f"A weak answer: {escape(q.weak_answer)}", ""]
    if q.comparison:
        c = q.comparison
        out += [f"### Compared with round {c.previous_round_id}", "",
                f"Earlier {score_text(c.previous_score)}, now {score_text(q.score)}."]
        for label, ids in (("Newly explained", c.improved), ("Named, not yet explained", c.still_named),
                           ("Explained last time, not this time", c.lost), ("Still missing", c.still_missing)):
            if ids:
                out.append(f"{label}: {'; '.join(escape(describe(s, q)) for s in ids)}.")
        out.append("")
    out += [f"Delivery: {delivery_line(q.delivery)}.", ""]
    return out


def _quoted(heading: str, signals: list[QuotedSignal]) -> list[str]:
    if not signals:
        return []
    out = [f"### {heading}", ""]
    for s in signals:
        out += [f"- **{escape(s.description)}**", f"  {quote(s.evidence)}"]
    return [*out, ""]


def _follow_up(n: int, f: FollowUp) -> list[str]:
    change = ""
    if f.score_after is not None:
        change = f" (score {score_text(f.score_before)} -> {score_text(f.score_after)})"
    lines = [f"{n}. {f.kind}: *{escape(f.text)}*{change}"]
    lines.append(f"   {quote(f.answer)}" if f.answer else "   No answer.")
    return lines
