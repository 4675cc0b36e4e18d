"""How often the interviewer cuts a candidate off during a thinking pause.

Run: ``.venv/bin/python -m bench.cutoffs [--pauses 0.8,1.5,2.5] [--per-pause 4]``

Each answer is two parts with a silent pause between them, spoken by flite
in real time: half pause mid-sentence (the first part ends on "and then"),
half between two complete sentences. A cut-off is an answer the interviewer
replied to before the candidate had finished: the core received more than one
turn for the clip, or interviewer audio started while the clip was still
playing. Measured for the persona's endpointing delays with both turn
detectors (VAD silence, LiveKit's local ``v1-mini``), each with and without
the unfinished-sentence hold (``agent.voice.endpointing``).
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench.voice_latency import persona_variant

MID_SENTENCE = (
    ("For a shared platform I would first talk to the teams that depend on it, and then",
     "I would measure how long a new team needs to ship something real."),
    ("If the change breaks the API, I would tell every consumer early, because",
     "they need time to plan the migration around their own releases."),
)
BETWEEN_SENTENCES = (
    ("Uptime matters, but it only says the platform is running.",
     "What I really want to know is whether teams ship faster because of it."),
    ("I would keep the old version alive for a while.",
     "Then I would switch it off once the usage drops close to zero."),
)


async def run_config(bank: Any, persona_id: str, mode: str, hold: bool, pauses: list[float], per_pause: int,
                     models: Any) -> dict[str, Any]:
    from agent.session import RoundRequest
    from agent.simulate import Answer, SimulatedRound, flite_pcm
    from agent.store import Store

    variant = persona_variant(bank, persona_id, mode=mode)
    clips = []
    for pause in pauses:
        for k in range(per_pause):
            pool = MID_SENTENCE if k % 2 == 0 else BETWEEN_SENTENCES
            first, second = pool[(k // 2) % len(pool)]
            a, b = flite_pcm(first), flite_pcm(second)
            pcm = np.concatenate([a, np.zeros(int(16000 * pause), np.int16), b])
            clips.append((pause, "mid" if pool is MID_SENTENCE else "between", Answer(f"{pause}-{k}", pcm)))
    results: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'cut.db'}")
        try:
            qids = tuple(list(bank.questions)[:1]) if "platform-success-metrics" not in bank.questions \
                else ("platform-success-metrics",)
            request = RoundRequest(persona_id=persona_id, question_ids=qids, minutes=60, mode="simulate")
            remaining = list(clips)
            while remaining:
                async with SimulatedRound(variant, store, request, models=models, playback_speed=4.0) as sim:
                    sim.vr.agent.hold_unfinished = hold
                    await sim.opening()
                    while remaining and not sim.vr.done:
                        pause, where, answer = remaining.pop(0)
                        turns_before = len(sim.turns)
                        segs_before = len(sim.speaker.segments)
                        played = await sim.candidate.say(answer)
                        clip = played.clip
                        answers = [t for t in sim.turns[turns_before:] if t.source == "answer"]
                        clip_end = clip.started_at + answer.pcm.size / 16000
                        spoke_during = any(s.started_at and clip.started_at < s.started_at < clip_end - 0.05
                                           for s in sim.speaker.segments[segs_before:])
                        results.append({"pause": pause, "where": where,
                                        "cut": len(answers) > 1 or spoke_during,
                                        "turns": len(answers)})
                    sim.speaker.speed = 8.0
        finally:
            store.close()
    return {"mode": mode, "hold": hold, "results": results}


def summarise(run: dict[str, Any], pauses: list[float]) -> str:
    parts = []
    for pause in pauses:
        rows = [r for r in run["results"] if r["pause"] == pause]
        cut = sum(r["cut"] for r in rows)
        mid = sum(r["cut"] for r in rows if r["where"] == "mid")
        parts.append(f"{pause:g}s: {cut}/{len(rows)} (mid-sentence {mid})")
    hold = "hold on " if run["hold"] else "hold off"
    return f"  {run['mode']:<8} {hold}  cut off: " + "   ".join(parts)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persona", default="platform-lead")
    parser.add_argument("--pauses", default="0.8,1.5,2.5")
    parser.add_argument("--per-pause", type=int, default=4)
    parser.add_argument("--modes", default="vad,v1-mini")
    parser.add_argument("--holds", default="on,off")
    args = parser.parse_args(argv)
    from agent.content.loader import load_bank
    from agent.logs import configure_logging
    from agent.voice.session_factory import load_models

    configure_logging()
    bank = load_bank()
    persona = bank.personas[args.persona]
    pauses = [float(p) for p in args.pauses.split(",")]
    models = load_models(voice=persona.voice.name, speaking_rate=persona.voice.rate)
    tt = persona.turn_taking
    print(f"persona {persona.id}: endpointing {tt.min_endpointing_delay_s:g}-{tt.max_endpointing_delay_s:g} s "
          f"(its own mode: {tt.mode}); {args.per_pause} answers per pause")
    for mode in args.modes.split(","):
        for hold in args.holds.split(","):
            run = asyncio.run(run_config(bank, args.persona, mode, hold == "on", pauses, args.per_pause, models))
            print(summarise(run, pauses), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
