// The kid page at `/kid/`: a paired tablet shows one tile per child, with its points, the chores
// to claim, the rewards to ask for and what is waiting for a grown-up, kept current from the
// event stream without reloading. Built by `npm run build` into devices/static/devices/kid.js.
//
// The tablet has no account: it pairs once with a guardian's code and keeps the device credential
// in localStorage; every call sends `Authorization: Device <credential>` (api.ts), the event
// stream too. The browser's own EventSource cannot send that header, so the page bundles the
// `eventsource` package, whose `fetch` option can.
import { EventSource } from "eventsource";
import { ApiError, createClient, pinRefusalOf, type ChoreHubApi } from "./api";
import { subscribe, type StreamHandlers, type Subscription } from "./backendEvents";
import { STREAM_EVENT_NAMES, type KidChild, type KidHome, type StreamEventName } from "./models";

const CREDENTIAL_KEY = "chorehub.deviceCredential";
const RECENT_DECISIONS = 3;

function element<T extends HTMLElement>(id: string): T {
  const found = document.getElementById(id);
  if (!found) throw new Error(`the kid page has no #${id}`);
  return found as T;
}

const root = element<HTMLElement>("kid");
const pairing = element<HTMLElement>("pairing");
const pairingForm = element<HTMLFormElement>("pairing-form");
const pairingCode = element<HTMLInputElement>("pairing-code");
const pairingError = element<HTMLElement>("pairing-error");
const tablet = element<HTMLElement>("tablet");
const tiles = element<HTMLElement>("tiles");
const status = element<HTMLElement>("stream-status");
const deviceName = element<HTMLElement>("device-name");
const forget = element<HTMLAnchorElement>("forget");
const pinDialog = element<HTMLDialogElement>("pin-dialog");
const pinTitle = element<HTMLElement>("pin-title");
const pinInput = element<HTMLInputElement>("pin-input");
const pinCancel = element<HTMLButtonElement>("pin-cancel");

/** No cookies: a guardian signed in on the same browser must not turn the tablet into them. */
const anonymous = createClient({ credentials: "omit" });
let device: ChoreHubApi | undefined;
let stream: Subscription | undefined;

// --- Pairing and forgetting ----------------------------------------------------------------

function showPairing(message = ""): void {
  root.dataset.state = "pairing";
  tablet.hidden = true;
  pairing.hidden = false;
  deviceName.textContent = "";
  pairingError.textContent = message;
  pairingCode.focus();
}

pairingForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = pairingForm.querySelector("button");
  if (button) button.disabled = true;
  pairingError.textContent = "";
  try {
    const paired = await anonymous.pairDevice(pairingCode.value);
    localStorage.setItem(CREDENTIAL_KEY, paired.credential);
    pairingForm.reset();
    await open(paired.credential);
  } catch (failure) {
    pairingError.textContent = describe(failure, "code");
  } finally {
    if (button) button.disabled = false;
  }
});

/** Forget the credential on this tablet (a guardian revokes it in the device list). */
function forgetTablet(message = ""): void {
  stream?.close();
  stream = undefined;
  device = undefined;
  localStorage.removeItem(CREDENTIAL_KEY);
  tiles.replaceChildren();
  showPairing(message);
}

forget.addEventListener("click", (event) => {
  event.preventDefault();
  forgetTablet();
});

// --- Loading and the stream ----------------------------------------------------------------

async function open(credential: string): Promise<void> {
  device = createClient({ deviceCredential: credential, credentials: "omit" });
  pairing.hidden = true;
  tablet.hidden = false;
  root.dataset.state = "ready";
  await refresh();
  if (device) connect(credential);
}

let refreshing: Promise<void> | undefined;
let refreshAgain = false;

/** Read the device's children again and redraw every tile: simple, and always right whatever
 * the event was. Calls made while one runs are folded into one more after it. */
function refresh(): Promise<void> {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    do {
      refreshAgain = false;
      await loadOnce();
    } while (refreshAgain);
  })().finally(() => (refreshing = undefined));
  return refreshing;
}

async function loadOnce(): Promise<void> {
  if (!device) return;
  try {
    render(await device.getDevice());
    if (root.dataset.stream === "open") status.textContent = "Live";
  } catch (failure) {
    if (failure instanceof ApiError && failure.status === 401) {
      // Revoked, or unknown here: the credential will never work again.
      forgetTablet(failure.detail ?? "This tablet is no longer paired: pair it again.");
    } else {
      status.textContent = `Could not load: ${describe(failure)}`;
    }
  }
}

function connect(credential: string): void {
  // Whatever happened to the device's children, read them again.
  const onEvent = () => void refresh();
  const handlers: StreamHandlers = Object.fromEntries(
    STREAM_EVENT_NAMES.map((name: StreamEventName) => [name, onEvent]),
  );
  stream = subscribe(handlers, {
    url: "/api/events/",
    EventSource,
    eventSourceInit: {
      fetch: (input: string | URL, init?: RequestInit) =>
        fetch(input, {
          ...init,
          credentials: "omit",
          headers: {
            ...(init?.headers as Record<string, string>),
            Authorization: `Device ${credential}`,
          },
        }),
    },
    onOpen: () => {
      status.textContent = "Live";
      root.dataset.stream = "open";
      // What happened while the stream was closed is on the server: read it again.
      void refresh();
    },
    onError: (error) => {
      status.textContent = "Reconnecting…";
      root.dataset.stream = "reconnecting";
      // The server refused the stream: find out whether this tablet is still paired.
      if (error.reconnecting) void refresh();
    },
    onReset: onEvent,
  });
}

// --- The tiles ---------------------------------------------------------------------------

/** The last refusal of each child's action, shown on its tile until its next action. */
const errors = new Map<number, string>();
let unlockTimer: ReturnType<typeof setTimeout> | undefined;

function render(home: KidHome): void {
  deviceName.textContent = home.name;
  tiles.replaceChildren(...home.children.map(tile));
  if (!home.children.length) tiles.textContent = "No children on this tablet.";
  // A child locked out by wrong PINs has its buttons disabled: read again when the lock ends.
  const unlocks = home.children.map(lockedUntil).filter((until) => until !== undefined);
  clearTimeout(unlockTimer);
  if (unlocks.length) {
    const first = Math.min(...unlocks.map((until) => until.getTime()));
    unlockTimer = setTimeout(() => void refresh(), first - Date.now() + 500);
  }
}

function lockedUntil(child: KidChild): Date | undefined {
  const until = child.locked_until ? new Date(child.locked_until) : undefined;
  return until && until.getTime() > Date.now() ? until : undefined;
}

function tile(child: KidChild): HTMLElement {
  const section = document.createElement("section");
  section.className = "tile";
  section.id = `child-${child.id}`;
  section.setAttribute("aria-labelledby", `child-${child.id}-name`);
  const title = heading("h3", child.name);
  title.id = `child-${child.id}-name`;

  const locked = lockedUntil(child);
  const act = (run: (pin: string | undefined, key: string) => Promise<unknown>) => () =>
    void perform(child, section, run);
  const pending = child.claims.filter((claim) => claim.status === "pending");
  const claimed = new Set(pending.map((claim) => claim.task_id));
  const decided = child.claims.filter((claim) => claim.status !== "pending");

  const chores = child.chores.map((chore) =>
    item(
      actionButton(
        `Claim ${chore.name} (+${chore.points})`,
        Boolean(locked) || claimed.has(chore.id),
        act((pin, key) => device!.claimChore(child.id, chore.id, { pin, idempotencyKey: key })),
      ),
    ),
  );
  const rewards = child.rewards.map((reward) => {
    const missing = reward.cost - child.available_points;
    const ask = actionButton(
      `Ask for ${reward.name} (${reward.cost} points)`,
      Boolean(locked) || missing > 0,
      act((pin, key) =>
        device!.requestRewardAsDevice(child.id, reward.id, { pin, idempotencyKey: key }),
      ),
    );
    return missing > 0 ? item(ask, ` ${missing} more to go`) : item(ask);
  });
  const waiting = [
    ...pending.map((claim) => item(`${claim.task_name}: waiting for a grown-up to check`)),
    // Only what this tablet asked for can be cancelled here; a grown-up's request stays theirs.
    ...child.pending_requests.map((request) =>
      request.mine
        ? item(
            `${request.reward_name} (${request.cost} points): asked for `,
            actionButton(
              `Cancel ${request.reward_name}`,
              Boolean(locked),
              act((pin, key) =>
                device!.cancelOwnRequest(request.id, { pin, idempotencyKey: key }),
              ),
            ),
          )
        : item(`${request.reward_name} (${request.cost} points): asked for by a grown-up`),
    ),
  ];
  const error = paragraph(errors.get(child.id) ?? "", "error");
  error.setAttribute("role", "alert");

  section.append(
    title,
    paragraph("", "points", number(child.points, "points"), " points"),
    paragraph("", "available", number(child.available_points, "available"), " to spend"),
  );
  if (locked) {
    const until = locked.toLocaleTimeString();
    section.append(paragraph(`Locked until ${until}: wait a little.`, "locked"));
  }
  section.append(
    heading("h4", "Chores"),
    list(chores, "No chores yet."),
    heading("h4", "Rewards"),
    list(rewards, "No rewards yet."),
    heading("h4", "Waiting"),
    list(waiting, "Nothing waiting."),
  );
  if (decided.length) {
    const recent = decided
      .slice(0, RECENT_DECISIONS)
      .map((claim) => item(`${claim.task_name}: ${claim.status}`));
    section.append(heading("h4", "Recently checked"), list(recent, ""));
  }
  section.append(error);
  return section;
}

// --- Actions -------------------------------------------------------------------------------

/** One tap: ask for the PIN when the child has one, send the action once (one idempotency key
 * per tap, so a retry cannot act twice), then read the tiles again. */
async function perform(
  child: KidChild,
  section: HTMLElement,
  run: (pin: string | undefined, key: string) => Promise<unknown>,
): Promise<void> {
  errors.delete(child.id);
  let pin: string | undefined;
  if (child.has_pin) {
    const typed = await askPin(child.name);
    if (typed === null) return;
    pin = typed;
  }
  section.setAttribute("aria-busy", "true");
  for (const control of section.querySelectorAll("button")) control.disabled = true;
  try {
    await run(pin, newIdempotencyKey());
  } catch (failure) {
    errors.set(child.id, describe(failure));
  }
  await refresh();
}

/** The child's PIN from the dialog, or null when cancelled. */
function askPin(childName: string): Promise<string | null> {
  pinTitle.textContent = `PIN for ${childName}`;
  pinInput.value = "";
  pinDialog.returnValue = "";
  return new Promise((resolve) => {
    pinDialog.addEventListener(
      "close",
      () => resolve(pinDialog.returnValue === "ok" && pinInput.value ? pinInput.value : null),
      { once: true },
    );
    pinDialog.showModal();
    pinInput.focus();
  });
}

// The form's method="dialog": OK closes the dialog with its value, "ok", as the returnValue.
pinCancel.addEventListener("click", () => pinDialog.close(""));

function describe(failure: unknown, field?: string): string {
  const refusal = pinRefusalOf(failure);
  if (refusal?.code === "pin_locked" && refusal.locked_until) {
    return `Too many wrong PINs: wait until ${new Date(refusal.locked_until).toLocaleTimeString()}.`;
  }
  if (refusal) return refusal.detail;
  if (failure instanceof ApiError) {
    const messages = field ? failure.messagesFor(field) : [];
    if (messages.length) return messages.join(" ");
    return failure.detail || Object.values(failure.fieldErrors).flat().join(" ") || failure.message;
  }
  return failure instanceof Error ? failure.message : String(failure);
}

function newIdempotencyKey(): string {
  return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
}

// --- Small builders ------------------------------------------------------------------------

function heading(level: "h3" | "h4", text: string): HTMLElement {
  const found = document.createElement(level);
  found.textContent = text;
  return found;
}

/** A number the tests and styles find by its `data-<name>` attribute. */
function number(value: number, name: string): HTMLElement {
  const found = document.createElement("span");
  found.dataset[name] = String(value);
  found.textContent = String(value);
  return found;
}

function paragraph(text: string, className: string, ...parts: (Node | string)[]): HTMLElement {
  const found = document.createElement("p");
  found.className = className;
  found.append(text, ...parts);
  return found;
}

function item(...parts: (Node | string)[]): HTMLLIElement {
  const found = document.createElement("li");
  found.append(...parts);
  return found;
}

function actionButton(label: string, disabled: boolean, onClick: () => void): HTMLButtonElement {
  const control = document.createElement("button");
  control.type = "button";
  control.textContent = label;
  control.disabled = disabled;
  control.addEventListener("click", onClick);
  return control;
}

function list(items: HTMLLIElement[], empty: string): HTMLElement {
  if (!items.length) return paragraph(empty, "empty");
  const found = document.createElement("ul");
  found.append(...items);
  return found;
}

// --- Start -----------------------------------------------------------------------------------

/** A credential handed over in the address, `/kid/#credential=<credential>` (the one `seed_demo`
 * prints): kept like a paired one, and taken out of the address and the history at once. The
 * fragment never reaches the server. */
function credentialFromAddress(): string | undefined {
  const given = new URLSearchParams(location.hash.slice(1)).get("credential");
  if (!given) return undefined;
  history.replaceState(null, "", location.pathname + location.search);
  localStorage.setItem(CREDENTIAL_KEY, given);
  return given;
}

const saved = credentialFromAddress() ?? localStorage.getItem(CREDENTIAL_KEY);
if (saved) void open(saved);
else showPairing();
