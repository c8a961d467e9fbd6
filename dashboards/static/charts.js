/* Draws each chart from the figure in its data-plot attribute, with plotly.js (loaded before). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-plot]"), function (el) {
    var figure = JSON.parse(el.getAttribute("data-plot"));
    Plotly.newPlot(el.id, figure.data, figure.layout, figure.config);
  });
})();
