// The card step, the only script Ayni's donor pages run. Everything else works without it.
// Stripe.js (or localstripe's stand-in) saves the card on a SetupIntent with confirmCardSetup;
// the form is then sent to our server, which takes the gift. If the bank wants the donor to
// confirm, the server sends the page back with a PaymentIntent secret for confirmCardPayment.
(function () {
  'use strict';
  const form = document.getElementById('card-form');
  if (!form || typeof Stripe === 'undefined') return;
  const status = document.getElementById('card-status');
  const button = document.getElementById('give-button');
  const stripe = Stripe(form.dataset.publishableKey);

  function failed(error) {
    status.textContent = (error && error.message) || form.dataset.failed;
    if (button) button.disabled = false;
  }

  if (form.dataset.confirmSecret) {
    status.textContent = form.dataset.working;
    stripe.confirmCardPayment(form.dataset.confirmSecret).then(function (result) {
      if (result.error) failed(result.error);
      else window.location.assign(form.dataset.doneUrl);
    });
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
