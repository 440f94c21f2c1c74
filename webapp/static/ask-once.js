/* "Ask once" on the application form: as the citizen describes the information wanted, the published
   answers that look like it are listed beside the description (GET /api/v1/public/answers/similar).
   Without the script the form works the same; the public log is one link away. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var input = document.getElementById("description");
    var box = document.getElementById("similar-answers");
    if (!input || !box) return;
    var list = box.querySelector("ul");
    var timer = null;
    var asked = "";
    function show(items) {
      list.textContent = "";
      items.forEach(function (item) {
        var li = document.createElement("li");
        var a = document.createElement("a");
        a.href = box.getAttribute("data-entry").replace("0", String(item.id));
        a.textContent = item.subject;
        a.target = "_blank";
        a.rel = "noopener";
        var meta = document.createElement("span");
        meta.className = "hint";
        meta.textContent = " " + item.agency_name + " · " + item.replied_on;
        li.appendChild(a);
        li.appendChild(meta);
        list.appendChild(li);
      });
      box.hidden = items.length === 0;
    }
    function ask() {
      var text = input.value.trim();
      if (text.length < 4 || text === asked) return;
      asked = text;
      fetch(box.getAttribute("data-url") + "?text=" + encodeURIComponent(text.slice(0, 500)), {
        headers: { Accept: "application/json" }
      })
        .then(function (r) { return r.ok ? r.json() : { items: [] }; })
        .then(function (data) { if (asked === text) show(data.items || []); })
        .catch(function () {});
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(ask, 400);
    });
    ask();
  });
})();
