// The pages' own behaviour, kept out of the HTML so that the Content-Security-Policy can refuse every inline
// script and event handler (ADR 0082). Works on the first page and on every fragment htmx swaps in.
(function () {
  "use strict";

  document.addEventListener("click", function (event) {
    var button = event.target.closest("[data-close-dialog]");
    if (button) button.closest("dialog").remove();
  });

  // Catalogue: "Select group" ticks every device of the group on this page.
  document.addEventListener("change", function (event) {
    if (!event.target.matches(".pick-group")) return;
    document.querySelectorAll("input[data-group]").forEach(function (box) {
      if (box.dataset.group === event.target.dataset.group) box.checked = event.target.checked;
    });
  });

  // Device form: the submit button stays disabled until the mandatory fields are valid (R-DEV-6; the server
  // checks again) and says what keeps it disabled; a storage capacity is only sent with energy storage.
  function deviceForm(form) {
    var button = form.querySelector("#device-submit"), missing = form.querySelector("#device-missing");
    var storage = form.querySelector("#energy_storage"), capacity = form.querySelector("#energy_storage_capacity_kwh");
    function unmet() {
      return Array.prototype.filter.call(form.elements, function (e) { return e.willValidate && !e.checkValidity(); })
        .map(function (e) {
          var label = form.querySelector('label[for="' + e.id + '"]');
          return label ? label.textContent.replace("*", "").trim() : e.name;
        });
    }
    function update() {
      if (storage && capacity) capacity.disabled = !storage.checked;
      var needed = unmet();
      button.disabled = needed.length > 0;
      if (missing) missing.textContent = needed.length ? "Still needed: " + needed.join(", ") + "." : "";
    }
    form.addEventListener("input", update);
    form.addEventListener("change", update);
    update();
  }

  // Reads: the production chart, from the JSON data block next to its canvas.
  function productionChart(canvas) {
    var data = JSON.parse(document.getElementById(canvas.dataset.chart).textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {labels: data.labels, datasets: [{label: data.unit, data: data.wh.map(function (wh) { return wh / data.factor; })}]},
      options: {animation: false, plugins: {legend: {display: false}}}
    });
  }

  // Swagger UI at /api/docs.
  function swaggerUi(element) {
    window.ui = window.SwaggerUIBundle({url: element.dataset.openapi, dom_id: "#" + element.id});
  }

  var ENHANCERS = [["#device-form", deviceForm], ["canvas[data-chart]", productionChart], ["#swagger-ui", swaggerUi]];

  function enhance(root) {
    ENHANCERS.forEach(function (pair) {
      var found = Array.from(root.querySelectorAll(pair[0]));
      if (root.matches && root.matches(pair[0])) found.push(root);
      found.forEach(function (element) {
        if (element.dataset.enhanced) return;
        element.dataset.enhanced = "true";
        pair[1](element);
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
})();
