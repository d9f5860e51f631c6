// The kit against a real ChoreHub server: CHOREHUB_BASE_URL=http://127.0.0.1:8000 npm run e2e.
// tracking/tests/test_frontend.py starts a server on a free port and runs this.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApiError, createClient, type ChoreHubApi } from "../../src/api";
import { baseUrl, Inbox, TRACKING_EVENT_WITHIN_MS } from "./inbox";

/** A staff user's token, for the administrator's list. */
const staffToken = process.env.CHOREHUB_STAFF_TOKEN ?? "";

let anonymous: ChoreHubApi;
let api: ChoreHubApi;
let token: string;
const inboxes: Inbox[] = [];

function listen(lastEventId?: string): Inbox {
  const inbox = new Inbox(`Token ${token}`, lastEventId);
  inboxes.push(inbox);
  return inbox;
}

beforeAll(async () => {
  if (!baseUrl) throw new Error("set CHOREHUB_BASE_URL to a running ChoreHub server");
  anonymous = createClient({ baseUrl });
  const username = `kit-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const registered = await anonymous.register({ username, password: "correct-horse-battery-9" });
  token = registered.token;
  api = createClient({ baseUrl, token });
});

afterEach(() => {
  for (const inbox of inboxes.splice(0)) inbox.subscription.close();
});

describe("the kit against the real server", () => {
  it("activates a chore, hears tracking_event_created, and finds it with filters", async () => {
    const inbox = listen();
    await inbox.opened;

    const child = await api.createChild({ name: "Ada", age: 7 });
    expect((await inbox.next("child_created")).child).toEqual({
      id: child.id,
      name: "Ada",
      age: 7,
      points: 0,
      available_points: 0,
    });
    const chore = await api.createTask({ name: "Feed the cat", points: 12 });
    await api.assignTasks(child.id, [chore.id]);
    expect((await inbox.next("child_changed")).changed).toEqual(["task_ids"]);

    const activated = await api.activateTask(child.id, chore.id, {
      idempotencyKey: `activate-${child.id}-1`,
    });
    expect(activated.child.points).toBe(12);
    const recorded = activated.tracking_event;
    if (!recorded) throw new Error("the activation recorded no event");

    const created = await inbox.next("tracking_event_created", TRACKING_EVENT_WITHIN_MS);
    expect(created).toEqual({
      tracking_event_id: recorded.id,
      child_id: child.id,
      entity_type: "task",
      entity_id: chore.id,
      action: "activated",
      points_before: 0,
      points_after: 12,
      delta: 12,
      occurred_at: recorded.occurred_at,
      // The child's figures after the row (the household's calendar is UTC by default).
      figures: {
        points: 12,
        lifetime: {
          earned: 12,
          lost: 0,
          spent: 0,
          adjusted: 0,
          reversed: 0,
          reversals: 0,
          good: { count: 1, points: 12 },
          not_good: { count: 0, points: 0 },
          net: 12,
        },
        streak: { current: 1, best: 1 },
        days: [recorded.occurred_at.slice(0, 10)],
      },
    });
    const domain = await inbox.next("task_activated");
    expect(domain.child.points).toBe(12);
    expect(domain.entity_name).toBe("Feed the cat");

    // `start` is inclusive (sent as the exact string), `end` exclusive (sent as a Date).
    const justAfter = new Date(Date.parse(created.occurred_at) + 1);
    const found = await api.listChildTracking(child.id, {
      entityType: "task",
      action: "activated",
      start: created.occurred_at,
      end: justAfter,
      limit: 10,
      offset: 0,
    });
    expect(found.count).toBe(1);
    expect(found.results.map((event) => event.id)).toEqual([created.tracking_event_id]);
    expect(found.results[0]!.metadata.entity_name).toBe("Feed the cat");

    const none = await Promise.all([
      api.listChildTracking(child.id, { entityType: "reward" }),
      api.listChildTracking(child.id, { action: "redeemed" }),
      api.listChildTracking(child.id, { start: justAfter }),
      api.listChildTracking(child.id, { end: created.occurred_at }),
    ]);
    expect(none.map((page) => page.count)).toEqual([0, 0, 0, 0]);
  });

  it("catches up after a reconnect with the last event id", async () => {
    const child = await api.createChild({ name: "Bo" });
    const chore = await api.createTask({ name: "Dishes", points: 3 });
    await api.assignTasks(child.id, [chore.id]);

    const first = listen();
    await first.opened;
    await api.activateTask(child.id, chore.id);
    await first.next("tracking_event_created");
    const resumeFrom = first.subscription.lastEventId;
    expect(resumeFrom).toMatch(/^household-\d+:\d+$/);
    first.subscription.close();

    await api.activateTask(child.id, chore.id);
    await api.activateTask(child.id, chore.id);

    const again = listen(resumeFrom);
    const missed = [
      await again.next("tracking_event_created"),
      await again.next("tracking_event_created"),
    ];
    expect(missed.map((event) => event.points_after)).toEqual([6, 9]);
  });

  it("requests, redeems and cancels rewards; a second cancel is a 409", async () => {
    const child = await api.createChild({ name: "Di" });
    const chore = await api.createTask({ name: "Tidy up", points: 12 });
    const reward = await api.createReward({ name: "Ice cream", cost: 5 });
    await api.assignTasks(child.id, [chore.id]);
    await api.assignRewards(child.id, [reward.id]);
    await api.activateTask(child.id, chore.id);

    const asked = await api.requestReward(child.id, reward.id);
    expect(asked.request.status).toBe("pending");
    expect(asked.request.cost).toBe(5);
    const holding = await api.getChild(child.id);
    expect([holding.points, holding.available_points]).toEqual([12, 7]);
    const pending = await api.listRewardRequests({ status: "pending", childId: child.id });
    expect(pending.results.map((request) => request.id)).toEqual([asked.request.id]);
    const redeemed = await api.redeemRequest(asked.request.id);
    expect([redeemed.request.status, redeemed.child.points]).toEqual(["redeemed", 7]);
    expect(redeemed.child.available_points).toBe(7);

    const again = await api.requestReward(child.id, reward.id);
    const cancelled = await api.cancelRequest(again.request.id);
    // Who acted comes from the credential: a guardian's token.
    expect(cancelled.tracking_event?.metadata.actor).toBe("guardian");
    const conflict = await api.cancelRequest(again.request.id).catch((e: unknown) => e);
    expect(conflict).toBeInstanceOf(ApiError);
    expect((conflict as ApiError).status).toBe(409);
    expect((conflict as ApiError).detail).toBeTruthy();

    const history = await api.listChildTracking(child.id, { entityType: "reward" });
    expect(history.results.map((event) => event.action)).toEqual([
      "requested",
      "redeemed",
      "requested",
      "cancelled",
    ]);
  });

  it("adjusts points, reverses the adjustment once, and hears both", async () => {
    const child = await api.createChild({ name: "Ed" });
    const inbox = listen();
    await inbox.opened;

    const adjusted = await api.adjustPoints(child.id, { points: 8, reason: "helped a neighbour" });
    expect(adjusted.child.points).toBe(8);
    const adjustment = adjusted.tracking_event!;
    expect([adjustment.entity_type, adjustment.action, adjustment.entity_id]).toEqual([
      "adjustment",
      "adjusted",
      null,
    ]);
    expect((await inbox.next("points_adjusted")).child.points).toBe(8);

    const reversed = await api.reverseEvent(adjustment.id, { reason: "it was the other child" });
    expect(reversed.child.points).toBe(0);
    expect(reversed.tracking_event!.action).toBe("reversed");
    expect(reversed.tracking_event!.metadata.reverses).toBe(adjustment.id);
    expect((await inbox.next("points_reversed")).points_after).toBe(0);

    const twice = await api.reverseEvent(adjustment.id, { reason: "again" }).catch((e: unknown) => e);
    expect(twice).toBeInstanceOf(ApiError);
    expect((twice as ApiError).status).toBe(409);

    const zero = await api.adjustPoints(child.id, { points: 0, reason: "nothing" }).catch((e: unknown) => e);
    expect((zero as ApiError).status).toBe(400);
    expect((zero as ApiError).messagesFor("points")).not.toEqual([]);
  });

  it("replays a retry with the same Idempotency-Key, and refuses the key for another body", async () => {
    const child = await api.createChild({ name: "Flo" });
    const chore = await api.createTask({ name: "Water plants", points: 4 });
    const other = await api.createTask({ name: "Feed fish", points: 2 });
    await api.assignTasks(child.id, [chore.id, other.id]);

    const key = `click-${child.id}`;
    const first = await api.activateTask(child.id, chore.id, { idempotencyKey: key });
    const retry = await api.activateTask(child.id, chore.id, { idempotencyKey: key });
    expect(retry).toEqual(first);
    expect((await api.getChild(child.id)).points).toBe(4);
    expect((await api.listChildTracking(child.id)).count).toBe(1);

    const misuse = await api
      .activateTask(child.id, other.id, { idempotencyKey: key })
      .catch((e: unknown) => e);
    expect(misuse).toBeInstanceOf(ApiError);
    expect((misuse as ApiError).status).toBe(422);
  });

  it("lists every user's events for staff, with filters; a parent gets a 403", async () => {
    if (!staffToken) throw new Error("set CHOREHUB_STAFF_TOKEN to a staff user's token");
    const staff = createClient({ baseUrl, token: staffToken });
    const me = await api.me();
    const child = await api.createChild({ name: "Gus" });
    await api.adjustPoints(child.id, { points: 3, reason: "for the admin to see" });

    const found = await staff.listAdminTracking({
      userId: me.id,
      childId: child.id,
      entityType: "adjustment",
      action: "adjusted",
      limit: 5,
    });
    expect(found.count).toBe(1);
    expect(found.results[0]).toMatchObject({ user_id: me.id, child_id: child.id, delta: 3 });
    expect((await staff.listAdminTracking({ childId: child.id, action: "reversed" })).count).toBe(0);

    const refused = await api.listAdminTracking().catch((e: unknown) => e);
    expect((refused as ApiError).status).toBe(403);
  });

  it("throws ApiError with the server's own 400, 401 and 404", async () => {
    const child = await api.createChild({ name: "Cy" });
    const unassigned = await api.createTask({ name: "Homework", points: 5 });

    const invalid = await api.activateTask(child.id, unassigned.id).catch((e: unknown) => e);
    expect(invalid).toBeInstanceOf(ApiError);
    expect((invalid as ApiError).status).toBe(400);
    expect(Object.values((invalid as ApiError).fieldErrors).flat().join(" ")).toContain("Homework");

    const blank = await api.createChild({ name: "" }).catch((e: unknown) => e);
    expect((blank as ApiError).messagesFor("name")).not.toEqual([]);

    const anonymousError = await anonymous.listChildren().catch((e: unknown) => e);
    expect((anonymousError as ApiError).status).toBe(401);
    expect((anonymousError as ApiError).detail).toBeTruthy();

    const missing = await api.listChildTracking(2 ** 31).catch((e: unknown) => e);
    expect((missing as ApiError).status).toBe(404);
  });
});
