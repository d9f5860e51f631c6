// A typed client for ChoreHub's REST API: one method per operation, so that nobody hand-writes a
// URL, a query string or a body. Paths, bodies and results come from the generated schema types;
// a backend change that breaks a caller breaks `tsc`, not the user.
import { ApiError } from "./apiError";
import type { operations, paths } from "./generated/schema";
import type {
  AdjustPointsInput,
  CancelledResult,
  Child,
  ChildActionResult,
  ChildInput,
  ChildPatch,
  Claim,
  ClaimDecision,
  ClaimStatus,
  Device,
  DirectRedeemResult,
  EntityType,
  Household,
  HouseholdPatch,
  Invitation,
  InvitationInput,
  KidClaimed,
  KidHome,
  KidRequestResult,
  Paginated,
  Paired,
  PairingCode,
  PairingCodeInput,
  PinSet,
  RedeemedResult,
  RegisterInput,
  Registered,
  RequestCreatedResult,
  Reward,
  RewardInput,
  RewardRequest,
  RewardRequestStatus,
  ReverseEventInput,
  Task,
  TaskInput,
  TrackingAction,
  TrackingEvent,
  User,
} from "./models";

export { ApiError, pinRefusalOf, type FieldErrors } from "./apiError";

// --- Types taken from the generated schema ----------------------------------------------------

type Method = "get" | "post" | "put" | "patch" | "delete";
/** The operation behind a path and method of the schema. */
type OperationAt<P extends keyof paths, M extends Method> = NonNullable<paths[P][M]>;
type JsonOf<R> = R extends { content: { "application/json": infer T } } ? T : void;
/** What an operation answers on success (200, else 201; nothing for a 204). */
type SuccessOf<Op> = Op extends { responses: infer R }
  ? 200 extends keyof R
    ? JsonOf<R[200]>
    : 201 extends keyof R
      ? JsonOf<R[201]>
      : void
  : never;
/** The JSON body an operation accepts (`undefined` where it takes none). */
type BodyOf<Op> = Op extends { requestBody: { content: { "application/json": infer B } } }
  ? B
  : Op extends { requestBody?: { content: { "application/json": infer B } } }
    ? B | undefined
    : undefined;
/** Its path parameters, as numbers or strings. */
type PathOf<Op> = Op extends { parameters: { path: infer Params } }
  ? { [Name in keyof Params]: number | string }
  : undefined;
/** Its query parameters; date-times may be Dates. */
type QueryOf<Op> = Op extends { parameters: { query?: infer Query } }
  ? { [Name in keyof NonNullable<Query>]?: NonNullable<Query>[Name] | Date | null }
  : never;
type Operation = keyof operations;
type OperationQuery<Op extends Operation> = NonNullable<operations[Op]["parameters"]["query"]>;
type OperationBody<Op extends Operation> = NonNullable<BodyOf<operations[Op]>>;

/** Options of what a paired device does for a child: its `pin` on this device, when it has one. */
export interface DeviceActionOptions extends MutationOptions {
  pin?: string;
}

/** A device action's body, with the child's PIN when one is given. */
function withPin<Body extends object>(body: Body, pin: string | undefined): Body & { pin?: string } {
  return pin === undefined ? body : { ...body, pin };
}

/** Pagination of every list. */
export interface PageOptions {
  limit?: number;
  offset?: number;
}

type ChildTrackingQuery = OperationQuery<"children_tracking_list">;

/** Filters of a tracking list. `start` is inclusive, `end` exclusive; a Date is sent in UTC. */
export interface TrackingFilters extends PageOptions {
  entityType?: NonNullable<ChildTrackingQuery["entity_type"]> & EntityType;
  action?: NonNullable<ChildTrackingQuery["action"]> & TrackingAction;
  start?: Date | string;
  end?: Date | string;
}

type AdminTrackingQuery = OperationQuery<"admin_tracking_list">;

/** Filters of the administrator's list: every user's events. */
export interface AdminTrackingFilters extends TrackingFilters {
  childId?: AdminTrackingQuery["child_id"];
  userId?: AdminTrackingQuery["user_id"];
}

export interface ClaimFilters extends PageOptions {
  status?: NonNullable<OperationQuery<"claims_list">["status"]> & ClaimStatus;
  childId?: number;
}

export interface RewardRequestFilters extends PageOptions {
  status?: NonNullable<OperationQuery<"reward_requests_list">["status"]> & RewardRequestStatus;
  childId?: number;
}

/** Options of every call. */
export interface CallOptions {
  signal?: AbortSignal;
}

/** The header the schema documents on every POST. */
const IDEMPOTENCY_HEADER = "Idempotency-Key" satisfies keyof NonNullable<
  operations["children_activate_create"]["parameters"]["header"]
>;

/** Options of every call that changes something. */
export interface MutationOptions extends CallOptions {
  /** Sent as `Idempotency-Key` (the server honours it on POSTs): a retry with the same key and body
   * returns the first response and changes nothing; the same key with another body is a 422, and
   * a retry while the first is still running a 409. One key per user intent (one click), reused
   * for each retry of it. */
  idempotencyKey?: string;
}

export interface ClientOptions {
  /** Where the API is: `""` (default) for the page's own origin, or e.g. `http://127.0.0.1:8000`. */
  baseUrl?: string;
  /** Token auth, `Authorization: Token <key>` (scripts, apps, Node). */
  token?: string;
  /** A paired device's credential (from `pairDevice`), sent as `Authorization: Device
   * <credential>`: the client then acts as that device (the kid page). Not with `token`. */
  deviceCredential?: string;
  /** Session auth (the browser's cookie): the CSRF token Django gave the page, sent as
   * `X-CSRFToken` on every request that changes something. */
  csrfToken?: string;
  /** Cookies for session auth: `same-origin` by default, `include` for another origin. */
  credentials?: RequestCredentials;
  /** The fetch to use (tests pass a fake one); the global fetch by default. */
  fetch?: typeof fetch;
}

// --- Building requests -------------------------------------------------------------------------

type QueryValue = string | number | boolean | Date | null | undefined;

/** A query string from the given values, in order, leaving out `undefined` and `null`;
 * Dates in UTC ISO 8601. Empty when there is nothing to send. */
export function queryString(params: Record<string, QueryValue>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null) continue;
    search.append(name, value instanceof Date ? value.toISOString() : String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : "";
}

/** A path of the schema with its `{placeholders}` filled in. */
function fillPath(template: string, values: Record<string, number | string> = {}): string {
  return template.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`missing ${name} for ${template}`);
    return encodeURIComponent(String(value));
  });
}

function trackingQuery(filters: TrackingFilters) {
  return {
    entity_type: filters.entityType,
    action: filters.action,
    start: filters.start,
    end: filters.end,
    limit: filters.limit,
    offset: filters.offset,
  };
}

/** The arguments of one operation, typed from the schema. */
type CallArgs<Op> = (PathOf<Op> extends undefined ? { path?: undefined } : { path: PathOf<Op> }) &
  (undefined extends BodyOf<Op> ? { body?: BodyOf<Op> } : { body: BodyOf<Op> }) & {
    query?: QueryOf<Op>;
    options?: MutationOptions;
  };

// --- The client -----------------------------------------------------------------------------

/** ChoreHub's API for one principal: a signed-in member of a household (an administrator too, for
 * `listAdminTracking`), or a paired device (`deviceCredential`: the device routes only; any other
 * route answers it 403). */
export class ChoreHubApi {
  readonly baseUrl: string;
  private readonly authorization?: string;
  private readonly csrfToken?: string;
  private readonly credentials: RequestCredentials;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ClientOptions = {}) {
    this.baseUrl = (options.baseUrl ?? "").replace(/\/+$/, "");
    if (options.token && options.deviceCredential) {
      throw new Error("pass token or deviceCredential, not both: a client is one principal");
    }
    if (options.token) this.authorization = `Token ${options.token}`;
    else if (options.deviceCredential) this.authorization = `Device ${options.deviceCredential}`;
    this.csrfToken = options.csrfToken;
    this.credentials = options.credentials ?? "same-origin";
    if (!options.fetch && typeof globalThis.fetch !== "function") {
      throw new Error("no fetch here: pass options.fetch");
    }
    // Browsers refuse `fetch` called as another object's method ("Illegal invocation").
    this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  }

  // Accounts

  /** Create a parent account; answers with its token. Needs no credentials. */
  register(input: RegisterInput, options?: MutationOptions): Promise<Registered> {
    return this.call("post", "/api/auth/register/", { body: input, options });
  }

  /** Exchange a username and password for a token. */
  obtainToken(
    input: OperationBody<"auth_token_create">,
    options?: MutationOptions,
  ): Promise<{ token: string }> {
    return this.call("post", "/api/auth/token/", { body: input, options });
  }

  me(options?: CallOptions): Promise<User> {
    return this.call("get", "/api/auth/me/", { options });
  }

  // Households: the caller's household, its members and invitations

  /** The caller's household, with the caller's `role` and the members (404 in none). */
  getHousehold(options?: CallOptions): Promise<Household> {
    return this.call("get", "/api/household/", { options });
  }

  /** Owner: rename the household, change its time zone or whether claims approve themselves. */
  updateHousehold(patch: HouseholdPatch, options?: MutationOptions): Promise<Household> {
    return this.call("patch", "/api/household/", { body: patch, options });
  }

  /** Owner: invite a guardian or a viewer. The code is in this answer only; single use, it
   * expires after `expires_in_days` (7 by default). */
  createInvitation(input: InvitationInput, options?: MutationOptions): Promise<Invitation> {
    return this.call("post", "/api/household/invitations/", { body: input, options });
  }

  /** Join a household with an invitation's code; answers with the household joined. */
  joinHousehold(code: string, options?: MutationOptions): Promise<Household> {
    return this.call("post", "/api/household/join/", { body: { code }, options });
  }

  /** Owner: make another member the owner (the caller becomes a guardian). */
  transferOwnership(userId: number, options?: MutationOptions): Promise<Household> {
    return this.call("post", "/api/household/transfer/", { body: { user_id: userId }, options });
  }

  /** Leave the household (an owner transfers ownership first). */
  leaveHousehold(options?: MutationOptions): Promise<void> {
    return this.call("post", "/api/household/leave/", { options });
  }

  /** Owner: remove a member; their access ends at once. */
  removeMember(userId: number, options?: MutationOptions): Promise<void> {
    return this.call("delete", "/api/household/members/{user_id}/", {
      path: { user_id: userId },
      options,
    });
  }

  // Children

  listChildren(page: PageOptions = {}, options?: CallOptions): Promise<Paginated<Child>> {
    return this.call("get", "/api/children/", { query: page, options });
  }

  getChild(childId: number, options?: CallOptions): Promise<Child> {
    return this.call("get", "/api/children/{id}/", { path: { id: childId }, options });
  }

  createChild(input: ChildInput, options?: MutationOptions): Promise<Child> {
    return this.call("post", "/api/children/", { body: input, options });
  }

  updateChild(childId: number, patch: ChildPatch, options?: MutationOptions): Promise<Child> {
    return this.call("patch", "/api/children/{id}/", {
      path: { id: childId },
      body: patch,
      options,
    });
  }

  deleteChild(childId: number, options?: MutationOptions): Promise<void> {
    return this.call("delete", "/api/children/{id}/", { path: { id: childId }, options });
  }

  /** Replace the chores and penalties assigned to a child. */
  assignTasks(
    childId: number,
    taskIds: number[],
    options?: MutationOptions,
  ): Promise<{ task_ids: number[] }> {
    return this.call("put", "/api/children/{id}/tasks/", {
      path: { id: childId },
      body: { task_ids: taskIds },
      options,
    });
  }

  /** Replace the rewards assigned to a child. */
  assignRewards(
    childId: number,
    rewardIds: number[],
    options?: MutationOptions,
  ): Promise<{ reward_ids: number[] }> {
    return this.call("put", "/api/children/{id}/rewards/", {
      path: { id: childId },
      body: { reward_ids: rewardIds },
      options,
    });
  }

  // Tasks and rewards

  listTasks(page: PageOptions = {}, options?: CallOptions): Promise<Paginated<Task>> {
    return this.call("get", "/api/tasks/", { query: page, options });
  }

  createTask(input: TaskInput, options?: MutationOptions): Promise<Task> {
    return this.call("post", "/api/tasks/", { body: input, options });
  }

  listRewards(page: PageOptions = {}, options?: CallOptions): Promise<Paginated<Reward>> {
    return this.call("get", "/api/rewards/", { query: page, options });
  }

  createReward(input: RewardInput, options?: MutationOptions): Promise<Reward> {
    return this.call("post", "/api/rewards/", { body: input, options });
  }

  // Points: tasks, penalties, rewards, corrections

  /** Activate an assigned chore (adds its points) or penalty (takes them, floored at 0). */
  activateTask(
    childId: number,
    taskId: number,
    options?: MutationOptions,
  ): Promise<ChildActionResult> {
    return this.call("post", "/api/children/{id}/activate/", {
      path: { id: childId },
      body: { task_id: taskId },
      options,
    });
  }

  /** Ask for an assigned reward on the child's behalf, as a guardian (a child asks from its paired
   * device: `requestRewardAsDevice`). Its cost is held until the request is decided (409 when it
   * exceeds the child's `available_points`). */
  requestReward(
    childId: number,
    rewardId: number,
    options?: MutationOptions,
  ): Promise<RequestCreatedResult> {
    return this.call("post", "/api/children/{id}/reward-requests/", {
      path: { id: childId },
      body: { reward_id: rewardId },
      options,
    });
  }

  /** Redeem a reward for a child directly, with no request. */
  redeemReward(
    childId: number,
    rewardId: number,
    options?: MutationOptions,
  ): Promise<DirectRedeemResult> {
    return this.call("post", "/api/children/{id}/redeem/", {
      path: { id: childId },
      body: { reward_id: rewardId },
      options,
    });
  }

  listRewardRequests(
    filters: RewardRequestFilters = {},
    options?: CallOptions,
  ): Promise<Paginated<RewardRequest>> {
    return this.call("get", "/api/reward-requests/", {
      query: {
        status: filters.status,
        child_id: filters.childId,
        limit: filters.limit,
        offset: filters.offset,
      },
      options,
    });
  }

  /** Redeem a pending request: the child's points go down by the cost (409 if too few now). */
  redeemRequest(requestId: number, options?: MutationOptions): Promise<RedeemedResult> {
    return this.call("post", "/api/reward-requests/{id}/redeem/", {
      path: { id: requestId },
      options,
    });
  }

  /** Cancel a pending request, as a guardian (its hold on the child's points is released). */
  cancelRequest(requestId: number, options?: MutationOptions): Promise<CancelledResult> {
    return this.call("post", "/api/reward-requests/{id}/cancel/", {
      path: { id: requestId },
      options,
    });
  }

  /** Move a child's points by hand, with a reason (an `adjustment` event, action `adjusted`). */
  adjustPoints(
    childId: number,
    input: AdjustPointsInput,
    options?: MutationOptions,
  ): Promise<ChildActionResult> {
    return this.call("post", "/api/children/{id}/adjust/", {
      path: { id: childId },
      body: input,
      options,
    });
  }

  /** Undo an `activated`, `redeemed` or `adjusted` event by appending its exact opposite
   * (action `reversed`, `metadata.reverses` = the event's id); once per event. */
  reverseEvent(
    eventId: number,
    input: ReverseEventInput,
    options?: MutationOptions,
  ): Promise<ChildActionResult> {
    return this.call("post", "/api/tracking/{event_id}/reverse/", {
      path: { event_id: eventId },
      body: input,
      options,
    });
  }

  // Claims: a child says a chore is done (from its device); a guardian decides, once

  listClaims(filters: ClaimFilters = {}, options?: CallOptions): Promise<Paginated<Claim>> {
    return this.call("get", "/api/claims/", {
      query: {
        status: filters.status,
        child_id: filters.childId,
        limit: filters.limit,
        offset: filters.offset,
      },
      options,
    });
  }

  getClaim(claimId: number, options?: CallOptions): Promise<Claim> {
    return this.call("get", "/api/claims/{id}/", { path: { id: claimId }, options });
  }

  /** Approve a pending claim: the chore is activated (points move), exactly once. A claim that
   * was already decided (a stale notification) is a 409 that changes nothing. */
  approveClaim(claimId: number, options?: MutationOptions): Promise<ClaimDecision> {
    return this.call("post", "/api/claims/{id}/approve/", { path: { id: claimId }, options });
  }

  /** Reject a pending claim: points do not move (409 if already decided). */
  rejectClaim(claimId: number, options?: MutationOptions): Promise<ClaimDecision> {
    return this.call("post", "/api/claims/{id}/reject/", { path: { id: claimId }, options });
  }

  // Devices: a guardian pairs a tablet for one or several children (owner, guardian)

  /** A code to pair a device for these children: shown only here, single use, 10 minutes. */
  createPairingCode(input: PairingCodeInput, options?: MutationOptions): Promise<PairingCode> {
    return this.call("post", "/api/devices/pairing-codes/", { body: input, options });
  }

  /** On the device, without signing in: exchange a pairing code for the device's credential
   * (shown only here). Then act as the device with `createClient({deviceCredential})`. An
   * unknown, used or expired code is a 400 on `code`. */
  pairDevice(code: string, options?: MutationOptions): Promise<Paired> {
    return this.call("post", "/api/devices/pair/", { body: { code }, options });
  }

  /** The household's devices, revoked ones too. */
  listDevices(page: PageOptions = {}, options?: CallOptions): Promise<Paginated<Device>> {
    return this.call("get", "/api/devices/", { query: page, options });
  }

  /** One of the household's devices (a device reads itself with `getDevice()`). */
  getPairedDevice(deviceId: number, options?: CallOptions): Promise<Device> {
    return this.call("get", "/api/devices/{id}/", { path: { id: deviceId }, options });
  }

  /** End a device's access, and its open streams, at once. */
  revokeDevice(deviceId: number, options?: MutationOptions): Promise<Device> {
    return this.call("post", "/api/devices/{id}/revoke/", { path: { id: deviceId }, options });
  }

  /** Set (or replace) a child's PIN on a device (4 to 8 digits); lifts a lockout. */
  setChildPin(
    deviceId: number,
    childId: number,
    pin: string,
    options?: MutationOptions,
  ): Promise<PinSet> {
    return this.call("put", "/api/devices/{id}/children/{child_id}/pin/", {
      path: { id: deviceId, child_id: childId },
      body: { pin },
      options,
    });
  }

  clearChildPin(deviceId: number, childId: number, options?: MutationOptions): Promise<void> {
    return this.call("delete", "/api/devices/{id}/children/{child_id}/pin/", {
      path: { id: deviceId, child_id: childId },
      options,
    });
  }

  // Kid mode: a client made with `deviceCredential` acts as a paired device. A child with a PIN
  // on the device needs `pin` (else a 403 `pin_required` or `wrong_pin`, or a 429 `pin_locked`).

  /** This device, its household, and its children with their points, available points, chores,
   * rewards, pending requests and claims. */
  getDevice(options?: CallOptions): Promise<KidHome> {
    return this.call("get", "/api/device/", { options }) as Promise<KidHome>;
  }

  /** The child says a chore is done: a pending claim, for a guardian to approve. */
  claimChore(
    childId: number,
    taskId: number,
    options: DeviceActionOptions = {},
  ): Promise<KidClaimed> {
    return this.call("post", "/api/device/children/{child_id}/claims/", {
      path: { child_id: childId },
      body: withPin({ task_id: taskId }, options.pin),
      options,
    });
  }

  /** The child asks for a reward; its cost is held from `available_points` (409 when it exceeds
   * them). A guardian's request on the child's behalf is `requestReward`. */
  requestRewardAsDevice(
    childId: number,
    rewardId: number,
    options: DeviceActionOptions = {},
  ): Promise<KidRequestResult> {
    return this.call("post", "/api/device/children/{child_id}/reward-requests/", {
      path: { child_id: childId },
      body: withPin({ reward_id: rewardId }, options.pin),
      options,
    });
  }

  /** The child withdraws a pending request this device made (any other is a 404). */
  cancelOwnRequest(
    requestId: number,
    options: DeviceActionOptions = {},
  ): Promise<KidRequestResult> {
    return this.call("post", "/api/device/reward-requests/{request_id}/cancel/", {
      path: { request_id: requestId },
      body: withPin({}, options.pin),
      options,
    });
  }

  // Tracking

  /** A child's events, oldest first (occurred_at, created_at, id). */
  listChildTracking(
    childId: number,
    filters: TrackingFilters = {},
    options?: CallOptions,
  ): Promise<Paginated<TrackingEvent>> {
    return this.call("get", "/api/children/{id}/tracking/", {
      path: { id: childId },
      query: trackingQuery(filters),
      options,
    });
  }

  /** Staff only: every user's events, oldest first (403 for a parent who is not staff). */
  listAdminTracking(
    filters: AdminTrackingFilters = {},
    options?: CallOptions,
  ): Promise<Paginated<TrackingEvent>> {
    return this.call("get", "/api/admin/tracking/", {
      query: { child_id: filters.childId, user_id: filters.userId, ...trackingQuery(filters) },
      options,
    });
  }

  // --- Plumbing ---

  /** One operation of the schema, named by its method and path: its path parameters, query and
   * body are checked against the schema, and so is what it answers. */
  call<P extends keyof paths, M extends Method>(
    method: M,
    path: P,
    args: CallArgs<OperationAt<P, M>>,
  ): Promise<SuccessOf<OperationAt<P, M>>> {
    const { path: params, query, body, options } = args as {
      path?: Record<string, number | string>;
      query?: Record<string, QueryValue>;
      body?: unknown;
      options?: MutationOptions;
    };
    return this.send(method.toUpperCase(), fillPath(path, params), { query, body, options });
  }

  /** Any request: auth headers, JSON in and out, ApiError for a non-2xx answer. */
  async send<T>(
    method: string,
    path: string,
    request: { query?: Record<string, QueryValue>; body?: unknown; options?: MutationOptions } = {},
  ): Promise<T> {
    const url = `${this.baseUrl}${path}${queryString(request.query ?? {})}`;
    const headers: Record<string, string> = { Accept: "application/json" };
    if (this.authorization) headers.Authorization = this.authorization;
    if (method !== "GET") {
      if (this.csrfToken) headers["X-CSRFToken"] = this.csrfToken;
      if (request.options?.idempotencyKey) {
        headers[IDEMPOTENCY_HEADER] = request.options.idempotencyKey;
      }
    }
    let body: string | undefined;
    if (request.body !== undefined) {
      headers["Content-Type"] = "application/json";
      body = JSON.stringify(request.body);
    }
    const response = await this.fetchImpl(url, {
      method,
      headers,
      body,
      credentials: this.credentials,
      signal: request.options?.signal,
    });
    if (!response.ok) throw await ApiError.from(response, method, url);
    if (response.status === 204) return undefined as T;
    const text = await response.text();
    return (text ? JSON.parse(text) : undefined) as T;
  }
}

/** `createClient({baseUrl, token})` for token auth, `createClient({csrfToken})` in a page. */
export function createClient(options: ClientOptions = {}): ChoreHubApi {
  return new ChoreHubApi(options);
}
