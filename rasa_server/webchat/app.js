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
  var lang = "en";      // the page's language: the person's choice, else the last answer's, else the browser's
  var chosen = null;    // a language the person chose (a button, or "in Spanish"): sent with each message
  var busy = false;
  var lastQuestion = null;
  var nextId = 0;  // for the ids that tie a sentence's marker to its panel

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

  // the page's own words, in the page's language or in `code` (an answer's)
  function t(key, code) {
    var s = strings[code || lang] || strings.en || {};
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

  // Words in another language than the text around them (an English quote on
  // an Arabic page, a text not yet translated): their language, and their own
  // direction, so that English stays left to right on a right-to-left page.
  function otherLanguage(node, code) {
    node.lang = code;
    node.dir = "auto";
    return node;
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

  // One ground of a sentence, as the payload has it ready: its label, its
  // text (a quote or passage verbatim, in quotation marks; our own note as
  // is), a quote's unofficial translation, and the sources it cites.
  function groundNode(g, labels) {
    var item = el("li", "ground ground-" + g.kind);
    item.appendChild(el("p", "ground-label", g.label + ":"));
    if (g.kind === "quote" || g.kind === "passage") {
      var words = el("blockquote", "ground-text", "“" + g.text + "”");
      otherLanguage(words, "en");  // verbatim words keep their own direction on a right-to-left page
      item.appendChild(words);
    } else {
      item.appendChild(el("p", "ground-text", g.text));
    }
    if (g.translation) {
      var tr = el("p", "translation");
      tr.appendChild(el("span", "label", g.translation.label + ": "));
      tr.appendChild(document.createTextNode("“" + g.translation.text + "”"));
      item.appendChild(tr);
    }
    if (g.caption) {
      item.appendChild(el("p", "caption", "— " + g.caption));
    }
    if (g.source) {
      (g.sources && g.sources.length ? g.sources : [g.source]).forEach(function (s) {
        item.appendChild(sourceNode(s, labels));
      });
    } else if (g.checked_label && g.sources && g.sources.length) {
      // an absence: the sources searched, none of which says it
      item.appendChild(el("p", "ground-label", g.checked_label + ":"));
      g.sources.forEach(function (s) { item.appendChild(sourceNode(s, labels)); });
    }
    return item;
  }

  // "In short" or "In more detail", sentence by sentence: each sentence is
  // followed by a numbered button that opens, right after it, what the
  // sentence rests on. Without grounds (an older server) the text as it is.
  function groundedText(cls, text, textLang, sentences, p) {
    var labels = p.labels || {};
    var box;
    if (!sentences || !sentences.length) {
      box = el("p", cls, text);
      if (textLang && textLang !== p.lang) otherLanguage(box, textLang);
      return box;
    }
    box = el("div", cls + " grounded");
    if (textLang && textLang !== p.lang) otherLanguage(box, textLang);
    sentences.forEach(function (item, i) {
      var number = String(i + 1);
      var id = "grounds-" + (++nextId);
      var name = t("grounds_open", p.lang) + " " + number;
      if (i) box.appendChild(document.createTextNode(" "));
      // the sentence's last word and its marker never part at a line end
      var sentence = el("span", "sentence");
      var cut = item.sentence.search(/\S+$/);
      if (cut > 0) sentence.appendChild(document.createTextNode(item.sentence.slice(0, cut)));
      var end = el("span", "sentence-end", item.sentence.slice(Math.max(cut, 0)));
      sentence.appendChild(end);
      box.appendChild(sentence);

      var marker = el("button", "ground-marker", number);
      marker.type = "button";
      marker.setAttribute("aria-label", name);
      marker.setAttribute("aria-expanded", "false");
      marker.setAttribute("aria-controls", id);
      end.appendChild(marker);

      var panel = el("div", "grounds-panel");
      panel.id = id;
      panel.hidden = true;
      panel.setAttribute("role", "group");
      panel.setAttribute("aria-label", name);
      panel.lang = p.lang;
      var list = el("ul", "grounds");
      (item.grounds || []).forEach(function (g) { list.appendChild(groundNode(g, labels)); });
      panel.appendChild(list);
      var close = el("button", "grounds-close", t("grounds_close", p.lang));
      close.type = "button";
      panel.appendChild(close);
      box.appendChild(panel);

      function shut() {
        panel.hidden = true;
        marker.setAttribute("aria-expanded", "false");
        marker.focus();
      }
      marker.addEventListener("click", function () {
        var opening = panel.hidden;
        // one panel open at a time in an answer
        var card = box.closest(".card") || box;
        card.querySelectorAll(".ground-marker[aria-expanded='true']").forEach(function (other) {
          if (other === marker) return;
          other.setAttribute("aria-expanded", "false");
          document.getElementById(other.getAttribute("aria-controls")).hidden = true;
        });
        panel.hidden = !opening;
        marker.setAttribute("aria-expanded", String(opening));
      });
      close.addEventListener("click", shut);
      function escape(event) {
        if (event.key === "Escape" && !panel.hidden) { event.preventDefault(); event.stopPropagation(); shut(); }
      }
      panel.addEventListener("keydown", escape);
      marker.addEventListener("keydown", escape);
    });
    return box;
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
      if (u.lang && u.lang !== lang) otherLanguage(text, u.lang);
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
    // the answer keeps its own language and direction when the page changes language later
    if (p.lang) {
      node.lang = p.lang;
      node.dir = strings[p.lang] && strings[p.lang].direction === "rtl" ? "rtl" : "ltr";
    }
    node.appendChild(el("h2", null, p.title));

    // First screen: the short answer, the newest change and the review line.
    var first = el("section", "in-short");
    first.appendChild(el("h3", null, labels.in_short));
    var grounds = p.grounds || {};
    first.appendChild(groundedText("short", p.short, p.short_lang, grounds.short, p));
    if (p.latest_change) first.appendChild(el("p", "latest", p.latest_change.line));
    first.appendChild(el("p", "reviewed", p.reviewed_text));
    // a translation no native speaker has checked says so, with the English answer one tap away
    if (p.english_button) {
      first.appendChild(el("p", "unchecked", p.unchecked_notice));
      buttons([p.english_button], first);
    }
    node.appendChild(first);

    // The rest is one tap (or Enter/Space on a focused heading) away.
    var more = section(node, "more-detail", labels.summary_heading || labels.in_short);
    more.appendChild(groundedText("summary", p.summary, p.summary_lang, grounds.summary, p));

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
        otherLanguage(bq, "en");
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
    // "did this help?": one tap, once; the answer is counted, never the words
    if (p.rating) {
      var rating = el("div", "rating");
      rating.appendChild(el("p", "rating-question", p.rating.question));
      buttons(p.rating.buttons, rating);
      rating.addEventListener("click", function (e) {
        if (e.target.tagName === "BUTTON") rating.hidden = true;
      });
      node.appendChild(rating);
    }
  }

  function metadata() {
    var sent = { page_lang: lang };
    if (chosen) sent.lang = chosen;
    return sent;
  }

  // a language the person chose, kept for this tab and sent with each message
  function choose(code) {
    if (!strings[code]) return;
    chosen = code;
    sessionStorage.setItem("chosen", code);
    applyLanguage(code);
  }

  function render(messages) {
    messages.forEach(function (m) {
      var custom = m.custom;
      // "say that in Spanish": the person chose that language; the answer follows in it
      if (custom && typeof custom.language === "string") choose(custom.language);
      // any other answer: after a choice, only a request by name ("... in English
      // please") answers in another language, so the answer's language is the
      // choice now; with no choice, the page takes the language it was answered in
      else if (custom && typeof custom.lang === "string") (chosen ? choose : applyLanguage)(custom.lang);
      if (custom && custom.topic) { renderAnswer(custom); return; }
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
    var words = el("span", "text", lastQuestion.shown);
    words.dir = "auto";  // what the person typed, in its own direction (Arabic on an English page)
    mine.appendChild(words);
    setBusy(true);
    var controller = window.AbortController ? new AbortController() : null;
    var timer = setTimeout(function () { if (controller) controller.abort(); }, TIMEOUT_MS);
    fetch(BASE + "webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      credentials: "omit",
      cache: "no-store",
      signal: controller ? controller.signal : undefined,
      // the server answers in the language the person chose, else in the one the
      // message is written in, else the conversation's, and only then the page's
      body: JSON.stringify({ sender: conversationId(), message: message, metadata: metadata() })
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
      otherLanguage(b, code);  // each language's name in itself, in its own direction
      b.setAttribute("data-lang", code);
      b.setAttribute("aria-pressed", "false");
      b.addEventListener("click", function () { choose(code); });
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
      if (strings[sessionStorage.getItem("chosen")]) chosen = sessionStorage.getItem("chosen");
      if (PREVIEW) return showPreview();
      document.body.setAttribute("data-ready", "true");
    })
    .catch(function () { document.body.setAttribute("data-ready", "true"); });
}());
