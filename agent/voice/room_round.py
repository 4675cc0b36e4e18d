"""One interview round in one LiveKit room: the worker side of agent/web/PROTOCOL.md.

The voice pieces (``RoundConductor``, ``PolicyLLM``, ``InterviewerAgent``,
``RoundSupervisor``, ``build_session``) run the conversation; this module
puts them in a room (what travels in and out is in ``room_protocol.py``, the
job process's set-up in ``room_setup.py``). The round ends one of three ways,
and each stores every turn and a report: the interviewer finishes
(``interviewer.phase=ended`` only after the closing words have played), the
candidate leaves (cut short, after a grace for a dropped connection to come
back), or the worker is stopping (the candidate hears a short line, the round
is marked interrupted).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from typing import TYPE_CHECKING, Any

import psutil
from livekit.agents import AutoSubscribe, room_io

from agent.content.models import Track
from agent.interview.records import Speaker
from agent.interview.turn_end import DONE_TOPIC
from agent.logs import get_logger
from agent.session import RoundRequest, start_round, write_round_report
from agent.store import Store
from agent.voice.room_protocol import (
    REFUSED_ATTRIBUTE,
    Attributes,
    MetadataError,
    RoundJob,
    parse_metadata,
    turn_attributes,
)
from agent.voice.room_setup import persona_tts, stop_event
from agent.voice.voice_round import STORE_LOST_LINE, VoiceRound

if TYPE_CHECKING:
    from livekit import rtc
    from livekit.agents import JobContext

    from agent.content.loader import Bank

log = get_logger(__name__)

CANDIDATE_WAIT_S = 60.0
LINGER_S = 3.0  # stay after phase=ended so the page sees it before the agent leaves
REPORT_TIMEOUT_S = 30.0
STOP_LINE = "Sorry, I have to stop here: the interview service is restarting. Your answers are saved."
ERROR_LINE = "the interviewer hit an internal problem and stopped; your answers so far are saved"
# A candidate whose connection drops (a closed laptop lid, a train tunnel, a reloaded tab) may come back
# into the same room within this many seconds and carry on; after it the round ends and reports.
REJOIN_GRACE_S = 60.0
WELCOME_BACK = "Welcome back. Where we were:"



def _memory_mb() -> float | None:
    try:
        info = psutil.Process().memory_full_info()
        return round(getattr(info, "pss", info.rss) / 2**20, 1)
    except Exception:  # noqa: BLE001 - a figure for the log only
        return None


async def _write_report(logged: Any, outputs: Any, owner: str | None) -> str | None:
    try:
        path = await asyncio.wait_for(
            asyncio.to_thread(lambda: write_round_report(logged.scorecard(), outputs, owner=owner)), REPORT_TIMEOUT_S)
    except Exception as exc:  # noqa: BLE001 - the turns are stored; the web app rebuilds the report
        log.warning("room.report_failed", round_id=logged.round.meta.round_id, error=type(exc).__name__)
        return None
    return str(path)


async def _first(*aws: Any) -> None:
    tasks = [asyncio.ensure_future(a) for a in aws]
    try:
        await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def run_room_round(ctx: JobContext) -> None:
    """The rtc_session entrypoint body: validate, start the round, talk, end cleanly."""
    config = ctx.proc.userdata["config"]
    bank = ctx.proc.userdata["bank"]
    stop = stop_event()
    await ctx.connect(auto_subscribe=AutoSubscribe.AUDIO_ONLY)
    attrs = Attributes(ctx.room.local_participant)
    if ctx.room.local_participant.attributes.get(REFUSED_ATTRIBUTE):
        # the worker refused this round for load (agent.admission): the page shows why; nothing is started
        log.info("room.refused", room=ctx.room.name)
        await attrs.set({"interviewer.phase": "ended"})
        await asyncio.sleep(LINGER_S)
        ctx.shutdown("refused")
        return
    try:
        job = parse_metadata(ctx.job.metadata, bank)
    except MetadataError as exc:
        log.warning("room.bad_metadata", room=ctx.room.name, error=str(exc))
        await attrs.set({"interviewer.error": "this round's settings were not valid; start a new round",
                         "interviewer.phase": "ended"})
        await asyncio.sleep(LINGER_S)
        ctx.shutdown("bad metadata")
        return
    arrival = asyncio.ensure_future(ctx.wait_for_participant())
    await _first(asyncio.shield(arrival), stop.wait(), asyncio.sleep(CANDIDATE_WAIT_S))
    if not arrival.done() or arrival.cancelled() or arrival.exception() is not None:
        arrival.cancel()
        log.info("room.no_candidate", room=ctx.room.name, stopping=stop.is_set())
        ctx.shutdown("no candidate")
        return
    candidate = arrival.result()
    store = Store(config.database_url)
    try:
        await RoomRound(ctx, bank, store, job, attrs, candidate.identity, stop).run()
    finally:
        store.close()


def _last_interviewer_line(conductor: Any) -> str:
    """What the interviewer last said: the question a returning candidate was answering."""
    for turn in reversed(conductor.round.turns):
        if turn.speaker is Speaker.INTERVIEWER and turn.text.strip():
            return str(turn.text.strip())
    return ""


def _on_done(packet: rtc.DataPacket, voice: Any, on_end: Any = None) -> None:
    """The web app relayed the candidate's "I'm done" (or their End button): only a packet from the server counts.

    ``voice`` is None while the round's voice session is still being built: End counts from the moment the round
    id is published (a page may press it at once), and "I'm done" then has no answer to end.
    """
    if packet.topic != DONE_TOPIC or packet.participant is not None:
        return
    try:
        wanted = json.loads(packet.data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        wanted = {}
    if isinstance(wanted, dict) and wanted.get("end") is True:
        if on_end is not None:
            on_end()
        return
    if voice is not None:
        voice.agent.request_end_of_turn()


class RoomRound:
    """One round's lifetime in the room (see module docstring for the three endings)."""

    def __init__(self, ctx: JobContext, bank: Bank, store: Any, job: RoundJob, attrs: Attributes,
                 candidate: str, stop: asyncio.Event) -> None:
        self.ctx = ctx
        self.bank = bank
        self.store = store
        self.choice = job.choice
        self.owner = job.owner
        self.attrs = attrs
        self.candidate = candidate
        self.stop = stop
        self.left = asyncio.Event()
        self.away = asyncio.Event()  # the candidate's connection dropped; they may still come back
        self.back = asyncio.Event()
        self.store_lost = asyncio.Event()
        self.started_at = time.monotonic()
        self.cpu_at_start = time.process_time()  # this process's CPU (all threads): what the round costs the host
        self.ending_by_choice = False
        self.rejoin_grace_s = float(getattr(ctx.proc.userdata.get("config"), "rejoin_grace_s", REJOIN_GRACE_S))
        self.returns = 0

    def _on_disconnect(self, participant: rtc.RemoteParticipant) -> None:
        if participant.identity == self.candidate:
            self.back.clear()
            (self.left if self.ending_by_choice else self.away).set()

    def _ended_by_candidate(self) -> None:
        """The candidate pressed End: their leaving is the end of the round, not a drop to wait out."""
        self.ending_by_choice = True
        log.info("room.candidate_ending")

    def _on_connect(self, participant: rtc.RemoteParticipant) -> None:
        if participant.identity == self.candidate:
            self.back.set()

    async def _wait_for_return(self, voice: Any) -> bool:
        """The candidate dropped out: stop talking, keep the round, and wait for them for the grace period.

        On their return the interviewer says where they were (its last line) and the round carries on
        as one round; if the grace runs out, or the round ends or the worker stops meanwhile, it does not.
        """
        self.away.clear()
        log.info("room.candidate_away", grace_s=self.rejoin_grace_s)
        with contextlib.suppress(Exception):
            await asyncio.wait_for(voice.session.interrupt(force=True), 2)
        if self.rejoin_grace_s > 0 and not self.back.is_set():
            await _first(self.back.wait(), asyncio.sleep(self.rejoin_grace_s), self.stop.wait(),
                         self.store_lost.wait(), voice.supervisor.closed.wait(), self.left.wait())
        if not self.back.is_set() or self.stop.is_set() or self.store_lost.is_set() or voice.conductor.done:
            return False
        self.returns += 1
        log.info("room.candidate_back", returns=self.returns)
        last = _last_interviewer_line(voice.conductor)
        with contextlib.suppress(Exception):
            # not interruptible: a candidate back mid-sentence would talk over the one line that says where they are
            voice.session.say(f"{WELCOME_BACK} {last}" if last else "Welcome back.", allow_interruptions=False,
                              add_to_chat_ctx=False)
        return True

    async def run(self) -> None:
        ctx, choice = self.ctx, self.choice
        persona = self.bank.personas[choice.persona]
        request = RoundRequest(persona_id=choice.persona, track=Track(choice.track), minutes=choice.minutes,
                               question_ids=choice.questions, mode="browser", job_ad=choice.fit)
        # the round belongs to the browser that asked for it; without an owner, only the operator sees it
        store = self.store.as_owner(self.owner)
        logged = await asyncio.to_thread(start_round, self.bank, store, request, clock=time.monotonic,
                                         assessor=ctx.proc.userdata["assessor"])
        loop = asyncio.get_running_loop()

        def store_lost(_why: str) -> None:  # called from the thread that tried to write
            loop.call_soon_threadsafe(self.store_lost.set)

        logged.on_store_error = store_lost
        meta = logged.round.meta
        await self.attrs.set({
            "interviewer.round_id": meta.round_id,
            "interviewer.phase": "opening",
            "interviewer.question_count": str(len(meta.question_ids)),
            "interviewer.remaining_s": str(int(logged.round.remaining())),
            "interviewer.warn_s": str(persona.timekeeping.warn_before_end_s),
        })
        ctx.room.on("participant_disconnected", self._on_disconnect)
        ctx.room.on("participant_connected", self._on_connect)
        ctx.room.on("disconnected", lambda *_: self.left.set())
        # listened for before the voice session exists (building it took 5 s on a busy host): an End pressed as
        # soon as the page saw the round id was lost, and the candidate's leaving then waited out the rejoin grace
        voice: Any = None
        ctx.room.on("data_received", lambda packet: _on_done(packet, voice, self._ended_by_candidate))
        models = ctx.proc.userdata["speech_models"]
        ended_how = "error"
        try:
            voice = await VoiceRound.start(
                logged,
                models,
                room=ctx.room,
                room_options=room_io.RoomOptions(participant_identity=self.candidate, close_on_disconnect=False),
                echo_free=True,  # browsers cancel the interviewer's echo; barge-in works from the first word
                tts_override=persona_tts(persona, models),
            )
            conductor = voice.conductor
            # the opening may already be decided: publish the state now, then on every turn
            conductor.on_turn(lambda entry: self.attrs.schedule(turn_attributes(conductor, entry)))
            if conductor.started:
                self.attrs.schedule(turn_attributes(conductor))
            while True:
                await _first(voice.supervisor.closed.wait(), self.left.wait(), self.away.wait(), self.stop.wait(),
                             self.store_lost.wait())
                ending = (voice.supervisor.closed.is_set() or self.left.is_set() or self.stop.is_set()
                          or self.store_lost.is_set() or conductor.done)
                if ending or not self.away.is_set():
                    break
                if not await self._wait_for_return(voice):
                    self.left.set()  # gone for good: the round ends as the candidate left it
                    break
            if self.store_lost.is_set() and (voice.stopping is not None or not conductor.done):
                # the voice round says the store-lost line and ends itself (agent.voice.voice_round); this
                # waits for that same stop (the turns are in memory; the report is written from them)
                ended_how = "store_failed"
                await voice.stop_with_line(STORE_LOST_LINE, reason="store_failed")
            elif self.stop.is_set() and not conductor.done:
                ended_how = "stopped"
                await voice.stop_with_line(STOP_LINE, reason="stopped")
            elif self.left.is_set() and not conductor.done:
                ended_how = "candidate_left"
                await voice.supervisor.aclose(reason="candidate_left")
                voice.session.shutdown(drain=False)
            else:
                ended_how = "completed" if conductor.done else "session_closed"
                await voice.supervisor.aclose(reason="session_closed")
        except asyncio.CancelledError:
            ended_how = "cancelled"
            raise
        except Exception as exc:
            log.exception("room.round_failed", round_id=meta.round_id, error=type(exc).__name__)
            await self.attrs.set({"interviewer.error": ERROR_LINE})
            raise
        finally:
            # every way out stores the round: the supervisor ends it (interrupted) if it is still open
            if voice is not None:
                with contextlib.suppress(Exception):
                    await asyncio.shield(voice.supervisor.aclose(reason=ended_how))
            elif not logged.round.done:
                with contextlib.suppress(Exception):
                    await asyncio.to_thread(logged.end, ended_how)
            await self._finish(logged, ended_how)

    async def _finish(self, logged: Any, how: str) -> None:
        meta = logged.round.meta
        report = await _write_report(logged, self.ctx.proc.userdata["report_outputs"], self.owner)
        await self.attrs.settle()
        await self.attrs.set({"interviewer.phase": "ended", "interviewer.remaining_s": "0"})
        log.info("room.round_ended", round_id=meta.round_id, how=how, pid=os.getpid(),
                 turns=len(logged.round.turns), seconds=round(time.monotonic() - self.started_at, 1),
                 cpu_s=round(time.process_time() - self.cpu_at_start, 2),
                 memory_mb=_memory_mb(), report=report)
        if not self.left.is_set() and how != "cancelled":
            linger = 1.0 if how == "stopped" else LINGER_S  # a stopping worker has a deadline
            await _first(self.left.wait(), self.away.wait(), asyncio.sleep(linger))
        self.ctx.shutdown(how)
