"""``interviewer simulate``: a scripted candidate through the full voice pipeline."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from agent.cli import UsageError
from agent.commands._common import (
    load_content,
    open_store,
    persona_of,
    report_not_written,
    round_outputs,
    store_lost,
)
from agent.commands.practice import add_round_options, assessor_of, round_request
from agent.interview.plan import UnknownQuestion, resolve_ids
from agent.settings import Settings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "simulate",
        help="play a scripted candidate (WAV files or a text script) through the voice pipeline",
        description="Runs a whole spoken round with no microphone: the candidate's answers are played "
        "into the pipeline one per turn, each after the interviewer has finished speaking.",
    )
    add_round_options(p)
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--candidate-audio", type=Path, metavar="DIR",
                        help="a folder of WAV files, one per candidate turn, played in name order")
    source.add_argument("--candidate-script", type=Path, metavar="FILE",
                        help="answers separated by blank lines, spoken with flite (voice slt)")
    p.add_argument("--json-out", type=Path, metavar="FILE", help="write the per-turn figures as JSON")
    p.add_argument("--wav-out", type=Path, metavar="FILE",
                   help="write a stereo WAV of the round (left: candidate, right: interviewer)")
    p.add_argument("--speed", type=float, default=1.0, metavar="X",
                   help="play the interviewer X times faster than real time (default 1; latency "
                        "figures are only meaningful at 1)")
    p.set_defaults(handler=run)


def _print_turn(entry: Any) -> None:
    if entry.source == "answer":
        print(f'\ncandidate (heard)> "{entry.heard}"', flush=True)
    what = entry.action or "nothing"
    if entry.probe_id:
        what += f" [{entry.probe_id}]"
    if entry.interviewer_text:
        print(f"interviewer ({what})> {entry.interviewer_text}", flush=True)
    elif entry.source == "answer":
        print("interviewer> (no reply: the round had ended)", flush=True)


def _ms(value: Any) -> str:
    return f"{value * 1000:.0f} ms" if isinstance(value, int | float) else "-"


def run(args: argparse.Namespace, settings: Settings) -> int:
    # deferred: the simulated candidate drives the voice library (livekit-agents, Whisper, Piper)
    from agent.devtools.simulated_round import SimulationError, load_audio_dir, run_simulation, script_answers

    if not 0.5 <= args.speed <= 8:
        raise UsageError("--speed: must be between 0.5 and 8")
    bank = load_content(settings)
    persona_of(bank, args.persona)
    request = round_request(args, mode="simulate")
    try:
        answers = load_audio_dir(args.candidate_audio) if args.candidate_audio else script_answers(
            args.candidate_script)
    except SimulationError as exc:
        raise UsageError(str(exc)) from None
    if request.question_ids:
        try:
            resolve_ids(bank.questions, request.question_ids)
        except UnknownQuestion as exc:
            raise UsageError(f"--question-ids: {exc}") from None
    print(f"Loading speech models and starting a simulated round with {args.persona} "
          f"({len(answers)} candidate turn{'s' if len(answers) != 1 else ''})...", flush=True)
    outputs = round_outputs(settings)
    store = open_store(settings)
    try:
        result = asyncio.run(run_simulation(
            bank, store, request, answers,
            playback_speed=args.speed, wav_out=args.wav_out, json_out=args.json_out, on_turn=_print_turn,
            outputs=outputs, assessor=assessor_of(settings, bank),
        ))
    except SimulationError as exc:
        raise UsageError(str(exc)) from None
    finally:
        store.close()
    print("\nturn  action                  e2e_latency  end_of_turn  transcription  tts_ttfb  speech-end->audio")
    for t in result.turns:
        if t["source"] != "answer":
            continue
        action = (t["action"] or "-") + (f" [{t['probe_id']}]" if t["probe_id"] else "")
        print(f"{t['index']:>4}  {action[:22]:<22}  {_ms(t['e2e_latency']):>11}  {_ms(t['end_of_turn_delay']):>11}"
              f"  {_ms(t['transcription_delay']):>13}  {_ms(t['tts_node_ttfb']):>8}"
              f"  {_ms(t['speech_end_to_first_audio']):>17}")
    score = f"{result.overall_score:g}/5" if result.overall_score is not None else "no score"
    state = "completed" if result.completed else "ended early"
    print(f"\nround {result.round_id} {state} ({score}) report: {result.report or 'not written'}")
    if result.json_path:
        print(f"per-turn JSON: {result.json_path}")
    if result.wav:
        print(f"recording: {result.wav}")
    sys.stdout.flush()
    if result.store_error is not None:
        return store_lost("simulate", result.store_error, result.report, result.report_problem)
    if result.report_problem is not None:
        return report_not_written("simulate", result.round_id, result.overall_score, result.report_problem)
    return 0
