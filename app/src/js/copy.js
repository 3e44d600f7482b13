// Copy buttons beside the bank-transfer details (app/src/portal.rs renders them hidden).
// Without JavaScript or a clipboard they stay hidden, and the details can still be selected
// and copied by hand. Each button copies its data-copy value (the IBAN and reference without
// spaces, the amount as a banking app takes it) and says so in the section's status line.
(function () {
  "use strict";
  if (!navigator.clipboard || !navigator.clipboard.writeText) return;
  var status = document.getElementById("copy-status");
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(button.getAttribute("data-copy")).then(function () {
        button.textContent = button.getAttribute("data-copied");
        if (status) status.textContent = button.getAttribute("data-said");
        setTimeout(function () {
          button.textContent = label;
        }, 2000);
      });
    });
  });
})();
