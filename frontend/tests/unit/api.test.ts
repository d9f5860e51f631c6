import { beforeEach, describe, expect, it } from "vitest";
import { ApiError, createClient, queryString, type ChoreHubApi } from "../../src/api";
import { fakeFetch, type FakeFetch } from "./fakeFetch";

const BASE = "http://chorehub.test";
const PAGE = { count: 0, next: null, previous: null, results: [] };

let server: FakeFetch;
let api: ChoreHubApi;

beforeEach(() => {
  server = fakeFetch();
  api = createClient({ baseUrl: `${BASE}/`, token: "t0ken", fetch: server.fetch });
});

describe("query strings", () => {
  it("builds a child's tracking filters in snake_case, dates in UTC", async () => {
    server.answer(200, PAGE);
    await api.listChildTracking(7, {
      entityType: "task",
      action: "activated",
      start: new Date("2026-02-09T18:00:00+02:00"),
      end: "2026-02-10T00:00:00+01:00",
      limit: 20,
      offset: 40,
    });
    const { url, method } = server.only();
    expect(method).toBe("GET");
    expect(url).toBe(
      `${BASE}/api/children/7/tracking/?entity_type=task&action=activated` +
        "&start=2026-02-09T16%3A00%3A00.000Z&end=2026-02-10T00%3A00%3A00%2B01%3A00&limit=20&offset=40",
    );
  });

  it("leaves out filters that are not given", async () => {
    server.answer(200, PAGE);
    await api.listChildTracking(3);
    expect(server.only().url).toBe(`${BASE}/api/children/3/tracking/`);
  });

  it("sends the administrator's filters, child and user included", async () => {
    server.answer(200, PAGE);
    await api.listAdminTracking({ childId: 4, userId: 9, action: "reversed", offset: 0 });
    expect(server.only().url).toBe(
      `${BASE}/api/admin/tracking/?child_id=4&user_id=9&action=reversed&offset=0`,
    );
  });

  it("filters reward requests by status and child", async () => {
    server.answer(200, PAGE);
    await api.listRewardRequests({ status: "pending", childId: 2, limit: 5 });
    expect(server.only().url).toBe(`${BASE}/api/reward-requests/?status=pending&child_id=2&limit=5`);
  });

  it("pages children and tasks with limit and offset", async () => {
    server.answer(200, PAGE);
    server.answer(200, PAGE);
    await api.listChildren({ limit: 500 });
    await api.listTasks({ offset: 10 });
    expect(server.sent.map((r) => r.url)).toEqual([
      `${BASE}/api/children/?limit=500`,
      `${BASE}/api/tasks/?offset=10`,
    ]);
  });

  it("is empty with nothing to send, and encodes what needs it", () => {
    expect(queryString({ a: undefined, b: null })).toBe("");
    expect(queryString({ q: "a b&c", n: 0, yes: false })).toBe("?q=a+b%26c&n=0&yes=false");
  });
});

describe("bodies", () => {
  it.each([
    ["activateTask", () => api.activateTask(1, 2), "/api/children/1/activate/", { task_id: 2 }],
    ["requestReward", () => api.requestReward(1, 3), "/api/children/1/reward-requests/", { reward_id: 3 }],
    ["redeemReward", () => api.redeemReward(1, 3), "/api/children/1/redeem/", { reward_id: 3 }],
    ["redeemRequest", () => api.redeemRequest(5), "/api/reward-requests/5/redeem/", undefined],
    ["cancelRequest", () => api.cancelRequest(5), "/api/reward-requests/5/cancel/", undefined],
    [
      "adjustPoints",
      () => api.adjustPoints(1, { points: -5, reason: "broke a vase" }),
      "/api/children/1/adjust/",
      { points: -5, reason: "broke a vase" },
    ],
    [
      "reverseEvent",
      () => api.reverseEvent(42, { reason: "pressed twice" }),
      "/api/tracking/42/reverse/",
      { reason: "pressed twice" },
    ],
    ["assignTasks", () => api.assignTasks(1, [4, 5]), "/api/children/1/tasks/", { task_ids: [4, 5] }],
    ["createChild", () => api.createChild({ name: "Ada", age: 7 }), "/api/children/", { name: "Ada", age: 7 }],
  ] as const)("%s posts its typed arguments as JSON", async (_name, call, path, body) => {
    await call();
    const sent = server.only();
    expect(sent.method).toBe(path.endsWith("tasks/") ? "PUT" : "POST");
    expect(sent.url).toBe(`${BASE}${path}`);
    expect(sent.body).toEqual(body);
    expect(sent.headers["Content-Type"]).toBe(body === undefined ? undefined : "application/json");
  });

  it("returns the parsed result", async () => {
    const result = { child: { id: 1, points: 10 }, tracking_event: { id: 9, delta: 10 } };
    server.answer(200, result);
    await expect(api.activateTask(1, 2)).resolves.toEqual(result);
  });

  it("returns nothing for a 204", async () => {
    server.answer(204);
    await expect(api.deleteChild(1)).resolves.toBeUndefined();
  });
});

describe("auth and idempotency", () => {
  it("sends the token on every request", async () => {
    await api.listChildren();
    await api.activateTask(1, 2);
    for (const sent of server.sent) expect(sent.headers.Authorization).toBe("Token t0ken");
  });

  it("sends the CSRF token on mutations only, with the session cookie", async () => {
    const page = createClient({ csrfToken: "csrf123", fetch: server.fetch });
    await page.listChildren();
    await page.activateTask(1, 2);
    const [read, write] = server.sent;
    expect(read!.url).toBe("/api/children/");
    expect(read!.headers["X-CSRFToken"]).toBeUndefined();
    expect(write!.headers["X-CSRFToken"]).toBe("csrf123");
    expect(write!.headers.Authorization).toBeUndefined();
    expect(write!.credentials).toBe("same-origin");
  });

  it.each([
    ["activateTask", (key: string) => api.activateTask(1, 2, { idempotencyKey: key })],
    ["requestReward", (key: string) => api.requestReward(1, 2, { idempotencyKey: key })],
    ["redeemRequest", (key: string) => api.redeemRequest(1, { idempotencyKey: key })],
    ["cancelRequest", (key: string) => api.cancelRequest(1, { idempotencyKey: key })],
    ["adjustPoints", (key: string) => api.adjustPoints(1, { points: 1, reason: "r" }, { idempotencyKey: key })],
    ["reverseEvent", (key: string) => api.reverseEvent(1, { reason: "r" }, { idempotencyKey: key })],
  ] as const)("%s sends an Idempotency-Key when given one", async (_name, call) => {
    await call("key-1");
    expect(server.only().headers["Idempotency-Key"]).toBe("key-1");
  });

  it("sends no Idempotency-Key when none is given", async () => {
    await api.activateTask(1, 2);
    expect(server.only().headers).not.toHaveProperty("Idempotency-Key");
  });
});

describe("the global fetch", () => {
  it("is called as a plain function, as browsers require", async () => {
    const saved = globalThis.fetch;
    const receivers: unknown[] = [];
    globalThis.fetch = function (this: unknown) {
      receivers.push(this);
      return Promise.resolve(Response.json(PAGE));
    } as typeof fetch;
    try {
      await createClient({ token: "t" }).listChildren();
    } finally {
      globalThis.fetch = saved;
    }
    expect(receivers).toHaveLength(1);
    expect([undefined, globalThis]).toContain(receivers[0]);
  });
});

describe("ApiError", () => {
  async function failure(status: number, body?: unknown): Promise<ApiError> {
    server.answer(status, body);
    const error = await api.activateTask(1, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    return error as ApiError;
  }

  it("carries the field messages of a 400", async () => {
    const error = await failure(400, {
      task_id: ["Task 2 is not assigned to Ada."],
      items: [{ name: ["This field is required."] }],
    });
    expect(error.status).toBe(400);
    expect(error.isValidationError).toBe(true);
    expect(error.detail).toBeUndefined();
    expect(error.fieldErrors).toEqual({
      task_id: ["Task 2 is not assigned to Ada."],
      "items.0.name": ["This field is required."],
    });
    expect(error.messagesFor("task_id")).toEqual(["Task 2 is not assigned to Ada."]);
    expect(error.message).toContain("task_id: Task 2 is not assigned to Ada.");
  });

  it("keeps a 400 about the whole body under non_field_errors", async () => {
    const error = await failure(400, ["Not enough points."]);
    expect(error.fieldErrors).toEqual({ non_field_errors: ["Not enough points."] });
  });

  it.each([
    [401, "Authentication credentials were not provided."],
    [404, "No Child matches the given query."],
    [409, "This request was already redeemed."],
  ])("carries the status and detail of a %i", async (status, detail) => {
    const error = await failure(status, { detail });
    expect(error.status).toBe(status);
    expect(error.detail).toBe(detail);
    expect(error.fieldErrors).toEqual({});
    expect(error.message).toBe(`POST ${BASE}/api/children/1/activate/ → ${status}: ${detail}`);
  });

  it("keeps a body that is not JSON", async () => {
    const error = await failure(502, "<html>Bad gateway</html>");
    expect(error.status).toBe(502);
    expect(error.body).toBe("<html>Bad gateway</html>");
    expect(error.detail).toBeUndefined();
  });
});
