// Tunas: small behaviours without inline scripts (the Content Security Policy allows none).
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // Selects that submit their form on change (the language switcher, filter rows).
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.classList && el.classList.contains("js-autosubmit") && el.form) {
      el.form.submit();
    }
  });

  // Village picker: clicking a search result fills the hidden code and the visible name.
  document.addEventListener("click", function (event) {
    var option = event.target.closest("[data-village-code]");
    if (!option) return;
    event.preventDefault();
    var picker = option.closest(".village-picker");
    if (!picker) {
      if (option.dataset.villageUrl) window.location.href = option.dataset.villageUrl;
      return;
    }
    picker.querySelector("input[type=hidden]").value = option.dataset.villageCode;
    var search = picker.querySelector("input[type=search]");
    search.value = option.dataset.villageLabel;
    var chosen = picker.querySelector(".village-chosen");
    if (chosen) chosen.textContent = option.dataset.villageLabel + " (" + option.dataset.villageCode + ")";
    picker.querySelector(".village-results").innerHTML = "";
    picker.dispatchEvent(new CustomEvent("village:chosen", { bubbles: true, detail: { code: option.dataset.villageCode } }));
  });

  // Cascading region selects: choosing a village opens its page.
  document.addEventListener("change", function (event) {
    var el = event.target;
    if (el.classList && el.classList.contains("js-village-open") && el.value) {
      window.location.href = el.dataset.baseUrl.replace("CODE", el.value);
    }
  });

  // Confirm before destructive or irreversible actions: <button data-confirm="…">.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    if (button && button.dataset.confirm && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
})();

// The verification queue: a decision swaps only the member's row (htmx). Keyboard focus stays on that row's
// status, without scrolling, so Tab goes on to the next member; "Cancel" closes an approve-all summary.
(function () {
  "use strict";
  document.addEventListener("htmx:afterSwap", function (event) {
    var el = event.target;
    if (!el.classList || !(el.classList.contains("queue-member") || el.classList.contains("queue-group"))) return;
    var active = document.activeElement;
    if (active && active !== document.body && document.contains(active)) return;
    var status = el.querySelector(".queue-status, .queue-notices");
    if (status) status.focus({ preventScroll: true });
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("[data-queue-close]");
    if (!link) return;
    var slot = document.getElementById(link.dataset.queueClose);
    if (!slot) return;
    event.preventDefault();
    slot.innerHTML = "";
    var button = document.getElementById(link.dataset.queueClose + "-button");
    if (button) button.focus({ preventScroll: true });
  });
})();

// Village picker, budget lines and stage confirmations (programs, regions).
(function () {
  "use strict";

  // Typing in a village picker again forgets the village picked before: the text and the code agree.
  document.addEventListener("input", function (event) {
    var search = event.target;
    if (!search.matches || !search.matches(".village-picker input[type=search]")) return;
    var picker = search.closest(".village-picker");
    var hidden = picker.querySelector("input[type=hidden]");
    if (hidden && hidden.value) {
      hidden.value = "";
      var chosen = picker.querySelector(".village-chosen");
      if (chosen) chosen.textContent = "";
    }
  });

  // "Add line" of a formset: copies the <template id="<prefix>-empty-form"> with the next form number.
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    button.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-formset-add]");
    if (!button) return;
    var prefix = button.dataset.formsetAdd;
    var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
    var max = document.getElementById("id_" + prefix + "-MAX_NUM_FORMS");
    var template = document.getElementById(prefix + "-empty-form");
    var rows = document.querySelector('.js-formset-rows[data-formset-prefix="' + prefix + '"]');
    if (!total || !template || !rows) return;
    var next = parseInt(total.value, 10) || 0;
    if (max && next >= parseInt(max.value, 10)) {
      button.disabled = true;
      return;
    }
    var html = template.innerHTML.split("__prefix__").join(String(next));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(next + 1);
    var field = rows.lastElementChild && rows.lastElementChild.querySelector("input");
    if (field) field.focus();
  });

  // Opening the edit page at #lines (the budget tab's "Add budget line") puts the cursor in an empty line.
  if (window.location.hash === "#lines") {
    var rows = document.querySelector("#lines .js-formset-rows");
    var empty = rows && Array.prototype.find.call(rows.querySelectorAll("input[name$='-name']"), function (el) {
      return !el.value;
    });
    if (empty) empty.focus();
  }

  // A confirmation in a <details> block: "Cancel" closes it and returns to its summary button.
  document.querySelectorAll(".js-details-close").forEach(function (button) {
    button.hidden = false;
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".js-details-close");
    if (!button) return;
    var details = button.closest("details");
    if (!details) return;
    details.open = false;
    var summary = details.querySelector("summary");
    if (summary) summary.focus();
  });
})();
