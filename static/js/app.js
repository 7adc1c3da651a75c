/* Page behaviours, bound by data attributes: no inline script or event handler anywhere, so the
   Content-Security-Policy can forbid them (script-src 'self'). */
(function () {
  "use strict";

  // <select data-autosubmit>: choosing an option submits its form (the entity switcher).
  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  // <button data-formset-add="prefix" data-formset-template="id" data-formset-body="selector">:
  // appends an empty form of a Django formset (invoice and quote lines).
  document.querySelectorAll("[data-formset-add]").forEach(function (button) {
    button.addEventListener("click", function () {
      var prefix = button.getAttribute("data-formset-add");
      var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
      var template = document.getElementById(button.getAttribute("data-formset-template"));
      var body = document.querySelector(button.getAttribute("data-formset-body"));
      if (!total || !template || !body) { return; }
      var html = template.innerHTML.replace(/__prefix__/g, total.value);
      body.insertAdjacentHTML("beforeend", html);
      total.value = parseInt(total.value, 10) + 1;
    });
  });

  // <form data-kind-switch="name">: the radios named `name` show the fieldsets whose
  // data-kind matches the chosen value and disable the others (person / legal person).
  document.querySelectorAll("form[data-kind-switch]").forEach(function (form) {
    var name = form.getAttribute("data-kind-switch");
    var radios = form.querySelectorAll('input[name="' + name + '"]');
    function sync() {
      var chosen = form.querySelector('input[name="' + name + '"]:checked');
      var kind = chosen ? chosen.value : (radios.length ? radios[0].value : "");
      form.querySelectorAll("fieldset[data-kind]").forEach(function (fieldset) {
        var on = fieldset.getAttribute("data-kind") === kind;
        fieldset.hidden = !on;
        fieldset.querySelectorAll("input").forEach(function (input) { input.disabled = !on; });
      });
    }
    radios.forEach(function (radio) { radio.addEventListener("change", sync); });
    sync();
  });

  // <input type="checkbox" data-select-all="name"> inside <form data-select-scope>: ticks or
  // unticks every checkbox `name` of the form (the page's rows), and [data-selected-count]
  // says how many are ticked. Its label stays hidden without JavaScript.
  document.querySelectorAll("form[data-select-scope]").forEach(function (form) {
    var all = form.querySelector("input[data-select-all]");
    if (!all) { return; }
    var boxes = form.querySelectorAll('input[type=checkbox][name="' + all.getAttribute("data-select-all") + '"]');
    var count = form.querySelector("[data-selected-count]");
    var label = form.querySelector("[data-select-all-label]");
    if (label) { label.hidden = false; }
    function sync() {
      var ticked = 0;
      boxes.forEach(function (box) { if (box.checked) { ticked += 1; } });
      all.checked = ticked > 0 && ticked === boxes.length;
      all.indeterminate = ticked > 0 && ticked < boxes.length;
      if (count) {
        count.textContent = ticked ? count.getAttribute("data-label") + " " + ticked : "";
      }
    }
    all.addEventListener("change", function () {
      boxes.forEach(function (box) { box.checked = all.checked; });
      sync();
    });
    boxes.forEach(function (box) { box.addEventListener("change", sync); });
    sync();
  });
})();
