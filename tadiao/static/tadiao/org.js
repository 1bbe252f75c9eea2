// Asks before a form with data-confirm is sent (the CSP forbids inline onclick handlers).
document.addEventListener("submit", function (event) {
  var message = event.target.getAttribute("data-confirm");
  if (message && !window.confirm(message)) {
    event.preventDefault();
  }
});
