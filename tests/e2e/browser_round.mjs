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
// Prints one JSON line with what happened; exits 1 on any failed step.
// playwright-core comes from frontend/node_modules; no browser is downloaded.

import { createRequire } from "node:module";
import { mkdirSync, writeFileSync } from "node:fs";
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
if (!["connect", "round", "no-mic", "rejoin"].includes(opts.expect)) {
  console.error(`--expect: must be connect, round, rejoin or no-mic, got ${opts.expect}`);
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
const page = await context.newPage();
page.on("console", (msg) => {
  if (msg.type() === "error") result.consoleErrors.push(msg.text());
});
page.on("pageerror", (err) => result.consoleErrors.push(`pageerror: ${err.message}`));

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

  await page.waitForSelector('body[data-state="connected"]', { timeout: stepTimeout });
  await page.waitForSelector('#connection[data-value="connected"]', { timeout: stepTimeout });
  result.room = await page.getAttribute("body", "data-room");
  step("connected", { room: result.room });
  await shot("02-connected");
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
