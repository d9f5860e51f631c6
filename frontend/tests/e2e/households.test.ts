// Households against a real server: an owner invites a guardian, who joins, gets ownership, and
// the former owner leaves; an owner removes a member.
import { beforeAll, describe, expect, it } from "vitest";
import { ApiError, createClient, type ChoreHubApi } from "../../src/api";
import { baseUrl } from "./inbox";

let anonymous: ChoreHubApi;

async function newAccount(prefix: string): Promise<{ api: ChoreHubApi; username: string }> {
  const username = `${prefix}-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const registered = await anonymous.register({ username, password: "correct-horse-battery-9" });
  return { api: createClient({ baseUrl, token: registered.token }), username };
}

async function failure(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

beforeAll(() => {
  if (!baseUrl) throw new Error("set CHOREHUB_BASE_URL to a running ChoreHub server");
  anonymous = createClient({ baseUrl });
});

describe("households against the real server", () => {
  it("invites a guardian who joins, takes ownership, and the former owner leaves", async () => {
    const owner = await newAccount("owner");
    const household = await owner.api.updateHousehold({ name: "The Lovelaces", time_zone: "Europe/London" });
    expect([household.name, household.time_zone, household.role]).toEqual([
      "The Lovelaces",
      "Europe/London",
      "owner",
    ]);
    const child = await owner.api.createChild({ name: "Ada" });

    const invitation = await owner.api.createInvitation({ role: "guardian" });
    expect(invitation.role).toBe("guardian");
    const second = await newAccount("guardian");
    const joined = await second.api.joinHousehold(invitation.code);
    expect([joined.id, joined.role]).toEqual([household.id, "guardian"]);
    expect((await second.api.getChild(child.id)).name).toBe("Ada");
    // Single use.
    const third = await newAccount("late");
    expect((await failure(third.api.joinHousehold(invitation.code))).status).toBe(400);

    // A guardian manages children, not members.
    expect((await failure(second.api.createInvitation({ role: "viewer" }))).status).toBe(403);
    // The owner cannot leave before handing over.
    expect((await failure(owner.api.leaveHousehold())).status).toBe(409);

    const me = await second.api.me();
    const transferred = await owner.api.transferOwnership(me.id);
    expect(transferred.role).toBe("guardian");
    expect((await second.api.getHousehold()).role).toBe("owner");
    await expect(owner.api.leaveHousehold()).resolves.toBeUndefined();
    expect((await failure(owner.api.getChild(child.id))).status).toBe(404);
    const members = (await second.api.getHousehold()).members.map((member) => member.username);
    expect(members).toEqual([second.username]);
  });

  it("removes a viewer, who loses access at once", async () => {
    const owner = await newAccount("owner");
    const child = await owner.api.createChild({ name: "Bo" });
    const invitation = await owner.api.createInvitation({ role: "viewer", expires_in_days: 1 });
    const viewer = await newAccount("viewer");
    await viewer.api.joinHousehold(invitation.code);
    expect((await viewer.api.getChild(child.id)).name).toBe("Bo");
    expect((await failure(viewer.api.createChild({ name: "Nope" }))).status).toBe(403);

    const { id } = await viewer.api.me();
    await expect(owner.api.removeMember(id)).resolves.toBeUndefined();
    expect((await failure(viewer.api.getChild(child.id))).status).toBe(404);
    expect((await failure(owner.api.removeMember(id))).status).toBe(404);
  });
});
