/* Show a question only when its condition (data-when, the framework's condition language) holds for the
   answers given so far. The server applies the same rule; this only spares people irrelevant questions. */
(function () {
  "use strict";
  var form = document.querySelector("form.questionnaire");
  if (!form) { return; }

  function answer(id) {
    var inputs = form.querySelectorAll("[name='" + id + "']");
    var values = [];
    Array.prototype.forEach.call(inputs, function (input) {
      var box = input.closest("fieldset.question");
      if (box && box.hidden) { return; }
      if (input.type === "radio" || input.type === "checkbox") {
        if (input.checked && input.value !== "") { values.push(input.value); }
      } else if (input.value.trim() !== "") {
        values.push(input.value.trim());
      }
    });
    var multi = inputs.length && inputs[0].type === "checkbox";
    if (multi) { return values; }
    if (!values.length) { return null; }
    var v = values[0];
    if (v === "yes") { return true; }
    if (v === "no") { return false; }
    return v;
  }

  function holds(c) {
    if (!c || typeof c !== "object") { return true; }
    if (c.all) { return c.all.every(holds); }
    if (c.any) { return c.any.some(holds); }
    if (c.not) { return !holds(c.not); }
    if (!("answer" in c)) { return true; }  // tier/role/flag conditions are the server's to judge
    var a = answer(c.answer);
    if ("empty" in c) { return (a === null || (Array.isArray(a) && !a.length)) === !!c.empty; }
    if (a === null || (Array.isArray(a) && !a.length)) { return false; }
    if ("is" in c) { return a === c.is; }
    if ("equals" in c) { return Array.isArray(a) ? a.indexOf(String(c.equals)) >= 0 : String(a) === String(c.equals); }
    if ("in" in c) {
      var list = c["in"].map(String);
      return Array.isArray(a) ? a.some(function (x) { return list.indexOf(x) >= 0; }) : list.indexOf(String(a)) >= 0;
    }
    var n = parseFloat(a);
    if (isNaN(n)) { return false; }
    if ("gt" in c) { return n > c.gt; }
    if ("gte" in c) { return n >= c.gte; }
    if ("lt" in c) { return n < c.lt; }
    if ("lte" in c) { return n <= c.lte; }
    return true;
  }

  var boxes = Array.prototype.slice.call(form.querySelectorAll("fieldset.question"));
  function refresh() {
    // Conditions may chain (a question depends on one that is itself conditional): settle in a few passes.
    for (var pass = 0; pass < 4; pass++) {
      boxes.forEach(function (box) {
        var input = box.querySelector("[data-when]");
        if (!input) { return; }
        box.hidden = !holds(JSON.parse(input.getAttribute("data-when")));
      });
    }
  }
  form.addEventListener("change", refresh);
  form.addEventListener("input", refresh);
  refresh();
})();
