// The live page: children with their points, and a feed of tracking events, kept current from
// the event stream (GET /api/events/, session cookie). A reference for frontend developers.
(() => {
  "use strict";
  const root = document.getElementById("live");
  const csrfToken = root.dataset.csrfToken;
  const childrenList = document.getElementById("children");
  const feed = document.getElementById("feed");
  const status = document.getElementById("stream-status");
  const FEED_SIZE = 50;
  let tasks = new Map();

  async function api(path, options = {}) {
    const response = await fetch(path, {
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken },
      ...options,
    });
    if (!response.ok) throw new Error(`${response.status} ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  }

  function renderChild(child) {
    let item = document.getElementById(`child-${child.id}`);
    if (!item) {
      item = document.createElement("li");
      item.id = `child-${child.id}`;
      item.className = "child";
      childrenList.append(item);
    }
    const options = child.task_ids
      .filter((id) => tasks.has(id))
      .map((id) => `<option value="${id}">${escapeHtml(tasks.get(id).name)} (${tasks.get(id).is_good ? "+" : "−"}${tasks.get(id).points})</option>`)
      .join("");
    item.innerHTML = `
      <div><strong class="name">${escapeHtml(child.name)}</strong></div>
      <div><span class="points" data-child-points="${child.id}">${child.points}</span> points</div>
      <form class="activate">
        <select name="task_id" aria-label="Task for ${escapeHtml(child.name)}">${options}</select>
        <button type="submit" ${options ? "" : "disabled"}>Activate</button>
      </form>`;
    item.querySelector("form").addEventListener("submit", async (event) => {
      event.preventDefault();
      const taskId = Number(event.target.task_id.value);
      await api(`/api/children/${child.id}/activate/`, {
        method: "POST",
        body: JSON.stringify({ task_id: taskId }),
      });
    });
  }

  function setPoints(childId, points) {
    const cell = document.querySelector(`[data-child-points="${childId}"]`);
    if (cell) cell.textContent = points;
  }

  function addToFeed(event, names = {}) {
    const item = document.createElement("li");
    item.className = event.delta < 0 ? "negative" : "";
    item.dataset.trackingEventId = event.tracking_event_id ?? event.id;
    const child = names.child_name ?? document.querySelector(`#child-${event.child_id} .name`)?.textContent ?? `child ${event.child_id}`;
    const when = new Date(event.occurred_at).toLocaleTimeString();
    const sign = event.delta > 0 ? "+" : "";
    item.textContent = `${when} · ${child}: ${event.entity_type} ${event.action} (${sign}${event.delta}) → ${event.points_after} points`;
    feed.prepend(item);
    while (feed.children.length > FEED_SIZE) feed.lastElementChild.remove();
  }

  async function loadChildren() {
    const [children, taskPage] = await Promise.all([api("/api/children/?limit=500"), api("/api/tasks/?limit=500")]);
    tasks = new Map(taskPage.results.map((task) => [task.id, task]));
    childrenList.replaceChildren();
    children.results.forEach(renderChild);
    return children.results;
  }

  async function loadRecentEvents(children) {
    const recent = [];
    for (const child of children) {
      const first = await api(`/api/children/${child.id}/tracking/?limit=1`);
      const offset = Math.max(0, first.count - 10);
      const page = await api(`/api/children/${child.id}/tracking/?limit=10&offset=${offset}`);
      recent.push(...page.results);
    }
    recent.sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
    recent.forEach((event) => addToFeed(event, event.metadata));
  }

  function connect() {
    // EventSource reconnects by itself and sends Last-Event-ID, so missed events are replayed.
    const source = new EventSource("/api/events/");
    source.addEventListener("stream-open", () => { status.textContent = "Live"; root.dataset.stream = "open"; });
    source.addEventListener("tracking_event_created", (message) => {
      const event = JSON.parse(message.data);
      setPoints(event.child_id, event.points_after);
      addToFeed(event);
    });
    for (const name of ["task_activated", "reward_requested", "reward_redeemed", "reward_cancelled"]) {
      source.addEventListener(name, (message) => {
        const data = JSON.parse(message.data);
        setPoints(data.child.id, data.child.points);
      });
    }
    for (const name of ["child_created", "child_changed", "child_deleted"]) {
      source.addEventListener(name, () => loadChildren());
    }
    source.addEventListener("stream-error", (message) => { status.textContent = `Stream error: ${message.data}`; });
    source.onerror = () => { status.textContent = "Reconnecting…"; root.dataset.stream = "reconnecting"; };
  }

  function escapeHtml(text) {
    const span = document.createElement("span");
    span.textContent = text;
    return span.innerHTML;
  }

  loadChildren().then(loadRecentEvents).finally(connect);
})();
