// Drive one spoken round in Debian's Chromium with a WAV file as the microphone.
//
//   node tests/e2e/browser_round.mjs --url http://127.0.0.1:8080 --audio answer.wav \
//        --artifacts artifacts/e2e/run --expect connect|round
//
// --expect connect: page loads, Start mints a token, the room is joined, End
//                   returns to a clear "no report" message (no worker needed).
// --expect no-mic:  the browser has no microphone: the page says so and
//                   mints no token.
// --expect round:   additionally the interviewer joins, speaks (audio and
//                   captions), the candidate's WAV is captioned, End opens
//                   /rounds/<id>.
// --expect rejoin:  as round, but after the candidate is captioned the page is
//                   reloaded mid-round; it offers "Rejoin the round", which goes
//                   back into the same room, the interviewer says "Welcome back",
//                   and End still opens the report of the same round.
// --expect done:    the microphone is silent until the script speaks --answer
//                   (a WAV) into it; once the interviewer has asked its question,
//                   it speaks the answer, waits for its caption, presses the page's
//                   "I'm done" button, and waits for the interviewer to reply; then
//                   again with the space bar; End opens the report. Each reply's
//                   timing is in the result (press -> interviewer speaking).
// --expect refused: the worker refuses the round for load: the page must end
//                   with the worker's line (interviewer.refused) and no report.
// Prints one JSON line with what happened; exits 1 on any failed step.
// playwright-core comes from frontend/node_modules; no browser is downloaded.

import { createRequire } from "node:module";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const here = dirname(fileURLToPath(import.meta.url));
const repo = resolve(here, "..", "..");
const require = createRequire(join(repo, "frontend", "package.json"));
const { chromium } = require("playwright-core");

const { values: opts } = parseArgs({
  options: {
    url: { type: "string" },
    audio: { type: "string" },
    answer: { type: "string" },
    artifacts: { type: "string", default: join(repo, "artifacts", "e2e") },
    expect: { type: "string", default: "connect" },
    chromium: { type: "string", default: process.env.CHROMIUM ?? "/usr/bin/chromium" },
    "timeout-ms": { type: "string", default: "30000" },
    "agent-timeout-ms": { type: "string", default: "90000" },
  },
});
if (!opts.url || !opts.audio) {
  console.error("usage: browser_round.mjs --url URL --audio WAV [--artifacts DIR] [--expect connect|round]");
  process.exit(2);
}
if (!["connect", "round", "no-mic", "rejoin", "done", "refused"].includes(opts.expect)) {
  console.error(`--expect: must be connect, round, rejoin, done, refused or no-mic, got ${opts.expect}`);
  process.exit(2);
}
if (opts.expect === "done" && !opts.answer) {
  console.error("--expect done needs --answer WAV");
  process.exit(2);
}
const stepTimeout = Number(opts["timeout-ms"]);
const agentTimeout = Number(opts["agent-timeout-ms"]);
mkdirSync(opts.artifacts, { recursive: true });

const result = { expect: opts.expect, steps: [], consoleErrors: [], ok: false };
const started = Date.now();
const step = (name, extra = {}) => result.steps.push({ name, ms: Date.now() - started, ...extra });

const browser = await chromium.launch({
  executablePath: opts.chromium,
  headless: true,
  args: [
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--use-fake-ui-for-media-stream",
    // without the fake device a headless machine has no audio input at all
    ...(opts.expect === "no-mic" ? [] : [
      "--use-fake-device-for-media-stream",
      `--use-file-for-fake-audio-capture=${resolve(opts.audio)}`,
    ]),
    "--autoplay-policy=no-user-gesture-required",
  ],
});
const context = await browser.newContext({ viewport: { width: 1100, height: 900 } });
await context.grantPermissions(["microphone"], { origin: new URL(opts.url).origin });
if (opts.expect === "done") await context.addInitScript(CONTROLLED_MICROPHONE);
const page = await context.newPage();
page.on("console", (msg) => {
  if (msg.type() === "error") result.consoleErrors.push(msg.text());
});
page.on("pageerror", (err) => result.consoleErrors.push(`pageerror: ${err.message}`));

// A microphone that is silent until the script speaks into it: getUserMedia returns an AudioContext's stream,
// and window.__speak(base64 WAV) plays a clip into it and resolves with when it started and ended.
function CONTROLLED_MICROPHONE() {
  const real = navigator.mediaDevices.getUserMedia.bind(navigator.mediaDevices);
  let ctx = null;
  let dest = null;
  const ready = () => {
    ctx ??= new AudioContext({ sampleRate: 48000 });
    dest ??= ctx.createMediaStreamDestination();
    return ctx.resume().then(() => dest);
  };
  navigator.mediaDevices.getUserMedia = async (constraints) => {
    if (!constraints || !constraints.audio || constraints.video) return real(constraints);
    return (await ready()).stream;
  };
  window.__speak = async (b64) => {
    const out = await ready();
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const buffer = await ctx.decodeAudioData(bytes.buffer);
    const source = ctx.createBufferSource();
    source.buffer = buffer;
    source.connect(out);
    const startedAt = Date.now();
    const ended = new Promise((done) => { source.onended = done; });
    source.start();
    await ended;
    return { startedAt, endedAt: Date.now(), seconds: buffer.duration };
  };
}

const shot = async (name) => page.screenshot({ path: join(opts.artifacts, `${name}.png`), fullPage: true });

async function noMicrophone(sessions) {
  await page.waitForSelector('body[data-state="error"]', { timeout: stepTimeout });
  result.message = (await page.textContent("#message"))?.trim();
  step("microphone-refused", { message: result.message, sessionRequests: sessions.length });
  await shot("02-no-microphone");
  if (sessions.length) throw new Error("a token was requested although the microphone failed");
}

async function fullRound() {
  await page.waitForSelector("body[data-round-id]", { timeout: agentTimeout });
  result.roundId = await page.getAttribute("body", "data-round-id");
  step("interviewer-joined", { roundId: result.roundId });
  const before = await page.textContent("#timer");
  await page.waitForFunction((t) => document.getElementById("timer")?.textContent !== t, before,
    { timeout: stepTimeout });
  step("timer-running", { before, after: await page.textContent("#timer") });
  await page.waitForSelector('body[data-interviewer-audio="subscribed"]', { timeout: agentTimeout });
  await page.waitForSelector('body[data-heard-interviewer="yes"]', { timeout: agentTimeout });
  step("interviewer-audio");
  await page.waitForSelector('.caption[data-speaker="interviewer"][data-final="true"] .text:not(:empty)', { timeout: agentTimeout });
  step("interviewer-caption");
  await shot("03-interviewer-speaking");
  await page.waitForSelector('.caption[data-speaker="candidate"][data-final="true"] .text:not(:empty)', { timeout: agentTimeout });
  step("candidate-caption");
  await shot("04-captions");
  if (opts.expect === "rejoin") await reloadAndRejoin();
  result.captions = await page.$$eval(".caption", (items) =>
    items.map((li) => ({
      speaker: li.dataset.speaker,
      final: li.dataset.final === "true",
      text: li.querySelector(".text")?.textContent ?? "",
    })));
  await page.click("#end");
  await page.waitForURL(/\/rounds\/[A-Za-z0-9_-]+$/, { timeout: stepTimeout });
  await page.waitForLoadState("load");
  step("report-opened", { url: page.url() });
  await shot("05-report");
}

const countCaptions = (speaker) => page.$$eval(
  `.caption[data-speaker="${speaker}"][data-final="true"] .text:not(:empty)`, (items) => items.length);

// The interviewer has finished what it was saying and listens (its agent state, published by the worker);
// ``spoke``: it has been seen speaking already, else wait for that first.
async function interviewerListening(spoke) {
  if (!spoke) await page.waitForSelector('#agent-state[data-value="speaking"]', { timeout: agentTimeout });
  await page.waitForSelector('#agent-state[data-value="listening"]', { timeout: agentTimeout });
}

async function doneRound() {
  await page.waitForSelector("body[data-round-id]", { timeout: agentTimeout });
  result.roundId = await page.getAttribute("body", "data-round-id");
  step("interviewer-joined", { roundId: result.roundId });
  const answer = readFileSync(resolve(opts.answer)).toString("base64");
  result.replies = [];
  for (const how of ["button", "space"]) {
    await interviewerListening(how !== "button");
    step("interviewer-listening", { how });
    const heardBefore = await countCaptions("candidate");
    const saidBefore = await countCaptions("interviewer");
    const spoken = await page.evaluate((b64) => window.__speak(b64), answer);
    step("answer-spoken", { how, seconds: spoken.seconds });
    await page.waitForFunction((n) => document.querySelectorAll(
      '.caption[data-speaker="candidate"][data-final="true"] .text:not(:empty)').length > n, heardBefore,
    { timeout: agentTimeout });
    const captionedAt = Date.now();
    if (how === "button") {
      await page.click("#done");
    } else {
      await page.evaluate(() => document.activeElement?.blur());  // Space on a focused button is a click
      await page.keyboard.press("Space");
    }
    const pressedAt = Date.now();
    step("done-pressed", { how, presses: await page.getAttribute("body", "data-done-presses") });
    await page.waitForSelector('#agent-state[data-value="speaking"]', { timeout: agentTimeout });
    const speakingAt = Date.now();
    await page.waitForFunction((n) => document.querySelectorAll(
      '.caption[data-speaker="interviewer"][data-final="true"] .text:not(:empty)').length > n, saidBefore,
    { timeout: agentTimeout });
    const reply = {
      how,
      speechEndToCaptionMs: captionedAt - spoken.endedAt,
      speechEndToPressMs: pressedAt - spoken.endedAt,
      pressToSpeakingMs: speakingAt - pressedAt,
      speechEndToSpeakingMs: speakingAt - spoken.endedAt,
      pressToCaptionMs: Date.now() - pressedAt,
    };
    result.replies.push(reply);
    step("replied", reply);
  }
  await shot("04-done-replies");
  result.captions = await page.$$eval(".caption", (items) =>
    items.map((li) => ({ speaker: li.dataset.speaker, text: li.querySelector(".text")?.textContent ?? "" })));
  await page.click("#end");
  await page.waitForURL(/\/rounds\/[A-Za-z0-9_-]+$/, { timeout: stepTimeout });
  step("report-opened", { url: page.url() });
}

async function refusedRound() {
  await page.waitForSelector('body[data-refused="yes"]', { timeout: agentTimeout });
  await page.waitForSelector('body[data-state="ended"]', { timeout: stepTimeout });
  result.message = (await page.textContent("#message"))?.trim();
  step("refused", { message: result.message, roundId: await page.getAttribute("body", "data-round-id"),
    room: await page.getAttribute("body", "data-room") });
  await shot("03-refused");
}

async function reloadAndRejoin() {
  const room = await page.getAttribute("body", "data-room");
  await page.reload({ waitUntil: "load", timeout: stepTimeout });
  await page.waitForSelector("#rejoin", { timeout: stepTimeout });
  step("rejoin-offered");
  await page.click("#rejoin");
  await page.waitForSelector('body[data-state="connected"]', { timeout: stepTimeout });
  const again = await page.getAttribute("body", "data-room");
  step("rejoined", { sameRoom: again === room });
  await page.waitForFunction(() => [...document.querySelectorAll('.caption[data-speaker="interviewer"] .text')]
    .some((el) => /welcome back/i.test(el.textContent ?? "")), null, { timeout: agentTimeout });
  step("welcomed-back");
  await page.waitForSelector("body[data-round-id]", { timeout: agentTimeout });
  result.roundIdAfter = await page.getAttribute("body", "data-round-id");
  await shot("04b-rejoined");
}

async function endWithoutInterviewer() {
  await page.click("#end");
  await page.waitForSelector('body[data-state="ended"]', { timeout: stepTimeout });
  result.message = (await page.textContent("#message"))?.trim();
  step("ended", { message: result.message });
  await shot("03-ended");
}

async function run() {
  await page.goto(opts.url, { waitUntil: "load", timeout: stepTimeout });
  await page.waitForSelector("#start:not([disabled])", { timeout: stepTimeout });
  step("page-loaded", { persona: await page.inputValue("#persona"), track: await page.inputValue("#track") });
  await shot("01-setup");

  const sessions = [];
  page.on("request", (req) => { if (req.url().endsWith("/api/session")) sessions.push(req.url()); });
  await page.click("#start");
  if (opts.expect === "no-mic") return noMicrophone(sessions);
  if (opts.expect === "refused") return refusedRound();  // the refusal may come before the page settles

  await page.waitForSelector('body[data-state="connected"]', { timeout: stepTimeout });
  await page.waitForSelector('#connection[data-value="connected"]', { timeout: stepTimeout });
  result.room = await page.getAttribute("body", "data-room");
  step("connected", { room: result.room });
  await shot("02-connected");
  if (opts.expect === "done") return doneRound();
  return opts.expect === "round" || opts.expect === "rejoin" ? fullRound() : endWithoutInterviewer();
}

try {
  await run();
  const csp = result.consoleErrors.filter((m) => /Content Security Policy|Refused to/i.test(m));
  if (csp.length) throw new Error(`content security policy violations: ${csp.join(" | ")}`);
  result.ok = true;
} catch (err) {
  result.error = String(err?.message ?? err).split("\n")[0];
  await shot("99-failure").catch(() => {});
} finally {
  writeFileSync(join(opts.artifacts, "result.json"), JSON.stringify(result, null, 2));
  console.log(JSON.stringify(result));
  await browser.close();
}
process.exit(result.ok ? 0 : 1);
