// A Markdown field's "Preview" button (bootcamp.forms.MarkdownTextarea). Without JavaScript
// it posts the form to the preview page in a new tab. With it, the same page is fetched in
// the background and its preview shown under the field, in a live region; the button
// then reads "Hide preview" and a second press hides it again.
(function () {
  "use strict";
  function previewOf(bar) {
    var box = bar.querySelector(".markdown-preview-inline");
    if (!box) {
      box = document.createElement("div");
      box.className = "markdown-preview-inline border rounded p-2 mt-2";
      box.setAttribute("aria-live", "polite");
      bar.appendChild(box);
    }
    return box;
  }
  document.addEventListener("click", function (event) {
    var button = event.target.closest(".markdown-preview-button");
    if (!button || !button.form) {
      return;
    }
    event.preventDefault();
    var bar = button.closest(".markdown-preview-bar");
    var open = bar.querySelector(".markdown-preview-inline");
    if (open && !open.hidden) {
      open.hidden = true;
      button.firstChild.textContent = "Preview";
      button.setAttribute("aria-expanded", "false");
      return;
    }
    var data = new FormData(button.form);
    data.set(button.name, button.value);
    fetch(button.getAttribute("formaction"), {
      method: "POST",
      body: data,
      credentials: "same-origin",
    })
      .then(function (response) {
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var section = page.getElementById("markdown-preview");
        var box = previewOf(bar);
        box.innerHTML = section ? section.innerHTML : "<p>The preview could not be shown.</p>";
        box.hidden = false;
        button.firstChild.textContent = "Hide preview";
        button.setAttribute("aria-expanded", "true");
      })
      .catch(function () {
        button.form.requestSubmit(button); // the new-tab preview, as without this script
      });
  });
})();
