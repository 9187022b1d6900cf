// The card step, the only script Ayni's donor pages run. Everything else works without it.
// Stripe.js (or localstripe's stand-in) saves the card on a SetupIntent with confirmCardSetup;
// the form is then sent to our server, which takes the gift. If the bank wants the donor to
// confirm, the server sends the page back with a PaymentIntent secret for confirmCardPayment.
// A refusal is told in the page's language: Stripe's codes are looked up in the sentences the
// page carries (data-refusals), never shown as Stripe's English message.
(function () {
  'use strict';
  const form = document.getElementById('card-form');
  if (!form || typeof Stripe === 'undefined') return;
  const status = document.getElementById('card-status');
  const button = document.getElementById('give-button');
  const refusals = JSON.parse(form.dataset.refusals || '{}');
  const stripe = Stripe(form.dataset.publishableKey, { locale: form.dataset.locale });

  function reason(error) {
    if (!error) return form.dataset.failed;
    return refusals[error.decline_code] || refusals[error.code] ||
      // Stripe.js's own checks of what was typed come in the page's locale.
      (error.type === 'validation_error' && error.message) || form.dataset.failed;
  }

  function failed(error) {
    status.textContent = reason(error);
    if (button) button.disabled = false;
  }

  if (form.dataset.confirmSecret) {
    status.textContent = form.dataset.working;
    stripe.confirmCardPayment(form.dataset.confirmSecret).then(function (result) {
      // Refused by the bank: our server tells why and gives the card field back for another card.
      if (result.error) form.submit();
      else window.location.assign(form.dataset.doneUrl);
    }, function () { form.submit(); });
    return;
  }
  if (!form.dataset.setupSecret) return;
  const card = stripe.elements().create('card');
  card.mount('#card-element');
  form.addEventListener('submit', function (event) {
    event.preventDefault();
    button.disabled = true;
    status.textContent = form.dataset.working;
    stripe.confirmCardSetup(form.dataset.setupSecret, { payment_method: { card: card } })
      .then(function (result) {
        if (result.error) failed(result.error);
        else form.submit();
      }, failed);
  });
})();
