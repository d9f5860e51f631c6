import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { subscribe, withLastEventId } from "../../src/backendEvents";
import type { PointsActionEvent, TrackingEventCreated } from "../../src/models";

/** An EventSource driven by the test: `emit` delivers a message, `fail` an error. */
class FakeEventSource {
  static opened: FakeEventSource[] = [];
  readyState = 0;
  closed = false;
  private listeners = new Map<string, ((event: MessageEvent) => unknown)[]>();

  constructor(
    readonly url: string,
    readonly init?: unknown,
  ) {
    FakeEventSource.opened.push(this);
  }

  addEventListener(type: string, listener: (event: MessageEvent) => unknown): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }

  close(): void {
    this.closed = true;
    this.readyState = 2;
  }

  emit(type: string, data: unknown, id = ""): void {
    const event = { type, data: typeof data === "string" ? data : JSON.stringify(data), lastEventId: id };
    for (const listener of this.listeners.get(type) ?? []) listener(event as MessageEvent);
  }

  fail(readyState: 0 | 2): void {
    this.readyState = readyState;
    for (const listener of this.listeners.get("error") ?? []) listener({ type: "error" } as MessageEvent);
  }

  static last(): FakeEventSource {
    return FakeEventSource.opened.at(-1)!;
  }
}

const CREATED: TrackingEventCreated = {
  tracking_event_id: 11,
  child_id: 3,
  entity_type: "task",
  entity_id: 5,
  action: "activated",
  points_before: 0,
  points_after: 7,
  delta: 7,
  occurred_at: "2026-02-09T18:42:15.123456Z",
};

beforeEach(() => {
  FakeEventSource.opened = [];
  vi.useFakeTimers();
});
afterEach(() => vi.useRealTimers());

describe("subscribe", () => {
  it("opens /api/events/ and hands each event its typed payload", () => {
    const created: TrackingEventCreated[] = [];
    const activated: PointsActionEvent[] = [];
    subscribe(
      {
        tracking_event_created: (data) => created.push(data),
        task_activated: (data) => activated.push(data),
      },
      { EventSource: FakeEventSource },
    );
    const source = FakeEventSource.last();
    expect(source.url).toBe("/api/events/");
    source.emit("tracking_event_created", CREATED, "household-2:7");
    source.emit("child_created", { child: {}, occurred_at: "" }, "household-2:8");
    expect(created).toEqual([CREATED]);
    expect(activated).toEqual([]);
  });

  it("passes the id with each message and remembers the last one", () => {
    const ids: string[] = [];
    const subscription = subscribe(
      { tracking_event_created: (_data, message) => ids.push(`${message.event} ${message.id}`) },
      { EventSource: FakeEventSource },
    );
    FakeEventSource.last().emit("tracking_event_created", CREATED, "household-2:7");
    expect(ids).toEqual(["tracking_event_created household-2:7"]);
    expect(subscription.lastEventId).toBe("household-2:7");
  });

  it("calls onOpen on stream-open", () => {
    const onOpen = vi.fn();
    subscribe({}, { EventSource: FakeEventSource, onOpen });
    FakeEventSource.last().emit("stream-open", "");
    expect(onOpen).toHaveBeenCalledOnce();
  });

  it("leaves reconnecting to the EventSource while it retries by itself", () => {
    const onError = vi.fn();
    subscribe({}, { EventSource: FakeEventSource, onError });
    FakeEventSource.last().fail(0);
    vi.runAllTimers();
    expect(FakeEventSource.opened).toHaveLength(1);
    expect(onError).toHaveBeenCalledWith({ kind: "connection", reconnecting: false });
  });

  it("reopens with ?lastEventId= after the EventSource gives up", () => {
    const onError = vi.fn();
    subscribe(
      {},
      { EventSource: FakeEventSource, url: "http://x.test/api/events/?channel=household-2", onError, reconnectDelayMs: 100 },
    );
    const first = FakeEventSource.last();
    first.emit("task_activated", {}, "household-2:7");
    first.fail(2);
    expect(onError).toHaveBeenCalledWith({ kind: "connection", reconnecting: true });
    vi.advanceTimersByTime(99);
    expect(FakeEventSource.opened).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(FakeEventSource.last().url).toBe(
      "http://x.test/api/events/?channel=household-2&lastEventId=household-2%3A7",
    );
  });

  it("waits longer after each failure, and starts over once open", () => {
    subscribe({}, { EventSource: FakeEventSource, reconnectDelayMs: 100, maxReconnectDelayMs: 250 });
    const delays: number[] = [];
    for (let i = 0; i < 4; i++) {
      const before = FakeEventSource.opened.length;
      FakeEventSource.last().fail(2);
      let waited = 0;
      while (FakeEventSource.opened.length === before) {
        vi.advanceTimersByTime(10);
        waited += 10;
      }
      delays.push(waited);
    }
    FakeEventSource.last().emit("stream-open", "");
    FakeEventSource.last().fail(2);
    vi.advanceTimersByTime(100);
    expect(delays).toEqual([100, 200, 250, 250]);
    expect(FakeEventSource.opened).toHaveLength(6);
  });

  it("reopens after the server's stream-error, from the last good id", () => {
    const onError = vi.fn();
    subscribe({}, { EventSource: FakeEventSource, onError, reconnectDelayMs: 10 });
    const first = FakeEventSource.last();
    first.emit("reward_redeemed", {}, "household-2:9");
    first.emit("stream-error", { condition: "bad-request", text: "oops" }, "error");
    expect(first.closed).toBe(true);
    expect(onError).toHaveBeenCalledWith({
      kind: "stream-error",
      reconnecting: true,
      data: { condition: "bad-request", text: "oops" },
    });
    vi.advanceTimersByTime(10);
    expect(FakeEventSource.last().url).toBe("/api/events/?lastEventId=household-2%3A9");
  });

  it("starts from a saved id and passes the EventSource its init", () => {
    const init = { withCredentials: true };
    subscribe({}, { EventSource: FakeEventSource, lastEventId: "household-2:3", eventSourceInit: init });
    expect(FakeEventSource.last().url).toBe("/api/events/?lastEventId=household-2%3A3");
    expect(FakeEventSource.last().init).toBe(init);
  });

  it("calls onReset when the server no longer has the missed events", () => {
    const onReset = vi.fn();
    subscribe({}, { EventSource: FakeEventSource, onReset });
    FakeEventSource.last().emit("stream-reset", { channels: ["household-2"] }, "household-2:40");
    expect(onReset).toHaveBeenCalledOnce();
  });

  it("closes for good", () => {
    const subscription = subscribe({}, { EventSource: FakeEventSource, reconnectDelayMs: 10 });
    const source = FakeEventSource.last();
    source.fail(2);
    subscription.close();
    vi.runAllTimers();
    expect(source.closed).toBe(true);
    expect(FakeEventSource.opened).toHaveLength(1);
  });

  it("needs an EventSource where there is none", () => {
    const global = globalThis as { EventSource?: unknown };
    const saved = global.EventSource;
    delete global.EventSource;
    try {
      expect(() => subscribe({})).toThrow(/no EventSource/);
    } finally {
      if (saved) global.EventSource = saved;
    }
  });
});

describe("withLastEventId", () => {
  it("sets or replaces the parameter, keeping the others", () => {
    expect(withLastEventId("/api/events/", "user-1:2")).toBe("/api/events/?lastEventId=user-1%3A2");
    expect(withLastEventId("/api/events/?lastEventId=user-1:1&a=b", "user-1:2")).toBe(
      "/api/events/?lastEventId=user-1%3A2&a=b",
    );
  });
});
