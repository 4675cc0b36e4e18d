"""Load benchmark: N scripted candidates talk to the interviewer workers at once, over LiveKit.

Run against a server with workers registered (``interviewer serve --dev`` or
your own cluster)::

    LIVEKIT_URL=... LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... \\
        .venv/bin/python -m bench.browser_load --rounds 4

Each candidate joins its own room (the same dispatch a browser's token makes),
answers "I do not know" to one question and "no questions" at the end, and
measures voice-to-voice latency from the end of its answer to the first
interviewer audio above the level threshold. Prints one JSON object with
p50/p95 and each round's outcome. The candidate code is the e2e tests' own
(``tests/e2e/python_participant.py``), so the benchmark and the tests measure
the same thing.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path

from tests.e2e.python_participant import ScriptedCandidate, percentile, read_wav, speak_wav

ANSWER = "Honestly, I do not know."
CLOSING = "No, that is all from me. Thank you."


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.browser_load", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=4, help="candidates at once (default 4)")
    parser.add_argument("--persona", default="platform-lead")
    parser.add_argument("--track", default=None, help="default: the persona's first track")
    parser.add_argument("--question", default="platform-success-metrics")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per round (default 240)")
    args = parser.parse_args(argv)
    missing = [n for n in ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET") if not os.environ.get(n)]
    if missing:
        print(f"bench.browser_load: set {', '.join(missing)}", file=sys.stderr)
        return 2
    if not 1 <= args.rounds <= 64:
        print("bench.browser_load: --rounds must be from 1 to 64", file=sys.stderr)
        return 2
    from agent.content.loader import load_bank

    persona = load_bank().personas[args.persona]
    track = args.track or str(persona.tracks[0])
    metadata = {"persona": args.persona, "track": track, "minutes": 5, "questions": [args.question]}
    with tempfile.TemporaryDirectory(prefix="browser-load-") as tmp:
        answer = read_wav(speak_wav(ANSWER, Path(tmp) / "answer.wav"))
        closing = read_wav(speak_wav(CLOSING, Path(tmp) / "closing.wav"))

    async def run_all() -> list:
        people = [
            ScriptedCandidate(os.environ["LIVEKIT_URL"], os.environ["LIVEKIT_API_KEY"],
                              os.environ["LIVEKIT_API_SECRET"], answers=[answer], closing_answer=closing,
                              metadata=metadata, max_turns=4, timeout_s=args.timeout)
            for _ in range(args.rounds)
        ]
        return await asyncio.gather(*(p.run() for p in people))

    started = time.monotonic()
    results = asyncio.run(run_all())
    latencies = [v for r in results for v in r.latencies_s]
    summary = {
        "rounds": args.rounds,
        "completed": sum(1 for r in results if r.ended and not r.error),
        "wall_s": round(time.monotonic() - started, 1),
        "v2v_p50_s": percentile(latencies, 50) if latencies else None,
        "v2v_p95_s": percentile(latencies, 95) if latencies else None,
        "v2v_all_s": sorted(latencies),
        "errors": [r.error for r in results if r.error],
        "agents": len({r.agent_identity for r in results if r.agent_identity}),
    }
    print(json.dumps(summary, indent=1))
    return 0 if summary["completed"] == args.rounds else 1


if __name__ == "__main__":
    sys.exit(main())
