"""A stand-in interviewer that speaks the page's side of agent/web/PROTOCOL.md.

It is not the real worker: it joins each new ``round-*`` room, sets the
``interviewer.*`` attributes, publishes a tone as its voice, and sends
captions on ``lk.transcription`` the way livekit-agents does (its own identity
for its words, the candidate's identity for theirs). That lets the browser
test check the page's half of the protocol before the worker exists.
"""

from __future__ import annotations

import asyncio
import math
import threading

import numpy as np
from livekit import api, rtc

from agent.devtools.livekit_server import LiveKitServer

SAMPLE_RATE = 48_000
FRAME_MS = 20
ROUND_ID = "fake-round-1"
QUESTION = "How would you tell whether an internal platform is creating value for the teams on it?"
SUBSCRIBE_WAIT_S = 30.0  # how long the page may take to subscribe to the stand-in's voice


class FakeInterviewer:
    """Runs in its own thread and loop so a synchronous test can drive the browser meanwhile."""

    def __init__(self, server: LiveKitServer) -> None:
        self.server = server
        self.joined: list[str] = []
        self.errors: list[str] = []
        self._loop = asyncio.new_event_loop()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="fake-interviewer", daemon=True)
        self._ready = threading.Event()

    def __enter__(self) -> FakeInterviewer:
        self._thread.start()
        if not self._ready.wait(15):
            raise RuntimeError("fake interviewer did not start")
        return self

    def __exit__(self, *exc: object) -> None:
        if self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(20)

    def _run(self) -> None:
        self._loop.run_until_complete(self._main())
        self._loop.close()

    async def _main(self) -> None:
        self._stop = asyncio.Event()
        http = self.server.url.replace("ws://", "http://")
        async with api.LiveKitAPI(http, self.server.api_key, self.server.api_secret) as lk:
            seen = {r.name for r in (await lk.room.list_rooms(api.ListRoomsRequest())).rooms}
            self._ready.set()
            tasks: list[asyncio.Task[None]] = []
            while not self._stop.is_set():
                for room in (await lk.room.list_rooms(api.ListRoomsRequest())).rooms:
                    if room.name.startswith("round-") and room.name not in seen:
                        seen.add(room.name)
                        tasks.append(asyncio.create_task(self._interview(room.name)))
                try:
                    await asyncio.wait_for(self._stop.wait(), 0.3)
                except TimeoutError:
                    pass
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    def _token(self, room: str) -> str:
        return (
            api.AccessToken(self.server.api_key, self.server.api_secret)
            .with_identity(f"agent-fake-{room[-6:]}")
            .with_kind("agent")
            .with_grants(api.VideoGrants(room_join=True, room=room, agent=True, can_update_own_metadata=True))
            .to_jwt()
        )

    async def _interview(self, name: str) -> None:
        assert self._stop is not None
        room = rtc.Room()
        heard = asyncio.Event()
        room.on("local_track_subscribed", lambda _track: heard.set())
        try:
            await room.connect(self.server.url, self._token(name))
            self.joined.append(name)
            source = rtc.AudioSource(SAMPLE_RATE, 1)
            track = rtc.LocalAudioTrack.create_audio_track("voice", source)
            await room.local_participant.publish_track(
                track, rtc.TrackPublishOptions(source=rtc.TrackSource.SOURCE_MICROPHONE)
            )
            tone = asyncio.create_task(self._tone(source))
            me = room.local_participant
            await me.set_attributes(
                {
                    "lk.agent.state": "speaking",
                    "interviewer.round_id": ROUND_ID,
                    "interviewer.phase": "question",
                    "interviewer.question": QUESTION,
                    "interviewer.question_number": "1",
                    "interviewer.question_count": "3",
                    "interviewer.remaining_s": "300",
                    "interviewer.warn_s": "60",
                }
            )
            # the first caption waits until the page has subscribed to this voice, as a real interviewer's first
            # line comes after the page is listening: sent the moment this stand-in joined, it once reached a page
            # whose receiving side was not connected yet and was lost (the page never showed it)
            await asyncio.wait_for(heard.wait(), SUBSCRIBE_WAIT_S)
            await self._caption(
                room,
                me.identity,
                "SG_fake_1",
                ["How would you tell ", "whether a platform ", "creates value?"],
            )
            await me.set_attributes({"lk.agent.state": "listening"})
            candidate = await self._candidate(room)
            await self._caption(room, candidate, "SG_fake_2", ["I would look at adoption and lead time."])
            await self._stop.wait()
            tone.cancel()
        except asyncio.CancelledError:
            pass
        except Exception as exc:  # reported through .errors, asserted by the test
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            await room.disconnect()

    async def _candidate(self, room: rtc.Room) -> str:
        for _ in range(100):
            for participant in room.remote_participants.values():
                return participant.identity
            await asyncio.sleep(0.1)
        raise RuntimeError("the candidate never appeared")

    async def _caption(self, room: rtc.Room, sender: str, segment: str, chunks: list[str]) -> None:
        writer = await room.local_participant.stream_text(
            topic="lk.transcription",
            sender_identity=sender,
            attributes={"lk.segment_id": segment, "lk.transcription_final": "false"},
        )
        for chunk in chunks:
            await writer.write(chunk)
            await asyncio.sleep(0.1)
        await writer.aclose(attributes={"lk.transcription_final": "true"})

    async def _tone(self, source: rtc.AudioSource) -> None:
        samples = SAMPLE_RATE * FRAME_MS // 1000
        t = 0
        while True:
            phase = (np.arange(samples) + t) * 2 * math.pi * 220 / SAMPLE_RATE
            data = (np.sin(phase) * 12_000).astype(np.int16)
            t += samples
            await source.capture_frame(rtc.AudioFrame(data.tobytes(), SAMPLE_RATE, 1, samples))
