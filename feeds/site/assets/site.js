// tradecal public site: filters and search on the agenda, subscribe links built from the
// address the page is served at, copy buttons. No dependencies; without it every page
// still shows everything.
"use strict";

(function () {
  function quote(text, safe) {
    var out = encodeURIComponent(text).replace(/[!'()*]/g, function (c) {
      return "%" + c.charCodeAt(0).toString(16).toUpperCase();
    });
    (safe || "").split("").forEach(function (c) {
      out = out.split(encodeURIComponent(c)).join(c);
    });
    return out;
  }

  // Feed links: rebuilt from this page's own address (http/https only), so a copy served
  // on another host or port links to its own feeds.
  function subscribeLinks() {
    if (!/^https?:$/.test(location.protocol)) return;
    document.querySelectorAll("[data-feed]").forEach(function (box) {
      var url = new URL(box.getAttribute("data-feed"), location.href).href;
      if (url === box.getAttribute("data-url")) return;
      var name = box.getAttribute("data-name") || "";
      var webcal = "webcal://" + url.split("://")[1];
      var query = "url=" + quote(url) + "&name=" + quote(name);
      var links = {
        webcal: webcal,
        google: "https://calendar.google.com/calendar/render?cid=" + quote(webcal, ":/%"),
        outlook: "https://outlook.live.com/calendar/0/addfromweb?" + query,
        office: "https://outlook.office.com/calendar/0/addfromweb?" + query
      };
      box.querySelectorAll("a[data-sub]").forEach(function (a) {
        a.href = links[a.getAttribute("data-sub")];
      });
      box.querySelectorAll("input.url").forEach(function (input) { input.value = url; });
      box.setAttribute("data-url", url);
    });
  }

  function copyButtons() {
    document.querySelectorAll("button.copy").forEach(function (button) {
      var label = button.innerHTML;
      button.addEventListener("click", function () {
        var input = document.getElementById(button.getAttribute("data-target"));
        var done = function () {
          button.textContent = "已複製 Copied";
          setTimeout(function () { button.innerHTML = label; }, 2000);
        };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done, function () {
            input.select();
          });
        } else {
          input.select();
          if (document.execCommand("copy")) done();
        }
      });
    });
  }

  function filters() {
    var form = document.getElementById("filters");
    if (!form) return;
    var org = document.getElementById("f-org");
    var section = document.getElementById("f-section");
    var text = document.getElementById("f-text");
    var count = document.getElementById("f-count");
    var none = document.getElementById("no-match");
    var events = Array.prototype.slice.call(document.querySelectorAll("#agenda .event"));
    var params = new URLSearchParams(location.search);
    org.value = params.get("org") || "";
    section.value = params.get("section") || "";
    text.value = params.get("q") || "";
    function apply() {
      var words = text.value.toLowerCase().split(/\s+/).filter(Boolean);
      var shown = 0;
      events.forEach(function (li) {
        var hay = li.getAttribute("data-search");
        var ok = (!org.value || li.getAttribute("data-org") === org.value) &&
          (!section.value || li.getAttribute("data-section") === section.value) &&
          words.every(function (w) { return hay.indexOf(w) !== -1; });
        li.hidden = !ok;
        if (ok) shown += 1;
      });
      document.querySelectorAll("#agenda .group, #agenda .week").forEach(function (box) {
        box.hidden = !box.querySelector(".event:not([hidden])");
      });
      count.textContent = shown + " / " + events.length + " 場活動 events";
      none.hidden = shown > 0 || events.length === 0;
    }
    [org, section].forEach(function (el) { el.addEventListener("change", apply); });
    text.addEventListener("input", apply);
    form.addEventListener("submit", function (e) { e.preventDefault(); });
    form.hidden = false;
    apply();
  }

  function start() {
    subscribeLinks();
    copyButtons();
    filters();
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
