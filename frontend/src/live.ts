// The live page at `/`: each child with its points, and a feed of tracking events, kept current
// from the event stream without reloading. Built by `npm run build` into
// tracking/static/tracking/live.js. It is the reference for frontend developers: everything goes
// through api.ts (session auth with the page's CSRF token) and backendEvents.ts.
import { ApiError, createClient } from "./api";
import { subscribe } from "./backendEvents";
import type { Child, Task, TrackingEvent, TrackingEventCreated } from "./models";

const FEED_SIZE = 50;
const RECENT_PER_CHILD = 10;

/** What a feed line shows: a stored TrackingEvent or a `tracking_event_created` payload. */
type FeedEntry = Pick<
  TrackingEvent,
  "child_id" | "entity_type" | "action" | "delta" | "points_after" | "occurred_at"
> & { tracking_event_id: number };

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the live page has no #${id}`);
  return found as T;
}

const root = element<HTMLElement>("live");
const childrenList = element<HTMLUListElement>("children");
const feed = element<HTMLOListElement>("feed");
const status = element<HTMLElement>("stream-status");
const api = createClient({ csrfToken: root.dataset.csrfToken });
let tasks = new Map<number, Task>();
let loadError: string | undefined;

function taskLabel(task: Task): string {
  return `${task.name} (${task.is_good === false ? "−" : "+"}${task.points})`;
}

/** One key per click, so that a retried request cannot activate the task twice. */
function newIdempotencyKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

function renderChild(child: Child): void {
  let item = document.getElementById(`child-${child.id}`);
  if (!item) {
    item = document.createElement("li");
    item.id = `child-${child.id}`;
    item.className = "child";
    childrenList.append(item);
  }
  const name = document.createElement("strong");
  name.className = "name";
  name.textContent = child.name;

  const points = document.createElement("span");
  points.className = "points";
  points.dataset.childPoints = String(child.id);
  points.textContent = String(child.points);

  const select = document.createElement("select");
  select.name = "task_id";
  select.setAttribute("aria-label", `Task for ${child.name}`);
  for (const id of child.task_ids) {
    const task = tasks.get(id);
    if (task) select.append(new Option(taskLabel(task), String(id)));
  }
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent = "Activate";
  button.disabled = select.options.length === 0;
  const error = document.createElement("span");
  error.className = "error";
  error.setAttribute("role", "alert");

  const form = document.createElement("form");
  form.className = "activate";
  form.append(select, " ", button, " ", error);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    button.disabled = true;
    error.textContent = "";
    try {
      await api.activateTask(child.id, Number(select.value), {
        idempotencyKey: newIdempotencyKey(),
      });
    } catch (failure) {
      error.textContent = failure instanceof ApiError ? failure.message : String(failure);
    } finally {
      button.disabled = false;
    }
  });

  const nameRow = document.createElement("div");
  nameRow.append(name);
  const pointsRow = document.createElement("div");
  pointsRow.append(points, " points");
  item.replaceChildren(nameRow, pointsRow, form);
}

function setPoints(childId: number, points: number): void {
  const cell = document.querySelector(`[data-child-points="${childId}"]`);
  if (cell) cell.textContent = String(points);
}

function addToFeed(event: FeedEntry, childName?: string): void {
  const item = document.createElement("li");
  item.className = event.delta < 0 ? "negative" : "";
  item.dataset.trackingEventId = String(event.tracking_event_id);
  const child =
    childName ??
    document.querySelector(`#child-${event.child_id} .name`)?.textContent ??
    `child ${event.child_id}`;
  const when = new Date(event.occurred_at).toLocaleTimeString();
  const sign = event.delta > 0 ? "+" : "";
  item.textContent = `${when} · ${child}: ${event.entity_type} ${event.action} (${sign}${event.delta}) → ${event.points_after} points`;
  feed.prepend(item);
  while (feed.children.length > FEED_SIZE) feed.lastElementChild?.remove();
}

async function loadChildren(): Promise<Child[]> {
  const [children, taskPage] = await Promise.all([
    api.listChildren({ limit: 500 }),
    api.listTasks({ limit: 500 }),
  ]);
  tasks = new Map(taskPage.results.map((task) => [task.id, task]));
  childrenList.replaceChildren();
  children.results.forEach(renderChild);
  return children.results;
}

async function loadRecentEvents(children: Child[]): Promise<void> {
  const recent: TrackingEvent[] = [];
  for (const child of children) {
    const { count } = await api.listChildTracking(child.id, { limit: 1 });
    const offset = Math.max(0, count - RECENT_PER_CHILD);
    const page = await api.listChildTracking(child.id, { limit: RECENT_PER_CHILD, offset });
    recent.push(...page.results);
  }
  recent.sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
  for (const event of recent) {
    const childName = event.metadata.child_name;
    addToFeed(
      { ...event, tracking_event_id: event.id },
      typeof childName === "string" ? childName : undefined,
    );
  }
}

function connect(): void {
  const reload = () => void loadChildren();
  subscribe(
    {
      tracking_event_created: (event: TrackingEventCreated) => {
        setPoints(event.child_id, event.points_after);
        addToFeed(event);
      },
      task_activated: (data) => setPoints(data.child.id, data.child.points),
      reward_requested: (data) => setPoints(data.child.id, data.child.points),
      reward_redeemed: (data) => setPoints(data.child.id, data.child.points),
      reward_cancelled: (data) => setPoints(data.child.id, data.child.points),
      points_adjusted: (data) => setPoints(data.child.id, data.child.points),
      points_reversed: (data) => setPoints(data.child.id, data.child.points),
      child_created: reload,
      child_changed: reload,
      child_deleted: reload,
    },
    {
      onOpen: () => {
        status.textContent = loadError ? `Live, but could not load: ${loadError}` : "Live";
        root.dataset.stream = "open";
      },
      onError: (error) => {
        status.textContent =
          error.kind === "stream-error"
            ? `Stream error: ${JSON.stringify(error.data)}`
            : "Reconnecting…";
        root.dataset.stream = "reconnecting";
      },
      // Events older than the server keeps were missed: the points on screen may be stale.
      onReset: reload,
    },
  );
}

loadChildren()
  .then(loadRecentEvents)
  .catch((failure: unknown) => {
    loadError = failure instanceof Error ? failure.message : String(failure);
    status.textContent = `Could not load: ${loadError}`;
  })
  .finally(connect);
