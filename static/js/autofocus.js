// The box a link opened ("Answer in this thread") takes the focus. Its `autofocus` is not
// enough: browsers skip autofocus on a page opened at a #fragment (the link's, so the comment
// is in view), and bringing the fragment into view moves the focus to the page itself. So the
// box is focused here once the page has loaded and scrolled, leaving the comment where it is;
// only a box below the window's edge (under a long comment) is scrolled up into view.
(function () {
  "use strict";
  window.addEventListener("load", function () {
    var box = document.querySelector("[autofocus]");
    if (!box || (document.activeElement && document.activeElement !== document.body)) {
      return;
    }
    box.focus({ preventScroll: true });
    if (box.getBoundingClientRect().bottom > window.innerHeight) {
      box.scrollIntoView({ block: "nearest" });
    }
  });
})();
