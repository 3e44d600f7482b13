// Kassa's payment form with Stripe's Payment Element (server/src/http/paying.rs renders the
// form and its words; this mounts Stripe's fields in it and confirms the payment, or sets up
// a plan's direct-debit mandate). Card and
// bank details go from Stripe's own fields to Stripe: they never pass through Kassa. Without
// Stripe.js (blocked, offline, no JavaScript) the page's bank-transfer way stays shown.
(function () {
  "use strict";
  var form = document.getElementById("payment-form");
  var unavailable = document.getElementById("payment-unavailable");
  if (!form || !unavailable) return;
  function giveUp() {
    form.hidden = true;
    unavailable.hidden = false;
  }
  if (typeof window.Stripe !== "function") return giveUp();
  form.hidden = false;
  unavailable.hidden = true;
  var error = document.getElementById("payment-error");
  var button = form.querySelector("button[type=submit]");
  var stripe, elements;
  try {
    stripe = window.Stripe(form.dataset.key, { locale: form.dataset.locale });
    elements = stripe.elements({ clientSecret: form.dataset.secret, locale: form.dataset.locale });
  } catch (e) {
    return giveUp();
  }
  var element = elements.create("payment");
  element.on("ready", function () {
    document.getElementById("payment-loading").hidden = true;
    button.disabled = false;
    form.setAttribute("data-ready", "");
  });
  element.on("loaderror", giveUp);
  element.mount("#payment-element");
  form.addEventListener("submit", function (event) {
    event.preventDefault();
    button.disabled = true;
    error.textContent = "";
    // The same form sets up a direct-debit mandate (data-mode="setup": nothing is charged now).
    var confirm = form.dataset.mode === "setup" ? stripe.confirmSetup : stripe.confirmPayment;
    confirm
      .call(stripe, { elements: elements, confirmParams: { return_url: form.dataset.return } })
      .then(function (result) {
        // Only an error comes back here (a decline, a field left empty): Stripe says why in
        // the payer's language; they may try again, with another card too.
        if (result && result.error) error.textContent = result.error.message || form.dataset.failed;
        button.disabled = false;
      }, function () {
        error.textContent = form.dataset.failed;
        button.disabled = false;
      });
  });
})();
