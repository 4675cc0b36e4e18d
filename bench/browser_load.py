"""Load benchmark: N scripted candidates talk to the interviewer workers at once, over LiveKit.

Run it standalone (a LiveKit server and one worker of its own, capacity 4)::

    .venv/bin/python -m bench.browser_load --own-server --rounds 1,2,4

or against a server with workers registered (``interviewer serve --dev`` or
your own cluster)::

    LIVEKIT_URL=... LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... \\
        .venv/bin/python -m bench.browser_load --rounds 4

For each entry of ``--rounds`` (run one after the other) that many candidates
join their own rooms at once (the same dispatch a browser's token makes),
answer "I do not know" to one question (``--answers`` times) and "no
questions" at the end, and measure voice-to-voice latency from the end of each
answer to the first interviewer audio above the level threshold (with the
default persona's two gates that first audio is the "Okay." said over a
finished answer). Prints a table of p50/p95 per batch and each p95 against the
single round's, then one JSON object. The candidate code is the e2e tests' own
(``tests/e2e/python_participant.py``), so the benchmark and the tests measure
the same thing. With ``--own-server`` it also prints the worker's admission
decisions (``worker.round_refused``) and each round's CPU, read from its log.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tests.e2e.python_participant import ScriptedCandidate, percentile, read_wav, speak_wav

ANSWER = "Honestly, I do not know."
CLOSING = "No, that is all from me. Thank you."


@contextlib.contextmanager
def own_worker(workdir: Path, capacity: int) -> Iterator[tuple[dict[str, str], Any]]:
    """A private LiveKit server and one ``interviewer worker`` registered with it."""
    from tests.e2e.python_participant import WorkerProcess, private_livekit_server

    with private_livekit_server(workdir) as server:
        worker = WorkerProcess(server.env(), workdir, capacity=capacity, rejoin_grace_s=0).start()
        try:
            yield server.env(), worker
        finally:
            worker.stop()


async def run_batch(env: dict[str, str], rounds: int, metadata: dict[str, Any], answers: list[Any], closing: Any,
                    timeout_s: float) -> list[Any]:
    people = [
        ScriptedCandidate(env["LIVEKIT_URL"], env["LIVEKIT_API_KEY"], env["LIVEKIT_API_SECRET"], answers=answers,
                          closing_answer=closing, metadata=metadata, max_turns=len(answers) + 3, timeout_s=timeout_s)
        for _ in range(rounds)
    ]
    return await asyncio.gather(*(p.run() for p in people))


def summarise(rounds: int, results: list[Any], wall_s: float) -> dict[str, Any]:
    latencies = [v for r in results for v in r.latencies_s]
    return {
        "rounds": rounds,
        "completed": sum(1 for r in results if r.ended and not r.error),
        "wall_s": round(wall_s, 1),
        "v2v_p50_s": percentile(latencies, 50) if latencies else None,
        "v2v_p95_s": percentile(latencies, 95) if latencies else None,
        "v2v_all_s": sorted(round(v, 3) for v in latencies),
        "errors": [r.error for r in results if r.error],
        "agents": len({r.agent_identity for r in results if r.agent_identity}),
    }


def worker_figures(log: str) -> dict[str, Any]:
    """What the worker's log says about the batches: refusals, and each round's CPU from its end line."""
    refused = log.count('"worker.round_refused"')
    cpu = []
    for line in log.splitlines():
        if line.startswith("{") and '"room.round_ended"' in line:
            data = json.loads(line)
            if data.get("cpu_s") and data.get("seconds"):
                cpu.append(round(float(data["cpu_s"]) / float(data["seconds"]), 3))
    return {"refused": refused, "round_cores": cpu}


def table(batches: list[dict[str, Any]]) -> str:
    base = next((b["v2v_p95_s"] for b in batches if b["rounds"] == 1 and b["v2v_p95_s"]), None)
    lines = ["rounds  completed  replies  p50 ms  p95 ms  p95 / one round's"]
    for b in batches:
        p50, p95 = b["v2v_p50_s"], b["v2v_p95_s"]
        ratio = f"{p95 / base:.2f}" if base and p95 else "-"
        lines.append(f"{b['rounds']:>6}  {b['completed']:>4}/{b['rounds']:<4}  {len(b['v2v_all_s']):>7}  "
                     f"{p50 * 1000 if p50 else float('nan'):>6.0f}  {p95 * 1000 if p95 else float('nan'):>6.0f}  "
                     f"{ratio:>8}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench.browser_load", description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", default="4", help="candidates at once; a list runs batches in turn (1,2,4)")
    parser.add_argument("--answers", type=int, default=3, help="answers each candidate gives (default 3)")
    parser.add_argument("--persona", default="platform-lead")
    parser.add_argument("--track", default=None, help="default: the persona's first track")
    parser.add_argument("--question", default="platform-success-metrics")
    parser.add_argument("--timeout", type=float, default=240.0, help="seconds per round (default 240)")
    parser.add_argument("--own-server", action="store_true",
                        help="start a LiveKit server and one worker (capacity: the largest batch) for the run")
    parser.add_argument("--worker-log", type=Path, metavar="FILE",
                        help="with --own-server: keep the worker's log here (why each turn was held or acknowledged)")
    args = parser.parse_args(argv)
    try:
        batches = [int(n) for n in args.rounds.split(",")]
    except ValueError:
        print(f"bench.browser_load: --rounds: expected numbers like 1,2,4, got {args.rounds!r}", file=sys.stderr)
        return 2
    if not all(1 <= n <= 64 for n in batches):
        print("bench.browser_load: --rounds must be from 1 to 64", file=sys.stderr)
        return 2
    if not 1 <= args.answers <= 10:
        print("bench.browser_load: --answers must be from 1 to 10", file=sys.stderr)
        return 2
    missing = [n for n in ("LIVEKIT_URL", "LIVEKIT_API_KEY", "LIVEKIT_API_SECRET") if not os.environ.get(n)]
    if missing and not args.own_server:
        print(f"bench.browser_load: set {', '.join(missing)}, or pass --own-server", file=sys.stderr)
        return 2
    from agent.content.loader import load_bank

    persona = load_bank().personas[args.persona]
    track = args.track or str(persona.tracks[0])
    metadata = {"persona": args.persona, "track": track, "minutes": 5, "questions": [args.question]}
    out: dict[str, Any] = {"load_before": [round(x, 2) for x in os.getloadavg()], "batches": []}
    with tempfile.TemporaryDirectory(prefix="browser-load-") as tmp:
        answer = read_wav(speak_wav(ANSWER, Path(tmp) / "answer.wav"))
        closing = read_wav(speak_wav(CLOSING, Path(tmp) / "closing.wav"))
        with contextlib.ExitStack() as stack:
            worker = None
            env = dict(os.environ)
            if args.own_server:
                env, worker = stack.enter_context(own_worker(Path(tmp), max(batches)))
            for rounds in batches:
                if worker is not None:
                    worker.wait_until_idle()
                started = time.monotonic()
                results = asyncio.run(run_batch(env, rounds, metadata, [answer] * args.answers, closing,
                                                args.timeout))
                batch = summarise(rounds, results, time.monotonic() - started)
                out["batches"].append(batch)
                print(f"{rounds} round(s): {batch['completed']} completed, p50 {batch['v2v_p50_s']}, "
                      f"p95 {batch['v2v_p95_s']}", file=sys.stderr, flush=True)
            if worker is not None:
                out["worker"] = worker_figures(worker.log())
                if args.worker_log is not None:
                    args.worker_log.write_text(worker.log(), encoding="utf-8")
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    print(table(out["batches"]))
    print(json.dumps(out, indent=1))
    return 0 if all(b["completed"] == b["rounds"] for b in out["batches"]) else 1


if __name__ == "__main__":
    sys.exit(main())
