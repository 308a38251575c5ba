/* Small page behaviours without inline handlers (the Content-Security-Policy allows no inline script):
   <select data-autosubmit> submits its form when changed; <button data-print> prints the page. */
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var field = event.target;
    if (field.matches && field.matches("select[data-autosubmit]") && field.form) {
      if (field.form.requestSubmit) {
        field.form.requestSubmit();
      } else {
        field.form.submit();
      }
    }
  });
  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-print]");
    if (button) {
      event.preventDefault();
      window.print();
    }
  });
})();
