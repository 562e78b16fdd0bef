// Draws the dashboards' charts with Chart.js (loaded before this file as a static script).
// Each <canvas data-chart="ID"> reads its configuration from the JSON data island with that id
// (<script type="application/json">); the table beneath each chart holds the same figures, so
// the page works without JavaScript.
(function () {
  "use strict";

  // GOV.UK Design System colours, in an order that keeps neighbours distinguishable.
  var COLOURS = ["#1d70b8", "#f47738", "#00703c", "#4c2c92", "#d4351c", "#505a5f"];
  var reduceMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  function format(unit) {
    var money = new Intl.NumberFormat("en-GB", { style: "currency", currency: "GBP", maximumFractionDigits: 0 });
    return function (value) {
      if (value === null || value === undefined) return "";
      if (unit === "pounds") return money.format(value);
      if (unit === "percent") return value.toFixed(1) + "%";
      if (unit === "days") return Math.round(value) + " days";
      return String(Math.round(value * 100) / 100);
    };
  }

  function build(spec) {
    var fmt = format(spec.unit);
    var datasets = spec.datasets.map(function (set, i) {
      var colour = set.outlier ? "#d4351c" : COLOURS[i % COLOURS.length];
      var data = {
        label: set.label,
        data: set.data,
        borderColor: colour,
        backgroundColor: colour,
        spanGaps: true,
      };
      if (spec.type === "line") {
        data.borderDash = i % 2 ? [6, 4] : [];
        data.pointStyle = ["circle", "rect", "triangle", "rectRot"][i % 4];
        data.pointRadius = 3;
      }
      if (spec.type === "scatter") {
        data.pointStyle = set.outlier ? "triangle" : "circle";
        data.pointRadius = set.outlier ? 7 : 4;
      }
      return data;
    });
    var scales = {};
    if (spec.type === "scatter") {
      scales.x = { type: "linear", title: { display: true, text: spec.x_title } };
      scales.y = { title: { display: true, text: spec.y_title }, ticks: { callback: fmt } };
    } else {
      scales.y = { beginAtZero: spec.type === "bar", ticks: { callback: fmt } };
    }
    return {
      type: spec.type,
      data: spec.type === "scatter" ? { datasets: datasets } : { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: true,
        aspectRatio: 2.2,
        animation: reduceMotion ? false : { duration: 300 },
        scales: scales,
        plugins: {
          legend: { position: "bottom" },
          tooltip: {
            callbacks: {
              label: function (ctx) {
                var y = ctx.parsed.y;
                if (spec.type === "scatter") {
                  return ctx.dataset.label + ": needs " + ctx.parsed.x + ", " + fmt(y);
                }
                return ctx.dataset.label + ": " + fmt(y);
              },
            },
          },
        },
      },
    };
  }

  function draw() {
    if (typeof window.Chart !== "function") return;
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var island = document.getElementById(canvas.getAttribute("data-chart"));
      if (!island) return;
      var spec;
      try {
        spec = JSON.parse(island.textContent);
      } catch (e) {
        return;
      }
      canvas.parentElement.hidden = false;
      new window.Chart(canvas, build(spec));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
