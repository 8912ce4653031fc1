// Typed text is not lost to a link or a reload: leaving a page on which a form's text was
// changed and not sent asks first, with the browser's own "Leave site?" question. Sending
// that form (not its Preview button, which opens a new tab) clears the question for it.
(function () {
  "use strict";
  var changed = new Set();
  document.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.matches || !field.matches("form[method=post] textarea")) {
      return;
    }
    if (field.value === field.defaultValue) {
      changed.delete(field);
    } else {
      changed.add(field);
    }
  });
  document.addEventListener("submit", function (event) {
    if (event.submitter && event.submitter.formTarget === "_blank") {
      return;
    }
    changed.forEach(function (field) {
      if (field.form === event.target) {
        changed.delete(field);
      }
    });
  });
  window.addEventListener("beforeunload", function (event) {
    var unsent = Array.from(changed).some(function (field) {
      return field.isConnected && field.value !== field.defaultValue;
    });
    if (unsent) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();
