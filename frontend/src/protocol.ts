// Names shared with the interviewer worker. The worker-side contract is
// written down in agent/web/PROTOCOL.md; change both together.

/** Participant attributes the interviewer agent sets on itself. */
export const ATTR = {
  roundId: "interviewer.round_id",
  phase: "interviewer.phase",
  question: "interviewer.question",
  questionNumber: "interviewer.question_number",
  questionCount: "interviewer.question_count",
  remainingS: "interviewer.remaining_s",
  warnS: "interviewer.warn_s",
  error: "interviewer.error",
  refused: "interviewer.refused",
  // set by livekit-agents itself
  agentState: "lk.agent.state",
} as const;

/** The phase value that means the round is over and stored. */
export const PHASE_ENDED = "ended";

/** livekit-agents' caption text streams and their attributes. */
export const TRANSCRIPTION_TOPIC = "lk.transcription";
export const SEGMENT_ID = "lk.segment_id";
export const TRANSCRIPTION_FINAL = "lk.transcription_final";

/** Characters of a job ad the web app accepts (agent/interview/limits.py MAX_AD_CHARS). */
export const MAX_JOB_AD_CHARS = 20_000;

/** The track picker's value that leaves the choice to the pasted job ad (no `track` is sent). */
export const TRACK_FROM_AD = "";

export interface PersonaChoice {
  id: string;
  name: string;
  title: string;
  description: string;
  tracks: string[];
  default_minutes: number;
  warn_before_end_s: number;
}

export interface SessionGrant {
  server_url: string;
  token: string;
  room: string;
  identity: string;
  expires_at: number;
  done_key: string; // for POST /api/done: this page's "I'm done" in this room
  rejoin_key: string; // for POST /api/rejoin: this browser back into this room after a drop
}

const AGENT_STATE_LABEL: Record<string, string> = {
  initializing: "getting ready",
  idle: "waiting",
  listening: "listening",
  thinking: "thinking",
  speaking: "speaking",
};

export function agentStateLabel(state: string | undefined): string {
  if (!state) return "waiting to join";
  return AGENT_STATE_LABEL[state] ?? state;
}

const TRACK_LABEL: Record<string, string> = {
  consumer: "Consumer / growth PM",
  technical: "Technical PM",
  "internal-platform": "Internal platform PM",
  "external-api": "External API / developer platform PM",
};

export function trackLabel(track: string): string {
  return TRACK_LABEL[track] ?? track;
}

export function formatClock(totalSeconds: number): string {
  const s = Math.max(0, Math.round(totalSeconds));
  const m = Math.floor(s / 60);
  return `${String(m).padStart(2, "0")}:${String(s % 60).padStart(2, "0")}`;
}
