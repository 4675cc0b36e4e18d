"""Many rounds in one process: is every turn stored, and does memory stay flat?

Run: ``.venv/bin/python -m bench.soak [--text 100] [--spoken 10] [--speed 4]``

Text rounds go through the same core and store as ``interviewer practice
--text`` (scripted answers, one SQLite file); spoken rounds are simulated ones
through the real voice pipeline (VAD, faster-whisper, Piper, the turn logic),
with the models loaded once, as a worker process holds them. For each kind it
prints the turns the rounds produced against the turns the database holds, and
the process's resident memory after the first rounds (warm-up) against the end;
the target is growth under 10%. Spoken rounds also print the resident memory
after each round, so a plateau (an allocator that has reached its working size)
can be told from a leak (a slope that does not level off).
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import sys
import tempfile
import time
from pathlib import Path

ANSWERS = (
    "I would start from the teams that build on the platform: how long a new team needs to ship something "
    "real, and how many engineering hours it saves them compared with building it themselves.",
    "Uptime and adoption matter, but only as a floor; the number I would keep is the share of eligible work "
    "that has actually moved onto the platform.",
    "I would give the callers a migration guide, run both versions side by side, and switch the old one off "
    "only when its traffic is close to zero.",
    "Honestly, I do not know that one well.",
)
WARM_UP = 0.2  # the share of rounds after which memory is taken as warmed up


def rss_mb() -> float:
    """Resident memory of this process now (not the peak), from /proc."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def stored_turns(store, round_ids: list[str]) -> int:  # noqa: ANN001 - agent.store.Store
    return sum(len(store.get_round(rid)[2]) for rid in round_ids)


def text_rounds(bank, store, count: int) -> tuple[int, int, float, float]:  # noqa: ANN001
    from agent.session import RoundRequest, start_round

    produced, ids, warm = 0, [], float("nan")
    for k in range(count):
        logged = start_round(bank, store, RoundRequest(persona_id="platform-lead", question_count=2, seed=k),
                             clock=time.monotonic)
        produced += len(logged.start())
        for answer in ANSWERS * 3:
            if logged.round.done:
                break
            produced += len(logged.answer(answer, speaking_s=None))
        if not logged.round.done:
            produced += len(logged.end("soak"))
        logged.finish()
        ids.append(logged.round.meta.round_id)
        if k + 1 == max(1, int(count * WARM_UP)):
            gc.collect()
            warm = rss_mb()
    gc.collect()
    return produced, stored_turns(store, ids), warm, rss_mb()


def spoken_rounds(bank, store, count: int, speed: float,  # noqa: ANN001
                  per_round: list[float] | None = None) -> tuple[int, int, float, float]:
    from agent.devtools.simulated_round import Answer, flite_pcm, run_simulation
    from agent.session import RoundRequest
    from agent.voice.session_factory import load_models

    persona = bank.personas["platform-lead"]
    models = load_models(voice=persona.voice.name, speaking_rate=persona.voice.rate)
    clips = [Answer(f"a{i}", flite_pcm(text)) for i, text in enumerate(ANSWERS)]
    produced, ids, warm = 0, [], float("nan")
    for k in range(count):
        request = RoundRequest(persona_id="platform-lead", question_count=1, seed=k, mode="simulate")
        result = asyncio.run(run_simulation(bank, store, request, list(clips), models=models,
                                            playback_speed=speed))  # no outputs: no report
        # each logged turn is the candidate's words (when heard) and the interviewer's lines after them
        produced += sum((1 if t.get("heard") else 0) + len(t.get("interviewer_kinds") or ()) for t in result.turns)
        ids.append(result.round_id)
        gc.collect()
        if per_round is not None:
            per_round.append(rss_mb())
        if k + 1 == max(1, int(count * WARM_UP)):
            warm = rss_mb()
    gc.collect()
    return produced, stored_turns(store, ids), warm, rss_mb()


def line(kind: str, rounds: int, produced: int, stored: int, warm: float, end: float, seconds: float) -> str:
    growth = (end - warm) / warm * 100 if warm == warm and warm > 0 else float("nan")
    verdict = "ok" if stored == produced and growth < 10 else "MISS"
    return (f"{kind:>6}: {rounds} rounds in {seconds:.0f} s; turns produced {produced}, stored {stored}; "
            f"memory after warm-up {warm:.0f} MB, at the end {end:.0f} MB (growth {growth:+.1f}%, target <10%) "
            f"{verdict}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--text", type=int, default=100, help="text rounds")
    parser.add_argument("--spoken", type=int, default=10, help="simulated spoken rounds")
    parser.add_argument("--speed", type=float, default=4.0, help="interviewer playback speed for spoken rounds")
    args = parser.parse_args(argv)
    from agent.content.loader import load_bank
    from agent.logs import configure_logging
    from agent.store import Store

    configure_logging(stream=open("/dev/null", "w"))  # noqa: SIM115 - the process's lifetime
    bank = load_bank()
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'soak.sqlite3'}")
        try:
            if args.text:
                t0 = time.monotonic()
                print(line("text", args.text, *text_rounds(bank, store, args.text), time.monotonic() - t0),
                      flush=True)
            if args.spoken:
                t0 = time.monotonic()
                per_round: list[float] = []
                print(line("spoken", args.spoken, *spoken_rounds(bank, store, args.spoken, args.speed, per_round),
                           time.monotonic() - t0), flush=True)
                print("        resident memory after each spoken round (MB): "
                      + " ".join(f"{mb:.0f}" for mb in per_round), flush=True)
        finally:
            store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
