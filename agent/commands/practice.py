"""``interviewer practice``: a round in the terminal (``--text``) or with the microphone."""

from __future__ import annotations

import argparse
import asyncio
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from agent.assist.llm_assessor import assessor_for
from agent.cli import UsageError, silence_stdout
from agent.commands._common import (
    DEFAULT_PERSONA,
    load_content,
    open_store,
    persona_of,
    report_not_written,
    round_outputs,
    store_lost,
)
from agent.commands.enter_key import EnterKey
from agent.commands.job_ad import apply_job_ad
from agent.content.loader import Bank
from agent.content.models import Track
from agent.interview.assess import Assessor, CueAssessor
from agent.interview.limits import MAX_ANSWER_CHARS
from agent.interview.plan import UnknownQuestion, resolve_ids
from agent.interview.records import Speaker
from agent.settings import Settings

INTERVIEWER_WPM = 160.0
CANDIDATE_WPM = 140.0


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("practice", help="run a mock round (voice by default, --text for the terminal)")
    add_round_options(p)
    p.add_argument("--text", action="store_true", help="type your answers instead of speaking")
    p.add_argument("--answers-file", type=Path, metavar="FILE",
                   help="scripted answers, separated by blank lines (implies --text)")
    p.add_argument("--loop", action="store_true", help="return to the weakest questions of earlier rounds")
    p.add_argument("--redo", metavar="QUESTION_ID|last",
                   help="ask one question again as a short round; its report shows what changed since last time")
    p.add_argument("--job-ad", type=Path, metavar="FILE",
                   help="a job ad (plain text): its wording picks the track and orders the questions, "
                        "and the interviewer says which parts led to which")
    p.add_argument("--stt-model", default="tiny.en", help="Whisper model name or path (voice)")
    p.add_argument("--voice", default=None, help="Piper voice name or path (voice; default: the persona's)")
    p.set_defaults(handler=run)


def add_round_options(p: argparse.ArgumentParser) -> None:
    """Options every way of running a round shares."""
    p.add_argument("--persona", default=DEFAULT_PERSONA, metavar="ID", help=f"default {DEFAULT_PERSONA}")
    p.add_argument("--track", choices=[t.value for t in Track], help="role track to draw questions from")
    p.add_argument("--minutes", type=float, metavar="N", help="round length (default: the persona's)")
    p.add_argument("--questions", type=int, metavar="N", help="how many questions")
    p.add_argument("--question-ids", metavar="A,B", help="exact questions, comma separated")
    p.add_argument("--seed", type=int, help="fix the question draw")


def round_request(args: argparse.Namespace, mode: str):  # noqa: ANN201 - a RoundRequest, see below
    from agent.session import RoundRequest  # deferred: the session brings SQLAlchemy and plotly (see run_text)

    if args.minutes is not None and not 1 <= args.minutes <= 120:
        raise UsageError("--minutes: must be between 1 and 120")
    if args.questions is not None and not 1 <= args.questions <= 14:
        raise UsageError("--questions: must be between 1 and 14")
    ids = tuple(i.strip() for i in (args.question_ids or "").split(",") if i.strip())
    return RoundRequest(
        persona_id=args.persona,
        track=Track(args.track) if args.track else None,
        minutes=args.minutes,
        question_count=args.questions,
        question_ids=ids,
        loop=getattr(args, "loop", False),
        mode=mode,
        seed=args.seed,
        job_ad=getattr(args, "job_ad_fit", None),
    )


def run(args: argparse.Namespace, settings: Settings) -> int:
    if args.redo and (args.question_ids or args.questions or args.loop):
        raise UsageError("--redo: asks one question; leave out --question-ids, --questions and --loop")
    bank = load_content(settings)
    if args.redo:
        _apply_redo(args, settings, bank)
    if args.job_ad is not None:
        apply_job_ad(args, bank)
    if not args.text and args.answers_file is None:
        return run_microphone(args, settings, bank)
    return run_text(args, settings, bank)


def assessor_of(settings: Settings, bank: Bank) -> Assessor:
    """The cues, with the configured model's second opinion when there is one."""
    return assessor_for(CueAssessor(bank.lexicon), settings.llm)


def _apply_redo(args: argparse.Namespace, settings: Settings, bank: Bank) -> None:
    """Turn ``--redo`` into a one-question round (the comparison with the last attempt comes with it)."""
    wanted = args.redo.strip()
    if wanted == "last":
        store = open_store(settings)
        try:
            found = last_question(store)
        finally:
            store.close()
        if found is None:
            raise UsageError("--redo last: no earlier round with a question yet; name a question id instead")
        wanted = found
    try:
        (question,) = resolve_ids(bank.questions, [wanted])
    except UnknownQuestion as exc:
        raise UsageError(f"--redo: {exc}") from None
    args.question_ids = question.id
    args.questions = 1
    if args.minutes is None:  # the question's budget and a minute each side for the opening and feedback
        args.minutes = max(3.0, round(question.time_budget_s / 60.0) + 2.0)


def last_question(store) -> str | None:  # noqa: ANN001 - a Store, imported late
    """The question asked last in the owner's latest round that asked one."""
    for summary in store.list_rounds(limit=10):
        if not summary.asked_questions:
            continue
        _meta, _status, turns = store.get_round(summary.round_id)
        asked = [t.question_id for t in turns if t.speaker is Speaker.INTERVIEWER and t.kind == "question"
                 and t.question_id]
        if asked:
            return asked[-1]
    return None


class ScriptClock:
    """Time for a scripted round: advances by how long each turn takes to say aloud."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def speak(self, text: str, wpm: float) -> None:
        self.now += 60.0 * len(text.split()) / wpm


def read_answers(path: Path) -> list[str]:
    from agent.session import read_answer_blocks  # deferred: see run_text

    try:
        return read_answer_blocks(path, "--answers-file")
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _interactive() -> Iterator[tuple[str, float]]:
    """Answers typed at the terminal: lines up to an empty line make one answer."""
    while True:
        print("\nyou> ", end="", flush=True)
        started = time.monotonic()
        lines: list[str] = []
        for line in iter(sys.stdin.readline, ""):
            if line.strip():
                lines.append(line.strip())
            elif lines:
                break
        else:
            if not lines:
                return
        yield " ".join(lines), time.monotonic() - started


# What the candidate reads when the database stops taking writes mid-round.
STORE_LOST_LINE = ("interviewer> I'm sorry, I can no longer save this round, so we'll stop here. "
                   "Your report still covers everything you said.")


def run_text(args: argparse.Namespace, settings: Settings, bank: Bank) -> int:
    # deferred: the session brings SQLAlchemy and Alembic (the store) and plotly (the report), half a second
    # that `--help`, `assess` and `bank` do not need
    from agent.session import save_round_report, start_round

    persona_of(bank, args.persona)
    request = round_request(args, mode="text")
    scripted = read_answers(args.answers_file) if args.answers_file else None
    clock: ScriptClock | None = ScriptClock() if scripted is not None else None
    store = open_store(settings)
    try:
        outputs = round_outputs(settings)
    except BaseException:
        store.close()
        raise
    try:
        try:
            logged = start_round(bank, store, request, clock=clock or time.monotonic,
                                 assessor=assessor_of(settings, bank))
        except UnknownQuestion as exc:
            raise UsageError(f"--question-ids: {exc}") from None
        rnd = logged.round
        print(f"Round {rnd.meta.round_id} with {rnd.persona.name} ({rnd.persona.title}), "
              f"{rnd.meta.minutes:g} minutes, {len(rnd.questions)} question{'' if len(rnd.questions) == 1 else 's'}.")
        if scripted is None:
            print("Type your answer; finish it with an empty line. Ctrl-D ends the round.")
        reader_gone = False
        _show(logged.start(), clock)
        answers = iter((a, None) for a in scripted) if scripted is not None else _interactive()
        try:
            while not rnd.done and logged.store_error is None:
                nxt = next(answers, None)
                if nxt is None:
                    if rnd.phase.value == "candidate_questions":
                        _show(logged.answer("No, that's all from me."), clock)
                    else:
                        _show(logged.end("candidate_left"), clock)
                    break
                text, typed_s = nxt
                if clock is not None:
                    clock.speak(text, CANDIDATE_WPM)
                    print(f"\nyou> {text}")
                speaking = 60.0 * len(text.split()) / CANDIDATE_WPM if scripted is not None else typed_s
                _show(logged.tick(), clock)
                if rnd.done:
                    break
                if len(text) > MAX_ANSWER_CHARS:
                    print(f"(that answer is {len(text):,} characters; the first {MAX_ANSWER_CHARS:,} are kept)")
                    text = text[:MAX_ANSWER_CHARS]
                _show(logged.answer(text, speaking_s=speaking), clock)
        except KeyboardInterrupt:  # Ctrl-C, and SIGTERM or SIGHUP (see agent.cli)
            _show(logged.end("stopped"), clock)
        except BrokenPipeError:  # piped into `head`, which has gone: end the round, quietly
            silence_stdout()
            logged.end("stopped")
            reader_gone = True
        if logged.store_error is not None and not rnd.done:
            print(f"\n{STORE_LOST_LINE}")
            _show(logged.end("store_failed"), clock)
        logged.finish()
        card = logged.scorecard()
        path, report_problem = save_round_report(card, outputs)
    finally:
        store.close()
    score = f"{card.overall_score:g}/5" if card.overall_score is not None else "no score"
    if path is not None:
        print(f"\nround {card.round_id} ({score}) report: {path}")
    if logged.store_error is not None:
        return store_lost("practice", logged.store_error, path, report_problem)
    if report_problem is not None:
        return report_not_written("practice", card.round_id, card.overall_score, report_problem)
    return 141 if reader_gone else 0  # 128 + SIGPIPE, as agent.cli reports a closed pipe


def _show(turns, clock: ScriptClock | None) -> None:  # noqa: ANN001
    for turn in turns:
        if turn.speaker is not Speaker.INTERVIEWER:
            continue
        if clock is not None:
            clock.speak(turn.text, INTERVIEWER_WPM)
        minutes, seconds = divmod(int(turn.t), 60)
        print(f"\n[{minutes:02d}:{seconds:02d}] interviewer ({turn.kind})> {turn.text}")


async def _microphone_round(args: argparse.Namespace, settings: Settings, bank: Bank, sd: Any) -> int:
    # deferred: livekit-agents, faster-whisper and Piper load only for a spoken round, never for --text
    from agent.session import save_round_report, start_round
    from agent.voice.live import MicrophoneInput, SpeakerOutput
    from agent.voice.session_factory import load_models
    from agent.voice.voice_round import VoiceRound

    persona = persona_of(bank, args.persona)
    request = round_request(args, mode="voice")
    models = load_models(stt_model=getattr(args, "stt_model", "tiny.en"),
                         voice=getattr(args, "voice", None) or persona.voice.name,
                         speaking_rate=persona.voice.rate)
    store = open_store(settings)
    try:
        outputs = round_outputs(settings)
    except BaseException:
        store.close()
        raise
    loop = asyncio.get_running_loop()
    mic = MicrophoneInput(sd, loop)
    speaker = SpeakerOutput(sd)
    try:
        logged = start_round(bank, store, request, clock=time.monotonic, assessor=assessor_of(settings, bank))
        print(f"Round {logged.round.meta.round_id} with {persona.name}. Speak when the question ends; "
              "press Enter when you have finished an answer, Ctrl-C stops the round (headphones recommended).",
              flush=True)
        mic.start()
        speaker.start()
        vr = await VoiceRound.start(logged, models, audio_input=mic, audio_output=speaker)
        enter = EnterKey.for_terminal(loop, sys.stdin, vr.agent.request_end_of_turn)
        vr.conductor.on_turn(lambda e: print(f"interviewer> {e.interviewer_text}", flush=True)
                            if e.interviewer_text else None)
        try:
            await vr.wait_closed()
        except (KeyboardInterrupt, asyncio.CancelledError):
            await vr.stop("stopped", say_wrap_up=False)
        finally:
            if enter is not None:
                enter.close()
        card = logged.scorecard()
        path, report_problem = save_round_report(card, outputs)
        if path is not None:
            print(f"round {card.round_id} report: {path}")
        if logged.store_error is not None:  # the candidate heard why the round stopped (agent.voice.voice_round)
            return store_lost("practice", logged.store_error, path, report_problem)
        if report_problem is not None:
            return report_not_written("practice", card.round_id, card.overall_score, report_problem)
        return 0
    finally:
        mic.close()
        speaker.close()
        await speaker.aclose()
        store.close()


def run_microphone(args: argparse.Namespace, settings: Settings, bank: Bank) -> int:
    """``interviewer practice`` without ``--text``; 1 with one line when there is no sound card."""
    # deferred: livekit-agents (about two seconds to import), for a spoken round only
    from agent.voice.live import NO_DEVICE_HINT, NoAudioDevice, check_audio_devices

    try:
        sd = check_audio_devices()
    except NoAudioDevice as exc:
        print(f"interviewer practice: cannot use a microphone here: {exc}; {NO_DEVICE_HINT}", file=sys.stderr)
        return 1
    try:
        return asyncio.run(_microphone_round(args, settings, bank, sd))
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
