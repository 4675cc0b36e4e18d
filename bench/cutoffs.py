"""How often the interviewer cuts a candidate off during a thinking pause, and how fast it replies.

Run: ``.venv/bin/python -m bench.cutoffs [--modes vad,two-gate] [--pauses 1.0,1.5,2.5] [--per-pause 10]``

A pause corpus spoken by flite in real time: unfinished answers in four
classes (the first part ends on a conjunction, on a filler, in the middle of
a clause, or at a full stop with more to come), each with a silent pause of
each length before the rest, and complete answers spoken without a pause. A
cut-off is an answer the interviewer replied to before the candidate had
finished: the core received more than one turn for the clip, or interviewer
audio started while the clip was still playing. For complete answers the
bench reports the wait from the last word to the interviewer's first sound.
Measured per turn detector (VAD silence, LiveKit's local ``v1-mini``, or the
two gates of ``agent.voice.turn_gate``), with and without the unfinished-turn
hold; the same complete answers ended with a spoken closer give the explicit
end's reply time. Acoustic models misjudge synthetic voices, so read the two-gate figures
as measured on flite, not as a promise for people.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from bench.pause_corpus import CLASSES, CLOSER, COMPLETE
from bench.voice_latency import persona_variant

REALTIME_S = 2.0


@dataclass
class Clip:
    """One answer of the corpus as the candidate says it, and what it is."""

    pause: float
    where: str  # conjunction | filler | mid-clause | sentence | complete | explicit
    answer: Any
    question: str | None = None  # the question it answers (complete answers); None: any


def corpus_clips(pauses: list[float], per_pause: int, complete: int, explicit: int) -> tuple[list[Clip], list[Clip]]:
    """The unfinished answers (each pause length x class x ``per_pause``) and the finished ones, as audio."""
    from agent.devtools.simulated_round import Answer, flite_pcm

    unfinished = []
    for pause in pauses:
        for where, pool in CLASSES:
            for k in range(per_pause):
                first, second = pool[k % len(pool)]
                pcm = np.concatenate([flite_pcm(first), np.zeros(int(16000 * pause), np.int16), flite_pcm(second)])
                unfinished.append(Clip(pause, where, Answer(f"{where}-{pause}-{k}", pcm, f"{first} {second}")))
    finished = []
    for where, n, tail in (("complete", complete, ""), ("explicit", explicit, f" {CLOSER}")):
        for k in range(n):
            qid, text = COMPLETE[k % len(COMPLETE)]
            finished.append(Clip(0.0, where, Answer(f"{where}-{k}", flite_pcm(text + tail), text + tail), qid))
    return unfinished, finished


def with_policy(bank: Any, persona_id: str, *, probes: int) -> Any:
    """The bench's persona with a fixed probing habit, so every answer lands in a known phase.

    ``probes=0``: every answer moves on to the next question, so each is a first answer (the phase that expects
    the most words). ``probes>0``: the interviewer follows up whenever it can, so most answers are follow-up
    answers (the phase that expects the fewest words, so the riskier one for a cut-off).
    """
    persona = bank.personas[persona_id]
    persona = persona.model_copy(update={
        "probe_budget": probes, "probe_below_score": 5 if probes else persona.probe_below_score,
        "curveballs": persona.curveballs.model_copy(update={"use": "never"})})
    personas = dict(bank.personas)
    personas[persona_id] = persona
    return replace(bank, personas=personas)


def _round_questions(clips: list[Clip], bank: Any) -> tuple[str, ...]:
    """The next clips' own questions, in order, up to the first repeat; a clip for any question asks one."""
    qids: list[str] = []
    for clip in clips:
        qid = clip.question or "platform-success-metrics"
        if qid in qids or qid not in bank.questions:
            break
        qids.append(qid)
        if clip.question is None:
            break
    return tuple(qids) or (next(iter(bank.questions)),)


async def play_clips(bank: Any, persona_id: str, clips: list[Clip], *, hold: bool, models: Any,
                     store: Any) -> list[dict[str, Any]]:
    """Say each clip in a simulated round, and read what the interviewer did with it."""
    from agent.devtools.simulated_round import SimulatedRound
    from agent.session import RoundRequest

    results: list[dict[str, Any]] = []
    remaining = list(clips)
    while remaining:
        request = RoundRequest(persona_id=persona_id, question_ids=_round_questions(remaining, bank), minutes=60,
                               mode="simulate")
        # interviewer lines play 4x faster once past their first 2 s: an "Okay." and the start of the reply after
        # it take as long as they would for a person, so whatever waits for them is timed as in a real round
        async with SimulatedRound(bank, store, request, models=models, playback_speed=4.0,
                                  realtime_s=REALTIME_S) as sim_:
            sim: Any = sim_
            agent = sim.vr.agent
            agent.hold_unfinished = hold
            agent.ask_voice_always = True  # the audio model's verdict at every pause, for the figures
            await sim.opening()
            while remaining and not sim.vr.done:
                rnd = sim.vr.conductor.round
                clip = remaining[0]
                phase = rnd.phase.value
                if phase not in ("question", "follow_up") or (clip.question and phase != "question") or (
                        clip.question and rnd.current_question.id != clip.question):
                    break  # a fresh round puts the next clip where it belongs
                remaining.pop(0)
                min_words = rnd.expected_answer_words()
                turns_before, segs_before = len(sim.turns), len(sim.speaker.segments)
                acks_before, taken_before = agent.acks_said, agent.acks_taken_back
                reasons_before = len(agent.hold_reasons)
                calls_before = list(agent.gate_calls)
                looked_before = sim.vr.conductor.looked_ahead
                played = await sim.candidate.say(clip.answer)
                results.append(_read_clip(sim, clip, played, phase=phase, min_words=min_words,
                                          turns_before=turns_before, segs_before=segs_before,
                                          acked=agent.acks_said > acks_before,
                                          taken_back=agent.acks_taken_back > taken_before,
                                          reasons=agent.hold_reasons[reasons_before:],
                                          calls=[c for c in agent.gate_calls if c not in calls_before],
                                          looked_ahead=sim.vr.conductor.looked_ahead > looked_before))
            sim.speaker.speed = 8.0
    return results


def _read_clip(sim: Any, clip: Clip, played: Any, *, phase: str, min_words: int, turns_before: int,
               segs_before: int, acked: bool, taken_back: bool, reasons: list[str], calls: list[Any],
               looked_ahead: bool) -> dict[str, Any]:
    audio = played.clip
    answers = [t for t in sim.turns[turns_before:] if t.source == "answer"]
    clip_end = audio.started_at + clip.answer.pcm.size / 16000
    segments = sim.speaker.segments[segs_before:]
    spoke_during = any(s.started_at and audio.started_at < s.started_at < clip_end - 0.05 for s in segments)
    end = audio.speech_end_at
    later = [s.started_at for s in segments if s.started_at and end and s.started_at >= end]
    decided = answers[0].created_at if answers else None
    proper = [t for t in later if decided is not None and t >= decided]
    return {
        "pause": clip.pause, "where": clip.where, "label": clip.answer.label, "phase": phase, "min_words": min_words,
        "said": clip.answer.text, "heard": [a.heard for a in answers], "reasons": reasons,
        # every ask of the two gates during the clip: the words so far, the transcript's and the voice's verdicts
        "gates": [{"text": c.text, "transcript": c.transcript, "voice": c.voice, "looked_ahead": c.looked_ahead,
                   "ms": round(c.seconds * 1000, 1)} for c in calls],
        "reply_looked_ahead": looked_ahead,
        "acknowledged": acked, "taken_back": taken_back, "ack_in_pause": spoke_during and taken_back,
        # "Okay." said in the pause and then talked over is not a cut-off: the answer stayed whole
        "cut": len(answers) > 1 or (spoke_during and not taken_back),
        "turns": len(answers),
        "reply_s": (later[0] - end) if later and end else None,  # the first interviewer sound ("Okay." or the reply)
        "reply_proper_s": (proper[0] - end) if proper and end else None,  # the reply itself, after any "Okay."
        "decided_s": (decided - end) if decided is not None and end else None,
        "clip_times": {"started": audio.started_at, "speech_end": end},
    }


async def run_config(bank: Any, persona_id: str, mode: str, hold: bool, pauses: list[float], per_pause: int,
                     models: Any, complete: int = 0, delays: dict[str, float] | None = None,
                     explicit: int = 0) -> dict[str, Any]:
    from agent.store import Store

    variant = persona_variant(bank, persona_id, mode=mode, **(delays or {}))
    unfinished, finished = corpus_clips(pauses, per_pause, complete, explicit)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'cut.db'}")
        try:
            results = await play_clips(with_policy(variant, persona_id, probes=6), persona_id, unfinished,
                                       hold=hold, models=models, store=store)
            results += await play_clips(with_policy(variant, persona_id, probes=0), persona_id, finished,
                                        hold=hold, models=models, store=store)
        finally:
            store.close()
    return {"mode": mode, "hold": hold, "results": results}


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * q))] if ordered else float("nan")


def summarise(run: dict[str, Any], pauses: list[float]) -> str:
    results = run["results"]
    lines = [f"  {run['label']:<18} hold {'on ' if run['hold'] else 'off'}"]
    for where, _ in CLASSES:
        parts = []
        for pause in pauses:
            rows = [r for r in results if r["pause"] == pause and r["where"] == where]
            acked = sum(r["ack_in_pause"] for r in rows)
            parts.append(f"{pause:g}s {sum(r['cut'] for r in rows)}/{len(rows)}" + (f" (+{acked} ok)" if acked else ""))
        lines.append(f"    cut off after a pause, {where:<11}: " + "   ".join(parts))
    lines.append("    (+N ok: the interviewer said its acknowledgement in the pause, the candidate went on, the "
                 "answer stayed one turn)")
    for where, label in (("complete", "complete answers (hands-free)"), ("explicit", "answers ended out loud")):
        lines.extend(_latency_lines([r for r in results if r["where"] == where], label))
    lines.extend(_gate_lines(results))
    reasons: dict[str, int] = {}
    for r in results:
        for reason in r["reasons"]:
            reasons[reason] = reasons.get(reason, 0) + 1
    phases: dict[str, int] = {}
    for r in results:
        phases[r["phase"]] = phases.get(r["phase"], 0) + 1
    lines.append(f"    turns held, by reason: {reasons or 'none'}; answers by phase: {phases}")
    return "\n".join(lines)


def _latency_lines(done: list[dict[str, Any]], label: str) -> list[str]:
    waits = [r["reply_s"] for r in done if r["reply_s"] is not None]
    if not waits:
        return [f"    {label}: no reply measured (n={len(done)})"] if done else []
    proper = [r["reply_proper_s"] for r in done if r["reply_proper_s"] is not None]
    decided = [r["decided_s"] for r in done if r["decided_s"] is not None]
    acked = sum(r["acknowledged"] for r in done)
    return [
        f"    {label}: first interviewer audio after the last word p50 {_pct(waits, 0.5) * 1000:.0f} ms, "
        f"p95 {_pct(waits, 0.95) * 1000:.0f} ms (n={len(waits)}, {acked} opened with an acknowledgement)",
        f"      the reply itself p50 {_pct(proper, 0.5) * 1000:.0f} ms, p95 {_pct(proper, 0.95) * 1000:.0f} ms; "
        f"decided after p50 {_pct(decided, 0.5) * 1000:.0f} ms, p95 {_pct(decided, 0.95) * 1000:.0f} ms; "
        f"split into two turns: {sum(r['cut'] for r in done)}/{len(done)}",
    ]


def _gate_lines(results: list[dict[str, Any]]) -> list[str]:
    """How each gate judged the pause inside unfinished answers and the end of complete ones (two-gate only)."""
    if not any(r["gates"] for r in results):
        return []
    parts = []
    for where in [w for w, _ in CLASSES] + ["complete"]:
        asked = [(r["gates"][0] if where != "complete" else r["gates"][-1]) for r in results
                 if r["where"] == where and r["gates"]]
        if asked:
            words = sum(g["transcript"] is None for g in asked)
            voice = sum(g["voice"] is True for g in asked)
            both = sum(g["transcript"] is None and g["voice"] is True for g in asked)
            parts.append(f"{where} {words}/{voice}/{both} of {len(asked)}")
    answered = [r for r in results if r["heard"]]
    ahead = sum(r["reply_looked_ahead"] for r in answered)
    late = [g["ms"] for r in results for g in r["gates"]]
    return [
        "    said finished (words / voice / both) at the first pause of an unfinished answer, at the end of a "
        "complete one: " + ";  ".join(parts),
        f"    replies taken from the look-ahead made in the pause: {ahead}/{len(answered)}; the gates took "
        f"p50 {_pct(late, 0.5):.0f} ms, p95 {_pct(late, 0.95):.0f} ms once the turn had ended",
    ]


def details(run: dict[str, Any]) -> str:
    """One line per answer: what was said and heard, why the turn was held, what the interviewer did."""
    lines = []
    for r in run["results"]:
        reply = f"{r['reply_s'] * 1000:.0f}" if r["reply_s"] is not None else "-"
        proper = f"{r['reply_proper_s'] * 1000:.0f}" if r["reply_proper_s"] is not None else "-"
        lines.append(f"    {r['label']:<18} {r['phase']:<9} min {r['min_words']:>2}  cut {int(r['cut'])} "
                     f"ack {int(r['acknowledged'])}/{int(r['taken_back'])}  reply {reply:>5}/{proper:>5} ms  "
                     f"held {','.join(r['reasons']) or '-':<14} voice {_voices(r)} heard: {' || '.join(r['heard'])}")
    return "\n".join(lines)


def _voices(r: dict[str, Any]) -> str:
    marks = {True: "y", False: "n", None: "-"}
    return "".join(marks[g["voice"]] for g in r["gates"]) or "."


def parse_mode(spec: str, persona: Any) -> tuple[str, dict[str, float]]:
    """``two-gate``, ``vad@1.8`` or ``two-gate@0.3-1.8``: a turn detector and, optionally, its delays."""
    mode, _, delays = spec.partition("@")
    if mode not in ("vad", "v1-mini", "two-gate"):
        raise SystemExit(f"bench.cutoffs: --modes: unknown turn detector {mode!r} (vad, v1-mini, two-gate)")
    tt = persona.turn_taking
    if not delays:
        if mode == "two-gate" and tt.mode != "two-gate":  # a one-gate persona tried with two gates: its wait in all
            return mode, {"min_endpointing_delay_s": 0.3, "max_endpointing_delay_s": tt.min_endpointing_delay_s}
        return mode, {}
    low, _, high = delays.partition("-")
    try:
        out = {"min_endpointing_delay_s": float(low)}
        if high:
            out["max_endpointing_delay_s"] = float(high)
    except ValueError:
        raise SystemExit(f"bench.cutoffs: --modes: {spec!r}: delays are seconds, as in vad@1.8 or "
                         "two-gate@0.3-1.8") from None
    out.setdefault("max_endpointing_delay_s", max(out["min_endpointing_delay_s"], tt.max_endpointing_delay_s))
    return mode, out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persona", default="platform-lead")
    parser.add_argument("--pauses", default="1.0,1.5,2.5")
    parser.add_argument("--per-pause", type=int, default=10)
    parser.add_argument("--modes", default="vad@1.8,two-gate",
                        help="turn detectors to compare, each vad, v1-mini or two-gate, optionally with its delays "
                             "(vad@1.8: a fixed 1.8 s wait, the default persona's before two gates; "
                             "two-gate@0.3-1.8); bare: the persona's own delays")
    parser.add_argument("--holds", default="on")
    parser.add_argument("--complete", type=int, default=20, help="complete answers spoken without a pause")
    parser.add_argument("--explicit", type=int, default=20,
                        help=f"complete answers ended with {CLOSER!r} (the explicit end of turn)")
    parser.add_argument("--details", action="store_true", help="one line per answer: heard, held, replied")
    parser.add_argument("--json-out", type=Path, metavar="FILE", help="write every answer's figures here")
    args = parser.parse_args(argv)
    from agent.content.loader import load_bank
    from agent.logs import configure_logging
    from agent.voice.session_factory import load_models

    configure_logging()
    bank = load_bank()
    persona = bank.personas[args.persona]
    pauses = [float(p) for p in args.pauses.split(",")]
    modes = [parse_mode(spec, persona) for spec in args.modes.split(",")]
    models = load_models(voice=persona.voice.name, speaking_rate=persona.voice.rate)
    tt = persona.turn_taking
    print(f"persona {persona.id} ({tt.mode}, endpointing {tt.min_endpointing_delay_s:g}-"
          f"{tt.max_endpointing_delay_s:g} s); {args.per_pause} answers per pause and class (follow-up answers), "
          f"{args.complete} complete answers and {args.explicit} ended out loud (first answers); load average "
          f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    runs = []
    for spec, (mode, delays) in zip(args.modes.split(","), modes, strict=True):
        for hold in args.holds.split(","):
            run = asyncio.run(run_config(bank, args.persona, mode, hold == "on", pauses, args.per_pause, models,
                                         complete=args.complete, delays=delays, explicit=args.explicit))
            run["label"] = spec
            run["delays"] = delays
            runs.append(run)
            print(summarise(run, pauses), flush=True)
            if args.details:
                print(details(run), flush=True)
    if args.json_out:
        args.json_out.write_text(json.dumps({"persona": persona.id, "pauses": pauses, "runs": runs}, indent=1))
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
