/* Signing out from any page leaves nothing of the mentor's groups on the phone: the mentoring outbox
 * (IndexedDB), the service worker's queue and its cached pages. The mentoring pages do this themselves
 * (offline.js); this small script is for every other page's sign-out form. */
(function () {
  "use strict";
  if (!window.indexedDB) return;
  const forms = document.querySelectorAll('form[action$="/akun/keluar/"]');
  async function clearPhone() {
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase("tunas-mentoring");
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    if (navigator.serviceWorker && navigator.serviceWorker.getRegistrations) {
      for (const registration of await navigator.serviceWorker.getRegistrations()) {
        if (registration.active) registration.active.postMessage({ type: "clear" });
        await registration.unregister();
      }
    }
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase("workbox-background-sync");
      request.onsuccess = request.onerror = request.onblocked = () => resolve();
    });
    if (window.caches) for (const key of await caches.keys()) if (key.startsWith("tunas-")) await caches.delete(key);
  }
  forms.forEach((form) => {
    form.addEventListener("submit", async (event) => {
      // A mentoring page clears the phone itself (offline.js, loaded after this script).
      if (form.dataset.cleared || window.tunasMentoringPage) return;
      event.preventDefault();
      try {
        await Promise.race([clearPhone(), new Promise((resolve) => setTimeout(resolve, 2000))]);
      } finally {
        form.dataset.cleared = "1";
        form.submit();
      }
    });
  });
})();
