// Ticking an objective on a stage page. Without JavaScript the form posts and the page comes
// back at the objective's row (#objective-N): its button gets the focus here, on load. With
// it, the form posts in the background and the row (and the messages) are swapped in place,
// the focus staying on the row's button, so a keyboard user is never sent to the page's top.
(function () {
  "use strict";
  function focusButton(row) {
    var button = row && row.querySelector("button");
    if (button) {
      button.focus();
    }
  }
  function enhance(form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var row = form.closest(".objective-row");
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html");
          var freshRow = fresh.getElementById(row.id);
          var freshMessages = fresh.getElementById("messages");
          if (!freshRow) {
            form.submit();
            return;
          }
          row.replaceWith(freshRow);
          var messages = document.getElementById("messages");
          if (messages && freshMessages) {
            messages.innerHTML = freshMessages.innerHTML;
          }
          var freshForm = freshRow.querySelector("form");
          if (freshForm) {
            enhance(freshForm);
          }
          focusButton(freshRow);
        })
        .catch(function () {
          form.submit(); // the plain POST, which works without this script
        });
    });
  }
  document.querySelectorAll(".objective-row form").forEach(enhance);
  if (window.location.hash.indexOf("#objective-") === 0) {
    focusButton(document.getElementById(window.location.hash.slice(1)));
  }
})();
