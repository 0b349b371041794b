// Autocomplete for the search form's "what" and "where" fields: the WAI-ARIA APG combobox
// with a listbox popup. It only enhances plain inputs: without JavaScript the server reads the
// typed text itself. Picking a suggestion fills the input and the hidden code field next to
// it (ROME code, INSEE code); typing again clears that code.
(function () {
  "use strict";
  var DELAY = 200; // ms after the last key before asking the server
  var MIN_LENGTH = 2;

  function optionText(item) {
    if (item.departement_name) return item.label + " – " + item.departement_name;
    return item.label;
  }

  function codeOf(input, item) {
    return input.dataset.codeField === "occupation" ? item.occupation : item.code;
  }

  function enhance(input) {
    var codeField = document.getElementById(input.dataset.codeField);
    var wrapper = input.parentNode;
    var listbox = document.createElement("ul");
    var status = document.createElement("p");
    var items = [];
    var active = -1;
    var timer = null;
    var requestNumber = 0;

    listbox.id = input.id + "-suggestions";
    listbox.className = "combobox-listbox";
    listbox.setAttribute("role", "listbox");
    listbox.setAttribute("aria-label", input.dataset.listboxLabel); // not the field's own label
    listbox.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    wrapper.appendChild(listbox);
    wrapper.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listbox.id);

    function close() {
      listbox.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var options = listbox.children;
      if (active >= 0 && options[active]) options[active].setAttribute("aria-selected", "false");
      active = index;
      if (active < 0) {
        input.removeAttribute("aria-activedescendant");
        return;
      }
      options[active].setAttribute("aria-selected", "true");
      input.setAttribute("aria-activedescendant", options[active].id);
      options[active].scrollIntoView({ block: "nearest" });
    }

    function choose(index) {
      var item = items[index];
      input.value = item.label;
      if (codeField) codeField.value = codeOf(input, item);
      close();
      status.textContent = item.label;
    }

    function show(results) {
      items = results;
      listbox.textContent = "";
      results.forEach(function (item, index) {
        var option = document.createElement("li");
        option.id = listbox.id + "-" + index;
        option.setAttribute("role", "option");
        option.setAttribute("aria-selected", "false");
        option.textContent = optionText(item);
        option.addEventListener("mousedown", function (event) {
          event.preventDefault(); // keep the focus in the input
          choose(index);
        });
        listbox.appendChild(option);
      });
      active = -1;
      if (results.length) {
        listbox.hidden = false;
        input.setAttribute("aria-expanded", "true");
      } else {
        close();
      }
      status.textContent = results.length ? results.length + " " + input.dataset.countLabel : "";
    }

    function suggest() {
      var typed = input.value.trim();
      if (typed.length < MIN_LENGTH) {
        show([]);
        return;
      }
      var number = ++requestNumber;
      var url = input.dataset.suggest + (input.dataset.suggest.indexOf("?") === -1 ? "?" : "&") +
        "q=" + encodeURIComponent(typed);
      fetch(url, { headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { results: [] }; })
        .then(function (body) { if (number === requestNumber) show(body.results); })
        .catch(function () { show([]); });
    }

    input.addEventListener("input", function () {
      if (codeField) codeField.value = ""; // the text changed: the server reads it again
      clearTimeout(timer);
      timer = setTimeout(suggest, DELAY);
    });

    input.addEventListener("keydown", function (event) {
      var open = !listbox.hidden;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        if (!open) { suggest(); return; }
        highlight(active + 1 < items.length ? active + 1 : 0);
      } else if (event.key === "ArrowUp" && open) {
        event.preventDefault();
        highlight(active > 0 ? active - 1 : items.length - 1);
      } else if (event.key === "Enter" && open && active >= 0) {
        event.preventDefault(); // choose, do not submit yet
        choose(active);
      } else if (event.key === "Escape") {
        if (open) { event.preventDefault(); close(); }
      } else if (event.key === "Tab") {
        close();
      }
    });

    input.addEventListener("blur", close);
  }

  document.querySelectorAll("input[data-suggest]").forEach(enhance);
})();
