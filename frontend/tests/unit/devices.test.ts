import { beforeEach, describe, expect, it } from "vitest";
import { ApiError, createClient, pinRefusalOf, type ChoreHubApi } from "../../src/api";
import { fakeFetch, type FakeFetch } from "./fakeFetch";

const BASE = "http://chorehub.test";

let server: FakeFetch;
let guardian: ChoreHubApi;
let tablet: ChoreHubApi;

beforeEach(() => {
  server = fakeFetch();
  guardian = createClient({ baseUrl: BASE, token: "t0ken", fetch: server.fetch });
  tablet = createClient({ baseUrl: BASE, deviceCredential: "cr3d", fetch: server.fetch });
});

describe("a guardian's devices", () => {
  it.each([
    [
      "createPairingCode",
      () => guardian.createPairingCode({ name: "Kitchen tablet", child_ids: [1, 2] }),
      "POST",
      "/api/devices/pairing-codes/",
      { name: "Kitchen tablet", child_ids: [1, 2] },
    ],
    ["listDevices", () => guardian.listDevices({ limit: 5 }), "GET", "/api/devices/?limit=5", undefined],
    ["getPairedDevice", () => guardian.getPairedDevice(3), "GET", "/api/devices/3/", undefined],
    ["revokeDevice", () => guardian.revokeDevice(3), "POST", "/api/devices/3/revoke/", undefined],
    [
      "setChildPin",
      () => guardian.setChildPin(3, 9, "0420"),
      "PUT",
      "/api/devices/3/children/9/pin/",
      { pin: "0420" },
    ],
    ["clearChildPin", () => guardian.clearChildPin(3, 9), "DELETE", "/api/devices/3/children/9/pin/", undefined],
  ] as const)("%s sends %s %s", async (_name, call, method, path, body) => {
    await call();
    const sent = server.only();
    expect([sent.method, sent.url, sent.body]).toEqual([method, `${BASE}${path}`, body]);
    expect(sent.headers.Authorization).toBe("Token t0ken");
  });

  it("pairs a device with a code and no credential of its own", async () => {
    const paired = { device: { id: 3, name: "Kitchen tablet" }, credential: "cr3d" };
    server.answer(201, paired);
    const anonymous = createClient({ baseUrl: BASE, fetch: server.fetch });
    await expect(anonymous.pairDevice("ACDE-FGHJ")).resolves.toEqual(paired);
    const sent = server.only();
    expect([sent.method, sent.url, sent.body]).toEqual([
      "POST",
      `${BASE}/api/devices/pair/`,
      { code: "ACDE-FGHJ" },
    ]);
    expect(sent.headers.Authorization).toBeUndefined();
  });

  it("throws the 400 of a used or expired code on `code`", async () => {
    server.answer(400, { code: ["This pairing code is unknown, used or expired."] });
    const error = (await tablet.pairDevice("NOPE").catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.messagesFor("code")).toEqual(["This pairing code is unknown, used or expired."]);
  });
});

describe("a paired device", () => {
  it("authenticates every request with `Authorization: Device <credential>`", async () => {
    await tablet.getDevice();
    await tablet.claimChore(1, 2);
    for (const sent of server.sent) expect(sent.headers.Authorization).toBe("Device cr3d");
  });

  it("refuses to be a token and a device at once", () => {
    expect(() => createClient({ token: "t", deviceCredential: "d", fetch: server.fetch })).toThrow(
      /not both/,
    );
  });

  it.each([
    ["getDevice", () => tablet.getDevice(), "GET", "/api/device/", undefined],
    ["claimChore", () => tablet.claimChore(1, 2), "POST", "/api/device/children/1/claims/", { task_id: 2 }],
    [
      "claimChore with a PIN",
      () => tablet.claimChore(1, 2, { pin: "1234" }),
      "POST",
      "/api/device/children/1/claims/",
      { task_id: 2, pin: "1234" },
    ],
    [
      "requestRewardAsDevice",
      () => tablet.requestRewardAsDevice(1, 3),
      "POST",
      "/api/device/children/1/reward-requests/",
      { reward_id: 3 },
    ],
    [
      "requestRewardAsDevice with a PIN",
      () => tablet.requestRewardAsDevice(1, 3, { pin: "1234" }),
      "POST",
      "/api/device/children/1/reward-requests/",
      { reward_id: 3, pin: "1234" },
    ],
    ["cancelOwnRequest", () => tablet.cancelOwnRequest(5), "POST", "/api/device/reward-requests/5/cancel/", {}],
    [
      "cancelOwnRequest with a PIN",
      () => tablet.cancelOwnRequest(5, { pin: "1234" }),
      "POST",
      "/api/device/reward-requests/5/cancel/",
      { pin: "1234" },
    ],
  ] as const)("%s sends %s %s", async (_name, call, method, path, body) => {
    await call();
    const sent = server.only();
    expect([sent.method, sent.url, sent.body]).toEqual([method, `${BASE}${path}`, body]);
  });

  it("sends an Idempotency-Key with a claim, so that a retried tap claims once", async () => {
    await tablet.claimChore(1, 2, { pin: "1234", idempotencyKey: "tap-1" });
    const sent = server.only();
    expect(sent.headers["Idempotency-Key"]).toBe("tap-1");
    expect(sent.body).toEqual({ task_id: 2, pin: "1234" });
  });

  it("throws a PIN refusal with its code", async () => {
    server.answer(403, { detail: "Wrong PIN.", code: "wrong_pin" });
    const error = (await tablet.claimChore(1, 2, { pin: "0000" }).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect([error.status, error.detail]).toEqual([403, "Wrong PIN."]);
    expect(error.body).toEqual({ detail: "Wrong PIN.", code: "wrong_pin" });
  });

  it("throws the 429 of a locked child", async () => {
    const body = { detail: "Too many wrong PINs.", code: "pin_locked", locked_until: "2026-02-09T18:42:45Z" };
    server.answer(429, body);
    const error = (await tablet.requestRewardAsDevice(1, 3, { pin: "0000" }).catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(429);
    expect(error.body).toEqual(body);
  });
});

describe("pinRefusalOf", () => {
  async function failure(status: number, body: unknown): Promise<unknown> {
    server.answer(status, body);
    return tablet.claimChore(1, 2).catch((e: unknown) => e);
  }

  it("finds the code of a PIN refusal", async () => {
    const locked = { detail: "Locked.", code: "pin_locked", locked_until: "2026-02-09T18:42:45Z" };
    expect(pinRefusalOf(await failure(403, { detail: "PIN?", code: "pin_required" }))).toEqual({
      detail: "PIN?",
      code: "pin_required",
    });
    expect(pinRefusalOf(await failure(429, locked))).toEqual(locked);
  });

  it("is undefined for any other error", async () => {
    expect(pinRefusalOf(await failure(403, { detail: "Accounts only." }))).toBeUndefined();
    expect(pinRefusalOf(await failure(409, { detail: "x", code: "wrong_pin" }))).toBeUndefined();
    expect(pinRefusalOf(await failure(429, { detail: "Slow down." }))).toBeUndefined();
    expect(pinRefusalOf(new Error("offline"))).toBeUndefined();
  });
});
