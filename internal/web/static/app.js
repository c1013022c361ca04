// phonetree dashboard: live updates over server-sent events, the lazy tree,
// and the send form's preview. Plain script, no build step; every page
// works without it, only less live.
(function () {
  "use strict";
  var names = ["pending", "contacting", "waiting", "acked", "unreached", "cancelled"];

  function text(id, v) { var el = document.getElementById(id); if (el) el.textContent = v; }

  function applyNode(n) {
    var li = document.getElementById("n" + n[0]);
    if (!li) return;
    var st = names[n[1]];
    li.className = "st-" + st;
    var label = li.querySelector(":scope > details > summary") || li.querySelector(":scope > .leaf");
    if (!label) return;
    var s = label.querySelector(".st"); if (s) s.textContent = st;
    var d = label.querySelector(".dot"); if (d) d.title = st;
    var p = label.querySelector("progress"); if (p) { p.max = n[3]; p.value = n[2]; }
    var f = label.querySelector(".frac"); if (f) f.textContent = n[2] + "/" + n[3];
  }

  function apply(u) {
    text("pct", u.pct); text("acked", u.acked); text("span", u.span);
    text("state", u.done ? "done" : u.state);
    names.forEach(function (s) { text("c-" + s, u.counts[s] || 0); });
    var c = document.getElementById("curve"); if (c) c.setAttribute("d", u.curve);
    u.nodes.forEach(applyNode);
    if (u.unreached != null) document.getElementById("unreached").innerHTML = u.unreached;
    if (u.tasks != null) document.getElementById("tasks").innerHTML = u.tasks;
    document.body.dataset.updates = String((+document.body.dataset.updates || 0) + 1);
  }

  var live = document.getElementById("live");
  if (live && window.EventSource) {
    var es = new EventSource("/bulletins/" + live.dataset.bulletin + "/live");
    es.addEventListener("update", function (ev) { apply(JSON.parse(ev.data)); });
  }

  // Callees deeper than the first levels load when their branch opens.
  document.addEventListener("toggle", function (ev) {
    var det = ev.target;
    if (!det.open || !det.dataset || !det.dataset.lazy) return;
    var url = det.dataset.lazy;
    delete det.dataset.lazy;
    fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); }).then(function (h) {
      det.querySelector(":scope > ul").innerHTML = h;
    });
  }, true);

  // The send form's preview follows what is typed (the server computes the
  // same when JavaScript is off: the Preview button).
  var form = document.getElementById("sendform");
  if (form) {
    var gsm = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€";
    var preview = function () {
      var v = function (n) { return form.elements[n].value; };
      var short = v("short") || v("body");
      var rs = v("responses").split(",").map(function (s) { return s.trim(); }).filter(Boolean);
      if (!rs.length) rs = ["Safe", "Need help"];
      var sms = (v("status") === "exercise" ? "[EXERCISE] " : "") + v("title") + (short ? ": " + short : "") +
        " Reply" + rs.map(function (o, i) { return " " + (i + 1) + " " + o; }).join(",") + ". Your word: WORDWORD.";
      var chars = Array.from(sms), isGSM = chars.every(function (ch) { return gsm.indexOf(ch) >= 0; });
      var single = isGSM ? 160 : 70, multi = isGSM ? 153 : 67;
      text("pv-sms", sms); text("pv-len", chars.length); text("pv-enc", isGSM ? "GSM-7" : "UCS-2");
      text("pv-seg", chars.length <= single ? 1 : Math.ceil(chars.length / multi));
      text("pv-script", v("script") || short);
    };
    form.addEventListener("input", preview);
    preview();
  }
})();
