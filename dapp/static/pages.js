// Behaviour shared by every page: navigation menus, tables that scroll inside their box, confirmations of
// destructive actions, copy buttons and searchable pick lists. Each part also applies to content htmx swaps in.
(function () {
  "use strict";

  // One navigation menu open at a time; a click elsewhere or Escape closes it.
  function closeMenus(except) {
    document.querySelectorAll("details.menu[open]").forEach(function (menu) {
      if (menu !== except) menu.open = false;
    });
  }
  document.addEventListener("click", function (event) {
    closeMenus(event.target.closest("details.menu"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape") closeMenus(null);
  });

  // The text of the last heading before `element`, to name its box.
  function heading(element) {
    var last = null;
    document.querySelectorAll("h1, h2, h3").forEach(function (h) {
      if (h.compareDocumentPosition(element) & Node.DOCUMENT_POSITION_FOLLOWING) last = h;
    });
    return last ? last.textContent : "Table";
  }

  // A wide table scrolls inside a box a keyboard can reach, never the page.
  function wrapTables(root) {
    root.querySelectorAll("table").forEach(function (table) {
      if (table.parentElement.classList.contains("scroll")) return;
      var box = document.createElement("div");
      box.className = "scroll";
      box.tabIndex = 0;
      box.setAttribute("role", "region");
      var caption = table.querySelector("caption");
      box.setAttribute("aria-label", table.getAttribute("aria-label") || (caption ? caption.textContent : heading(table)).trim());
      table.parentNode.insertBefore(box, table);
      box.appendChild(table);
    });
  }

  // A form or button with data-confirm asks before it is sent.
  document.addEventListener("submit", function (event) {
    var button = event.submitter;
    var question = (button && button.dataset.confirm) || event.target.dataset.confirm;
    if (question && !window.confirm(question)) event.preventDefault();
  }, true);

  // A button with data-copy puts its value on the clipboard and says so.
  document.addEventListener("click", function (event) {
    var button = event.target.closest("button[data-copy]");
    if (!button) return;
    navigator.clipboard.writeText(button.dataset.copy).then(function () {
      var label = button.textContent;
      button.textContent = "Copied";
      setTimeout(function () { button.textContent = label; }, 1500);
    });
  });

  // A pick list's search box shows only the choices containing what is typed; typing filters nothing else.
  document.addEventListener("input", function (event) {
    if (!event.target.matches("input[data-pick-search]")) return;
    var text = event.target.value.trim().toLowerCase();
    event.target.closest(".pick").querySelectorAll("label.choice").forEach(function (choice) {
      choice.hidden = text !== "" && choice.textContent.toLowerCase().indexOf(text) === -1;
    });
  });
  document.addEventListener("change", function (event) {
    if (event.target.matches("input[data-pick-search]")) event.stopPropagation();
  }, true);

  // A pick list's summary counts what is ticked.
  document.addEventListener("change", function (event) {
    var pick = event.target.closest(".pick");
    if (!pick || !event.target.matches("input[type=checkbox]")) return;
    var count = pick.querySelectorAll("input[type=checkbox]:checked").length;
    pick.querySelector(".pick-count").textContent = count ? "(" + count + " selected)" : "";
  });

  // A select marked data-autosubmit applies its form as soon as it changes (the unit of All reads).
  document.addEventListener("change", function (event) {
    if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
  });

  function enhance(root) {
    if (root.matches && root.matches("table")) root = root.parentElement;
    wrapTables(root);
  }
  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:load", function (event) { enhance(event.detail.elt); });
})();
