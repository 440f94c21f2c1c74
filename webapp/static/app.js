/* The pages' only script: "print" buttons, focus on a form's error summary so screen readers and
   keyboard users start there, and the application form's identity field following the applicant's type
   (an organisation's one document is its 统一社会信用代码). Everything works without it. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var target = event.target instanceof Element ? event.target.closest("[data-print]") : null;
    if (target) {
      event.preventDefault();
      window.print();
    }
  });
  function followApplicantType(box) {
    var form = box.closest("form");
    var kind = box.querySelector("select");
    var number = box.querySelector("input");
    var label = number ? box.querySelector("label[for='" + number.id + "']") : null;
    if (!form || !kind || !number || !label) {
      return;
    }
    var kindField = kind.closest(".field");
    var labelText = label.firstChild;
    var personKind = kind.value === "credit_code" ? "resident_id" : kind.value;
    function update() {
      var chosen = form.querySelector("input[name='applicant_type']:checked");
      var organisation = chosen !== null && chosen.value !== "natural_person";
      if (organisation) {
        if (kind.value !== "credit_code") {
          personKind = kind.value;
        }
        kind.value = "credit_code";
      } else if (kind.value === "credit_code") {
        kind.value = personKind;
      }
      Array.prototype.forEach.call(kind.options, function (option) {
        option.hidden = option.value === "credit_code";
      });
      kindField.hidden = organisation;
      labelText.nodeValue = organisation ? box.dataset.organisationLabel : box.dataset.personLabel;
    }
    form.querySelectorAll("input[name='applicant_type']").forEach(function (radio) {
      radio.addEventListener("change", update);
    });
    update();
  }
  // The registration form: what the received-on date means, asked of the server as it changes.
  function previewLateRegistration(box) {
    var input = document.getElementById("received_on");
    var text = document.getElementById("late-text");
    var warning = document.getElementById("late-warning");
    if (!input || !text || !warning || !window.fetch) {
      return;
    }
    function update() {
      var url = box.dataset.lateUrl + "?received_on=" + encodeURIComponent(input.value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : {};
        })
        .then(function (late) {
          box.hidden = !late.text;
          text.textContent = late.text || "";
          warning.textContent = late.warning || "";
          warning.hidden = !late.warning;
          box.classList.toggle("callout-warning", Boolean(late.warning));
          // the reason's field: only for a date before today, its hint saying whether it is required
          var reason = document.getElementById("late-reason-field");
          var hint = document.getElementById("late_reason-hint");
          var typed = document.getElementById("late_reason");
          if (reason) {
            reason.hidden = !late.text && !(typed && typed.value) && !reason.querySelector(".field-error");
          }
          if (hint && late.reason_hint) {
            hint.textContent = late.reason_hint;
          }
        })
        .catch(function () {});
    }
    input.addEventListener("change", update);
    input.addEventListener("input", update);
    update();
  }
  // A text with a limit (data-limit): the characters typed against it, as the server counts them (a line
  // break is sent as two characters); over the limit the counter says by how many, and nothing is cut.
  function countCharacters(area) {
    var limit = parseInt(area.getAttribute("data-limit"), 10);
    if (!limit) {
      return;
    }
    var counter = document.createElement("p");
    counter.className = "char-count";
    counter.id = area.id + "-count";
    var alert = document.createElement("p");
    alert.className = "visually-hidden";
    alert.setAttribute("aria-live", "polite");
    area.insertAdjacentElement("afterend", counter);
    counter.insertAdjacentElement("afterend", alert);
    var described = area.getAttribute("aria-describedby");
    area.setAttribute("aria-describedby", (described ? described + " " : "") + counter.id);
    var template = document.documentElement.lang.indexOf("en") === 0
      ? { count: "{n} / {limit} characters", over: "{n} characters: {over} over the limit of {limit}, please shorten" }
      : { count: "已输入{n}字，上限{limit}字", over: "已输入{n}字，超过上限{limit}字，请删减{over}字" };
    var wasOver = false;
    function fill(text, n, over) {
      return text.replace("{n}", n).replace("{limit}", limit).replace("{over}", over);
    }
    function update() {
      var n = Array.from(area.value.replace(/\r?\n/g, "\r\n").trim()).length;
      var over = n > limit;
      counter.textContent = over ? fill(template.over, n, n - limit) : fill(template.count, n, 0);
      counter.classList.toggle("over", over);
      if (over !== wasOver) {
        alert.textContent = over ? counter.textContent : "";
        wasOver = over;
      }
    }
    area.addEventListener("input", update);
    update();
  }
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("textarea[data-limit]").forEach(countCharacters);
    var late = document.getElementById("late-registration");
    if (late) {
      previewLateRegistration(late);
    }
    document.querySelectorAll("[data-print][hidden]").forEach(function (button) {
      button.hidden = false;
    });
    document.querySelectorAll("[data-identity]").forEach(followApplicantType);
    var summary = document.querySelector(".error-summary");
    if (summary) {
      summary.setAttribute("tabindex", "-1");
      summary.focus();
    }
  });
})();
