"""A round fitted to a job ad: which track, which questions first, and the ad's words behind each.

Candidates practise for a particular job, and its ad says what the panel will
press on ("developer platform", "partners", "recommendations"). The rules that
map an ad's wording to tracks and questions are content
(``question_bank/_job_ad.yaml``); this module only counts where they match and
ranks. No model reads the ad, so the same ad always gives the same round, and
every choice can be explained by quoting the ad back. Pure and synchronous:
the caller reads the file or the request body.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from agent.content.job_ad import JobAdLines, JobAdRule, JobAdRules
from agent.content.models import Persona, Question, Track
from agent.interview._text import Token, find_phrase, phrase_stems, stem_index, tokenize
from agent.interview.fit import MAX_QUOTE_CHARS, MAX_QUOTES, AdFit, FitReason
from agent.interview.limits import MAX_AD_CHARS
from agent.interview.plan import select_questions

MAX_HITS_PER_RULE = 3  # saying "SDK" ten times does not outweigh two other things the ad stresses
SPOKEN_REASONS = 3  # the interviewer says at most this many before the first question; the report has all
QUOTE_SIDE_WORDS = 4  # words of context either side of a match
_BREAK = re.compile(r"[.;:!?\n\r\u2022\u2014|()\[\]]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")  # never quoted: the quotes travel in JSON metadata
_TRACK_WORDS: dict[str, str] = {Track.CONSUMER: "consumer", Track.TECHNICAL: "technical",
                Track.INTERNAL_PLATFORM: "internal platform", Track.EXTERNAL_API: "external API"}


@dataclass(frozen=True, slots=True)
class AdPlan:
    """The round an ad asks for: ``track`` None means the persona's usual tracks."""

    track: Track | None
    question_ids: tuple[str, ...]
    fit: AdFit


@dataclass(frozen=True, slots=True)
class _Quote:
    """A clause of the ad and where it stands, so two overlapping clauses count as one part of the ad."""

    start: int
    end: int
    text: str

    def overlaps(self, others: Sequence[_Quote]) -> bool:
        return any(self.start < o.end and o.start < self.end for o in others)


@dataclass(frozen=True, slots=True)
class _RuleHit:
    rule: JobAdRule
    order: int  # the rule's place in the file: ties go to the earlier rule
    score: float
    quotes: tuple[_Quote, ...]  # the clause around each counted match, in the ad's order, none overlapping


def ad_problem(text: str) -> str | None:
    """Why ``text`` cannot be read as a job ad, or None when it can."""
    if "\x00" in text:
        return "looks like a binary file, not text"
    if not text.strip():
        return "is empty"
    if len(text) > MAX_AD_CHARS:
        return f"is {len(text):,} characters; a job ad may have at most {MAX_AD_CHARS:,}"
    return None


def plan_for_ad(text: str, rules: JobAdRules, questions: Mapping[str, Question], persona: Persona, *,
                count: int, track: Track | None = None, seed: int | None = None) -> AdPlan:
    """The track, the ordered questions and the reasons for an ad (``track`` given: kept as asked).

    Questions the ad points at come first, most stressed first, ties in bank
    order; the rest of the round is the usual draw, seeded by the ad itself so
    the same ad gives the same round. An ad that matches nothing gets the
    usual round and an empty fit, which the interviewer says aloud.
    """
    problem = ad_problem(text)
    if problem is not None:
        raise ValueError(f"the job ad {problem}")
    hits = _rule_hits(text, rules.rules)
    used: list[_Quote] = []
    chosen, track_quotes = (track, ()) if track is not None else _pick_track(hits, persona.tracks, used)
    tracks = {chosen} if chosen is not None else set(persona.tracks)
    ranked: list[tuple[float, int, Question, list[_RuleHit]]] = []
    for index, q in enumerate(questions.values()):
        if not tracks & set(q.tracks):
            continue
        behind = [h for h in hits if q.id in h.rule.questions or q.type in h.rule.types]
        if behind:
            ranked.append((-sum(h.score for h in behind), index, q, behind))
    ranked.sort(key=lambda r: (r[0], r[1]))
    favoured = ranked[:count]
    reasons = tuple(FitReason(question_id=q.id, quotes=_distinct_quotes(behind, used)) for _, _, q, behind in favoured)
    draw = select_questions(questions, persona, count=count, track=chosen, focus=[q.id for _, _, q, _ in favoured],
                            seed=seed if seed is not None else ad_seed(text))
    return AdPlan(track=chosen, question_ids=tuple(q.id for q in draw),
                  fit=AdFit(track_quotes=track_quotes, reasons=reasons))


def ad_seed(text: str) -> int:
    """A seed that depends only on the ad's words, not on its spacing or case."""
    canonical = " ".join(text.lower().split())
    return int.from_bytes(hashlib.sha256(canonical.encode("utf-8")).digest()[:8], "big")


def preface(fit: AdFit, titles: Mapping[str, str], track: str | None, lines: JobAdLines,
            *, limit: int = SPOKEN_REASONS) -> str:
    """What the interviewer says before the first question: at most ``limit`` reasons, kept short for speech."""
    if not fit.matched:
        return lines.no_match
    said: list[str] = []
    if fit.track_quotes and track:
        said.append(lines.track.format(quote=fit.track_quotes[0], track=_TRACK_WORDS.get(track, track)))
    said += [lines.reason.format(quote=r.quotes[0], title=titles.get(r.question_id, r.question_id))
             for r in fit.reasons]
    spoken, left = said[:limit], len(said) - limit
    out = [lines.intro, *spoken]
    if left > 0:
        out.append(lines.more.format(count=left))
    return " ".join(out)


def _rule_hits(text: str, rules: Sequence[JobAdRule]) -> list[_RuleHit]:
    """The rules the ad matches, with their score and the clause around their first match."""
    tokens = tokenize(text)
    index = stem_index(tokens)
    out = []
    for order, rule in enumerate(rules):
        spans = sorted({(m.first, m.last) for phrase in rule.phrases
                        for m in find_phrase(tokens, phrase_stems(phrase), index)})
        if not spans:
            continue
        kept: list[tuple[int, int]] = []
        for first, last in spans:  # overlapping phrases ("developer platform", "platform") count once
            if not kept or first >= kept[-1][1]:
                kept.append((first, last))
        score = rule.weight * min(len(kept), MAX_HITS_PER_RULE)
        quotes: list[_Quote] = []
        for span in kept[:MAX_HITS_PER_RULE]:
            quote = _quote_around(text, tokens, *span)
            if not quote.overlaps(quotes):
                quotes.append(quote)
        out.append(_RuleHit(rule, order, score, tuple(quotes)))
    return out


def _pick_track(hits: Sequence[_RuleHit], offered: Sequence[Track],
                used: list[_Quote]) -> tuple[Track | None, tuple[str, ...]]:
    """The offered track the ad stresses most (ties: the persona's order), and the quotes that chose it."""
    best: tuple[float, Track] | None = None
    for t in offered:
        total = sum(h.score for h in hits if h.rule.track == t)
        if total > 0 and (best is None or total > best[0]):
            best = (total, t)
    if best is None:
        return None, ()
    behind = [h for h in hits if h.rule.track == best[1]]
    return best[1], _distinct_quotes(behind, used)


def _distinct_quotes(hits: Sequence[_RuleHit], used: list[_Quote]) -> tuple[str, ...]:
    """At most ``MAX_QUOTES`` quotes, weightiest rule first, no two from one part of the ad; parts not yet
    quoted first for an earlier choice lead, so each spoken reason points at its own words. ``used`` gains
    the first quote picked (the one that is said aloud).
    """
    picked: list[_Quote] = []
    ordered = [q for h in sorted(hits, key=lambda h: (-h.score, h.order)) for q in h.quotes]
    for fresh in (True, False):
        for q in ordered:
            if len(picked) < MAX_QUOTES and q.overlaps(used) != fresh and not q.overlaps(picked):
                picked.append(q)
    used.extend(picked[:1])
    return tuple(q.text for q in picked)


def _quote_around(text: str, tokens: Sequence[Token], first: int, last: int) -> _Quote:
    """A short verbatim clause of the ad around tokens ``first``..``last`` (exclusive), on one line."""
    start, end = first, last - 1
    for _ in range(QUOTE_SIDE_WORDS):
        if start > 0 and not _BREAK.search(text[tokens[start - 1].end : tokens[start].start]):
            start -= 1
        if end + 1 < len(tokens) and not _BREAK.search(text[tokens[end].end : tokens[end + 1].start]):
            end += 1
    while True:
        quote = " ".join(_CONTROL.sub(" ", text[tokens[start].start : tokens[end].end]).split())
        if len(quote) <= MAX_QUOTE_CHARS or (start == first and end == last - 1):
            return _Quote(tokens[start].start, tokens[end].end, quote[:MAX_QUOTE_CHARS].strip())
        if start < first and (first - start >= end - (last - 1) or end == last - 1):
            start += 1
        else:
            end -= 1
