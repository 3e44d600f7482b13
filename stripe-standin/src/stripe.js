// A stand-in for Stripe.js (https://js.stripe.com/v3/), for Kassa's browser tests. It
// implements what Kassa's pay page uses, with Stripe.js's names and answers:
//   Stripe(publishableKey) -> { elements({ clientSecret }), confirmPayment({ elements,
//   confirmParams: { return_url }, redirect }), confirmSetup({ elements, confirmParams }) }
//   elements.create('payment') -> element { mount(target), on(event, handler) }
// The Payment Element is drawn in the page (the real one is an iframe): a choice of the
// PaymentIntent's methods and, for a card, its number; for SEPA Direct Debit, an IBAN.
// confirmPayment posts to this stand-in's API as Stripe.js posts to api.stripe.com, follows a
// required redirect (3-D Secure, a bank's page) and otherwise goes to the return_url with
// Stripe's query parameters; a decline resolves to { error } and stays, as Stripe.js does.
(function () {
  "use strict";
  var script = document.currentScript;
  var api = new URL("/", script ? script.src : window.location.href).href;

  function form(params) {
    return Object.keys(params)
      .map(function (k) { return encodeURIComponent(k) + "=" + encodeURIComponent(params[k]); })
      .join("&");
  }

  function intentId(clientSecret) {
    return String(clientSecret).split("_secret_")[0];
  }

  // A SetupIntent's secret (`seti_...`) or a PaymentIntent's.
  function intentPath(clientSecret) {
    var id = intentId(clientSecret);
    return (id.indexOf("seti_") === 0 ? "v1/setup_intents/" : "v1/payment_intents/") + id;
  }

  function PaymentElement(elements) {
    this.elements = elements;
    this.handlers = {};
    this.root = null;
  }

  PaymentElement.prototype.on = function (event, handler) {
    this.handlers[event] = handler;
    return this;
  };

  PaymentElement.prototype.mount = function (target) {
    var self = this;
    var root = typeof target === "string" ? document.querySelector(target) : target;
    if (!root) throw new Error("IntegrationError: the Payment Element's container was not found");
    self.root = root;
    var secret = self.elements.clientSecret;
    fetch(api + intentPath(secret) + "?client_secret=" + encodeURIComponent(secret))
      .then(function (r) { return r.json(); })
      .then(function (intent) {
        var box = document.createElement("div");
        box.className = "standin-payment-element";
        var methods = intent.payment_method_types || ["card"];
        var fieldset = document.createElement("fieldset");
        var legend = document.createElement("legend");
        legend.textContent = "Payment method";
        fieldset.appendChild(legend);
        methods.forEach(function (m, i) {
          var label = document.createElement("label");
          var radio = document.createElement("input");
          radio.type = "radio";
          radio.name = "standin-method";
          radio.value = m;
          if (i === 0) radio.checked = true;
          label.appendChild(radio);
          label.appendChild(document.createTextNode(" " + m));
          fieldset.appendChild(label);
        });
        box.appendChild(fieldset);
        [["card", "Card number", "standin-card"], ["sepa_debit", "IBAN", "standin-iban"]].forEach(function (f) {
          var label = document.createElement("label");
          label.textContent = f[1] + " ";
          var input = document.createElement("input");
          input.id = f[2];
          input.name = f[2];
          input.autocomplete = "off";
          label.appendChild(input);
          label.setAttribute("data-method", f[0]);
          box.appendChild(label);
        });
        root.appendChild(box);
        if (self.handlers.ready) self.handlers.ready({ elementType: "payment" });
      })
      .catch(function (e) {
        if (self.handlers.loaderror) self.handlers.loaderror({ error: { type: "api_connection_error", message: String(e) } });
      });
    return self;
  };

  PaymentElement.prototype.details = function () {
    var root = this.root;
    var chosen = root.querySelector("input[name=standin-method]:checked");
    var type = chosen ? chosen.value : "card";
    var params = { "payment_method_data[type]": type };
    if (type === "card") params["payment_method_data[card][number]"] = root.querySelector("#standin-card").value;
    if (type === "sepa_debit") params["payment_method_data[sepa_debit][iban]"] = root.querySelector("#standin-iban").value;
    return params;
  };

  function Elements(options) {
    this.clientSecret = options && options.clientSecret;
    this.element = null;
  }

  Elements.prototype.create = function (type) {
    if (type !== "payment") throw new Error("IntegrationError: this stand-in draws only the Payment Element");
    this.element = new PaymentElement(this);
    return this.element;
  };

  Elements.prototype.submit = function () {
    return Promise.resolve({});
  };

  function StripeStandIn(publishableKey) {
    if (!/^pk_(test|live)_/.test(String(publishableKey))) {
      throw new Error("IntegrationError: Invalid value for Stripe(): apiKey should be a publishable key");
    }
    this.key = publishableKey;
  }

  StripeStandIn.prototype.elements = function (options) {
    return new Elements(options);
  };

  // Posts the Payment Element's details to the intent's confirm, as Stripe.js does; resolves
  // to Stripe's answer.
  function confirmIntent(stripe, options, extra) {
    var elements = options.elements;
    var params = elements.element.details();
    params.client_secret = elements.clientSecret;
    params.key = stripe.key;
    Object.keys(extra).forEach(function (k) { params[k] = extra[k]; });
    return fetch(api + intentPath(elements.clientSecret) + "/confirm", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: form(params),
    }).then(function (r) { return r.json(); });
  }

  // Sends the payer to the return_url with Stripe's query parameters for `kind`
  // (payment_intent, setup_intent); never resolves, as the page goes.
  function returnTo(returnUrl, kind, answer, succeeded) {
    var url = new URL(returnUrl);
    url.searchParams.set(kind, answer.id);
    url.searchParams.set(kind + "_client_secret", answer.client_secret);
    url.searchParams.set("redirect_status", succeeded ? "succeeded" : "failed");
    window.location.assign(url.href);
    return new Promise(function () {});
  }

  StripeStandIn.prototype.confirmPayment = function (options) {
    var returnUrl = options.confirmParams && options.confirmParams.return_url;
    return confirmIntent(this, options, returnUrl ? { return_url: returnUrl } : {}).then(function (answer) {
      if (answer.error) return { error: answer.error };
      if (answer.next_action && answer.next_action.redirect_to_url) {
        window.location.assign(answer.next_action.redirect_to_url.url);
        return new Promise(function () {});
      }
      if (options.redirect === "if_required") return { paymentIntent: answer };
      return returnTo(returnUrl, "payment_intent", answer, answer.status === "succeeded" || answer.status === "processing");
    });
  };

  // Sets up a mandate (SEPA Direct Debit) as Stripe.js does: the IBAN goes to Stripe, and the
  // payer to the return_url with Stripe's query parameters; an error resolves to { error }.
  StripeStandIn.prototype.confirmSetup = function (options) {
    var returnUrl = options.confirmParams && options.confirmParams.return_url;
    var accepted = { "mandate_data[customer_acceptance][type]": "online" };
    return confirmIntent(this, options, accepted).then(function (answer) {
      if (answer.error) return { error: answer.error };
      if (options.redirect === "if_required") return { setupIntent: answer };
      return returnTo(returnUrl, "setup_intent", answer, answer.status === "succeeded");
    });
  };

  window.Stripe = function (key, options) {
    return new StripeStandIn(key, options);
  };
})();
