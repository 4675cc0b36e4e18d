"""Voice-to-voice latency of whole simulated rounds, with the stage breakdown.

Run: ``.venv/bin/python -m bench.voice_latency [--turns 20] [--persona platform-lead] [--closer "That's my answer."]``

Rounds of the chosen persona are played by a flite candidate (short weak and
strong answers, in real time) until ``--turns`` candidate turns have been
answered. For each turn:

* the framework's figures from the chat history: ``e2e_latency`` (end of the
  candidate's speech to the interviewer starting), ``end_of_turn_delay``,
  ``transcription_delay``, ``llm_node_ttft`` (the policy decision) and
  ``tts_node_ttfb``;
* independently, from the audio itself: the last loud sample the virtual
  microphone delivered to the first sample the virtual speaker played;
* decision to first audio, split by whether the sentence came from the probe
  cache or was rendered on the spot.

The interviewer's audio is played at ``--speed`` (default 3x) once it has
started, which shortens the run and cannot change when it starts. CPU time
and peak RSS are read from the process (models included; the RSS before
the first round is printed too).
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from bench.speech import pct

ANSWERS = (
    "We would track uptime and the number of integrations, and how many teams signed up.",
    "I would start from the consuming teams and the job they need done, then measure time to integrate.",
    "I would announce it early, give a migration guide and a deadline, and help the biggest consumers move.",
    "I am not sure, I would have to think about that one.",
    "Adoption matters, but I would also watch how often teams build around the platform instead of on it.",
    "Honestly I would let the engineers decide the details.",
)
# Complete first answers of a realistic length (40-60 words), for the hands-free two-gate figures.
LONG_ANSWERS = (
    "I would start from the teams that build on the platform and what they need done. So the first number is "
    "how long a new team takes to ship something real on it, and the second is how much of their work has "
    "actually moved onto it. Uptime matters, but only as a floor.",
    "I would find every customer who still calls the old behaviour, tell them early with a firm date and a "
    "migration guide, and call the biggest ones myself. I would keep both versions running side by side and "
    "switch the old one off only once its traffic is close to zero.",
    "I would ask what the team is really trying to achieve, because often the need is shared with other teams "
    "once you look closely. If it truly is theirs alone, I would give them an extension point instead of "
    "bending the platform, and I would be open about the cost of that choice.",
    "For a public API I would put the version in the URL. People copy links and examples from the docs, and a "
    "version they can see is one they cannot forget to send. Headers suit finer changes, but the big break "
    "should be obvious to anyone reading the request.",
)




def row(label: str, values: list[float], scale: float = 1000.0, unit: str = "ms") -> str:
    if not values:
        return f"  {label:<46} (no data)"
    return (f"  {label:<46} p50 {statistics.median(values) * scale:7.1f} {unit}   "
            f"p95 {pct(values, 95) * scale:7.1f} {unit}   n={len(values)}")


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def persona_variant(bank: Any, persona_id: str, **turn_taking: Any) -> Any:
    """A copy of the bank whose persona has other turn-taking settings (for the cut-off bench)."""
    persona = bank.personas[persona_id]
    if turn_taking:
        persona = persona.model_copy(update={"turn_taking": persona.turn_taking.model_copy(update=turn_taking)})
    personas = dict(bank.personas)
    personas[persona_id] = persona
    try:
        return replace(bank, personas=personas)
    except TypeError:
        import types

        return types.SimpleNamespace(personas=personas, questions=bank.questions, lexicon=bank.lexicon)


async def run_rounds(bank: Any, persona_id: str, turns: int, speed: float, question_ids: tuple[str, ...],
                     closer: str = "", press_done: bool = False, answers: tuple[str, ...] = ANSWERS) -> dict:
    from agent.devtools.simulated_round import Answer, SimulatedRound, flite_pcm
    from agent.session import RoundRequest
    from agent.store import Store
    from agent.voice.session_factory import load_models

    persona = bank.personas[persona_id]
    t_load = time.perf_counter()
    models = load_models(voice=persona.voice.name, speaking_rate=persona.voice.rate)
    load_s = time.perf_counter() - t_load
    rss_loaded = rss_mb()
    texts = [f"{text} {closer}".strip() for text in answers]
    pcms = [Answer(f"a{i}", flite_pcm(text), text) for i, text in enumerate(texts)]
    entries: list[dict[str, Any]] = []
    hits: list[float] = []
    misses: list[float] = []
    rounds = 0
    cpu0, wall0 = cpu_s(), time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            i = 0
            while len(entries) < turns:
                rounds += 1
                request = RoundRequest(persona_id=persona_id, question_ids=question_ids, minutes=60,
                                       mode="simulate", seed=rounds)
                async with SimulatedRound(bank, store, request, models=models, playback_speed=speed) as sim:
                    await sim.opening()
                    while not sim.vr.done and len(entries) + _answered(sim) < turns:
                        await sim.candidate.say(pcms[i % len(pcms)], press_done=press_done)
                        i += 1
                    sim.speaker.speed = 8.0
                for t in sim.turns:
                    if t.source == "answer" and t.interviewer_text:
                        entries.append(t.to_dict() | {"decision_to_first_audio":
                                                      t.measured.get("decision_to_first_audio")})
                st = sim.vr.cache.stats
                hits += st.first_audio_hit_s
                misses += st.first_audio_miss_s
                print(f"round {rounds}: {len(entries)} turns so far", file=sys.stderr, flush=True)
        finally:
            store.close()
    wall = time.perf_counter() - wall0
    return {"entries": entries[:turns], "hits": hits, "misses": misses, "rounds": rounds, "load_s": load_s,
            "rss_loaded": rss_loaded, "rss_peak": rss_mb(), "cpu_s": cpu_s() - cpu0, "wall_s": wall}


def _answered(sim: Any) -> int:
    return sum(1 for t in sim.turns if t.source == "answer")


def report(result: dict, persona: Any) -> None:
    e = result["entries"]

    def col(key: str) -> list[float]:
        return [float(x[key]) for x in e if isinstance(x.get(key), int | float)]

    tt = persona.turn_taking
    print(f"persona {persona.id}: turn detection {tt.mode}, endpointing {tt.min_endpointing_delay_s:g}-"
          f"{tt.max_endpointing_delay_s:g} s; {len(e)} turns over {result['rounds']} rounds")
    print("voice-to-voice")
    print(row("e2e_latency (framework)", col("e2e_latency")))
    print(row("end of speech -> first interviewer audio (measured)", col("speech_end_to_first_audio")))
    print("stages (framework)")
    print(row("end_of_turn_delay (endpointing wait)", col("end_of_turn_delay")))
    print(row("transcription_delay (last transcript)", col("transcription_delay")))
    print(row("llm_node_ttft (policy decision)", col("llm_node_ttft")))
    print(row("tts_node_ttfb (first audio from TTS)", col("tts_node_ttfb")))
    print(row("decision -> first audio played (measured)", col("decision_to_first_audio")))
    print("TTS first audio, per sentence, at the probe cache")
    print(row("cached", result["hits"]))
    print(row("rendered on the spot (Piper)", result["misses"]))
    probes = [x for x in e if (x.get("action") or "").startswith("probe")]
    print(row("probe turns: decision -> first audio played",
              [float(x["decision_to_first_audio"]) for x in probes
               if isinstance(x.get("decision_to_first_audio"), int | float)]))
    print("resources")
    print(f"  model load {result['load_s']:.2f} s; RSS after load {result['rss_loaded']:.0f} MB, "
          f"peak {result['rss_peak']:.0f} MB; CPU {result['cpu_s']:.1f} s over {result['wall_s']:.1f} s wall "
          f"({100 * result['cpu_s'] / max(result['wall_s'], 1e-9):.0f}% of one core) for {result['rounds']} rounds")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=20)
    parser.add_argument("--persona", default="platform-lead")
    parser.add_argument("--question-ids", default="platform-success-metrics,api-breaking-change,"
                        "internal-one-off-request,api-versioning-choice")
    parser.add_argument("--speed", type=float, default=3.0, help="interviewer playback speed once started")
    parser.add_argument("--closer", default="", metavar="WORDS",
                        help='end every answer with these words, e.g. "That\'s my answer." (an explicit end of turn)')
    parser.add_argument("--press-done", action="store_true",
                        help="press the page's \"I'm done\" at the end of every answer (as the worker receives it)")
    parser.add_argument("--mode", choices=("vad", "v1-mini", "two-gate"),
                        help="turn detection (default: the persona's)")
    parser.add_argument("--min-delay", type=float, metavar="S", help="min_endpointing_delay_s (default: the persona's)")
    parser.add_argument("--max-delay", type=float, metavar="S", help="max_endpointing_delay_s (default: the persona's)")
    parser.add_argument("--answers", choices=("short", "long"), default="short",
                        help="short answers (8-20 words) or complete first answers of 40-60 words")
    args = parser.parse_args(argv)
    from agent.content.loader import load_bank
    from agent.logs import configure_logging

    configure_logging()
    bank = load_bank()
    overrides = {k: v for k, v in (("mode", args.mode), ("min_endpointing_delay_s", args.min_delay),
                                   ("max_endpointing_delay_s", args.max_delay)) if v is not None}
    bank = persona_variant(bank, args.persona, **overrides)
    qids = tuple(q for q in args.question_ids.split(",") if q)
    result = asyncio.run(run_rounds(bank, args.persona, args.turns, args.speed, qids, closer=args.closer,
                                    press_done=args.press_done,
                                    answers=LONG_ANSWERS if args.answers == "long" else ANSWERS))
    if args.press_done:
        print("Done pressed at the end of every answer")
    if args.closer:
        print(f"every answer ends with: {args.closer!r}")
    report(result, bank.personas[args.persona])
    return 0


if __name__ == "__main__":
    sys.exit(main())
