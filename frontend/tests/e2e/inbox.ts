// What the end-to-end suites share: the server's address, and an inbox of one stream's events.
import { EventSource } from "eventsource";
import { subscribe, type StreamHandlers, type Subscription } from "../../src/backendEvents";
import { STREAM_EVENT_NAMES, type StreamEventName, type StreamEvents } from "../../src/models";

export const baseUrl = process.env.CHOREHUB_BASE_URL ?? "";
/** The contract's bound for tracking_event_created after an action; other waits get more slack. */
export const TRACKING_EVENT_WITHIN_MS = 2000;
export const EVENT_WITHIN_MS = 5000;

/** Messages of one subscription, awaited by name in arrival order. */
export class Inbox {
  private readonly received: { name: StreamEventName; data: unknown; id: string }[] = [];
  private wake: (() => void) | undefined;
  readonly opened: Promise<void>;
  readonly subscription: Subscription;

  /** `authorization`: `Token <key>` for an account, `Device <credential>` for a paired device. */
  constructor(authorization: string, lastEventId?: string) {
    let opened!: () => void;
    this.opened = new Promise((resolve) => (opened = resolve));
    const handlers: StreamHandlers = {};
    for (const name of STREAM_EVENT_NAMES) {
      (handlers as Record<StreamEventName, unknown>)[name] = (
        data: unknown,
        message: { id: string },
      ): void => {
        this.received.push({ name, data, id: message.id });
        this.wake?.();
      };
    }
    this.subscription = subscribe(handlers, {
      url: `${baseUrl}/api/events/`,
      EventSource,
      // Node's clients (and the kid page) add their credential; browsers send their cookie.
      eventSourceInit: {
        fetch: (input: string | URL, init?: RequestInit) =>
          fetch(input, {
            ...init,
            headers: { ...(init?.headers as Record<string, string>), Authorization: authorization },
          }),
      },
      lastEventId,
      onOpen: opened,
    });
  }

  /** The next message named `name` (earlier ones of other names are skipped). */
  async next<Name extends StreamEventName>(
    name: Name,
    withinMs = EVENT_WITHIN_MS,
  ): Promise<StreamEvents[Name]> {
    const deadline = Date.now() + withinMs;
    for (;;) {
      const index = this.received.findIndex((message) => message.name === name);
      if (index >= 0) return this.received.splice(0, index + 1).at(-1)!.data as StreamEvents[Name];
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no ${name} within ${withinMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  }

  /** The names received so far and not yet taken by `next`. */
  pending(): StreamEventName[] {
    return this.received.map((message) => message.name);
  }
}
