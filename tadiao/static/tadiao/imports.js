// The upload page: once the form is sent, keep the button from sending the same file twice.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("import-form");
  if (!form) return;
  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) {
      button.disabled = true;
      button.textContent = button.dataset.busyText || button.textContent;
    }
  });
});
