import { beforeEach, describe, expect, it } from "vitest";
import { ApiError, createClient, type ChoreHubApi } from "../../src/api";
import { fakeFetch, type FakeFetch } from "./fakeFetch";

const BASE = "http://chorehub.test";

let server: FakeFetch;
let api: ChoreHubApi;

beforeEach(() => {
  server = fakeFetch();
  api = createClient({ baseUrl: BASE, token: "t0ken", fetch: server.fetch });
});

describe("households", () => {
  it.each([
    ["getHousehold", () => api.getHousehold(), "GET", "/api/household/", undefined],
    [
      "updateHousehold",
      () => api.updateHousehold({ time_zone: "Europe/Paris", auto_approve_claims: true }),
      "PATCH",
      "/api/household/",
      { time_zone: "Europe/Paris", auto_approve_claims: true },
    ],
    [
      "createInvitation",
      () => api.createInvitation({ role: "viewer", expires_in_days: 3 }),
      "POST",
      "/api/household/invitations/",
      { role: "viewer", expires_in_days: 3 },
    ],
    ["joinHousehold", () => api.joinHousehold("ABCD"), "POST", "/api/household/join/", { code: "ABCD" }],
    [
      "transferOwnership",
      () => api.transferOwnership(12),
      "POST",
      "/api/household/transfer/",
      { user_id: 12 },
    ],
    ["leaveHousehold", () => api.leaveHousehold(), "POST", "/api/household/leave/", undefined],
    ["removeMember", () => api.removeMember(12), "DELETE", "/api/household/members/12/", undefined],
  ] as const)("%s sends %s %s with its typed body", async (_name, call, method, path, body) => {
    await call();
    const sent = server.only();
    expect([sent.method, sent.url, sent.body]).toEqual([method, `${BASE}${path}`, body]);
    expect(sent.headers.Authorization).toBe("Token t0ken");
  });

  it("returns the household an invitation's code joined", async () => {
    const household = { id: 3, name: "Family", time_zone: "UTC", role: "guardian", members: [] };
    server.answer(200, household);
    await expect(api.joinHousehold("ABCD")).resolves.toEqual(household);
  });

  it("returns nothing when a member leaves or is removed (204)", async () => {
    server.answer(204);
    server.answer(204);
    await expect(api.leaveHousehold()).resolves.toBeUndefined();
    await expect(api.removeMember(4)).resolves.toBeUndefined();
  });

  it("sends an Idempotency-Key with an invitation", async () => {
    await api.createInvitation({ role: "guardian" }, { idempotencyKey: "invite-1" });
    expect(server.only().headers["Idempotency-Key"]).toBe("invite-1");
  });

  it("throws a 409 when the owner tries to leave", async () => {
    server.answer(409, { detail: "Transfer ownership first." });
    const error = await api.leaveHousehold().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect([(error as ApiError).status, (error as ApiError).detail]).toEqual([
      409,
      "Transfer ownership first.",
    ]);
  });
});

describe("claims", () => {
  it("lists claims filtered by status and child", async () => {
    server.answer(200, { count: 0, next: null, previous: null, results: [] });
    await api.listClaims({ status: "pending", childId: 4, limit: 10, offset: 20 });
    expect(server.only().url).toBe(
      `${BASE}/api/claims/?status=pending&child_id=4&limit=10&offset=20`,
    );
  });

  it.each([
    ["getClaim", () => api.getClaim(7), "GET", "/api/claims/7/"],
    ["approveClaim", () => api.approveClaim(7), "POST", "/api/claims/7/approve/"],
    ["rejectClaim", () => api.rejectClaim(7), "POST", "/api/claims/7/reject/"],
  ] as const)("%s sends %s %s with no body", async (_name, call, method, path) => {
    await call();
    const sent = server.only();
    expect([sent.method, sent.url, sent.body]).toEqual([method, `${BASE}${path}`, undefined]);
  });

  it("approves with an Idempotency-Key, so that a retried click cannot pay twice", async () => {
    await api.approveClaim(7, { idempotencyKey: "approve-7" });
    expect(server.only().headers["Idempotency-Key"]).toBe("approve-7");
  });

  it("returns the claim, the child and the event of an approval", async () => {
    const decision = {
      claim: { id: 7, status: "approved", points: 10 },
      child: { id: 4, points: 10, available_points: 10 },
      tracking_event: { id: 31, action: "activated", delta: 10 },
    };
    server.answer(200, decision);
    await expect(api.approveClaim(7)).resolves.toEqual(decision);
  });

  it("throws the 409 of a claim already decided (a stale notification)", async () => {
    server.answer(409, { detail: "Claim 7 is approved, not pending: it was already decided." });
    const error = (await api.rejectClaim(7).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.status).toBe(409);
    expect(error.detail).toContain("already decided");
  });
});
