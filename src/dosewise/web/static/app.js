// dosewise: small enhancements only; every page works without this file.
(function () {
  "use strict";
  // Source markers: a tap (or Enter) shows the citation in place instead of jumping to the list.
  var open = null;
  function close() { if (open) { open.classList.remove("open"); open.setAttribute("aria-expanded", "false"); open = null; } }
  document.addEventListener("click", function (event) {
    var cite = event.target.closest ? event.target.closest("a.cite") : null;
    if (!cite) { close(); return; }
    if (open === cite) { close(); return; }  // a second tap follows nothing and closes
    event.preventDefault();
    close();
    cite.classList.add("open");
    cite.setAttribute("aria-expanded", "true");
    open = cite;
  });
  document.addEventListener("keydown", function (event) { if (event.key === "Escape") { close(); } });
  // After a check, move focus to the answer so screen readers and keyboards start there.
  var result = document.getElementById("result");
  if (result && window.location.hash === "#result") { result.setAttribute("tabindex", "-1"); result.focus(); }
})();
