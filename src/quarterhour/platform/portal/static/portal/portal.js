// Large-text mode (remembered on this device). No outside requests.
(function () {
  "use strict";
  var root = document.documentElement;
  var button = document.getElementById("large-text");
  function apply(on) {
    root.classList.toggle("large", on);
    if (button) { button.setAttribute("aria-pressed", on ? "true" : "false"); }
  }
  var saved = false;
  try { saved = window.localStorage.getItem("qh-large") === "1"; } catch (e) { saved = false; }
  apply(saved);
  if (button) {
    button.addEventListener("click", function () {
      var on = !root.classList.contains("large");
      apply(on);
      try { window.localStorage.setItem("qh-large", on ? "1" : "0"); } catch (e) { /* private mode */ }
    });
  }
})();
