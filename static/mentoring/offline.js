/* Mentoring on a phone, with or without a connection.
 *
 * Every visit or monthly report gets a UUID on the phone, is kept in IndexedDB (the outbox, through idb)
 * until the server has answered it, and is sent when the connection allows. A failed send is handed to the
 * service worker's Workbox background-sync queue (kept 30 days), which replays it when the connection
 * returns, or at its start-up where Background Sync is missing. The server stores each UUID once, so the
 * page's own resend and the worker's replay can meet without a second row.
 */
(function () {
  "use strict";
  const configEl = document.getElementById("mentoring-config");
  if (!configEl || !window.idb) return;
  window.tunasMentoringPage = true; // signout.js leaves this page's sign-out to the code below
  const cfg = configEl.dataset;
  const text = JSON.parse(document.getElementById("mentoring-text").textContent);
  const DB = "tunas-mentoring";
  const dbPromise = idb.openDB(DB, 1, {
    upgrade(db) {
      db.createObjectStore("outbox", { keyPath: "id" });
      db.createObjectStore("meta");
    },
  });

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // The outbox ----------------------------------------------------------------------------------------------

  async function all() {
    return (await dbPromise).getAll("outbox");
  }
  // Once signing out has begun, nothing is written to the phone any more (a send still under way included).
  let signingOut = false;

  async function put(record) {
    if (signingOut) return;
    await (await dbPromise).put("outbox", record);
    await showCount();
  }
  async function drop(id) {
    await (await dbPromise).delete("outbox", id);
    await showCount();
  }

  async function showCount() {
    const records = await all();
    const waiting = records.length;
    document.querySelectorAll("[data-outbox-count]").forEach((el) => {
      el.textContent = text.waiting.replace("%(n)s", String(waiting));
    });
    document.querySelectorAll("[data-outbox-banner]").forEach((el) => {
      el.hidden = waiting === 0 && navigator.onLine;
      el.classList.toggle("alert-warning", !navigator.onLine || waiting > 0);
    });
    document.querySelectorAll("[data-offline-note]").forEach((el) => {
      el.hidden = navigator.onLine;
    });
    renderList(records);
  }

  // Another user on this phone: nothing of the previous mentor's groups stays.
  async function checkUser() {
    const db = await dbPromise;
    const owner = await db.get("meta", "user");
    if (owner && owner !== cfg.user) {
      await db.clear("outbox");
      await askWorker({ type: "clear" });
    }
    await db.put("meta", cfg.user, "user");
  }

  // Sending -------------------------------------------------------------------------------------------------

  let csrf = cfg.csrf;

  async function session() {
    const response = await fetch(cfg.session, { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) return null;
    const data = await response.json();
    if (String(data.user) !== cfg.user) return null;
    csrf = data.csrf;
    return data;
  }

  async function send(record) {
    let response;
    try {
      response = await fetch(record.url, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
        body: JSON.stringify(record.body),
      });
    } catch (error) {
      await queueInWorker(record);
      return "waiting";
    }
    if (response.status >= 500 || response.status === 408 || response.status === 429) {
      // The server could not answer now (an error, an update, a proxy's time-out): not a refusal of the
      // record, which waits and is sent again.
      await queueInWorker(record);
      return "waiting";
    }
    const isJson = (response.headers.get("Content-Type") || "").startsWith("application/json");
    const data = isJson ? await response.json() : {};
    if (response.ok) {
      await drop(record.id);
      return "sent";
    }
    if (response.status === 401 || (response.status === 403 && data.error !== "forbidden")) {
      record.state = "signed_out";
      await put(record);
      showSignIn();
      return "signed_out";
    }
    if (response.status === 409) {
      record.state = "conflict";
      record.conflict = data;
    } else {
      record.state = "refused";
      record.errors = data.fields || { __all__: [{ code: "value_invalid", message: data.message || "" }] };
    }
    await put(record);
    return record.state;
  }

  let flushing = false;
  async function flush() {
    if (flushing || signingOut || !navigator.onLine) return;
    flushing = true;
    try {
      const records = (await all()).filter((r) => r.state === "waiting" || r.state === "signed_out");
      if (!records.length) return;
      let signedIn;
      try {
        signedIn = await session();
      } catch (error) {
        return; // no connection after all: the worker's queue keeps them
      }
      if (!signedIn) {
        for (const r of records) {
          r.state = "signed_out";
          await put(r);
        }
        showSignIn();
        return;
      }
      for (const r of records) {
        r.state = "waiting";
        const outcome = await send(r);
        if (outcome === "signed_out" || outcome === "waiting") break;
      }
    } finally {
      flushing = false;
      await showCount();
    }
  }

  function showSignIn() {
    document.querySelectorAll("[data-signin-prompt]").forEach((el) => {
      el.hidden = false;
    });
  }

  // The service worker --------------------------------------------------------------------------------------

  async function worker() {
    if (!("serviceWorker" in navigator)) return null;
    const registration = await navigator.serviceWorker.ready;
    return registration.active;
  }

  async function askWorker(message, timeout = 1500) {
    const active = await Promise.race([worker(), new Promise((r) => setTimeout(() => r(null), timeout))]);
    if (!active) return null;
    return new Promise((resolve) => {
      const channel = new MessageChannel();
      const timer = setTimeout(() => resolve(null), timeout);
      channel.port1.onmessage = (event) => {
        clearTimeout(timer);
        resolve(event.data);
      };
      active.postMessage(message, [channel.port2]);
    });
  }

  async function queueInWorker(record) {
    record.state = "waiting";
    await put(record);
    await askWorker({
      type: "queue",
      id: record.id,
      user: cfg.user,
      url: record.url,
      body: JSON.stringify(record.body),
    });
  }

  if ("serviceWorker" in navigator) {
    navigator.serviceWorker.register(cfg.sw, { scope: cfg.scope }).catch(() => {});
    navigator.serviceWorker.addEventListener("message", async (event) => {
      const data = event.data || {};
      if (data.type === "result") {
        const db = await dbPromise;
        const record = await db.get("outbox", data.id);
        if (!record) return;
        if (data.status >= 200 && data.status < 300) await drop(data.id);
        else if (data.status === 409) await put({ ...record, state: "conflict", conflict: data.data });
        else if (data.status === 400) await put({ ...record, state: "refused", errors: data.data.fields || {} });
      } else if (data.type === "signed_out") {
        showSignIn();
      }
    });
  }

  // The outbox list: what waits, what the server refused (with its reasons), conflicts to decide ----------

  function renderList(records) {
    const list = document.getElementById("outbox-list");
    if (!list) return;
    list.replaceChildren();
    for (const r of records) {
      const item = document.createElement("li");
      item.className = "list-group-item";
      item.dataset.outboxItem = r.id;
      const title = document.createElement("div");
      title.className = "fw-semibold";
      title.textContent = `${r.label} · ${text.states[r.state] || r.state}`;
      item.append(title);
      if (r.state === "refused") {
        for (const [field, errors] of Object.entries(r.errors || {})) {
          for (const e of errors) {
            const p = document.createElement("div");
            p.className = "small text-danger";
            p.textContent = e.message;
            item.append(p);
          }
        }
        item.append(button(text.fix, "btn-primary", () => (location.href = `${r.form}?draft=${r.id}`)));
        item.append(button(text.discard, "btn-outline-secondary", () => drop(r.id)));
      }
      if (r.state === "conflict") {
        item.append(compare(r.conflict.stored, r.conflict.sent));
        item.append(button(text.keepStored, "btn-outline-secondary", () => drop(r.id)));
        item.append(
          button(text.keepMine, "btn-primary", async () => {
            await drop(r.id);
            const fresh = { ...r, id: uuid4(), state: "waiting", conflict: null };
            fresh.body = { ...r.body, replaces: r.id };
            fresh.url = r.url.replace(r.id, fresh.id);
            await put(fresh);
            await flush();
          })
        );
      }
      list.append(item);
    }
  }

  function button(label, kind, onClick) {
    const b = document.createElement("button");
    b.type = "button";
    b.className = `btn btn-sm ${kind} me-2 mt-2`;
    b.textContent = label;
    // One choice per record: a double tap, or the other button meanwhile, must not act twice (a second
    // correction of the same version would be refused as stale).
    b.addEventListener("click", async () => {
      if (b.disabled) return;
      const item = b.closest("[data-outbox-item]");
      const choices = item ? [...item.querySelectorAll("button")] : [b];
      choices.forEach((c) => (c.disabled = true));
      try {
        await onClick();
      } finally {
        choices.forEach((c) => (c.disabled = false));
      }
    });
    return b;
  }

  function compare(stored, sent) {
    // Both versions side by side as the mentor filled them: each field by its label and each choice by its
    // name, in the user's language (from the page's #mentoring-labels); the fields that differ are marked.
    // On a phone's width each field's label spans both columns, above its two values.
    const names = {};
    const holder = document.getElementById("mentoring-labels");
    for (const el of holder ? holder.content.querySelectorAll("[data-label]") : []) {
      names[el.dataset.label] = el.textContent.trim();
    }
    const empty = (v) => v === undefined || v === null || v === "" || (Array.isArray(v) && !v.length);
    const plain = (key, v) => {
      if (empty(v)) return "";
      if (typeof v === "boolean") return names[String(v)] || String(v);
      if (Array.isArray(v)) return v.map((item) => plain(key, item)).filter(Boolean).join("; ");
      if (typeof v === "object") {
        return Object.entries(v)
          .map(([k, item]) => {
            if (k !== "membership") return plain(k, item);
            const name = document.getElementById(`m-name-${item}`);
            return name ? name.textContent.trim() : `#${item}`;
          })
          .filter(Boolean)
          .join(", ");
      }
      return names[`${key}:${v}`] || String(v);
    };
    const shown = (version, key) => {
      const v = version || {};
      if (key === "latitude") return empty(v.latitude) ? "" : `${v.latitude}, ${v.longitude}`;
      if (key === "photos") return v.photos ? String(v.photos) : ""; // counted by the server, never returned
      return plain(key, v[key]);
    };
    const table = document.createElement("table");
    table.className = "table table-sm small mt-2 mb-0";
    const head = table.createTHead().insertRow();
    for (const h of [text.storedVersion, text.myVersion]) {
      const th = document.createElement("th");
      th.scope = "col";
      th.className = "w-50";
      th.textContent = h;
      head.append(th);
    }
    // The form's order first (the labels' order), then anything else the versions hold; "group" is the same
    // for both, "replaces" an internal reference, the longitude shows beside the latitude.
    const internal = new Set(["group", "replaces", "longitude"]);
    const fields = Object.keys(names).filter((k) => !k.includes(":") && k !== "true" && k !== "false");
    const keys = [...new Set([...fields, ...Object.keys(stored || {}), ...Object.keys(sent || {})])].filter(
      (k) => !internal.has(k) && ((stored || {})[k] !== undefined || (sent || {})[k] !== undefined)
    );
    for (const k of keys) {
      const a = shown(stored, k);
      const b = shown(sent, k);
      if (!a && !b) continue;
      const field = table.createTBody();
      if (a !== b) field.className = "table-warning";
      const label = document.createElement("th");
      label.scope = "rowgroup";
      label.colSpan = 2;
      label.className = "pb-0 border-bottom-0";
      label.textContent = names[k] || k;
      field.insertRow().append(label);
      const values = field.insertRow();
      for (const value of [a, b]) {
        const cell = values.insertCell();
        cell.className = "text-break";
        cell.textContent = value || "—";
      }
    }
    return table;
  }

  // The forms -----------------------------------------------------------------------------------------------

  async function photoData(file) {
    // Drawn again on a canvas: smaller to keep and send, and without the photo's EXIF (its GPS tag).
    const bitmap = await createImageBitmap(file, { imageOrientation: "from-image" });
    const scale = Math.min(1, 1280 / Math.max(bitmap.width, bitmap.height));
    const canvas = document.createElement("canvas");
    canvas.width = Math.round(bitmap.width * scale);
    canvas.height = Math.round(bitmap.height * scale);
    canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
    return canvas.toDataURL("image/jpeg", 0.8);
  }

  async function bodyOf(form) {
    const body = { group: Number(form.dataset.group) };
    for (const el of form.querySelectorAll("[data-field]")) {
      const name = el.dataset.field;
      if (el.type === "checkbox" && el.dataset.many !== undefined) {
        body[name] = body[name] || [];
        if (el.checked) body[name].push(el.value);
      } else if (el.type === "checkbox") {
        body[name] = el.checked;
      } else if (el.type !== "file") {
        body[name] = el.value.trim();
      }
    }
    const rows = form.querySelectorAll("[data-follow-up]");
    if (rows.length) {
      body.follow_ups = [...rows]
        .map((row) => ({
          action: row.querySelector("[name=follow_action]").value.trim(),
          due_on: row.querySelector("[name=follow_due]").value,
          responsible: row.querySelector("[name=follow_who]").value.trim(),
        }))
        .filter((f) => f.action);
    }
    const members = form.querySelectorAll("[data-member]");
    if (members.length) {
      body.members = [...members]
        .map((row) => ({
          membership: Number(row.dataset.member),
          status: row.querySelector("[name=member_status]").value,
          income: row.querySelector("[name=member_income]").value.trim(),
        }))
        .filter((m) => m.status);
    }
    // Parts of the form other apps own (the aid equipment's condition): items left blank are not sent.
    const checkRows = form.querySelectorAll("[data-check-row]");
    if (checkRows.length) {
      body.checks = {};
      for (const row of checkRows) {
        const item = { id: Number(row.dataset.id) };
        let filled = false;
        for (const el of row.querySelectorAll("[data-check-field]")) {
          item[el.dataset.checkField] = el.value.trim();
          if (item[el.dataset.checkField]) filled = true;
        }
        if (filled) (body.checks[row.dataset.check] = body.checks[row.dataset.check] || []).push(item);
      }
    }
    const files = form.querySelector("input[type=file]");
    if (files) {
      body.photos = form._photos || [];
    }
    if (form.dataset.replaces) body.replaces = form.dataset.replaces;
    return body;
  }

  function fill(form, body) {
    for (const el of form.querySelectorAll("[data-field]")) {
      const v = body[el.dataset.field];
      if (el.type === "checkbox" && el.dataset.many !== undefined) el.checked = (v || []).includes(el.value);
      else if (el.type === "checkbox") el.checked = !!v;
      else if (el.type !== "file" && v !== undefined) el.value = v;
    }
    const rows = form.querySelectorAll("[data-follow-up]");
    (body.follow_ups || []).forEach((f, i) => {
      if (!rows[i]) return;
      rows[i].querySelector("[name=follow_action]").value = f.action;
      rows[i].querySelector("[name=follow_due]").value = f.due_on;
      rows[i].querySelector("[name=follow_who]").value = f.responsible;
    });
    for (const m of body.members || []) {
      const row = form.querySelector(`[data-member="${m.membership}"]`);
      if (!row) continue;
      row.querySelector("[name=member_status]").value = m.status;
      row.querySelector("[name=member_income]").value = m.income;
    }
    for (const [key, items] of Object.entries(body.checks || {})) {
      for (const item of items || []) {
        const row = form.querySelector(`[data-check-row][data-check="${key}"][data-id="${item.id}"]`);
        if (!row) continue;
        for (const el of row.querySelectorAll("[data-check-field]")) el.value = item[el.dataset.checkField] ?? "";
      }
    }
    form._photos = body.photos || [];
  }

  function showErrors(form, errors) {
    form.querySelectorAll("[data-error-for]").forEach((el) => {
      el.textContent = "";
      el.hidden = true;
    });
    const summary = form.querySelector("[data-error-summary]");
    const all = [];
    for (const [field, list] of Object.entries(errors || {})) {
      const key = field.split(".").pop() === "due_on" ? "follow_ups" : field.split(".")[0];
      const target =
        form.querySelector(`[data-error-for="${CSS.escape(field)}"]`) ||
        form.querySelector(`[data-error-for="${key}"]`) ||
        form.querySelector('[data-error-for="__all__"]');
      for (const e of list) {
        all.push(e.message);
        if (target) {
          target.textContent = `${target.textContent} ${e.message}`.trim();
          target.hidden = false;
        }
      }
    }
    if (summary) {
      summary.hidden = all.length === 0;
      summary.textContent = all.length ? text.fixBelow : "";
    }
  }

  function status(form, message, kind) {
    const el = form.querySelector("[data-form-status]");
    if (!el) return;
    el.className = `alert alert-${kind} mt-3`;
    el.textContent = message;
    el.hidden = false;
  }

  async function setUpForm(form) {
    const params = new URLSearchParams(location.search);
    form.dataset.recordId = uuid4();
    const draftId = params.get("draft");
    if (draftId) {
      const draft = await (await dbPromise).get("outbox", draftId);
      if (draft) {
        form.dataset.recordId = draft.id;
        fill(form, draft.body);
        showErrors(form, draft.errors);
      }
    }
    const files = form.querySelector("input[type=file]");
    if (files) {
      // Photos are read in the background; a save waits for them, and a read finishing after the form was
      // reset never lands on the next visit.
      files.addEventListener("change", () => {
        const chosen = [...files.files].slice(0, 4);
        const reading = (async () => {
          const read = [];
          for (const f of chosen) read.push(await photoData(f));
          return read;
        })();
        form._photosReady = reading;
        reading.then((read) => {
          if (form._photosReady === reading) form._photos = read;
        });
      });
    }
    const where = form.querySelector("[data-location]");
    if (where) {
      where.addEventListener("change", () => {
        const lat = form.querySelector("[data-field=latitude]");
        const lng = form.querySelector("[data-field=longitude]");
        lat.value = lng.value = "";
        if (!where.checked || !navigator.geolocation) return;
        navigator.geolocation.getCurrentPosition(
          (p) => {
            lat.value = p.coords.latitude.toFixed(6);
            lng.value = p.coords.longitude.toFixed(6);
          },
          () => {
            where.checked = false;
          },
          { enableHighAccuracy: true, timeout: 15000 }
        );
      });
    }
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!form.reportValidity()) return;
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        if (form._photosReady) form._photos = await form._photosReady;
        const id = form.dataset.recordId;
        const record = {
          id,
          kind: form.dataset.kind,
          url: form.dataset.endpoint + id + "/",
          form: location.pathname,
          label: form.dataset.label,
          body: await bodyOf(form),
          state: "waiting",
          saved_at: new Date().toISOString(),
        };
        await put(record);
        if (!navigator.onLine) {
          await queueInWorker(record);
          status(form, text.savedOffline, "warning");
          resetForm(form);
          return;
        }
        try {
          await session();
        } catch (error) {
          /* the send below finds out */
        }
        const outcome = await send(record);
        if (outcome === "sent") {
          status(form, text.sent, "success");
          resetForm(form);
        } else if (outcome === "waiting") {
          status(form, text.savedOffline, "warning");
          resetForm(form);
        } else if (outcome === "refused") {
          const kept = await (await dbPromise).get("outbox", id);
          showErrors(form, kept.errors);
          status(form, text.refused, "danger");
        } else if (outcome === "conflict") {
          status(form, text.conflict, "danger");
        } else {
          status(form, text.signedOut, "warning");
          resetForm(form);
        }
      } finally {
        button.disabled = false;
      }
    });
  }

  function resetForm(form) {
    form.reset();
    form._photos = [];
    form._photosReady = null;
    form.dataset.recordId = uuid4();
    showErrors(form, {});
    history.replaceState(null, "", location.pathname);
  }

  // Signing out clears the phone: the outbox, the worker's queue and the cached pages.
  document.querySelectorAll(`form[action="${cfg.logout}"]`).forEach((form) => {
    form.addEventListener("submit", async (event) => {
      if (form.dataset.cleared) return;
      event.preventDefault();
      signingOut = true;
      try {
        const db = await dbPromise;
        await db.clear("outbox");
        await db.delete("meta", "user");
        await askWorker({ type: "clear" });
        if (window.caches) for (const key of await caches.keys()) if (key.startsWith("tunas-")) await caches.delete(key);
      } finally {
        form.dataset.cleared = "1";
        form.submit();
      }
    });
  });

  window.addEventListener("online", () => {
    showCount();
    flush();
    askWorker({ type: "replay" });
  });
  window.addEventListener("offline", showCount);

  (async () => {
    await checkUser();
    document.querySelectorAll("form[data-offline-form]").forEach(setUpForm);
    await showCount();
    flush();
  })();
})();
