/* The mentoring service worker: the mentor's pages open without a connection, and records that could not
   be sent wait in Workbox's background-sync queue (30 days) until the connection returns. Served by Tunas
   from {{ scope }}, so that its scope covers the mentoring pages; Workbox loads its modules from Tunas's own
   static files, never from a CDN. */
importScripts("{{ workbox|escapejs }}");
workbox.setConfig({ modulePathPrefix: "{{ prefix|escapejs }}", debug: false });

const SCOPE = "{{ scope|escapejs }}";
const PAGES = "tunas-mentoring-pages";
const STATIC = "tunas-mentoring-static";
const { registerRoute } = workbox.routing;
const { NetworkFirst, StaleWhileRevalidate } = workbox.strategies;
const { Queue } = workbox.backgroundSync;

self.skipWaiting();
workbox.core.clientsClaim();

// The mentor's pages: from the network when it answers, else the copy kept at the last visit.
registerRoute(
  ({ request, url }) => request.mode === "navigate" && url.pathname.startsWith(SCOPE),
  new NetworkFirst({ cacheName: PAGES, networkTimeoutSeconds: 5 })
);
registerRoute(
  ({ request, url }) => request.method === "GET" && url.pathname.startsWith("/static/"),
  new StaleWhileRevalidate({ cacheName: STATIC })
);

async function notify(message) {
  for (const client of await self.clients.matchAll({ includeUncontrolled: true })) client.postMessage(message);
}

// Signing out empties the queue; a replay running meanwhile must not put its record back.
let generation = 0;

// Replays the queue with a fresh CSRF token; a lost sign-in keeps the records and asks to sign in. A record
// queued by another user than the one signed in now is dropped, never sent under someone else's name.
async function replay({ queue }) {
  const started = generation;
  const putBack = async (entry) => {
    if (started === generation) await queue.unshiftRequest(entry);
  };
  const first = await queue.shiftRequest();
  if (!first) return;
  let session;
  try {
    session = await fetch(SCOPE + "api/sesi/", { credentials: "same-origin", cache: "no-store" });
  } catch (error) {
    await putBack(first);
    throw error;
  }
  if (!session.ok) {
    await putBack(first);
    await notify({ type: "signed_out" });
    return;
  }
  const { csrf, user } = await session.json();
  let entry = first;
  while (entry) {
    if (!entry.metadata || String(entry.metadata.user) !== String(user)) {
      entry = await queue.shiftRequest();
      continue;
    }
    let response;
    try {
      response = await fetch(entry.request.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: await entry.request.clone().text(),
      });
    } catch (error) {
      await putBack(entry);
      throw error;
    }
    if (response.status >= 500) {
      await putBack(entry);  // the server failed: keep it for the next replay
      return;
    }
    const isJson = (response.headers.get("Content-Type") || "").startsWith("application/json");
    const data = isJson ? await response.json() : {};
    if (response.status === 401 || (response.status === 403 && data.error !== "forbidden")) {
      await putBack(entry);
      await notify({ type: "signed_out" });
      return;
    }
    await notify({ type: "result", id: entry.metadata && entry.metadata.id, status: response.status, data });
    entry = await queue.shiftRequest();
  }
}

const queue = new Queue("tunas-mentoring-outbox", { maxRetentionTime: 30 * 24 * 60, onSync: replay });

self.addEventListener("message", (event) => {
  const data = event.data || {};
  const reply = (value) => event.ports[0] && event.ports[0].postMessage(value);
  if (data.type === "queue") {
    const request = new Request(data.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json" },
      body: data.body,
    });
    event.waitUntil(queue.pushRequest({ request, metadata: { id: data.id, user: data.user } }).then(() => reply({ queued: true })));
  } else if (data.type === "replay") {
    event.waitUntil(replay({ queue }).catch(() => {}).then(() => reply({ replayed: true })));
  } else if (data.type === "clear") {
    event.waitUntil(
      (async () => {
        generation += 1;
        while (await queue.shiftRequest()) {
          /* dropped: signing out leaves nothing of the mentor's groups on the phone */
        }
        for (const key of await caches.keys()) if (key.startsWith("tunas-")) await caches.delete(key);
        reply({ cleared: true });
      })()
    );
  }
});
