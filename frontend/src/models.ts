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
/** Who acted: the parent, or the child in child mode. */
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
export type RewardRequestStatus = Schemas["StatusEnum"];
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
/** `tracking_event_created`: a TrackingEvent row was committed. */
export type TrackingEventCreated = Schemas["TrackingEventCreated"];
/** `task_activated`, `reward_requested`, `reward_redeemed`, `reward_cancelled`, `points_adjusted`,
 * `points_reversed`. */
export type PointsActionEvent = Schemas["PointsActionEvent"];
/** `child_created`. */
export type ChildCreatedEvent = Schemas["ChildCreatedEvent"];
/** `child_changed`: `changed` lists what changed: `name`, `age`, `task_ids` or `reward_ids`. */
export type ChildChangedEvent = Schemas["ChildChangedEvent"];
/** `child_deleted`. */
export type ChildDeletedEvent = Schemas["ChildDeletedEvent"];

/** Each event name of the stream, and the JSON its `data` carries. */
export interface StreamEvents {
  tracking_event_created: TrackingEventCreated;
  task_activated: PointsActionEvent;
  reward_requested: PointsActionEvent;
  reward_redeemed: PointsActionEvent;
  reward_cancelled: PointsActionEvent;
  points_adjusted: PointsActionEvent;
  points_reversed: PointsActionEvent;
  child_created: ChildCreatedEvent;
  child_changed: ChildChangedEvent;
  child_deleted: ChildDeletedEvent;
}
export type StreamEventName = keyof StreamEvents;

/** The same names at run time, for code that registers one listener per event. */
export const STREAM_EVENT_NAMES = [
  "tracking_event_created",
  "task_activated",
  "reward_requested",
  "reward_redeemed",
  "reward_cancelled",
  "points_adjusted",
  "points_reversed",
  "child_created",
  "child_changed",
  "child_deleted",
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
  Assert<
    Covers<
      Paginated<TrackingEvent>,
      operations["children_tracking_list"]["responses"][200]["content"]["application/json"]
    >
  >,
];
