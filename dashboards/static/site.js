/* Sortable tables: a button in each column heading; aria-sort says the order. No data here. */
(function () {
  "use strict";
  function key(cell) {
    if (!cell) return "";
    var v = cell.getAttribute("data-sort");
    if (v === null) v = cell.textContent.trim();
    var n = Number(v.replace(/[£,%]/g, ""));
    return v !== "" && v !== "—" && !isNaN(n) ? n : v.toLowerCase();
  }
  function compare(a, b) {
    if (typeof a === "number" && typeof b === "number") return a - b;
    if (typeof a === "number") return -1;
    if (typeof b === "number") return 1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  function sortBy(table, th, index) {
    var order = th.getAttribute("aria-sort") === "ascending" ? "descending" : "ascending";
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) {
      if (h.hasAttribute("aria-sort")) h.setAttribute("aria-sort", "none");
    });
    th.setAttribute("aria-sort", order);
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var c = compare(key(r1.cells[index]), key(r2.cells[index]));
      return order === "ascending" ? c : -c;
    });
    rows.forEach(function (r) { body.appendChild(r); });
    var status = table.parentNode.querySelector(".sort-status") || document.getElementById("sort-status");
    if (status) status.textContent = "Sorted by " + th.textContent.trim() + ", " + order + ".";
  }
  Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), function (table) {
    if (!table.tHead || !table.tBodies.length || table.tBodies[0].rows.length < 2) return;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      th.setAttribute("aria-sort", "none");
      button.addEventListener("click", function () { sortBy(table, th, index); });
    });
  });
  if (!document.getElementById("sort-status")) {
    var live = document.createElement("div");
    live.id = "sort-status";
    live.className = "visually-hidden";
    live.setAttribute("aria-live", "polite");
    document.body.appendChild(live);
  }
})();


/* A filter box above long listings (progressive enhancement: without JavaScript the full table shows). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("table[data-filter]"), function (table, n) {
    var region = table.parentNode;
    var id = "filter-" + (table.id || n);
    var box = document.createElement("div");
    box.className = "filter";
    var label = document.createElement("label");
    label.className = "filter__label";
    label.htmlFor = id;
    label.textContent = "Filter these rows (case ref, duty, subject, status)";
    var input = document.createElement("input");
    input.type = "search";
    input.id = id;
    input.className = "filter__input";
    input.setAttribute("aria-controls", table.id);
    var count = document.createElement("p");
    count.className = "filter__count";
    count.setAttribute("aria-live", "polite");
    box.appendChild(label);
    box.appendChild(input);
    box.appendChild(count);
    region.parentNode.insertBefore(box, region);
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    input.addEventListener("input", function () {
      var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      rows.forEach(function (row) {
        var text = row.textContent.toLowerCase();
        var match = words.every(function (w) { return text.indexOf(w) !== -1; });
        row.hidden = !match;
        if (match) shown += 1;
      });
      count.textContent = words.length ? shown + " of " + rows.length + " rows shown" : "";
    });
  });
})();


/* Print buttons (hidden until this script shows them: without JavaScript, the browser's own print). */
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("button[data-print]"), function (button) {
    button.hidden = false;
    button.addEventListener("click", function () { window.print(); });
  });
})();
