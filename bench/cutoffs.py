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
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from bench.voice_latency import persona_variant

# Unfinished answers, by what the first part ends on; each is (first part, rest) with a pause between.
AFTER_CONJUNCTION = (
    ("For a shared platform I would first talk to the teams that depend on it, and",
     "then I would measure how long a new team needs to ship something real."),
    ("If the change breaks the API, I would tell every consumer early, because",
     "they need time to plan the migration around their own releases."),
    ("I would keep the old version running for a while, but",
     "only until the traffic on it drops close to zero."),
    ("The north star should count successful calls from real customers, so",
     "that it moves when they get value and not when someone opens a dashboard."),
    ("Before anything else I would look at who still calls the old endpoint, and",
     "I would write to those teams by name instead of sending one big announcement."),
    ("A header keeps the address clean, but",
     "most people forget to send it when they copy an example."),
    ("I would give the team that asked a clear answer this week, or",
     "at least a date by which they will get one."),
    ("The cache makes the page fast for most people, although",
     "the first visitor after a change still waits for the slow path."),
    ("For the feed I would start from what people come back for, because",
     "a click today says little about whether they return next month."),
    ("I would want the agent tool to have a narrow job, since",
     "a model calling it cannot ask a person what a vague field means."),
)
AFTER_FILLER = (
    ("I think the most important number is, um",
     "how much of their eligible work the teams have moved onto the platform."),
    ("For the one team that asks for the feature I would, uh",
     "first check whether other teams have the same need."),
    ("The way I would explain caching is, um",
     "like keeping the milk you use every day on the kitchen counter."),
    ("When the maps app picks a route it looks at, uh",
     "how long each road takes right now, not just how far it is."),
    ("The first thing I would check is, er",
     "whether the breaking change can be avoided with a new field instead."),
    ("Honestly my background is, um, you know",
     "mostly data analysis, and that shaped how I talk to engineers."),
    ("For the north star I would go with, hmm",
     "the number of customer apps that make successful calls every week."),
    ("When you type an address the browser first, uh",
     "asks a directory where that name lives on the network."),
    ("The way I would decide between the three is, um, well",
     "by asking who is going to call it, a person, a program or a model."),
    ("My worry with personalising it is, uh",
     "that we may not have enough history for new users to learn from."),
)
MID_CLAUSE = (
    ("I would measure the time it takes a new team",
     "to ship its first feature on the platform."),
    ("The version goes in the address because people copy links",
     "straight from the documentation into their code."),
    ("The feed ranks the posts it predicts you will",
     "actually enjoy and not just click on."),
    ("A reminder goes out two days before the appointment",
     "and again on the morning itself, in the way the patient chose."),
    ("Before we switch the old behaviour off we would",
     "wait until the last big customer has moved across."),
    ("The directory that turns a name into an address",
     "is asked first, and the answer is kept for a while."),
    ("What I would really like the platform team to",
     "measure is how many hours the other teams no longer spend on plumbing."),
    ("For the one team with the special request the",
     "best answer may be an extension point they own themselves."),
    ("The route that looks shortest on the map is",
     "often slower at five in the evening than the longer one."),
    ("A good explanation of an API for my aunt would",
     "start with a restaurant menu and a waiter."),
)
BETWEEN_SENTENCES = (
    ("Uptime matters, but it only says the platform is running.",
     "What I really want to know is whether teams ship faster because of it."),
    ("I would keep the old version alive for a while.",
     "Then I would switch it off once the usage drops close to zero."),
    ("I would start from the teams that build on the platform and ask what job it does for them. They come to "
     "us because they want to ship their own features faster, and not because they love infrastructure.",
     "So my first number would be how long a new team takes to get something real into production."),
    ("For a public API I would put the version in the URL, because people copy examples from the docs and a "
     "version they can see is one they cannot forget to send.",
     "Headers are fine for finer changes, and I would say when each one wins."),
    ("A security fix sometimes cannot wait for a grace period.",
     "Then I would call the biggest customers myself and ship a patched client the same day."),
    ("The team that asked is not wrong to want it.",
     "But I would check whether two or three other teams need something close before building anything."),
    ("Daily active users is the number everyone reaches for.",
     "For an API it mostly counts people logging in to debug, which is the opposite of success."),
    ("The ranking model predicts what each person will engage with.",
     "The harder part is choosing an objective that does not reward outrage."),
    ("I would keep the first version of the feature deliberately small.",
     "Once we see that people use it, we can spend on the clever parts."),
    ("Caching is a copy kept close by.",
     "The tricky part is knowing when that copy has gone stale and must be thrown away."),
)
CLASSES = (("conjunction", AFTER_CONJUNCTION), ("filler", AFTER_FILLER), ("mid-clause", MID_CLAUSE),
           ("sentence", BETWEEN_SENTENCES))
# Said after a complete answer to end the turn out loud (one of the lexicon's turn closers).
CLOSER = "That's my answer."
# Complete answers, spoken without a pause: the interviewer should reply, and the sooner the better.
COMPLETE = (
    "I would track how long a new team needs to ship something real on the platform, because that is the "
    "job it exists to do for them.",
    "I would give customers a firm date, a migration guide and a working example, and keep the old version "
    "running until its traffic is close to zero.",
    "I would put the version in the URL, since people copy links from the docs and cannot forget a version "
    "they can see.",
    "An API is like a waiter in a restaurant: you ask for what you want, and the kitchen sends it back "
    "without you ever going in there.",
    "Caching is keeping a copy of something you use often close at hand, so you do not have to fetch it "
    "from far away every time.",
    "The one number I would keep is how many customer apps make successful calls each week, since that "
    "moves only when their software actually works because of us.",
    "I would tell the requesting team no for the core platform, and offer them a plug-in point so they "
    "can build the special case themselves without slowing everyone else.",
    "For a security fix with no grace period I would patch the old version where I can, call the largest "
    "callers directly, and publish exactly what changes and why.",
    "I would expose it as a plain endpoint first, add it to the SDK once people use it, and make a tool for "
    "agents only when we know the inputs are narrow enough for a model to fill in.",
    "Typing an address makes the browser look up where the site lives, open a secure connection, ask for "
    "the page and then draw it piece by piece as the parts arrive.",
    "I would rank the feed by what people are likely to value a week later, not just by what they tap on "
    "in the next minute.",
    "A maps app finds the quickest route by treating roads as a network, and it weights each road by how "
    "long it takes right now, using speeds from phones that are driving on it.",
    "My technical background helped most when I spotted that a feature depended on data we did not store "
    "yet, so we moved it after the data work and saved a month of rework.",
    "Before promising personalisation I would check that we have enough history per user, start with a "
    "simple rule everyone gets, and measure whether the smarter version really beats it.",
    "For the appointment reminder I would keep the first version to one message two days ahead, in the "
    "channel the patient picked, and see whether no-shows drop.",
    "I would measure the platform by how quickly a new team ships on it and how many hours it saves the "
    "teams already there, with uptime as a floor rather than the goal.",
    "I would run the old and the new versions side by side, watch who still calls the old one, and switch "
    "it off only when that traffic has all but gone.",
    "Put simply, an API is a set of requests one program can make of another, with promised answers, so "
    "neither side needs to know how the other works inside.",
    "I would pick the header only for a small group of expert customers; for everyone else the version in "
    "the address is easier to see, copy and support.",
    "Caching means we answer from a nearby copy instead of going back to the source, which is why the second "
    "visit to a page feels so much quicker than the first.",
)


async def run_config(bank: Any, persona_id: str, mode: str, hold: bool, pauses: list[float], per_pause: int,
                     models: Any, complete: int = 0, delays: dict[str, float] | None = None,
                     explicit: int = 0) -> dict[str, Any]:
    from agent.devtools.simulated_round import Answer, SimulatedRound, flite_pcm
    from agent.session import RoundRequest
    from agent.store import Store

    delays = delays or {}
    variant = persona_variant(bank, persona_id, mode=mode, **delays)
    clips = []
    for pause in pauses:
        for where, pool in CLASSES:
            for k in range(per_pause):
                first, second = pool[k % len(pool)]
                a, b = flite_pcm(first), flite_pcm(second)
                pcm = np.concatenate([a, np.zeros(int(16000 * pause), np.int16), b])
                clips.append((pause, where, Answer(f"{where}-{pause}-{k}", pcm)))
    for k in range(complete):
        clips.append((0.0, "complete", Answer(f"complete-{k}", flite_pcm(COMPLETE[k % len(COMPLETE)]))))
    for k in range(explicit):  # the same answers ended out loud: the explicit end of turn
        text = f"{COMPLETE[k % len(COMPLETE)]} {CLOSER}"
        clips.append((0.0, "explicit", Answer(f"explicit-{k}", flite_pcm(text))))
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
                        taken_back_before = sim.vr.agent.acks_taken_back
                        played = await sim.candidate.say(answer)
                        clip = played.clip
                        answers = [t for t in sim.turns[turns_before:] if t.source == "answer"]
                        clip_end = clip.started_at + answer.pcm.size / 16000
                        spoke_during = any(s.started_at and clip.started_at < s.started_at < clip_end - 0.05
                                           for s in sim.speaker.segments[segs_before:])
                        later = [seg.started_at for seg in sim.speaker.segments[segs_before:]
                                 if seg.started_at and clip.speech_end_at and seg.started_at >= clip.speech_end_at]
                        # "Okay." said in the pause and then talked over is not a cut-off: the answer stayed whole
                        taken_back = sim.vr.agent.acks_taken_back > taken_back_before
                        results.append({"pause": pause, "where": where, "acknowledged": spoke_during and taken_back,
                                        "cut": len(answers) > 1 or (spoke_during and not taken_back),
                                        "turns": len(answers),
                                        "reply_s": (later[0] - clip.speech_end_at) if later else None,
                                        "decided_s": (answers[0].created_at - clip.speech_end_at)
                                        if answers and clip.speech_end_at else None})
                    sim.speaker.speed = 8.0
        finally:
            store.close()
    return {"mode": mode, "hold": hold, "results": results}


def summarise(run: dict[str, Any], pauses: list[float]) -> str:
    lines = [f"  {run['mode']:<8} hold {'on ' if run['hold'] else 'off'}"]
    for where, _ in CLASSES:
        parts = []
        for pause in pauses:
            rows = [r for r in run["results"] if r["pause"] == pause and r["where"] == where]
            acked = sum(r.get("acknowledged", False) for r in rows)
            parts.append(f"{pause:g}s {sum(r['cut'] for r in rows)}/{len(rows)}" + (f" (+{acked} ok)" if acked else ""))
        lines.append(f"    cut off after a pause, {where:<11}: " + "   ".join(parts))
    lines.append("    (+N ok: the interviewer said its acknowledgement in the pause, the candidate went on, the "
                 "answer stayed one turn)")
    for where, label in (("complete", "complete answers (hands-free)"), ("explicit", "answers ended out loud")):
        lines.extend(_latency_lines([r for r in run["results"] if r["where"] == where], label))
    return "\n".join(lines)


def _latency_lines(done: list[dict[str, Any]], label: str) -> list[str]:
    lines: list[str] = []
    if done:
        waits = sorted(r["reply_s"] for r in done if r["reply_s"] is not None)
        if waits:
            p50 = waits[len(waits) // 2]
            p95 = waits[min(len(waits) - 1, int(len(waits) * 0.95))]
            decided = sorted(r["decided_s"] for r in done if r.get("decided_s") is not None)
            d50 = decided[len(decided) // 2] if decided else float("nan")
            d95 = decided[min(len(decided) - 1, int(len(decided) * 0.95))] if decided else float("nan")
            lines.append(f"    {label}: first interviewer audio after the last word p50 {p50 * 1000:.0f} ms, "
                         f"p95 {p95 * 1000:.0f} ms (n={len(waits)}); the reply decided after p50 {d50 * 1000:.0f} ms, "
                         f"p95 {d95 * 1000:.0f} ms; split into two turns: {sum(r['cut'] for r in done)}/{len(done)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persona", default="platform-lead")
    parser.add_argument("--pauses", default="1.0,1.5,2.5")
    parser.add_argument("--per-pause", type=int, default=10)
    parser.add_argument("--modes", default="vad,two-gate",
                        help="vad, v1-mini, two-gate; two-gate without --min-delay/--max-delay waits 0.3 s, "
                             "then the persona's own silence wait in all")
    parser.add_argument("--holds", default="on")
    parser.add_argument("--complete", type=int, default=20, help="complete answers spoken without a pause")
    parser.add_argument("--explicit", type=int, default=20,
                        help=f"complete answers ended with {CLOSER!r} (the explicit end of turn)")
    parser.add_argument("--min-delay", type=float, metavar="S", help="min_endpointing_delay_s (default: the persona's)")
    parser.add_argument("--max-delay", type=float, metavar="S", help="max_endpointing_delay_s (default: the persona's)")
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
    print(f"persona {persona.id}: endpointing {args.min_delay or tt.min_endpointing_delay_s:g}-"
          f"{args.max_delay or tt.max_endpointing_delay_s:g} s (its own mode: {tt.mode}); {args.per_pause} answers "
          f"per pause and class, {args.complete} complete answers, {args.explicit} ended out loud")
    for mode in args.modes.split(","):
        for hold in args.holds.split(","):
            delays = {k: v for k, v in (("min_endpointing_delay_s", args.min_delay),
                                        ("max_endpointing_delay_s", args.max_delay)) if v is not None}
            if mode == "two-gate" and not delays and tt.mode != "two-gate":
                delays = {"min_endpointing_delay_s": 0.3, "max_endpointing_delay_s": tt.min_endpointing_delay_s}
            run = asyncio.run(run_config(bank, args.persona, mode, hold == "on", pauses, args.per_pause, models,
                                         complete=args.complete, delays=delays, explicit=args.explicit))
            print(summarise(run, pauses), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
