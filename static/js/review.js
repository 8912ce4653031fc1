// "Add another comment" on the review page: copies a blank comment row. Without
// JavaScript the page offers one blank row; "Save draft" keeps it and brings a new one.
(function () {
  "use strict";
  var button = document.getElementById("add-comment");
  var rows = document.getElementById("comment-rows");
  var total = document.getElementById("id_comments-TOTAL_FORMS");
  if (!button || !rows || !total) {
    return;
  }
  // The row to copy, read before anything is typed: the formset's empty form when the page
  // has one (a form sent back with errors), else the blank row a fresh page ends with, its
  // number turned into the empty form's placeholders (the server renders that row once).
  var template = document.getElementById("comment-row-template");
  var blank = rows.querySelector(".comment-row[data-blank-row]");
  var html;
  if (template) {
    html = template.innerHTML;
  } else if (blank) {
    var index = blank.getAttribute("data-blank-row");
    html = blank.outerHTML
      .split("comments-" + index + "-")
      .join("comments-__prefix__-")
      .replace(">Comment " + (parseInt(index, 10) + 1) + "<", ">Comment __number__<")
      .replace(/ data-blank-row="\d+"/, "");
  } else {
    return;
  }
  button.classList.remove("d-none");
  button.addEventListener("click", function () {
    var next = parseInt(total.value, 10);
    rows.insertAdjacentHTML(
      "beforeend",
      html.replace(/__prefix__/g, String(next)).replace(/__number__/g, String(next + 1))
    );
    total.value = String(next + 1);
    var firstField = rows.lastElementChild.querySelector("input, textarea");
    if (firstField) {
      firstField.focus();
    }
  });
})();
