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
