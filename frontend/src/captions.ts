// Live captions from livekit-agents' transcription text streams.
//
// The interviewer's words arrive as one stream per segment whose chunks are
// appended (a delta stream); the candidate's arrive as a new stream per
// update carrying the whole segment text so far. Resetting a segment's text
// at the start of each stream and appending chunks handles both.

import type { TextStreamReader } from "livekit-client";

import { SEGMENT_ID, TRANSCRIPTION_FINAL } from "./protocol";

const MAX_CAPTIONS = 200;

export type Speaker = "interviewer" | "candidate";

export class Captions {
  private readonly segments = new Map<string, HTMLElement>();

  constructor(private readonly list: HTMLElement) {}

  private item(segment: string, speaker: Speaker): HTMLElement {
    let li = this.segments.get(segment);
    if (li) return li;
    li = document.createElement("li");
    li.className = "caption";
    li.dataset.speaker = speaker;
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = speaker === "interviewer" ? "Interviewer" : "You";
    const text = document.createElement("span");
    text.className = "text";
    li.append(who, text);
    this.list.append(li);
    this.segments.set(segment, li);
    while (this.list.children.length > MAX_CAPTIONS) {
      const oldest = this.list.firstElementChild as HTMLElement;
      this.segments.forEach((el, key) => { if (el === oldest) this.segments.delete(key); });
      oldest.remove();
    }
    li.scrollIntoView({ block: "nearest" });
    return li;
  }

  async read(reader: TextStreamReader, speaker: Speaker): Promise<void> {
    const attrs = reader.info.attributes ?? {};
    const segment = attrs[SEGMENT_ID] ?? reader.info.id;
    const li = this.item(segment, speaker);
    const text = li.querySelector(".text") as HTMLElement;
    text.textContent = "";
    li.dataset.final = "false";
    try {
      for await (const chunk of reader) {
        text.textContent += chunk;
      }
    } catch {
      // a stream cut by a disconnect keeps what arrived
    }
    // the closing trailer's attributes are merged into info.attributes by the SDK
    const final = (reader.info.attributes ?? {})[TRANSCRIPTION_FINAL] === "true";
    if (speaker === "interviewer" || final) li.dataset.final = "true";
    if (!text.textContent?.trim() && li.dataset.final === "true") {
      li.remove();
      this.segments.delete(segment);
    }
  }
}
