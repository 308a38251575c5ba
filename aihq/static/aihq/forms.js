/* A text box above each long multi-select (data-filterable) that hides options not matching what is typed. */
(function () {
  "use strict";
  var script = document.currentScript;
  var placeholder = (script && script.dataset.placeholder) || "";
  document.querySelectorAll("select[data-filterable]").forEach(function (select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "listfilter";
    box.placeholder = placeholder;
    box.setAttribute("aria-controls", select.id);
    box.addEventListener("input", function () {
      var needle = box.value.trim().toLowerCase();
      Array.prototype.forEach.call(select.options, function (option) {
        option.hidden = needle !== "" && option.text.toLowerCase().indexOf(needle) === -1 && !option.selected;
      });
    });
    select.parentNode.insertBefore(box, select);
  });
})();
