// The event stream (GET /api/events/, server-sent events) with one typed handler per event name.
//
// Every event carries an id (`household-<id>:<n>`). The browser's EventSource reconnects by itself after
// a dropped connection and sends the last id as `Last-Event-ID`, so the server replays what was
// missed. When it gives up (the server answered an error, or sent `stream-error`), `subscribe`
// opens a new EventSource itself, after a growing delay, with `?lastEventId=` set to the last id
// it saw, so nothing is lost there either.
import {
  STREAM_EVENT_NAMES,
  type StreamEventName,
  type StreamEvents,
} from "./models";

export const DEFAULT_STREAM_URL = "/api/events/";

/** What `subscribe` needs of an EventSource: the browser's, or the `eventsource` package's. */
export interface EventSourceLike {
  readonly readyState: number;
  addEventListener(type: string, listener: (event: MessageEvent) => unknown): void;
  close(): void;
}
export type EventSourceConstructor = new (
  url: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- each implementation has its own
  init?: any,
) => EventSourceLike;

/** One message of the stream, as the handler receives it besides its parsed data. */
export interface StreamMessage {
  event: StreamEventName;
  /** `household-<id>:<n>`: send it back as Last-Event-ID to resume after it. */
  id: string;
}

/** One optional handler per event name, each with the event's typed payload. */
export type StreamHandlers = {
  [Name in StreamEventName]?: (data: StreamEvents[Name], message: StreamMessage) => void;
};

export interface SubscribeOptions {
  /** The stream's URL; `/api/events/` (same origin) by default. */
  url?: string;
  /** The EventSource class: the global one by default. Node has none before version 22: pass the
   * `eventsource` package's. */
  EventSource?: EventSourceConstructor;
  /** The EventSource's second argument: `{withCredentials: true}` for a stream on another origin,
   * or, with the `eventsource` package, `{fetch}` adding `Authorization: Token <key>`. */
  eventSourceInit?: Record<string, unknown>;
  /** Resume after this id (one saved from an earlier subscription). */
  lastEventId?: string;
  /** The stream is open and the server has taken the subscription (`stream-open`). */
  onOpen?: () => void;
  /** The connection failed or the server refused it; the subscription keeps retrying. */
  onError?: (error: StreamError) => void;
  /** The server no longer has events since the last id (older than its retention): reload state. */
  onReset?: () => void;
  /** First delay before opening a new EventSource, doubled on each failure up to the maximum. */
  reconnectDelayMs?: number;
  maxReconnectDelayMs?: number;
}

export interface StreamError {
  /** `connection` (EventSource's error event) or `stream-error` (the server's own message). */
  kind: "connection" | "stream-error";
  /** Whether `subscribe` is opening a new EventSource (the browser's own retry is not counted). */
  reconnecting: boolean;
  /** The server's `{condition, text}` for `stream-error`. */
  data?: unknown;
}

export interface Subscription {
  /** The last event id received (or the one given), to resume from later. */
  readonly lastEventId: string | undefined;
  /** Stop listening and never reconnect. */
  close(): void;
}

const CLOSED = 2;

/** `url` with its `lastEventId` query parameter set to `id`. */
export function withLastEventId(url: string, id: string): string {
  const hashAt = url.indexOf("#");
  const withoutHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
  const queryAt = withoutHash.indexOf("?");
  const path = queryAt >= 0 ? withoutHash.slice(0, queryAt) : withoutHash;
  const params = new URLSearchParams(queryAt >= 0 ? withoutHash.slice(queryAt + 1) : "");
  params.set("lastEventId", id);
  return `${path}?${params.toString()}`;
}

/** Listen to the signed-in user's events until `close()`. */
export function subscribe(handlers: StreamHandlers, options: SubscribeOptions = {}): Subscription {
  const url = options.url ?? DEFAULT_STREAM_URL;
  const Source =
    options.EventSource ??
    (globalThis as { EventSource?: EventSourceConstructor }).EventSource;
  if (!Source) {
    throw new Error("no EventSource here: pass options.EventSource (e.g. the eventsource package)");
  }
  const firstDelay = options.reconnectDelayMs ?? 1000;
  const maxDelay = options.maxReconnectDelayMs ?? 30_000;

  let lastEventId = options.lastEventId;
  let source: EventSourceLike | undefined;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let failures = 0;
  let closed = false;

  const remember = (message: MessageEvent) => {
    // `error` is the id of the server's stream-error, which it refuses to resume from.
    if (message.lastEventId && message.lastEventId !== "error") lastEventId = message.lastEventId;
  };

  const reconnectLater = (current: EventSourceLike) => {
    if (closed || current !== source || retryTimer !== undefined) return;
    current.close();
    const delay = Math.min(maxDelay, firstDelay * 2 ** failures);
    failures += 1;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      open();
    }, delay);
  };

  const open = () => {
    const current = new Source(
      lastEventId ? withLastEventId(url, lastEventId) : url,
      options.eventSourceInit,
    );
    source = current;

    current.addEventListener("stream-open", () => {
      failures = 0;
      options.onOpen?.();
    });
    current.addEventListener("stream-reset", (message) => {
      remember(message);
      options.onReset?.();
    });
    current.addEventListener("stream-error", (message) => {
      options.onError?.({ kind: "stream-error", reconnecting: !closed, data: parse(message.data) });
      reconnectLater(current);
    });
    current.addEventListener("error", () => {
      // CONNECTING: the EventSource retries by itself, with Last-Event-ID. CLOSED: it gave up.
      const gaveUp = current.readyState === CLOSED;
      options.onError?.({ kind: "connection", reconnecting: gaveUp && !closed });
      if (gaveUp) reconnectLater(current);
    });
    for (const name of STREAM_EVENT_NAMES) {
      current.addEventListener(name, (message) => {
        remember(message);
        const handler = handlers[name] as
          | ((data: unknown, message: StreamMessage) => void)
          | undefined;
        handler?.(parse(message.data), { event: name, id: message.lastEventId });
      });
    }
  };

  open();

  return {
    get lastEventId() {
      return lastEventId;
    },
    close() {
      closed = true;
      if (retryTimer !== undefined) clearTimeout(retryTimer);
      retryTimer = undefined;
      source?.close();
    },
  };
}

function parse(data: unknown): unknown {
  return typeof data === "string" && data !== "" ? JSON.parse(data) : data;
}
