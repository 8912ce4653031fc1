// Line comments in the file and changes views: a line number opens a comment box under its
// line instead of the review form. Without JavaScript the same link opens the review form
// with the path and line filled in, so the page works either way.
(function () {
  "use strict";
  var template = document.getElementById("inline-comment-template");
  if (!template) {
    return;
  }
  // A box under its line: opening another line's box drops the boxes left empty, and keeps
  // any with text in it (unsent text is never lost to a click).
  function boxAfter(row) {
    var next = row.nextElementSibling;
    return next && next.classList.contains("inline-comment-row") ? next : null;
  }

  // Each box is a copy of one template: its ids (and what points at them) get the line's
  // suffix, so two open boxes never share an id.
  function uniqueIds(root, suffix) {
    root.querySelectorAll("[id]").forEach(function (element) {
      var old = element.id;
      element.id = old + suffix;
      root.querySelectorAll("label[for='" + old + "']").forEach(function (label) {
        label.htmlFor = old + suffix;
      });
      root.querySelectorAll("[aria-describedby]").forEach(function (described) {
        var ids = described.getAttribute("aria-describedby").split(" ");
        described.setAttribute(
          "aria-describedby",
          ids.map(function (id) { return id === old ? old + suffix : id; }).join(" ")
        );
      });
    });
  }

  function dropEmptyBoxes() {
    document.querySelectorAll("tr.inline-comment-row").forEach(function (box) {
      var text = box.querySelector("textarea");
      if (!text || !text.value.trim()) {
        box.parentNode.removeChild(box);
      }
    });
  }

  // A comment the server refused comes back in a box below the file (which is where it stays
  // without JavaScript); here it moves under the line it is about, as it was when written.
  (function () {
    var rejected = document.getElementById("rejected-comment");
    var table = document.querySelector("table[data-path][data-open-line]");
    var row = table && document.getElementById("L" + table.getAttribute("data-open-line"));
    if (!rejected || !row || !table.contains(row)) {
      return;
    }
    var box = document.createElement("tr");
    box.className = "inline-comment-row";
    var cell = document.createElement("td");
    cell.colSpan = row.children.length;
    while (rejected.firstChild) {
      cell.appendChild(rejected.firstChild);
    }
    box.appendChild(cell);
    row.parentNode.insertBefore(box, row.nextSibling);
    rejected.parentNode.removeChild(rejected);
    var body = cell.querySelector("textarea");
    if (body) {
      body.setAttribute("aria-label", "Comment on line " + table.getAttribute("data-open-line"));
      body.focus();
    }
  })();

  // Esc closes a box with nothing typed in it, back to its line number (typed text stays).
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var box = event.target.closest && event.target.closest("tr.inline-comment-row");
    var text = box && box.querySelector("textarea");
    if (!box || (text && text.value.trim())) {
      return;
    }
    var lineLink = box.previousElementSibling.querySelector("a.line-comment-link");
    box.parentNode.removeChild(box);
    if (lineLink) {
      lineLink.focus();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target.closest("a.line-comment-link");
    if (link) {
      var table = link.closest("table[data-path]");
      var row = link.closest("tr");
      if (!table || !row) {
        return;
      }
      event.preventDefault();
      var open = boxAfter(row);
      if (open) {
        open.querySelector("textarea").focus();
        return;
      }
      dropEmptyBoxes();
      var box = document.createElement("tr");
      box.className = "inline-comment-row";
      var cell = document.createElement("td");
      cell.colSpan = row.children.length;
      cell.appendChild(template.content.cloneNode(true));
      uniqueIds(cell, "-line-" + link.getAttribute("data-line"));
      box.appendChild(cell);
      row.parentNode.insertBefore(box, row.nextSibling);
      cell.querySelector("input[name=path]").value = table.getAttribute("data-path");
      cell.querySelector("input[name=line]").value = link.getAttribute("data-line");
      var body = cell.querySelector("textarea");
      body.setAttribute("aria-label", "Comment on line " + link.getAttribute("data-line"));
      body.focus();
      return;
    }
    if (event.target.closest(".inline-comment-cancel")) {
      var cancelled = event.target.closest("tr.inline-comment-row");
      if (cancelled) {
        // Back to the line number that opened it, for keyboard users.
        var lineLink = cancelled.previousElementSibling.querySelector("a.line-comment-link");
        cancelled.parentNode.removeChild(cancelled);
        if (lineLink) {
          lineLink.focus();
        }
        return;
      }
      var form = event.target.closest("form");
      if (form) {
        form.parentNode.removeChild(form);
      }
    }
  });
})();
