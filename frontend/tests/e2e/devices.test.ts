// Kid mode against a real server: a guardian pairs a tablet, the tablet claims a chore and asks for
// a reward with its own credential, the guardian approves, the points move, and the tablet hears it.
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ApiError, createClient, pinRefusalOf, type ChoreHubApi } from "../../src/api";
import type { Child, KidChild, Reward, Task } from "../../src/models";
import { baseUrl, Inbox } from "./inbox";

let anonymous: ChoreHubApi;
let guardian: ChoreHubApi;
const inboxes: Inbox[] = [];

/** A child with one chore worth 12 and one reward costing 5, both assigned. */
interface Family {
  child: Child;
  chore: Task;
  reward: Reward;
}

async function family(name: string): Promise<Family> {
  const child = await guardian.createChild({ name });
  const chore = await guardian.createTask({ name: `${name}'s bed`, points: 12 });
  const reward = await guardian.createReward({ name: `${name}'s ice cream`, cost: 5 });
  await guardian.assignTasks(child.id, [chore.id]);
  await guardian.assignRewards(child.id, [reward.id]);
  return { child, chore, reward };
}

/** Pair a tablet for these children, as a guardian then the tablet would. */
async function pairTablet(
  ...children: Child[]
): Promise<{ tablet: ChoreHubApi; credential: string; deviceId: number }> {
  const code = await guardian.createPairingCode({
    name: "Kitchen tablet",
    child_ids: children.map((child) => child.id),
  });
  const paired = await anonymous.pairDevice(code.code.toLowerCase());
  return {
    tablet: createClient({ baseUrl, deviceCredential: paired.credential }),
    credential: paired.credential,
    deviceId: paired.device.id,
  };
}

function kidChild(home: { children: KidChild[] }, childId: number): KidChild {
  const found = home.children.find((child) => child.id === childId);
  if (!found) throw new Error(`child ${childId} is not on this device`);
  return found;
}

async function failure(call: Promise<unknown>): Promise<ApiError> {
  const error = await call.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

beforeAll(async () => {
  if (!baseUrl) throw new Error("set CHOREHUB_BASE_URL to a running ChoreHub server");
  anonymous = createClient({ baseUrl });
  const username = `kid-${Date.now()}-${Math.floor(Math.random() * 1e6)}`;
  const registered = await anonymous.register({ username, password: "correct-horse-battery-9" });
  guardian = createClient({ baseUrl, token: registered.token });
});

afterEach(() => {
  for (const inbox of inboxes.splice(0)) inbox.subscription.close();
});

describe("kid mode against the real server", () => {
  it("pairs a tablet that claims a chore; the guardian approves once and the points move", async () => {
    const { child, chore } = await family("Ada");
    const { tablet, credential, deviceId } = await pairTablet(child);

    const home = await tablet.getDevice();
    expect(home.id).toBe(deviceId);
    expect(home.name).toBe("Kitchen tablet");
    expect(kidChild(home, child.id)).toMatchObject({
      name: "Ada",
      points: 0,
      available_points: 0,
      has_pin: false,
      locked_until: null,
      chores: [{ id: chore.id, name: "Ada's bed", points: 12 }],
      pending_requests: [],
      claims: [],
    });
    const devices = await guardian.listDevices();
    expect(devices.results.find((device) => device.id === deviceId)).toMatchObject({
      name: "Kitchen tablet",
      child_ids: [child.id],
      token_prefix: credential.slice(0, 8),
      revoked_at: null,
    });

    const stream = new Inbox(`Device ${credential}`);
    inboxes.push(stream);
    await stream.opened;

    const claimed = await tablet.claimChore(child.id, chore.id, { idempotencyKey: `tap-${child.id}` });
    expect(claimed.claim).toMatchObject({ status: "pending", task_id: chore.id, device_id: deviceId });
    expect(claimed.tracking_event).toMatchObject({ action: "requested", delta: 0 });
    expect(claimed.tracking_event?.metadata).toMatchObject({ actor: "child", device_id: deviceId });
    expect((await stream.next("task_claimed")).claim_id).toBe(claimed.claim.id);

    const pending = await guardian.listClaims({ status: "pending", childId: child.id });
    expect(pending.results.map((claim) => claim.id)).toEqual([claimed.claim.id]);
    expect((await guardian.getClaim(claimed.claim.id)).points).toBe(12);

    const approved = await guardian.approveClaim(claimed.claim.id);
    expect(approved.claim.status).toBe("approved");
    expect(approved.child.points).toBe(12);
    expect(approved.tracking_event?.metadata).toMatchObject({ claim_id: claimed.claim.id });
    const heard = await stream.next("task_activated");
    expect([heard.child.id, heard.child.points, heard.claim_id]).toEqual([child.id, 12, claimed.claim.id]);

    const after = kidChild(await tablet.getDevice(), child.id);
    expect([after.points, after.available_points]).toEqual([12, 12]);
    expect(after.claims.map((claim) => [claim.id, claim.status])).toEqual([[claimed.claim.id, "approved"]]);

    // A stale notification: deciding it again is a 409 and changes nothing.
    expect((await failure(guardian.approveClaim(claimed.claim.id))).status).toBe(409);
    expect((await failure(guardian.rejectClaim(claimed.claim.id))).status).toBe(409);
    expect((await guardian.getChild(child.id)).points).toBe(12);
  });

  it("rejects a claim: no points move, and the tablet hears claim_rejected", async () => {
    const { child, chore } = await family("Bo");
    const { tablet, credential } = await pairTablet(child);
    const stream = new Inbox(`Device ${credential}`);
    inboxes.push(stream);
    await stream.opened;

    const claimed = await tablet.claimChore(child.id, chore.id);
    expect((await failure(tablet.claimChore(child.id, chore.id))).status).toBe(409);
    const rejected = await guardian.rejectClaim(claimed.claim.id);
    expect([rejected.claim.status, rejected.child.points]).toEqual(["rejected", 0]);
    expect((await stream.next("claim_rejected")).claim_id).toBe(claimed.claim.id);
  });

  it("asks for a reward (its cost is held) and cancels its own request", async () => {
    const { child, reward } = await family("Cy");
    await guardian.adjustPoints(child.id, { points: 8, reason: "pocket money" });
    const { tablet } = await pairTablet(child);

    const asked = await tablet.requestRewardAsDevice(child.id, reward.id);
    expect([asked.request.status, asked.request.cost]).toEqual(["pending", 5]);
    expect([asked.child.points, asked.child.available_points]).toEqual([8, 3]);
    const holding = kidChild(await tablet.getDevice(), child.id);
    expect(holding.pending_requests.map((request) => [request.id, request.cost])).toEqual([
      [asked.request.id, 5],
    ]);
    expect(holding.available_points).toBe(3);
    // 5 more than the 3 available: refused, and nothing more is held.
    expect((await failure(tablet.requestRewardAsDevice(child.id, reward.id))).status).toBe(409);

    const cancelled = await tablet.cancelOwnRequest(asked.request.id);
    expect(cancelled.request.status).toBe("cancelled");
    expect(cancelled.child.available_points).toBe(8);
    expect(cancelled.tracking_event?.metadata.actor).toBe("child");
    expect((await failure(tablet.cancelOwnRequest(asked.request.id))).status).toBe(409);

    // A guardian's request on the child's behalf is not the tablet's to cancel.
    const theirs = await guardian.requestReward(child.id, reward.id);
    expect((await failure(tablet.cancelOwnRequest(theirs.request.id))).status).toBe(404);
  });

  it("needs the child's PIN once a guardian sets one", async () => {
    const { child, chore } = await family("Di");
    const { tablet, deviceId } = await pairTablet(child);
    expect(await guardian.setChildPin(deviceId, child.id, "4821")).toEqual({
      device_id: deviceId,
      child_id: child.id,
      has_pin: true,
    });
    expect(kidChild(await tablet.getDevice(), child.id).has_pin).toBe(true);

    const missing = await failure(tablet.claimChore(child.id, chore.id));
    expect([missing.status, pinRefusalOf(missing)?.code]).toEqual([403, "pin_required"]);
    const wrong = await failure(tablet.claimChore(child.id, chore.id, { pin: "0000" }));
    expect([wrong.status, pinRefusalOf(wrong)?.code]).toEqual([403, "wrong_pin"]);
    const claimed = await tablet.claimChore(child.id, chore.id, { pin: "4821" });
    expect(claimed.claim.status).toBe("pending");

    await guardian.clearChildPin(deviceId, child.id);
    expect(kidChild(await tablet.getDevice(), child.id).has_pin).toBe(false);
  });

  it("refuses a device everything but its own routes (403), and a guardian the device's", async () => {
    const { child } = await family("Ed");
    const { tablet } = await pairTablet(child);

    const guardianRoutes = [
      () => tablet.listChildren(),
      () => tablet.getChild(child.id),
      () => tablet.listClaims(),
      () => tablet.adjustPoints(child.id, { points: 100, reason: "I wish" }),
      () => tablet.getHousehold(),
      () => tablet.listDevices(),
    ];
    for (const call of guardianRoutes) expect((await failure(call())).status).toBe(403);
    expect((await failure(guardian.getDevice())).status).toBe(403);
    expect((await failure(anonymous.getDevice())).status).toBe(401);
    expect((await guardian.getChild(child.id)).points).toBe(0);
  });

  it("a device sees only its own children; another child of the household is a 404", async () => {
    const { child } = await family("Flo");
    const other = await family("Gus");
    const { tablet } = await pairTablet(child);

    expect((await tablet.getDevice()).children.map((kid) => kid.id)).toEqual([child.id]);
    expect((await failure(tablet.claimChore(other.child.id, other.chore.id))).status).toBe(404);
  });

  it("revoking a device ends its access: 401 after", async () => {
    const { child } = await family("Hal");
    const { tablet, deviceId } = await pairTablet(child);
    await tablet.getDevice();

    const revoked = await guardian.revokeDevice(deviceId);
    expect(revoked.revoked_at).not.toBeNull();
    expect((await guardian.getPairedDevice(deviceId)).revoked_at).toBe(revoked.revoked_at);
    expect((await failure(tablet.getDevice())).status).toBe(401);
  });

  it("a pairing code pairs one device only", async () => {
    const { child } = await family("Ivy");
    const code = await guardian.createPairingCode({ name: "Car tablet", child_ids: [child.id] });
    await anonymous.pairDevice(code.code);
    const again = await failure(anonymous.pairDevice(code.code));
    expect(again.status).toBe(400);
    expect(again.messagesFor("code")).not.toEqual([]);
  });
});
