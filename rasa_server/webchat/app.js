// The web chat page. Everything from the user or the assistant is put on the
// page as text (textContent), never as HTML. No cookies, no storage but this
// tab's random conversation id and language choice (sessionStorage), no
// request to any other site.
(function () {
  "use strict";

  var BASE = location.pathname.replace(/[^/]*$/, "");
  // the staff console shows this page as a preview of a draft (staff_console/)
  var PREVIEW = location.hash === "#preview";
  var TIMEOUT_MS = 20000;  // the server answers every message within about 10 s (rasa_server/turns.py)
  var strings = {};
  var lang = "en";
  var busy = false;
  var lastQuestion = null;

  var log = document.getElementById("log");
  var form = document.getElementById("ask");
  var input = document.getElementById("question");
  var send = document.getElementById("send");
  var typing = document.getElementById("typing");
  var errorBox = document.getElementById("error");
  var retry = document.getElementById("retry");

  function randomId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function conversationId() {
    var id = sessionStorage.getItem("conversation");
    if (!id) { id = randomId(); sessionStorage.setItem("conversation", id); }
    return id;
  }

  function t(key) {
    var s = strings[lang] || strings.en || {};
    return (s.ui && s.ui[key]) || (strings.en && strings.en.ui && strings.en.ui[key]) || "";
  }

  function applyLanguage(code) {
    if (!strings[code]) return;
    lang = code;
    sessionStorage.setItem("lang", code);
    document.documentElement.lang = code;
    document.documentElement.dir = strings[code].direction === "rtl" ? "rtl" : "ltr";
    document.querySelectorAll("[data-i18n]").forEach(function (el) {
      var v = t(el.getAttribute("data-i18n")); if (v) el.textContent = v;
    });
    document.querySelectorAll("[data-i18n-placeholder]").forEach(function (el) {
      el.setAttribute("placeholder", t(el.getAttribute("data-i18n-placeholder")));
    });
    document.querySelectorAll("[data-i18n-label]").forEach(function (el) {
      el.setAttribute("aria-label", t(el.getAttribute("data-i18n-label")));
    });
    document.querySelectorAll(".lang-choice").forEach(function (b) {
      b.setAttribute("aria-pressed", String(b.getAttribute("data-lang") === code));
    });
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function bubble(who, cls) {
    var node = el("div", "msg " + cls);
    node.appendChild(el("span", "who", who));
    log.appendChild(node);
    return node;
  }

  function safeUrl(url) {
    return typeof url === "string" && /^https?:\/\//i.test(url) ? url : null;
  }

  // Draws what the payload says, as it says it: every date, label and note
  // comes ready from the assistant (policy_assistant/answers.py).
  function sourceNode(source, labels) {
    var p = el("p", "source");
    p.appendChild(document.createTextNode(labels.source + ": "));
    var url = safeUrl(source && source.url);
    var title = (source && source.title) || "";
    if (url) {
      var a = el("a", null, title);
      a.href = url; a.target = "_blank"; a.rel = "noopener noreferrer";
      p.appendChild(a);
    } else {
      p.appendChild(document.createTextNode(title));
    }
    var rest = [source && source.publisher, source && source.date_display].filter(Boolean).join(", ");
    if (rest) p.appendChild(document.createTextNode(" — " + rest));
    if (source && source.url_note) p.appendChild(el("span", "url-note", " (" + source.url_note + ")"));
    return p;
  }

  function section(parent, cls, heading) {
    var box = el("details", cls);
    box.appendChild(el("summary", null, heading));
    parent.appendChild(box);
    return box;
  }

  function updateList(items, lang, labels) {
    var ul = el("ul", "updates");
    items.forEach(function (u) {
      var li = el("li", "update");
      li.appendChild(el("span", "date", u.date_text + ": "));
      var text = el("span", null, u.text);
      if (u.lang && u.lang !== lang) text.lang = u.lang;
      li.appendChild(text);
      (u.sources && u.sources.length ? u.sources : [u.source]).forEach(function (s) { li.appendChild(sourceNode(s, labels)); });
      if (u.qualified_note) li.appendChild(el("p", "qualified", u.qualified_note));
      ul.appendChild(li);
    });
    return ul;
  }

  function buttons(list, parent) {
    if (!list || !list.length) return;
    var box = el("div", "related");
    list.forEach(function (b) {
      var button = el("button", null, b.title);
      button.type = "button";
      button.addEventListener("click", function () { ask(b.payload, b.title); });
      box.appendChild(button);
    });
    parent.appendChild(box);
  }

  function renderAnswer(p) {
    var labels = p.labels || {};
    var node = bubble(t("bot"), "bot card");
    node.setAttribute("data-topic", p.topic);
    node.appendChild(el("h2", null, p.title));

    // First screen: the short answer, the newest change and the review line.
    var first = el("section", "in-short");
    first.appendChild(el("h3", null, labels.in_short));
    var short = el("p", "short", p.short);
    if (p.short_lang && p.short_lang !== p.lang) short.lang = p.short_lang;
    first.appendChild(short);
    if (p.latest_change) first.appendChild(el("p", "latest", p.latest_change.line));
    first.appendChild(el("p", "reviewed", p.reviewed_text));
    node.appendChild(first);

    // The rest is one tap (or Enter/Space on a focused heading) away.
    var more = section(node, "more-detail", labels.summary_heading || labels.in_short);
    var summary = el("p", "summary", p.summary);
    if (p.summary_lang && p.summary_lang !== p.lang) summary.lang = p.summary_lang;
    more.appendChild(summary);

    if (p.updates && p.updates.length) {
      section(node, "changes", labels.since_then).appendChild(updateList(p.updates, p.lang, labels));
    }
    if (p.records && p.records.length) {
      section(node, "records", labels.records_heading).appendChild(updateList(p.records, p.lang, labels));
    }
    if (p.quotes && p.quotes.length) {
      var said = section(node, "officials", labels.officials_said);
      if (p.old_warning) said.appendChild(el("p", "old", p.old_warning));
      p.quotes.forEach(function (q) {
        var fig = el("figure", "quote");
        fig.setAttribute("aria-label", t("quote_label"));
        if (q.context) {
          var ctx = el("p", "context");
          ctx.appendChild(el("span", "label", labels.context + ": "));
          ctx.appendChild(document.createTextNode(q.context));
          fig.appendChild(ctx);
        }
        var bq = el("blockquote", null, "“" + q.text + "”");
        bq.lang = "en";
        fig.appendChild(bq);
        if (q.translation) {
          var tr = el("p", "translation");
          tr.lang = q.translation.lang;
          tr.appendChild(el("span", "label", q.translation.label + ": "));
          tr.appendChild(document.createTextNode("“" + q.translation.text + "”"));
          fig.appendChild(tr);
        }
        var cap = el("figcaption", null);
        cap.appendChild(el("strong", "speaker", q.speaker));
        cap.appendChild(document.createTextNode(", " + q.caption));
        fig.appendChild(cap);
        if (q.qualified_note) fig.appendChild(el("p", "qualified", q.qualified_note));
        said.appendChild(fig);
      });
    }
    if (p.sources && p.sources.length) {
      var sources = section(node, "sources", labels.sources_heading);
      p.sources.forEach(function (s) {
        sources.appendChild(sourceNode(s, labels));
        if (s.note) sources.appendChild(el("p", "source-note", s.note));
      });
    }
    if (p.resources && p.resources.length) {
      var where = section(node, "resources", labels.resources);
      var rl = el("ul");
      p.resources.forEach(function (r) { rl.appendChild(el("li", null, r.name + ": " + r.description)); });
      where.appendChild(rl);
    }
    node.appendChild(el("p", "disclaimer", labels.disclaimer));
    if (p.buttons && p.buttons.length) {
      node.appendChild(el("h3", null, labels.related));
      buttons(p.buttons, node);
    }
  }

  function render(messages) {
    messages.forEach(function (m) {
      var custom = m.custom;
      if (custom && custom.topic) { renderAnswer(custom); return; }
      if (custom && typeof custom.language === "string") applyLanguage(custom.language);
      if (m.text || m.buttons) {
        var node = bubble(t("bot"), "bot");
        if (m.text) node.appendChild(el("span", "text", m.text));
        buttons(m.buttons, node);
      }
    });
  }

  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    send.disabled = on;
    input.setAttribute("aria-busy", String(on));
  }

  function showError(text) {
    document.getElementById("error-text").textContent = (text || t("error")) + " " + t("kept");
    errorBox.hidden = false;
  }

  function ask(message, shown) {
    if (busy) return;
    message = (message || "").trim();
    if (!message) { input.focus(); return; }
    errorBox.hidden = true;
    lastQuestion = { message: message, shown: shown || message };
    var mine = bubble(t("you"), "user pending");
    mine.appendChild(el("span", "text", lastQuestion.shown));
    setBusy(true);
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
    fetch(BASE + "webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "omit",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
      body: JSON.stringify({ sender: conversationId(), message: message, metadata: { lang: lang } })
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (body) {
        if (!response.ok || !Array.isArray(body)) {
          var text = body && body.messages && body.messages[0] && body.messages[0].text;
          throw new Error(text || "");
        }
        return body;
      });
    }).then(function (messages) {
      mine.classList.remove("pending");
      if (!shown && input.value.trim() === message) input.value = "";
      render(messages);
      input.focus();
    }).catch(function (error) {
      mine.remove();
      if (!shown) input.value = message;   // the typed question is never lost
      showError(error && error.message);
      retry.focus();
    }).finally(function () {
      clearTimeout(timer);
      setBusy(false);
    });
  }

  form.addEventListener("submit", function (event) { event.preventDefault(); ask(input.value); });
  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey) { event.preventDefault(); ask(input.value); }
  });
  retry.addEventListener("click", function () {
    if (lastQuestion && lastQuestion.shown !== lastQuestion.message) ask(lastQuestion.message, lastQuestion.shown);
    else ask(input.value || (lastQuestion && lastQuestion.message));
  });
  function languageButtons() {
    var group = document.querySelector(".lang");
    Object.keys(strings).forEach(function (code) {
      var b = el("button", "lang-choice", strings[code].name);
      b.type = "button";
      b.lang = code;
      b.setAttribute("data-lang", code);
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", function () { applyLanguage(code); });
      group.appendChild(b);
    });
  }

  // The staff console serves this same page with a draft's answer as
  // preview.json, to signed-in staff only; the public page has no such file.
  function showPreview() {
    return fetch(BASE + "preview.json", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (preview) {
        if (preview) { applyLanguage(preview.language); render(preview.messages); }
        document.body.setAttribute("data-ready", "true");
      });
  }

  fetch(BASE + "strings.json", { credentials: PREVIEW ? "same-origin" : "omit", cache: "no-store" })
    .then(function (r) { return r.json(); })
    .then(function (data) {
      strings = data;
      languageButtons();
      var saved = sessionStorage.getItem("lang");
      var browser = (navigator.language || "en").slice(0, 2).toLowerCase();
      applyLanguage(strings[saved] ? saved : (strings[browser] ? browser : "en"));
      if (PREVIEW) return showPreview();
      document.body.setAttribute("data-ready", "true");
    })
    .catch(function () { document.body.setAttribute("data-ready", "true"); });
}());
