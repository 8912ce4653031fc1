// Line comments in the file and changes views: a line number opens a comment box under its
// line instead of the review form. Without JavaScript the same link opens the review form
// with the path and line filled in, so the page works either way.
(function () {
  "use strict";
  var template = document.getElementById("inline-comment-template");
  if (!template) {
    return;
  }
  var openRow = null;

  function close() {
    if (openRow) {
      openRow.parentNode.removeChild(openRow);
      openRow = null;
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.line-comment-link");
    if (link) {
      var table = link.closest("table[data-path]");
      var row = link.closest("tr");
      if (!table || !row) {
        return;
      }
      event.preventDefault();
      close();
      openRow = document.createElement("tr");
      openRow.className = "inline-comment-row";
      var cell = document.createElement("td");
      cell.colSpan = row.children.length;
      cell.appendChild(template.content.cloneNode(true));
      openRow.appendChild(cell);
      row.parentNode.insertBefore(openRow, row.nextSibling);
      cell.querySelector("input[name=path]").value = table.getAttribute("data-path");
      cell.querySelector("input[name=line]").value = link.getAttribute("data-line");
      var body = cell.querySelector("textarea");
      body.setAttribute("aria-label", "Comment on line " + link.getAttribute("data-line"));
      body.focus();
      return;
    }
    if (event.target.closest(".inline-comment-cancel")) {
      var cancelled = openRow;
      close();
      if (cancelled === null) {
        var form = event.target.closest("form");
        if (form) {
          form.parentNode.removeChild(form);
        }
      }
    }
  });
})();
