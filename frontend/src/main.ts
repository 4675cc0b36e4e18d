// The spoken-round page: pick an interviewer, speak with it over WebRTC,
// then open the report. State that tests and assistive tech rely on is kept
// in data attributes and ARIA live regions rather than only in styling.

import {
  ConnectionState,
  createLocalAudioTrack,
  type LocalAudioTrack,
  MediaDeviceFailure,
  type Participant,
  type RemoteParticipant,
  type RemoteTrack,
  Room,
  RoomEvent,
  Track,
} from "livekit-client";

import { ATTR, agentStateLabel, formatClock, MAX_JOB_AD_CHARS, PHASE_ENDED, type PersonaChoice, type SessionGrant,
  TRACK_FROM_AD, TRANSCRIPTION_TOPIC, trackLabel } from "./protocol";
import { Captions } from "./captions";

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`missing #${id}`);
  return el as T;
};

const ui = {
  setup: $("setup"),
  form: $<HTMLFormElement>("setup-form"),
  persona: $<HTMLSelectElement>("persona"),
  personaAbout: $("persona-about"),
  track: $<HTMLSelectElement>("track"),
  minutes: $<HTMLInputElement>("minutes"),
  jobAd: $<HTMLTextAreaElement>("job-ad"),
  start: $<HTMLButtonElement>("start"),
  round: $("round"),
  timer: $("timer"),
  connection: $("connection"),
  agentState: $("agent-state"),
  questionNumber: $("question-number"),
  question: $("question"),
  timeWarning: $("time-warning"),
  done: $<HTMLButtonElement>("done"),
  mute: $<HTMLButtonElement>("mute"),
  enableAudio: $<HTMLButtonElement>("enable-audio"),
  end: $<HTMLButtonElement>("end"),
  message: $("message"),
  audioSink: $("audio-sink"),
};

const AGENT_JOIN_WARNING_MS = 20_000;
// "Try this question again" on a report opens the page with ?redo=QUESTION_ID: a short round with that question.
const REDO = new URLSearchParams(window.location.search).get("redo") ?? "";
// The worker keeps a round for 60 s after its candidate drops out; offer to rejoin a little less long.
const REJOIN_WINDOW_MS = 55_000;
const KEPT_ROUND = "interviewer.round";

interface KeptRound { room: string; identity: string; key: string; seen: number }

let personas: PersonaChoice[] = [];
let room: Room | null = null;
let mic: LocalAudioTrack | null = null;
let roundId = "";
let session: SessionGrant | null = null;
let ending = false;
let deadline = 0; // performance.now() at which the round's time runs out
let warnAtS = 60;
let warned = false;
let timerHandle = 0;
let agentJoinHandle = 0;
const captions = new Captions($("captions"));

function setState(state: string): void {
  document.body.dataset.state = state;
}

function showMessage(text: string): void {
  ui.message.textContent = text;
  ui.message.hidden = !text;
}

function selectedPersona(): PersonaChoice | undefined {
  return personas.find((p) => p.id === ui.persona.value);
}

function hasJobAd(): boolean {
  return ui.jobAd.value.trim().length > 0;
}

function fillTracks(): void {
  const persona = selectedPersona();
  ui.track.replaceChildren();
  if (!persona) return;
  if (hasJobAd()) ui.track.append(new Option("Let the job ad choose", TRACK_FROM_AD));
  for (const track of persona.tracks) ui.track.append(new Option(trackLabel(track), track));
  ui.minutes.value = String(persona.default_minutes);
  ui.personaAbout.textContent = `${persona.title}. ${persona.description}`;
  warnAtS = persona.warn_before_end_s;
}

async function loadPersonas(): Promise<void> {
  try {
    const response = await fetch("/api/personas", { headers: { Accept: "application/json" } });
    const body = await response.json();
    if (!response.ok) throw new Error(body.error ?? `HTTP ${response.status}`);
    personas = body.personas as PersonaChoice[];
  } catch (err) {
    showMessage(`Could not load the interviewers: ${(err as Error).message}`);
    return;
  }
  for (const p of personas) ui.persona.append(new Option(p.name, p.id));
  fillTracks();
  ui.start.disabled = personas.length === 0;
}

function microphoneProblem(err: unknown): string {
  if (!navigator.mediaDevices) {
    return "This browser only offers the microphone on https:// pages or on localhost.";
  }
  switch (MediaDeviceFailure.getFailure(err)) {
    case MediaDeviceFailure.PermissionDenied:
      return "Microphone access was refused. Allow it for this site in the browser's address bar, then press Start again.";
    case MediaDeviceFailure.NotFound:
      return "No microphone was found. Connect one (or check it is enabled in your system settings) and press Start again.";
    case MediaDeviceFailure.DeviceInUse:
      return "The microphone is busy in another application. Close that application and press Start again.";
    default:
      return `The microphone could not be opened: ${(err as Error).message ?? err}`;
  }
}

/** Offer "let the job ad choose" as the track while an ad is pasted, and only then. */
function onJobAdInput(): void {
  const offered = ui.track.options.length > 0 && ui.track.options[0].value === TRACK_FROM_AD;
  if (hasJobAd() === offered) return;
  const chosen = ui.track.value;
  const minutes = ui.minutes.value;
  fillTracks();
  ui.minutes.value = minutes;
  if (chosen !== TRACK_FROM_AD && !hasJobAd()) ui.track.value = chosen;
}

function sessionBody(): Record<string, unknown> {
  const body: Record<string, unknown> = {
    persona: ui.persona.value,
    minutes: Number.parseInt(ui.minutes.value, 10),
  };
  if (ui.track.value !== TRACK_FROM_AD) body.track = ui.track.value;
  const ad = ui.jobAd.value.slice(0, MAX_JOB_AD_CHARS);
  if (REDO) body.redo = REDO;  // one question again: the job ad box is hidden for a redo
  else if (ad.trim()) body.job_ad = ad;
  return body;
}

async function requestSession(): Promise<SessionGrant> {
  const response = await fetch("/api/session", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify(sessionBody()),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error ?? `the server answered ${response.status}`);
  return body as SessionGrant;
}

function isInterviewer(p: Participant): boolean {
  return p.isAgent || ATTR.agentState in p.attributes || ATTR.phase in p.attributes;
}

function applyAttributes(p: Participant): void {
  if (!isInterviewer(p)) return;
  window.clearTimeout(agentJoinHandle);
  const a = p.attributes;
  if (a[ATTR.refused]) {
    // the worker could not take one more round at its reply targets: no round starts, and the page says why
    document.body.dataset.refused = "yes";
    void endRound(a[ATTR.refused]);
    return;
  }
  const state = a[ATTR.agentState];
  ui.agentState.textContent = agentStateLabel(state);
  ui.agentState.dataset.value = state ?? "";
  if (a[ATTR.roundId]) {
    roundId = a[ATTR.roundId];
    document.body.dataset.roundId = roundId;
  }
  if (a[ATTR.question]) ui.question.textContent = a[ATTR.question];
  if (a[ATTR.questionNumber]) {
    const count = a[ATTR.questionCount];
    ui.questionNumber.textContent = count ? `${a[ATTR.questionNumber]} of ${count}` : a[ATTR.questionNumber];
  }
  const warn = Number.parseInt(a[ATTR.warnS] ?? "", 10);
  if (Number.isFinite(warn)) warnAtS = warn;
  const remaining = Number.parseInt(a[ATTR.remainingS] ?? "", 10);
  if (Number.isFinite(remaining)) {
    deadline = performance.now() + remaining * 1000;
    tick();
  }
  if (a[ATTR.error]) showMessage(`The interviewer hit a problem: ${a[ATTR.error]}`);
  if (a[ATTR.phase] === PHASE_ENDED && !ending) {
    // the worker sets this after its closing words have played
    void endRound("The interviewer closed the round.");
  }
}

function tick(): void {
  if (room?.state === ConnectionState.Connected) touchKeptRound();
  if (!deadline) return;
  const left = (deadline - performance.now()) / 1000;
  ui.timer.textContent = formatClock(left);
  ui.timer.classList.toggle("low", left <= warnAtS);
  if (left <= warnAtS && !warned) {
    warned = true;
    ui.timeWarning.hidden = false;
    ui.timeWarning.textContent = `About ${Math.max(1, Math.round(left / 60))} minute(s) left.`;
  }
  if (left <= 0) ui.timeWarning.textContent = "Time is up: the interviewer will wrap up.";
}

function onConnectionState(state: ConnectionState): void {
  const label: Record<string, string> = {
    [ConnectionState.Connecting]: "connecting",
    [ConnectionState.Connected]: "connected",
    [ConnectionState.Reconnecting]: "reconnecting",
    [ConnectionState.SignalReconnecting]: "reconnecting",
    [ConnectionState.Disconnected]: "disconnected",
  };
  ui.connection.textContent = label[state] ?? state;
  ui.connection.dataset.value = label[state] ?? state;
}

function onTrackSubscribed(track: RemoteTrack, _pub: unknown, participant: RemoteParticipant): void {
  if (track.kind !== Track.Kind.Audio) return;
  ui.audioSink.append(track.attach());
  if (isInterviewer(participant) || participant.identity !== room?.localParticipant.identity) {
    document.body.dataset.interviewerAudio = "subscribed";
  }
}

function wireRoom(r: Room): void {
  r.on(RoomEvent.ConnectionStateChanged, onConnectionState)
    .on(RoomEvent.ParticipantConnected, applyAttributes)
    .on(RoomEvent.ParticipantAttributesChanged, (_changed, p) => applyAttributes(p))
    .on(RoomEvent.TrackSubscribed, onTrackSubscribed)
    .on(RoomEvent.TrackUnsubscribed, (track) => track.detach().forEach((el) => el.remove()))
    .on(RoomEvent.ActiveSpeakersChanged, (speakers) => {
      if (speakers.some((s) => s.identity !== r.localParticipant.identity)) {
        document.body.dataset.heardInterviewer = "yes";
      }
    })
    .on(RoomEvent.AudioPlaybackStatusChanged, () => { ui.enableAudio.hidden = r.canPlaybackAudio; })
    .on(RoomEvent.MediaDevicesError, (err) => showMessage(microphoneProblem(err)))
    .on(RoomEvent.Disconnected, () => {
      if (ending) return;
      if (keptRound()) {  // the worker keeps the round for a minute: offer to go back in
        window.clearInterval(timerHandle);
        setState("dropped");
        ui.done.disabled = true;
        ui.mute.disabled = true;
        offerRejoin("The connection to the interview dropped. Your round waits a minute for you.");
      } else {
        void endRound("The connection to the interview was lost.");
      }
    });
  r.registerTextStreamHandler(TRANSCRIPTION_TOPIC, (reader, from) => {
    const speaker = from.identity === r.localParticipant.identity ? "candidate" : "interviewer";
    void captions.read(reader, speaker);
  });
}

// A round this tab was in, kept so that a dropped connection or a reload can go back into it.
function keepRound(grant: SessionGrant): void {
  const kept: KeptRound = { room: grant.room, identity: grant.identity, key: grant.rejoin_key, seen: Date.now() };
  sessionStorage.setItem(KEPT_ROUND, JSON.stringify(kept));
}

function keptRound(): KeptRound | null {
  try {
    const kept = JSON.parse(sessionStorage.getItem(KEPT_ROUND) ?? "null") as KeptRound | null;
    return kept && Date.now() - kept.seen < REJOIN_WINDOW_MS ? kept : null;
  } catch {
    return null;
  }
}

function touchKeptRound(): void {
  const raw = sessionStorage.getItem(KEPT_ROUND);
  if (!raw) return;
  const kept = JSON.parse(raw) as KeptRound;
  kept.seen = Date.now();
  sessionStorage.setItem(KEPT_ROUND, JSON.stringify(kept));
}

function offerRejoin(text: string): void {
  showMessage(text);
  const button = document.createElement("button");
  button.type = "button";
  button.className = "primary";
  button.id = "rejoin";
  button.textContent = "Rejoin the round";
  button.addEventListener("click", () => void rejoinRound());
  ui.message.append(" ", button);
}

async function rejoinRound(): Promise<void> {
  const kept = keptRound();
  if (!kept) {
    sessionStorage.removeItem(KEPT_ROUND);
    showMessage("That round has ended: it waits only a minute for you. Start a new one.");
    return;
  }
  showMessage("");
  setState("mic");
  try {
    if (!mic || mic.mediaStreamTrack.readyState === "ended") {
      mic = await createLocalAudioTrack({ echoCancellation: true, noiseSuppression: true, autoGainControl: true });
    }
  } catch (err) {
    setState("error");
    showMessage(microphoneProblem(err));
    return;
  }
  setState("connecting");
  const response = await fetch("/api/rejoin", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ room: kept.room, identity: kept.identity, key: kept.key }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    sessionStorage.removeItem(KEPT_ROUND);
    setState("error");
    showMessage(`Could not rejoin the round: ${body.error ?? `the server answered ${response.status}`}`);
    return;
  }
  ending = false;
  await joinRoom(body as SessionGrant);
}

async function startRound(event: SubmitEvent): Promise<void> {
  event.preventDefault();
  if (!ui.form.reportValidity()) return;
  ui.start.disabled = true;
  showMessage("");
  setState("mic");
  try {
    mic = await createLocalAudioTrack({ echoCancellation: true, noiseSuppression: true, autoGainControl: true });
  } catch (err) {
    setState("error");
    showMessage(microphoneProblem(err));
    ui.start.disabled = false;
    return;
  }
  setState("connecting");
  let grant: SessionGrant;
  try {
    grant = await requestSession();
  } catch (err) {
    mic.stop();
    setState("error");
    showMessage(`Could not start the round: ${(err as Error).message}`);
    ui.start.disabled = false;
    return;
  }
  ui.timer.textContent = formatClock(Number.parseInt(ui.minutes.value, 10) * 60);
  await joinRoom(grant);
}

async function joinRoom(grant: SessionGrant): Promise<void> {
  if (!mic) return;
  document.body.dataset.room = grant.room;
  session = grant;
  keepRound(grant);
  ui.setup.hidden = true;
  ui.round.hidden = false;
  room = new Room({ adaptiveStream: false, dynacast: false, disconnectOnPageLeave: true });
  wireRoom(room);
  try {
    await room.connect(grant.server_url, grant.token);
    await room.localParticipant.publishTrack(mic, { source: Track.Source.Microphone });
    await room.startAudio().catch(() => { ui.enableAudio.hidden = false; });
  } catch (err) {
    setState("error");
    showMessage(`Could not join the interview room: ${(err as Error).message}`);
    await room.disconnect();
    mic.stop();
    return;
  }
  setState("connected");
  ui.mute.disabled = false;
  ui.done.disabled = false;
  ui.end.disabled = false;
  for (const p of room.remoteParticipants.values()) applyAttributes(p);
  timerHandle = window.setInterval(tick, 1000);
  agentJoinHandle = window.setTimeout(() => {
    showMessage("The interviewer has not joined yet. If you run this yourself, check that `interviewer worker` is running.");
  }, AGENT_JOIN_WARNING_MS);
}

async function endRound(reason: string): Promise<void> {
  if (ending) return;
  ending = true;
  setState("ending");
  ui.end.disabled = true;
  ui.done.disabled = true;
  ui.mute.disabled = true;
  window.clearInterval(timerHandle);
  window.clearTimeout(agentJoinHandle);
  sessionStorage.removeItem(KEPT_ROUND);
  await room?.disconnect();
  mic?.stop();
  setState("ended");
  if (roundId) {
    showMessage(`${reason} Opening your report...`);
    window.location.assign(`/rounds/${encodeURIComponent(roundId)}`);
  } else {
    showMessage(`${reason} The interviewer had not started the round, so there is no report.`);
    const again = document.createElement("a");
    again.href = "/";
    again.textContent = "Start a new round";
    ui.message.append(" ", again);
  }
}

// End pressed: tell the worker first, so it ends the round now instead of waiting for a rejoin.
async function endByChoice(): Promise<void> {
  if (session && !ending) {
    const stop = new AbortController();
    const timer = window.setTimeout(() => stop.abort(), 2000);
    await fetch("/api/done", {
      method: "POST",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify({ room: session.room, key: session.done_key, end: true }),
      signal: stop.signal,
    }).catch(() => null);
    window.clearTimeout(timer);
  }
  await endRound("You ended the round.");
}

// "I'm done": the page's token cannot send data, so the web app relays it into the room.
async function sayDone(): Promise<void> {
  if (!session || ending || ui.done.disabled) return;
  document.body.dataset.donePresses = String(Number(document.body.dataset.donePresses ?? "0") + 1);
  const response = await fetch("/api/done", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json" },
    body: JSON.stringify({ room: session.room, key: session.done_key }),
  }).catch(() => null);
  if (!response || !response.ok) showMessage("Could not tell the interviewer you are done; it will answer after the pause.");
}

function isTyping(target: EventTarget | null): boolean {
  return target instanceof HTMLInputElement || target instanceof HTMLSelectElement
    || target instanceof HTMLTextAreaElement || target instanceof HTMLButtonElement;
}

function toggleMute(): void {
  if (!mic) return;
  const muted = !mic.isMuted;
  void (muted ? mic.mute() : mic.unmute());
  ui.mute.setAttribute("aria-pressed", String(muted));
  ui.mute.textContent = muted ? "Unmute microphone" : "Mute microphone";
  document.body.dataset.muted = String(muted);
}

ui.persona.addEventListener("change", fillTracks);
ui.jobAd.addEventListener("input", onJobAdInput);
ui.form.addEventListener("submit", (e) => void startRound(e as SubmitEvent));
ui.mute.addEventListener("click", toggleMute);
ui.done.addEventListener("click", () => void sayDone());
document.addEventListener("keydown", (e) => {
  if (e.code === "Space" && !e.repeat && !isTyping(e.target) && !ui.round.hidden) {
    e.preventDefault();
    void sayDone();
  }
});
ui.end.addEventListener("click", () => void endByChoice());
ui.enableAudio.addEventListener("click", () => {
  void room?.startAudio().then(() => { ui.enableAudio.hidden = true; });
});
void loadPersonas();
if (REDO) {
  document.body.dataset.redo = REDO;
  ui.jobAd.closest("div, p, label, fieldset")?.setAttribute("hidden", "");
  showMessage("This round asks one question again, the one you chose on your report, and reports it beside your last attempt.");
}
if (keptRound()) offerRejoin("Your last round is still open for a moment.");
