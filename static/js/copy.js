// Copy buttons of the client pages: <button data-copy="text" data-copied="Copied" hidden>.
// The buttons stay hidden without JavaScript; the text next to them can still be selected.
(function () {
  "use strict";

  function copyText(text) {
    if (navigator.clipboard && window.isSecureContext) {
      return navigator.clipboard.writeText(text);
    }
    // Plain HTTP: the clipboard API is missing, the older command still works on a click.
    return new Promise(function (resolve, reject) {
      var area = document.createElement("textarea");
      area.value = text;
      area.setAttribute("readonly", "");
      area.style.position = "fixed";
      area.style.opacity = "0";
      document.body.appendChild(area);
      area.select();
      var ok = false;
      try {
        ok = document.execCommand("copy");
      } catch (error) {
        ok = false;
      }
      area.remove();
      if (ok) { resolve(); } else { reject(new Error("copy refused")); }
    });
  }

  document.querySelectorAll("button[data-copy]").forEach(function (button) {
    var label = button.textContent;
    var timer = null;
    button.hidden = false;
    button.addEventListener("click", function () {
      copyText(button.dataset.copy).then(function () {
        button.textContent = button.dataset.copied;
        clearTimeout(timer);
        timer = setTimeout(function () { button.textContent = label; }, 2500);
      });
    });
  });
})();
