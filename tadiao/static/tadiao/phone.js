/* On a phone a list's filter form (details.td-fold[data-fold-phone]) starts folded under its summary, so the
   list itself is on the first screen; from 768 px on it is always open (its summary is hidden there). */
(function () {
  "use strict";
  if (!window.matchMedia) {
    return;
  }
  var phone = window.matchMedia("(max-width: 767.98px)");
  function fold() {
    Array.prototype.forEach.call(document.querySelectorAll("details[data-fold-phone]"), function (details) {
      details.open = !phone.matches;
    });
  }
  fold();
  if (phone.addEventListener) {
    phone.addEventListener("change", fold);
  }
})();
