// Built from frontend/src/live.ts by `cd frontend && npm run build`: edit the source, not this file.
"use strict";
(() => {
  // src/apiError.ts
  var ApiError = class _ApiError extends Error {
    constructor(status2, detail, fieldErrors, body, method, url) {
      super(`${method} ${url} → ${status2}: ${_ApiError.summary(detail, fieldErrors)}`);
      this.status = status2;
      this.detail = detail;
      this.fieldErrors = fieldErrors;
      this.body = body;
      this.method = method;
      this.url = url;
    }
    status;
    detail;
    fieldErrors;
    body;
    method;
    url;
    name = "ApiError";
    get isValidationError() {
      return this.status === 400;
    }
    /** The messages of one field of a 400 (empty when it has none). */
    messagesFor(field) {
      return this.fieldErrors[field] ?? [];
    }
    static summary(detail, fieldErrors) {
      if (detail) return detail;
      const fields = Object.entries(fieldErrors).map(([f, m]) => `${f}: ${m.join(" ")}`);
      return fields.length ? fields.join("; ") : "request failed";
    }
    /** Builds the error from a failed response. */
    static async from(response, method, url) {
      const text = await response.text();
      let body = text;
      try {
        body = text ? JSON.parse(text) : void 0;
      } catch {
      }
      let detail;
      let fieldErrors = {};
      if (isRecord(body) && typeof body.detail === "string") {
        detail = body.detail;
      }
      if (response.status === 400) {
        fieldErrors = flattenFieldErrors(body);
      }
      return new _ApiError(response.status, detail, fieldErrors, body, method, url);
    }
  };
  function isRecord(value) {
    return typeof value === "object" && value !== null && !Array.isArray(value);
  }
  function flattenFieldErrors(body) {
    const out = {};
    const add = (key, message) => (out[key] ??= []).push(message);
    const walk = (value, key) => {
      if (typeof value === "string") add(key, value);
      else if (Array.isArray(value)) {
        value.forEach(
          (item, index) => typeof item === "string" ? add(key, item) : walk(item, `${key}.${index}`)
        );
      } else if (isRecord(value)) {
        for (const [name, inner] of Object.entries(value)) walk(inner, key ? `${key}.${name}` : name);
      }
    };
    if (Array.isArray(body) || typeof body === "string") walk(body, "non_field_errors");
    else if (isRecord(body)) {
      for (const [name, value] of Object.entries(body)) if (name !== "detail") walk(value, name);
    }
    return out;
  }

  // src/api.ts
  function withPin(body, pin) {
    return pin === void 0 ? body : { ...body, pin };
  }
  var IDEMPOTENCY_HEADER = "Idempotency-Key";
  function queryString(params) {
    const search = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) {
      if (value === void 0 || value === null) continue;
      search.append(name, value instanceof Date ? value.toISOString() : String(value));
    }
    const text = search.toString();
    return text ? `?${text}` : "";
  }
  function fillPath(template, values = {}) {
    return template.replace(/\{(\w+)\}/g, (_, name) => {
      const value = values[name];
      if (value === void 0) throw new Error(`missing ${name} for ${template}`);
      return encodeURIComponent(String(value));
    });
  }
  function trackingQuery(filters) {
    return {
      entity_type: filters.entityType,
      action: filters.action,
      start: filters.start,
      end: filters.end,
      limit: filters.limit,
      offset: filters.offset
    };
  }
  var ChoreHubApi = class {
    baseUrl;
    authorization;
    csrfToken;
    credentials;
    fetchImpl;
    constructor(options = {}) {
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
      this.fetchImpl = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
    }
    // Accounts
    /** Create a parent account; answers with its token. Needs no credentials. */
    register(input, options) {
      return this.call("post", "/api/auth/register/", { body: input, options });
    }
    /** Exchange a username and password for a token. */
    obtainToken(input, options) {
      return this.call("post", "/api/auth/token/", { body: input, options });
    }
    me(options) {
      return this.call("get", "/api/auth/me/", { options });
    }
    // Households: the caller's household, its members and invitations
    /** The caller's household, with the caller's `role` and the members (404 in none). */
    getHousehold(options) {
      return this.call("get", "/api/household/", { options });
    }
    /** Owner: rename the household, change its time zone or whether claims approve themselves. */
    updateHousehold(patch, options) {
      return this.call("patch", "/api/household/", { body: patch, options });
    }
    /** Owner: invite a guardian or a viewer. The code is in this answer only; single use, it
     * expires after `expires_in_days` (7 by default). */
    createInvitation(input, options) {
      return this.call("post", "/api/household/invitations/", { body: input, options });
    }
    /** Join a household with an invitation's code; answers with the household joined. */
    joinHousehold(code, options) {
      return this.call("post", "/api/household/join/", { body: { code }, options });
    }
    /** Owner: make another member the owner (the caller becomes a guardian). */
    transferOwnership(userId, options) {
      return this.call("post", "/api/household/transfer/", { body: { user_id: userId }, options });
    }
    /** Leave the household (an owner transfers ownership first). */
    leaveHousehold(options) {
      return this.call("post", "/api/household/leave/", { options });
    }
    /** Owner: remove a member; their access ends at once. */
    removeMember(userId, options) {
      return this.call("delete", "/api/household/members/{user_id}/", {
        path: { user_id: userId },
        options
      });
    }
    // Children
    listChildren(page = {}, options) {
      return this.call("get", "/api/children/", { query: page, options });
    }
    getChild(childId, options) {
      return this.call("get", "/api/children/{id}/", { path: { id: childId }, options });
    }
    createChild(input, options) {
      return this.call("post", "/api/children/", { body: input, options });
    }
    updateChild(childId, patch, options) {
      return this.call("patch", "/api/children/{id}/", {
        path: { id: childId },
        body: patch,
        options
      });
    }
    deleteChild(childId, options) {
      return this.call("delete", "/api/children/{id}/", { path: { id: childId }, options });
    }
    /** Replace the chores and penalties assigned to a child. */
    assignTasks(childId, taskIds, options) {
      return this.call("put", "/api/children/{id}/tasks/", {
        path: { id: childId },
        body: { task_ids: taskIds },
        options
      });
    }
    /** Replace the rewards assigned to a child. */
    assignRewards(childId, rewardIds, options) {
      return this.call("put", "/api/children/{id}/rewards/", {
        path: { id: childId },
        body: { reward_ids: rewardIds },
        options
      });
    }
    // Tasks and rewards
    listTasks(page = {}, options) {
      return this.call("get", "/api/tasks/", { query: page, options });
    }
    createTask(input, options) {
      return this.call("post", "/api/tasks/", { body: input, options });
    }
    listRewards(page = {}, options) {
      return this.call("get", "/api/rewards/", { query: page, options });
    }
    createReward(input, options) {
      return this.call("post", "/api/rewards/", { body: input, options });
    }
    // Points: tasks, penalties, rewards, corrections
    /** Activate an assigned chore (adds its points) or penalty (takes them, floored at 0). */
    activateTask(childId, taskId, options) {
      return this.call("post", "/api/children/{id}/activate/", {
        path: { id: childId },
        body: { task_id: taskId },
        options
      });
    }
    /** Ask for an assigned reward on the child's behalf, as a guardian (a child asks from its paired
     * device: `requestRewardAsDevice`). Its cost is held until the request is decided (409 when it
     * exceeds the child's `available_points`). */
    requestReward(childId, rewardId, options) {
      return this.call("post", "/api/children/{id}/reward-requests/", {
        path: { id: childId },
        body: { reward_id: rewardId },
        options
      });
    }
    /** Redeem a reward for a child directly, with no request. */
    redeemReward(childId, rewardId, options) {
      return this.call("post", "/api/children/{id}/redeem/", {
        path: { id: childId },
        body: { reward_id: rewardId },
        options
      });
    }
    listRewardRequests(filters = {}, options) {
      return this.call("get", "/api/reward-requests/", {
        query: {
          status: filters.status,
          child_id: filters.childId,
          limit: filters.limit,
          offset: filters.offset
        },
        options
      });
    }
    /** Redeem a pending request: the child's points go down by the cost (409 if too few now). */
    redeemRequest(requestId, options) {
      return this.call("post", "/api/reward-requests/{id}/redeem/", {
        path: { id: requestId },
        options
      });
    }
    /** Cancel a pending request, as a guardian (its hold on the child's points is released). */
    cancelRequest(requestId, options) {
      return this.call("post", "/api/reward-requests/{id}/cancel/", {
        path: { id: requestId },
        options
      });
    }
    /** Move a child's points by hand, with a reason (an `adjustment` event, action `adjusted`). */
    adjustPoints(childId, input, options) {
      return this.call("post", "/api/children/{id}/adjust/", {
        path: { id: childId },
        body: input,
        options
      });
    }
    /** Undo an `activated`, `redeemed` or `adjusted` event by appending its exact opposite
     * (action `reversed`, `metadata.reverses` = the event's id); once per event. */
    reverseEvent(eventId, input, options) {
      return this.call("post", "/api/tracking/{event_id}/reverse/", {
        path: { event_id: eventId },
        body: input,
        options
      });
    }
    // Claims: a child says a chore is done (from its device); a guardian decides, once
    listClaims(filters = {}, options) {
      return this.call("get", "/api/claims/", {
        query: {
          status: filters.status,
          child_id: filters.childId,
          limit: filters.limit,
          offset: filters.offset
        },
        options
      });
    }
    getClaim(claimId, options) {
      return this.call("get", "/api/claims/{id}/", { path: { id: claimId }, options });
    }
    /** Approve a pending claim: the chore is activated (points move), exactly once. A claim that
     * was already decided (a stale notification) is a 409 that changes nothing. */
    approveClaim(claimId, options) {
      return this.call("post", "/api/claims/{id}/approve/", { path: { id: claimId }, options });
    }
    /** Reject a pending claim: points do not move (409 if already decided). */
    rejectClaim(claimId, options) {
      return this.call("post", "/api/claims/{id}/reject/", { path: { id: claimId }, options });
    }
    // Devices: a guardian pairs a tablet for one or several children (owner, guardian)
    /** A code to pair a device for these children: shown only here, single use, 10 minutes. */
    createPairingCode(input, options) {
      return this.call("post", "/api/devices/pairing-codes/", { body: input, options });
    }
    /** On the device, without signing in: exchange a pairing code for the device's credential
     * (shown only here). Then act as the device with `createClient({deviceCredential})`. An
     * unknown, used or expired code is a 400 on `code`. */
    pairDevice(code, options) {
      return this.call("post", "/api/devices/pair/", { body: { code }, options });
    }
    /** The household's devices, revoked ones too. */
    listDevices(page = {}, options) {
      return this.call("get", "/api/devices/", { query: page, options });
    }
    /** One of the household's devices (a device reads itself with `getDevice()`). */
    getPairedDevice(deviceId, options) {
      return this.call("get", "/api/devices/{id}/", { path: { id: deviceId }, options });
    }
    /** End a device's access, and its open streams, at once. */
    revokeDevice(deviceId, options) {
      return this.call("post", "/api/devices/{id}/revoke/", { path: { id: deviceId }, options });
    }
    /** Set (or replace) a child's PIN on a device (4 to 8 digits); lifts a lockout. */
    setChildPin(deviceId, childId, pin, options) {
      return this.call("put", "/api/devices/{id}/children/{child_id}/pin/", {
        path: { id: deviceId, child_id: childId },
        body: { pin },
        options
      });
    }
    clearChildPin(deviceId, childId, options) {
      return this.call("delete", "/api/devices/{id}/children/{child_id}/pin/", {
        path: { id: deviceId, child_id: childId },
        options
      });
    }
    // Kid mode: a client made with `deviceCredential` acts as a paired device. A child with a PIN
    // on the device needs `pin` (else a 403 `pin_required` or `wrong_pin`, or a 429 `pin_locked`).
    /** This device, its household, and its children with their points, available points, chores,
     * rewards, pending requests and claims. */
    getDevice(options) {
      return this.call("get", "/api/device/", { options });
    }
    /** The child says a chore is done: a pending claim, for a guardian to approve. */
    claimChore(childId, taskId, options = {}) {
      return this.call("post", "/api/device/children/{child_id}/claims/", {
        path: { child_id: childId },
        body: withPin({ task_id: taskId }, options.pin),
        options
      });
    }
    /** The child asks for a reward; its cost is held from `available_points` (409 when it exceeds
     * them). A guardian's request on the child's behalf is `requestReward`. */
    requestRewardAsDevice(childId, rewardId, options = {}) {
      return this.call("post", "/api/device/children/{child_id}/reward-requests/", {
        path: { child_id: childId },
        body: withPin({ reward_id: rewardId }, options.pin),
        options
      });
    }
    /** The child withdraws a pending request this device made (any other is a 404). */
    cancelOwnRequest(requestId, options = {}) {
      return this.call("post", "/api/device/reward-requests/{request_id}/cancel/", {
        path: { request_id: requestId },
        body: withPin({}, options.pin),
        options
      });
    }
    // Tracking
    /** A child's events, oldest first (occurred_at, created_at, id). */
    listChildTracking(childId, filters = {}, options) {
      return this.call("get", "/api/children/{id}/tracking/", {
        path: { id: childId },
        query: trackingQuery(filters),
        options
      });
    }
    /** Staff only: every user's events, oldest first (403 for a parent who is not staff). */
    listAdminTracking(filters = {}, options) {
      return this.call("get", "/api/admin/tracking/", {
        query: { child_id: filters.childId, user_id: filters.userId, ...trackingQuery(filters) },
        options
      });
    }
    // --- Plumbing ---
    /** One operation of the schema, named by its method and path: its path parameters, query and
     * body are checked against the schema, and so is what it answers. */
    call(method, path, args) {
      const { path: params, query, body, options } = args;
      return this.send(method.toUpperCase(), fillPath(path, params), { query, body, options });
    }
    /** Any request: auth headers, JSON in and out, ApiError for a non-2xx answer. */
    async send(method, path, request = {}) {
      const url = `${this.baseUrl}${path}${queryString(request.query ?? {})}`;
      const headers = { Accept: "application/json" };
      if (this.authorization) headers.Authorization = this.authorization;
      if (method !== "GET") {
        if (this.csrfToken) headers["X-CSRFToken"] = this.csrfToken;
        if (request.options?.idempotencyKey) {
          headers[IDEMPOTENCY_HEADER] = request.options.idempotencyKey;
        }
      }
      let body;
      if (request.body !== void 0) {
        headers["Content-Type"] = "application/json";
        body = JSON.stringify(request.body);
      }
      const response = await this.fetchImpl(url, {
        method,
        headers,
        body,
        credentials: this.credentials,
        signal: request.options?.signal
      });
      if (!response.ok) throw await ApiError.from(response, method, url);
      if (response.status === 204) return void 0;
      const text = await response.text();
      return text ? JSON.parse(text) : void 0;
    }
  };
  function createClient(options = {}) {
    return new ChoreHubApi(options);
  }

  // src/models.ts
  var STREAM_EVENT_NAMES = [
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
    "badge_revoked"
  ];

  // src/backendEvents.ts
  var DEFAULT_STREAM_URL = "/api/events/";
  var CLOSED = 2;
  function withLastEventId(url, id) {
    const hashAt = url.indexOf("#");
    const withoutHash = hashAt >= 0 ? url.slice(0, hashAt) : url;
    const queryAt = withoutHash.indexOf("?");
    const path = queryAt >= 0 ? withoutHash.slice(0, queryAt) : withoutHash;
    const params = new URLSearchParams(queryAt >= 0 ? withoutHash.slice(queryAt + 1) : "");
    params.set("lastEventId", id);
    return `${path}?${params.toString()}`;
  }
  function subscribe(handlers, options = {}) {
    const url = options.url ?? DEFAULT_STREAM_URL;
    const Source = options.EventSource ?? globalThis.EventSource;
    if (!Source) {
      throw new Error("no EventSource here: pass options.EventSource (e.g. the eventsource package)");
    }
    const firstDelay = options.reconnectDelayMs ?? 1e3;
    const maxDelay = options.maxReconnectDelayMs ?? 3e4;
    let lastEventId = options.lastEventId;
    let source;
    let retryTimer;
    let failures = 0;
    let closed = false;
    const remember = (message) => {
      if (message.lastEventId && message.lastEventId !== "error") lastEventId = message.lastEventId;
    };
    const reconnectLater = (current) => {
      if (closed || current !== source || retryTimer !== void 0) return;
      current.close();
      const delay = Math.min(maxDelay, firstDelay * 2 ** failures);
      failures += 1;
      retryTimer = setTimeout(() => {
        retryTimer = void 0;
        open();
      }, delay);
    };
    const open = () => {
      const current = new Source(
        lastEventId ? withLastEventId(url, lastEventId) : url,
        options.eventSourceInit
      );
      source = current;
      current.addEventListener("stream-open", () => {
        failures = 0;
        options.onOpen?.();
      });
      current.addEventListener("stream-reset", (message) => {
        remember(message);
        options.onReset?.();
      });
      current.addEventListener("stream-error", (message) => {
        options.onError?.({ kind: "stream-error", reconnecting: !closed, data: parse(message.data) });
        reconnectLater(current);
      });
      current.addEventListener("error", () => {
        const gaveUp = current.readyState === CLOSED;
        options.onError?.({ kind: "connection", reconnecting: gaveUp && !closed });
        if (gaveUp) reconnectLater(current);
      });
      for (const name of STREAM_EVENT_NAMES) {
        current.addEventListener(name, (message) => {
          remember(message);
          const handler = handlers[name];
          handler?.(parse(message.data), { event: name, id: message.lastEventId });
        });
      }
    };
    open();
    return {
      get lastEventId() {
        return lastEventId;
      },
      close() {
        closed = true;
        if (retryTimer !== void 0) clearTimeout(retryTimer);
        retryTimer = void 0;
        source?.close();
      }
    };
  }
  function parse(data) {
    return typeof data === "string" && data !== "" ? JSON.parse(data) : data;
  }

  // src/live.ts
  var FEED_SIZE = 50;
  var RECENT_PER_CHILD = 10;
  function element(id) {
    const found = document.getElementById(id);
    if (!found) throw new Error(`the live page has no #${id}`);
    return found;
  }
  var root = element("live");
  var childrenList = element("children");
  var feed = element("feed");
  var status = element("stream-status");
  var api = createClient({ csrfToken: root.dataset.csrfToken });
  var tasks = /* @__PURE__ */ new Map();
  var loadError;
  function taskLabel(task) {
    return `${task.name} (${task.is_good === false ? "−" : "+"}${task.points})`;
  }
  function newIdempotencyKey() {
    return globalThis.crypto?.randomUUID?.() ?? `${Date.now()}-${Math.random().toString(16).slice(2)}`;
  }
  function renderChild(child) {
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
          idempotencyKey: newIdempotencyKey()
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
  function setPoints(childId, points) {
    const cell = document.querySelector(`[data-child-points="${childId}"]`);
    if (cell) cell.textContent = String(points);
  }
  function addToFeed(event, childName) {
    const item = document.createElement("li");
    item.className = event.delta < 0 ? "negative" : "";
    item.dataset.trackingEventId = String(event.tracking_event_id);
    const child = childName ?? document.querySelector(`#child-${event.child_id} .name`)?.textContent ?? `child ${event.child_id}`;
    const when = new Date(event.occurred_at).toLocaleTimeString();
    const sign = event.delta > 0 ? "+" : "";
    item.textContent = `${when} · ${child}: ${event.entity_type} ${event.action} (${sign}${event.delta}) → ${event.points_after} points`;
    feed.prepend(item);
    while (feed.children.length > FEED_SIZE) feed.lastElementChild?.remove();
  }
  async function loadChildren() {
    const [children, taskPage] = await Promise.all([
      api.listChildren({ limit: 500 }),
      api.listTasks({ limit: 500 })
    ]);
    tasks = new Map(taskPage.results.map((task) => [task.id, task]));
    childrenList.replaceChildren();
    children.results.forEach(renderChild);
    return children.results;
  }
  async function loadRecentEvents(children) {
    const recent = [];
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
        typeof childName === "string" ? childName : void 0
      );
    }
  }
  function connect() {
    const reload = () => void loadChildren();
    subscribe(
      {
        tracking_event_created: (event) => {
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
        child_deleted: reload
      },
      {
        onOpen: () => {
          status.textContent = loadError ? `Live, but could not load: ${loadError}` : "Live";
          root.dataset.stream = "open";
        },
        onError: (error) => {
          status.textContent = error.kind === "stream-error" ? `Stream error: ${JSON.stringify(error.data)}` : "Reconnecting…";
          root.dataset.stream = "reconnecting";
        },
        // Events older than the server keeps were missed: the points on screen may be stale.
        onReset: reload
      }
    );
  }
  loadChildren().then(loadRecentEvents).catch((failure) => {
    loadError = failure instanceof Error ? failure.message : String(failure);
    status.textContent = `Could not load: ${loadError}`;
  }).finally(connect);
})();
