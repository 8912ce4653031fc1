// "Add another comment" on the review page: clones the formset's empty form. Without
// JavaScript the page offers one blank row; "Save draft" keeps it and brings a new one.
(function () {
  "use strict";
  var button = document.getElementById("add-comment");
  var template = document.getElementById("comment-row-template");
  var rows = document.getElementById("comment-rows");
  var total = document.getElementById("id_comments-TOTAL_FORMS");
  if (!button || !template || !rows || !total) {
    return;
  }
  button.classList.remove("d-none");
  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    var html = template.innerHTML
      .replace(/__prefix__/g, String(index))
      .replace(/__number__/g, String(index + 1));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var firstField = rows.lastElementChild.querySelector("input, textarea");
    if (firstField) {
      firstField.focus();
    }
  });
})();
