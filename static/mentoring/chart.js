/* The monthly figures of a group as a small line chart (its table stays beside it). */
(function () {
  "use strict";
  document.querySelectorAll("canvas[data-figures]").forEach((canvas) => {
    const source = document.getElementById(canvas.dataset.figures);
    if (!source || !window.Chart) return;
    const data = JSON.parse(source.textContent);
    if (!data.labels.length) return;
    new Chart(canvas, {
      type: "line",
      data: {
        labels: data.labels,
        datasets: [
          { label: canvas.dataset.turnover, data: data.turnover, borderColor: "#2f7d4f", tension: 0.2 },
          { label: canvas.dataset.profit, data: data.profit, borderColor: "#c77c0e", tension: 0.2 },
        ],
      },
      options: { animation: false, responsive: true, maintainAspectRatio: true, aspectRatio: 2, plugins: { legend: { position: "bottom" } } },
    });
  });
  // The manifest makes the mentoring pages installable on the home screen.
  const config = document.getElementById("mentoring-config");
  if (config && !document.querySelector("link[rel=manifest]")) {
    const link = document.createElement("link");
    link.rel = "manifest";
    link.href = config.dataset.manifest;
    document.head.append(link);
  }
})();
