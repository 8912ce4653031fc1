// While a snapshot is pending, reload its "Automated checks" section every few seconds until
// it is ready or failed. Without JavaScript the section's "Reload" link does the same by hand.
(function () {
  "use strict";
  var INTERVAL_MS = 3000;
  var MAX_POLLS = 100; // five minutes: a fetch is killed after one, so something is wrong
  function poll(section, count) {
    if (section.dataset.snapshotStatus !== "pending" || count >= MAX_POLLS) {
      return;
    }
    window.setTimeout(function () {
      fetch(section.dataset.pollUrl, { credentials: "same-origin" })
        .then(function (response) {
          return response.ok ? response.text() : Promise.reject(response.status);
        })
        .then(function (html) {
          var holder = document.createElement("div");
          holder.innerHTML = html;
          var fresh = holder.querySelector(".automated-checks");
          if (!fresh) {
            return;
          }
          // The content changes inside the same section, an aria-live region, so screen
          // readers announce the results.
          section.innerHTML = fresh.innerHTML;
          section.dataset.snapshotStatus = fresh.dataset.snapshotStatus;
          enhance(section);
          poll(section, count + 1);
        })
        .catch(function () {
          poll(section, count + 1);
        });
    }, INTERVAL_MS);
  }
  function enhance(section) {
    var reload = section.querySelector(".checks-reload");
    if (reload) {
      reload.textContent = "The results appear here by themselves.";
    }
  }
  document.querySelectorAll(".automated-checks").forEach(function (section) {
    enhance(section);
    poll(section, 0);
  });
})();
