/* Draws each chart from the figure in its data-plot attribute, with plotly.js (loaded before),
   adding the layout and config every chart shares (the figure's own layout wins). */
(function () {
  "use strict";
  var LAYOUT = {
    font: {
      family: "-apple-system, BlinkMacSystemFont, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif",
      color: "#0b0c0c",
      size: 14
    },
    paper_bgcolor: "#ffffff",
    plot_bgcolor: "#ffffff"
  };
  var CONFIG = { displayModeBar: false, responsive: true };
  Array.prototype.forEach.call(document.querySelectorAll("[data-plot]"), function (el) {
    var figure = JSON.parse(el.getAttribute("data-plot"));
    var layout = {};
    Object.keys(LAYOUT).forEach(function (k) { layout[k] = LAYOUT[k]; });
    Object.keys(figure.layout || {}).forEach(function (k) { layout[k] = figure.layout[k]; });
    Plotly.newPlot(el.id, figure.data, layout, CONFIG);
  });
})();
