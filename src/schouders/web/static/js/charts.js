/* Render every Vega-Lite chart on the page with the locally served vega-embed.
 * Specs sit in <script type="application/json"> blocks (no inline script, so the CSP can forbid
 * inline code); expressions run through vega-interpreter, so no eval/new Function is needed.
 * If a chart cannot be drawn, its table fallback is opened instead. */
(function () {
  "use strict";
  document.documentElement.classList.remove("no-js");
  var lang = document.documentElement.lang === "en" ? "en" : "nl";
  var locale = lang === "nl"
    ? { decimal: ",", thousands: ".", grouping: [3], currency: ["€ ", ""] }
    : { decimal: ".", thousands: ",", grouping: [3], currency: ["€", ""] };
  var texts = lang === "nl"
    ? { SVG_ACTION: "Opslaan als SVG", PNG_ACTION: "Opslaan als PNG", CLICK_TO_VIEW_ACTIONS: "Acties" }
    : { SVG_ACTION: "Save as SVG", PNG_ACTION: "Save as PNG", CLICK_TO_VIEW_ACTIONS: "Actions" };

  function fallback(container) {
    var figure = container.closest("figure");
    var details = figure && figure.querySelector("details.chart-table");
    if (details) { details.open = true; }
    container.classList.add("chart-failed");
  }

  var config = {};
  var configSource = document.getElementById("chart-config");
  if (configSource) {
    try { config = JSON.parse(configSource.textContent); } catch (e) { config = {}; }
  }

  function render(container) {
    var source = document.getElementById(container.getAttribute("data-spec"));
    if (!source || typeof vegaEmbed === "undefined") { fallback(container); return; }
    var spec;
    try { spec = JSON.parse(source.textContent); } catch (e) { fallback(container); return; }
    if (!spec.config) { spec.config = config; }
    vegaEmbed(container, spec, {
      renderer: "svg",
      ast: true,
      expr: vega.expressionInterpreter,
      defaultStyle: false,
      formatLocale: locale,
      i18n: texts,
      tooltip: { disableDefaultStyle: true },
      actions: container.getAttribute("data-actions") === "false" ? false
        : { export: true, source: false, compiled: false, editor: false }
    }).then(function (result) {
      container.setAttribute("data-rendered", "true");
      var svg = container.querySelector("svg");
      if (svg) { svg.setAttribute("focusable", "false"); }
    }).catch(function (error) {
      if (window.console) { console.error(error); }
      fallback(container);
    });
  }

  var charts = document.querySelectorAll("[data-spec]");
  for (var i = 0; i < charts.length; i++) { render(charts[i]); }
})();
