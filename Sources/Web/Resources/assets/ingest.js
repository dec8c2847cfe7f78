// Ingest forms: the item editors of arrays (add, remove, and renumber the names so they stay
// `items[0]`, `items[1]`, … as the server expects), and the change-event form's operation
// (shows `after` for c/r/u and `before` for u/d). Without this script the rendered editors
// are submitted as they are and the server still builds the record.
(function () {
  "use strict";
  var form = document.querySelector("form.ingest-form");
  if (!form) return;

  function each(list, fn) { Array.prototype.forEach.call(list, fn); }

  // Renames everything under `root` (templates' contents too) from path prefix `from` to `to`:
  // names, ids, labels' targets and described-by references.
  function rename(root, from, to) {
    var fromId = "f-" + from, toId = "f-" + to;
    function swap(value, old, now) { return value.indexOf(old) === 0 ? now + value.slice(old.length) : value; }
    function visit(el) {
      ["name", "data-item", "data-list"].forEach(function (a) { if (el.hasAttribute(a)) el.setAttribute(a, swap(el.getAttribute(a), from, to)); });
      ["id", "for"].forEach(function (a) { if (el.hasAttribute(a)) el.setAttribute(a, swap(el.getAttribute(a), fromId, toId)); });
      var described = el.getAttribute("aria-describedby");
      if (described) el.setAttribute("aria-describedby", described.split(" ").map(function (t) { return swap(t, fromId, toId); }).join(" "));
      if (el.tagName === "TEMPLATE") each(el.content.querySelectorAll("*"), visit);
    }
    if (root.nodeType === Node.ELEMENT_NODE) visit(root);
    each(root.querySelectorAll("*"), visit);
  }

  function itemsOf(list) { return list.querySelector(":scope > fieldset > ol[data-items]"); }

  // Numbers a list's items 0…n-1 and enables its buttons within minItems/maxItems.
  function refresh(list) {
    var items = Array.prototype.slice.call(itemsOf(list).children);
    var name = list.getAttribute("data-list");
    items.forEach(function (li, i) {
      var wanted = name + "[" + i + "]";
      if (li.getAttribute("data-item") !== wanted) rename(li, li.getAttribute("data-item"), wanted);
    });
    var min = Number(list.dataset.minItems || 0);
    var max = list.dataset.maxItems === undefined ? Infinity : Number(list.dataset.maxItems);
    list.querySelector(":scope > fieldset > [data-add-item]").disabled = items.length >= max;
    items.forEach(function (li) {
      each(li.querySelectorAll("[data-remove-item]"), function (button) {
        if (button.closest("li[data-item]") === li) button.disabled = items.length <= min;
      });
    });
  }

  function showButtons(root) { each(root.querySelectorAll("[data-add-item], [data-remove-item]"), function (b) { b.hidden = false; }); }

  form.addEventListener("click", function (ev) {
    var add = ev.target.closest("[data-add-item]");
    if (add) {
      var list = add.closest("[data-list]");
      var ol = itemsOf(list);
      var name = list.getAttribute("data-list");
      var item = list.querySelector(":scope > fieldset > template").content.cloneNode(true);
      rename(item, name + "[#]", name + "[" + ol.children.length + "]");
      showButtons(item);
      ol.appendChild(item);
      refresh(list);
      var first = ol.lastElementChild.querySelector("input, select, textarea");
      if (first) first.focus();
      return;
    }
    var remove = ev.target.closest("[data-remove-item]");
    if (remove) {
      var li = remove.closest("li[data-item]");
      var owner = li.closest("[data-list]");
      li.remove();
      refresh(owner);
    }
  });
  showButtons(form);
  each(form.querySelectorAll("[data-list]"), refresh);

  var op = form.querySelector("[data-change-op]");
  if (op) {
    var apply = function () {
      each(form.querySelectorAll("[data-ops]"), function (part) {
        var used = part.getAttribute("data-ops").split(" ").indexOf(op.value) >= 0;
        part.hidden = !used;
        part.querySelector("fieldset").disabled = !used;
      });
    };
    op.addEventListener("change", apply);
    apply();
  }
})();
