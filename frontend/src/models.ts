// Readable names for the types generated from ChoreHub's OpenAPI schema (./generated/schema.d.ts,
// written by `npm run generate`). Import from here, never from the generated file: when the backend
// changes a field, the generated file changes and `tsc` points at every use that no longer fits.
import type { components, operations } from "./generated/schema";

type Schemas = components["schemas"];

/** One append-only row of a child's history: what happened and how the points moved. */
export type TrackingEvent = Schemas["TrackingEvent"];
/** `task` | `penalty` | `reward` | `adjustment`. */
export type EntityType = Schemas["EntityTypeEnum"];
/** `activated` | `requested` | `redeemed` | `cancelled` | `adjusted` | `reversed`. */
export type TrackingAction = Schemas["TrackingActionEnum"];
/** Who acted, from the credential: a `guardian`'s account or a `child`'s paired device (`parent`
 * on events recorded before households). */
export type Actor = Schemas["ActorEnum"];

export type Child = Schemas["Child"];
/** A chore (`is_good: true`) or a penalty (`is_good: false`). */
export type Task = Schemas["Task"];
export type Reward = Schemas["Reward"];
/**
 * A child's request for a reward (`pending`, then `redeemed` or `cancelled`). The schema calls it
 * `RewardRequestRecord`: its `RewardRequest` is the body that creates a reward.
 */
export type RewardRequest = Schemas["RewardRequestRecord"];
export type RewardRequestStatus = RewardRequest["status"];
export type User = Schemas["User"];
export type Registered = Schemas["Registered"];

/** Bodies the API accepts. */
export type ChildInput = Schemas["ChildRequest"];
export type ChildPatch = Schemas["PatchedChildRequest"];
export type TaskInput = Schemas["TaskRequest"];
export type RewardInput = Schemas["RewardRequest"];
export type RegisterInput = Schemas["RegisterRequest"];
/** `POST /api/children/{id}/adjust/`: `points` non-zero (negative floored at 0), `reason` 1-200 chars. */
export type AdjustPointsInput = Schemas["AdjustRequest"];
/** `POST /api/tracking/{event_id}/reverse/`. */
export type ReverseEventInput = Schemas["ReverseRequest"];

/** What an action on a child answers: the child afterwards, and the event it recorded (null only
 * if recording failed; the action itself still happened). */
export type ChildActionResult = Schemas["ChildActionResponse"];
export type RequestCreatedResult = Schemas["RequestCreatedResponse"];
export type DirectRedeemResult = Schemas["DirectRedeemResponse"];
export type RedeemedResult = Schemas["RedeemedResponse"];
export type CancelledResult = Schemas["CancelledResponse"];

// --- Households (GET/PATCH /api/household/, invitations, members) -------------------------------

/** The caller's household: its settings, the caller's `role` and its members. */
export type Household = Schemas["Household"];
/** `owner` | `guardian` | `viewer`. */
export type Role = Member["role"];
export type Member = Schemas["Member"];
/** `PATCH /api/household/` (owner): `name`, `time_zone` (IANA), `auto_approve_claims`. */
export type HouseholdPatch = Schemas["PatchedHouseholdRequest"];
/** `POST /api/household/invitations/` (owner): `role` (`guardian` | `viewer`), `expires_in_days`. */
export type InvitationInput = Schemas["InvitationRequestRequest"];
/** A new invitation; its `code` is shown only in this answer. */
export type Invitation = Schemas["Invitation"];

// --- Claims: a child says a chore is done, a guardian approves or rejects it -------------------

export type Claim = Schemas["Claim"];
/** `pending`, then `approved` or `rejected`; `reversed` once an approval is undone. */
export type ClaimStatus = Claim["status"];
/** What approving or rejecting answers: the claim and the child afterwards, and the event. */
export type ClaimDecision = Schemas["ClaimActionResponse"];

// --- Devices: a guardian pairs a tablet for one or several children --------------------------

/** `POST /api/devices/pairing-codes/`: the device's `name` and the `child_ids` it acts for. */
export type PairingCodeInput = Schemas["PairingCodeRequestRequest"];
/** A pairing code: shown only here, single use, `expires_at` 10 minutes after it was made. */
export type PairingCode = Schemas["PairingCode"];
/** A paired device as its household's guardians see it (`revoked_at` null while it may act). */
export type Device = Schemas["Device"];
/** `POST /api/devices/pair/`: the device and its credential, shown only here. */
export type Paired = Schemas["Paired"];
/** `PUT /api/devices/{id}/children/{child_id}/pin/`. */
export type PinSet = Schemas["PinSet"];

// --- Kid mode: what a paired device reads and does (`Authorization: Device <credential>`) ----

/** A chore the child can claim, at its value for that child. */
export type KidChore = {
  id: number;
  name: string;
  points: number;
};
/** A reward the child can ask for, at its cost for that child. */
export type KidReward = {
  id: number;
  name: string;
  cost: number;
};
/** One of the child's claims: pending ones first, then the last 10 decided. */
export type KidClaim = {
  id: number;
  task_id: number;
  task_name: string;
  status: ClaimStatus;
  created_at: string;
};
/** A pending reward request of the child; its `cost` is held from `available_points`. */
export type KidPendingRequest = Schemas["KidPendingRequest"];
/** One child as its device shows it. `has_pin`: its claims and requests need `pin` here;
 * `locked_until`: set while too many wrong PINs lock it on this device.
 *
 * The schema documents `chores`, `rewards` and `claims` only as lists of objects, and
 * `locked_until` as a string, so they are spelled out here (and checked against it below). */
export type KidChild = Omit<
  Schemas["KidChild"],
  "chores" | "rewards" | "claims" | "locked_until"
> & {
  readonly locked_until: string | null;
  readonly chores: KidChore[];
  readonly rewards: KidReward[];
  readonly claims: KidClaim[];
};
/** `GET /api/device/`: the device, its household and its children. */
export type KidHome = Omit<Schemas["KidHome"], "children"> & { children: KidChild[] };
/** `POST /api/device/children/{child_id}/claims/`: the pending claim (approved at once when the
 * household approves claims automatically), the child, and the `requested` event. */
export type KidClaimed = Schemas["KidClaimed"];
/** A device's reward request made or cancelled: the request, the child, and the event. */
export type KidRequestResult = Schemas["KidRequest"];
/** A PIN refusal's body: 403 `pin_required` or `wrong_pin`, 429 `pin_locked` with `locked_until`. */
export type PinRefusal = Schemas["PinRefusal"];
export type PinRefusalCode = PinRefusal["code"];

/** Every list: `limit`/`offset` pages with the total `count` for the filters. */
export interface Paginated<T> {
  count: number;
  next?: string | null;
  previous?: string | null;
  results: T[];
}

// --- The event stream (GET /api/events/) ------------------------------------------------------

/** The child as the stream sends it, with its points after the action and its `available_points`
 * (points minus what its pending reward requests hold, never below 0). */
export type StreamChild = Schemas["StreamChild"];
/** `tracking_event_created`: a TrackingEvent row was committed; `figures` (the child's lifetime
 * figures, points and streak after it, and the household `days` it changed) when it changed
 * them. */
export type TrackingEventCreated = Schemas["TrackingEventCreated"];
/** The child's figures after a row, as `tracking_event_created` carries them. */
export type RowFigures = Schemas["RowFigures"];
/** `task_activated`, `task_claimed`, `claim_rejected`, `reward_requested`, `reward_redeemed`,
 * `reward_cancelled`, `points_adjusted`, `points_reversed`. */
export type PointsActionEvent = Schemas["PointsActionEvent"];
/** `child_created`. */
export type ChildCreatedEvent = Schemas["ChildCreatedEvent"];
/** `child_changed`: `changed` lists what changed: `name`, `age`, `task_ids` or `reward_ids`. */
export type ChildChangedEvent = Schemas["ChildChangedEvent"];
/** `child_deleted`. */
export type ChildDeletedEvent = Schemas["ChildDeletedEvent"];
/** `badge_awarded`, `badge_revoked`: a badge event was appended to a child's history
 * (`tracking_event_id`); `period_start` is null for a lifetime badge. */
export type BadgeEvent = Schemas["BadgeEvent"];

/** Each event name of the stream, and the JSON its `data` carries. */
export interface StreamEvents {
  tracking_event_created: TrackingEventCreated;
  task_activated: PointsActionEvent;
  task_claimed: PointsActionEvent;
  claim_rejected: PointsActionEvent;
  reward_requested: PointsActionEvent;
  reward_redeemed: PointsActionEvent;
  reward_cancelled: PointsActionEvent;
  points_adjusted: PointsActionEvent;
  points_reversed: PointsActionEvent;
  child_created: ChildCreatedEvent;
  child_changed: ChildChangedEvent;
  child_deleted: ChildDeletedEvent;
  badge_awarded: BadgeEvent;
  badge_revoked: BadgeEvent;
}
export type StreamEventName = keyof StreamEvents;

/** The same names at run time, for code that registers one listener per event. */
export const STREAM_EVENT_NAMES = [
  "tracking_event_created",
  "task_activated",
  "task_claimed",
  "claim_rejected",
  "reward_requested",
  "reward_redeemed",
  "reward_cancelled",
  "points_adjusted",
  "points_reversed",
  "child_created",
  "child_changed",
  "child_deleted",
  "badge_awarded",
  "badge_revoked",
] as const satisfies readonly StreamEventName[];

// --- Compile-time checks: `tsc --noEmit` fails if these drift from the generated schema --------

type Assert<T extends true> = T;
type IsNever<T> = [T] extends [never] ? true : false;
type Covers<Wide, Narrow> = [Narrow] extends [Wide] ? true : false;

export type _Checks = [
  // Every event name has a listener at run time, and nothing else does.
  Assert<IsNever<Exclude<StreamEventName, (typeof STREAM_EVENT_NAMES)[number]>>>,
  // Every payload is one the schema documents for the stream.
  Assert<Covers<Schemas["StreamEventData"], StreamEvents[StreamEventName]>>,
  // The generated paginated lists are what Paginated<T> says.
  Assert<Covers<Paginated<TrackingEvent>, Schemas["PaginatedTrackingEventList"]>>,
  Assert<Covers<Paginated<Child>, Schemas["PaginatedChildList"]>>,
  Assert<Covers<Paginated<Claim>, Schemas["PaginatedClaimList"]>>,
  Assert<Covers<Paginated<Device>, Schemas["PaginatedDeviceList"]>>,
  // The kid mode types spelled out above fit what the schema says of them.
  Assert<Covers<Schemas["KidChild"]["chores"][number], KidChore>>,
  Assert<Covers<Schemas["KidChild"]["rewards"][number], KidReward>>,
  Assert<Covers<Schemas["KidChild"]["claims"][number], KidClaim>>,
  Assert<Covers<KidChild["locked_until"], Schemas["KidChild"]["locked_until"]>>,
  Assert<
    Covers<
      Paginated<TrackingEvent>,
      operations["children_tracking_list"]["responses"][200]["content"]["application/json"]
    >
  >,
];
