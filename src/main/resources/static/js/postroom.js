// Postroom's own script: CSRF token on htmx requests, and "working…" feedback on long forms. No inline script
// anywhere (the Content-Security-Policy forbids it).
(function () {
  "use strict";
  document.addEventListener("htmx:configRequest", function (event) {
    var token = document.querySelector('meta[name="_csrf"]');
    var header = document.querySelector('meta[name="_csrf_header"]');
    if (token && header) {
      event.detail.headers[header.content] = token.content;
    }
  });
  // A select that stands for a choice (the mailbox switcher) applies it at once; its button serves without script.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target.matches && target.matches("select[data-autosubmit]") && target.form) { target.form.submit(); }
  });
  // A preview that cannot be made (a damaged or encrypted PDF) hides itself; the download link stays.
  document.addEventListener("error", function (event) {
    var target = event.target;
    if (target && target.classList && target.classList.contains("preview")) {
      target.classList.add("failed");
    }
  }, true);
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var button = form.querySelector("button[data-working]");
    if (button) {
      button.disabled = true;
      button.textContent = button.getAttribute("data-working");
    }
  });
})();

// The mailbox's keyboard shortcuts, as Gmail's. Rows carry data-open (their conversation's address); buttons that a
// key presses carry data-key. Nothing happens while typing in a field, and modified keys are left to the browser.
(function () {
  "use strict";
  var rows = function () { return Array.prototype.slice.call(document.querySelectorAll(".rows .row")); };
  var current = function () { return document.querySelector(".rows .row.current") || document.querySelector(".rows .row.open"); };
  var pane = function () { return document.querySelector(".read-pane:not([hidden])"); };
  // Opens a row's conversation: in place (the link's htmx request) where the page has script, as a click would.
  var open = function (row) { var link = row.querySelector(".row-link"); if (link) { link.click(); } };
  var GO_TO = {i: "/mail/inbox", s: "/mail/starred", t: "/mail/sent", d: "/mail/drafts", a: "/mail/all"};
  var goPending = 0;

  function move(step) {
    var list = rows();
    if (!list.length) { return; }
    var at = list.indexOf(current());
    var next = list[Math.max(0, Math.min(list.length - 1, at < 0 ? 0 : at + step))];
    list.forEach(function (r) { r.classList.remove("current"); });
    next.classList.add("current");
    next.focus();
    next.scrollIntoView({block: "nearest"});
    // In an open conversation, j and k open the next or previous one, as in Gmail.
    if (pane() && next !== list[at]) { open(next); }
  }

  function press(key) {
    var scope = pane() || document;
    var button = scope.querySelector('[data-key="' + key + '"]') || document.querySelector('[data-key="' + key + '"]');
    if (button) { button.click(); return true; }
    return false;
  }

  function help(show) {
    var dialog = document.getElementById("help");
    if (dialog) { dialog.hidden = !show; if (show) { dialog.querySelector("button").focus(); } }
  }

  document.addEventListener("click", function (event) {
    if (event.target.closest("[data-close-help]")) { help(false); }
    // What cannot be undone asks first (Delete forever in Trash).
    var confirming = event.target.closest("[data-confirm]");
    if (confirming && !window.confirm(confirming.getAttribute("data-confirm"))) { event.preventDefault(); }
  });

  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key === "Escape") {
      help(false);
      if (target.matches("input, textarea, select")) { target.blur(); }
      return;
    }
    // Keys are for typing in a text field, a list or the editor; a checkbox just ticked leaves them to the shortcuts.
    var typing = target.matches("textarea, select, [contenteditable], input:not([type=checkbox]):not([type=radio])"
      + ":not([type=button]):not([type=submit])");
    if (event.ctrlKey || event.metaKey || event.altKey || typing) {
      return;
    }
    // Go to: g then i (Inbox), s (Starred), t (Sent), d (Drafts), a (All mail), as in Gmail.
    if (Date.now() - goPending < 1500 && GO_TO[event.key]) {
      event.preventDefault();
      goPending = 0;
      window.location.href = GO_TO[event.key];
      return;
    }
    goPending = event.key === "g" ? Date.now() : 0;
    var row = current();
    var handled = true;
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "o": case "Enter":
        if (row && target.tagName !== "BUTTON" && target.tagName !== "A") { open(row); } else { handled = false; }
        break;
      case "u": handled = press("u"); break;
      case "c": case "r": case "a": case "f": handled = press(event.key); break;
      case "x":
        if (row) { var box = row.querySelector("input[type=checkbox]"); if (box) { box.checked = !box.checked; } }
        break;
      case "s":
        if (pane()) { handled = press("s"); }
        else if (row) { var star = row.querySelector("button.star"); if (star) { star.click(); } }
        break;
      case "e": case "#": case "I": case "U": case "!":
        // On the open conversation, or on the checked rows, or on the row under the cursor; with none of them there
        // is nothing to act on, and nothing happens.
        if (!pane() && !document.querySelector(".rows input[type=checkbox]:checked")) {
          var check = row && row.querySelector("input[type=checkbox]");
          if (!check) { break; }
          check.checked = true;
        }
        handled = press(event.key);
        break;
      case "z": handled = press("z"); break;
      case "l": case "v":
        var scopeEl = pane() || document;
        var chooser = scopeEl.querySelector('[data-focus-key="' + event.key + '"]');
        if (chooser) { chooser.focus(); } else { handled = false; }
        break;
      case "/":
        var search = document.getElementById("q");
        if (search) { search.focus(); } else { handled = false; }
        break;
      case "?": help(true); break;
      default: handled = false;
    }
    if (handled) { event.preventDefault(); }
  });
})();

// Compose: the browser's time zone for a scheduled send, and upload progress for attachments. Undo notice: shown
// until the message leaves the outbox, then it says so.
(function () {
  "use strict";
  document.querySelectorAll("[data-tz-offset]").forEach(function (input) {
    input.value = String(new Date().getTimezoneOffset());
  });
  // Schedule send: the presets fill the time, and the button says what it will do.
  var when = document.getElementById("schedule");
  var sendButton = document.getElementById("send");
  if (when && sendButton) {
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    var label = function () { sendButton.textContent = when.value ? "Schedule send" : "Send"; };
    document.querySelectorAll("[data-schedule-preset]").forEach(function (preset) {
      preset.addEventListener("click", function () {
        var at = new Date();
        at.setDate(at.getDate() + (preset.getAttribute("data-schedule-preset") === "monday"
          ? ((8 - at.getDay()) % 7 || 7) : 1));
        at.setHours(8, 0, 0, 0);
        when.value = at.getFullYear() + "-" + pad(at.getMonth() + 1) + "-" + pad(at.getDate()) + "T08:00";
        label();
      });
    });
    when.addEventListener("input", label);
    when.addEventListener("change", label);
  }
  var notice = document.querySelector(".notice-bar[data-until]");
  if (notice) {
    var until = Number(notice.getAttribute("data-until"));
    var tick = function () {
      var left = Math.ceil((until - Date.now()) / 1000);
      var pending = notice.querySelector("[data-pending]");
      if (left <= 0) {
        pending.textContent = "Sent.";
        var undo = notice.querySelector("[data-undo]");
        if (undo) { undo.remove(); }
        return;
      }
      if (left <= 300) { pending.textContent = "Sending in " + left + " s."; }
      setTimeout(tick, 500);
    };
    tick();
  }
  // Files belong to the draft as soon as they are chosen (or dropped on the composer): each is uploaded at once, with
  // progress, into the draft (made first if there is none), and listed ticked; unticking one removes it from the
  // draft. Files too large for mail are refused before anything is uploaded, in plain words.
  var chooser = document.querySelector("input[type=file][data-max-bytes]");
  var problem = document.getElementById("files-problem");
  var form = document.querySelector("form.compose-form");
  var bar = document.getElementById("upload-progress");
  var list = document.getElementById("draft-files");
  var csrf = function (request) {
    var token = document.querySelector('meta[name="_csrf"]');
    var header = document.querySelector('meta[name="_csrf_header"]');
    if (token && header) { request.setRequestHeader(header.content, token.content); }
  };
  var megabytes = function (n) { return (n / 1048576).toFixed(1) + " MB"; };
  var size = function (n) { return n < 1024 ? n + " B" : n < 1048576 ? Math.floor(n / 1024) + " KB" : Math.floor(n / 1048576) + " MB"; };
  var say = function (text) { problem.textContent = text; problem.hidden = !text; };
  var listed = function (files) {
    files.forEach(function (f) {
      if (list.querySelector('input[value="' + f.id + '"]')) { return; }
      var label = document.createElement("label");
      var box = document.createElement("input");
      box.type = "checkbox"; box.name = "forward_attachment"; box.value = f.id; box.checked = true;
      var name = document.createElement("span");
      name.textContent = f.name;
      var bytes = document.createElement("span");
      bytes.className = "muted";
      bytes.textContent = size(f.size);
      label.append(box, " ", name, " ", bytes);
      list.appendChild(label);
    });
    list.hidden = !list.querySelector("label");
  };
  var upload = function (files) {
    if (!files || !files.length || !form || !form.postroomDraft) { return; }
    var max = Number(chooser.getAttribute("data-max-bytes"));
    var total = 0;
    Array.prototype.forEach.call(files, function (f) { total += f.size; });
    if (max > 0 && total > max) {
      say((files.length === 1 ? "This file is " : "These files are ") + megabytes(total)
        + "; mail can carry at most " + megabytes(max) + " of attachments. Choose smaller files, or share large "
        + "ones another way.");
      chooser.value = "";
      return;
    }
    say("");
    var data = new FormData();
    Array.prototype.forEach.call(files, function (f) { data.append("files", f, f.name); });
    chooser.value = ""; // uploaded now, not again with Send
    form.postroomDraft().then(function (id) {
      var request = new XMLHttpRequest();
      request.open("POST", "/mail/drafts/" + encodeURIComponent(id) + "/files");
      csrf(request);
      bar.value = 0;
      bar.hidden = false;
      form.setAttribute("data-uploading", "");
      request.upload.addEventListener("progress", function (e) {
        if (e.lengthComputable) { bar.value = Math.round(100 * e.loaded / e.total); }
      });
      request.addEventListener("loadend", function () {
        bar.hidden = true;
        form.removeAttribute("data-uploading");
        var answer = null;
        try { answer = JSON.parse(request.responseText); } catch (e) { answer = null; }
        if (request.status === 200 && Array.isArray(answer)) {
          listed(answer);
        } else {
          say(answer && answer.error ? answer.error : "The files could not be uploaded; choose them again.");
        }
      });
      request.send(data);
    }, function (reason) { say(String(reason)); });
  };
  if (chooser && problem && list && bar && window.XMLHttpRequest && window.FormData) {
    chooser.addEventListener("change", function () { upload(chooser.files); });
    // Dropped on the composer: the same as chosen.
    form.addEventListener("dragover", function (event) {
      if (event.dataTransfer && Array.prototype.indexOf.call(event.dataTransfer.types, "Files") >= 0) {
        event.preventDefault();
        form.classList.add("dropping");
      }
    });
    form.addEventListener("dragleave", function () { form.classList.remove("dropping"); });
    form.addEventListener("drop", function (event) {
      if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
      event.preventDefault();
      form.classList.remove("dropping");
      upload(event.dataTransfer.files);
    });
    list.addEventListener("change", function (event) {
      var box = event.target;
      if (box.name !== "forward_attachment" || box.checked || !form.postroomDraft) { return; }
      var id = form.querySelector("[data-draft]").value;
      if (!id) { return; }
      var request = new XMLHttpRequest();
      request.open("POST", "/mail/drafts/" + encodeURIComponent(id) + "/files/" + encodeURIComponent(box.value) + "/remove");
      csrf(request);
      request.addEventListener("loadend", function () {
        if (request.status === 200) {
          box.closest("label").remove();
          list.hidden = !list.querySelector("label");
        }
      });
      request.send();
    });
    // Send waits for an upload under way (its files are then in the draft, and go with it).
    form.addEventListener("submit", function (event) {
      if (form.hasAttribute("data-uploading")) {
        event.preventDefault();
        say("A file is still uploading; Send again when it is done.");
      }
    }, true);
  }
})();

// New mail without a reload: on an event from /mail/events, the sidebar's counts and the list are fetched again and
// swapped in (unless rows are selected, so a bulk action in progress is not disturbed), with a small notice.
(function () {
  "use strict";
  if (!document.body.hasAttribute("data-live") || !window.EventSource) { return; }
  // The tab's title carries the inbox's unread count, as Gmail's does: "(3) Inbox · Postroom".
  var baseTitle = document.title.replace(/^\(\d+\) /, "");
  var showUnreadInTitle = function () {
    var count = document.querySelector(".sidebar a[data-folder=inbox] .count");
    var n = count ? parseInt(count.textContent, 10) : 0;
    document.title = (n > 0 ? "(" + n + ") " : "") + baseTitle;
  };
  showUnreadInTitle();
  var source = new EventSource("/mail/events?since=" + encodeURIComponent(document.body.getAttribute("data-live")));
  document.addEventListener("htmx:afterRequest", showUnreadInTitle); // a change in place swapped the counts
  source.addEventListener("open", function () { document.body.setAttribute("data-live-ready", ""); });
  source.addEventListener("mail", function () {
    fetch(window.location.href, {credentials: "same-origin", headers: {"Accept": "text/html"}})
      .then(function (response) { return response.ok ? response.text() : Promise.reject(response.status); })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html");
        var swap = function (selector) {
          var now = document.querySelector(selector);
          var next = fresh.querySelector(selector);
          if (now && next) { now.replaceWith(document.importNode(next, true)); }
        };
        swap(".sidebar nav");
        // New conversations go on top, and so do conversations already shown that have new mail (as Gmail moves
        // them: bold again, their count and snippet as they are now). A row that is selected, has the keyboard's
        // focus or is open in the reading pane is left where and as it is, so the clerk's place and selection
        // survive; the other rows are not touched.
        var rows = document.getElementById("rows");
        var freshRows = fresh.getElementById("rows");
        var added = null;
        if (rows && freshRows) {
          var known = {};
          rows.querySelectorAll(".row[data-thread]").forEach(function (r) { known[r.getAttribute("data-thread")] = r; });
          added = [];
          var onTop = [];
          freshRows.querySelectorAll(".row[data-thread]").forEach(function (next) {
            var now = known[next.getAttribute("data-thread")];
            if (!now) {
              added.push(next);
              onTop.push(next);
              return;
            }
            var box = now.querySelector("input[type=checkbox]");
            var busy = (box && box.checked) || now.contains(document.activeElement) || now.classList.contains("open")
              || now.classList.contains("current");
            if (!busy && Number(next.getAttribute("data-at")) > Number(now.getAttribute("data-at"))) {
              now.remove();
              onTop.push(next);
            }
          });
          for (var i = onTop.length - 1; i >= 0; i--) {
            rows.insertBefore(document.importNode(onTop[i], true), rows.firstChild);
          }
          var empty = document.querySelector(".list-pane .empty");
          if (empty && added.length) { empty.hidden = true; }
        }
        var notice = document.getElementById("new-mail");
        if (notice && added && added.length) {
          notice.textContent = added.length === 1 ? "1 new conversation" : added.length + " new conversations";
          notice.hidden = false;
          clearTimeout(notice.hideTimer);
          notice.hideTimer = setTimeout(function () { notice.hidden = true; }, 4000);
        }
        showUnreadInTitle();
      })
      .catch(function () { /* the next event tries again */ });
  });
})();

// The composer's formatting: a contenteditable editor replaces the plain textarea and, as it is typed, keeps the
// textarea (the plain-text part) and body_html (the HTML part, cleaned again on the server) filled. Pasting inserts
// plain text, so no foreign markup or remote image comes in with it.
(function () {
  "use strict";
  var editor = document.getElementById("editor");
  var text = document.getElementById("body");
  var html = document.querySelector("[data-body-html]");
  var bar = document.querySelector(".format-bar");
  if (!editor || !text || !html || !bar || !document.execCommand) { return; }
  var escape = function (s) {
    return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  };
  editor.innerHTML = html.value || escape(text.value).replace(/\n/g, "<br>");
  // The text part, as a reader of plain text expects it: a line per paragraph, list items on their own lines with
  // "- " or "1. ", quotes with "> ".
  var plain = function (root) {
    var out = [];
    var line = "";
    var end = function () { out.push(line); line = ""; };
    var walk = function (node, quote) {
      if (node.nodeType === 3) { line += node.nodeValue.replace(/\n/g, " "); return; }
      if (node.nodeType !== 1) { return; }
      var tag = node.tagName;
      if (tag === "BR") { end(); line = quote; return; }
      var block = /^(DIV|P|LI|UL|OL|BLOCKQUOTE)$/.test(tag);
      if (block && line.replace(/^(> )+/, "") !== "") { end(); line = quote; }
      if (block && line === "") { line = quote; }
      var inner = tag === "BLOCKQUOTE" ? quote + "> " : quote;
      if (tag === "BLOCKQUOTE") { line = inner; }
      if (tag === "LI") {
        var parent = node.parentNode;
        var n = Array.prototype.indexOf.call(parent.children, node) + 1;
        line = quote + (parent.tagName === "OL" ? n + ". " : "- ");
      }
      Array.prototype.forEach.call(node.childNodes, function (child) { walk(child, inner); });
      if (block && line.replace(/^(> )+/, "") !== "") { end(); line = quote; }
    };
    Array.prototype.forEach.call(root.childNodes, function (child) { walk(child, ""); });
    if (line !== "") { end(); }
    return out.join("\n").replace(/\n+$/, "");
  };
  var sync = function () {
    text.value = plain(editor);
    html.value = editor.innerHTML;
  };
  sync();
  editor.hidden = false;
  bar.hidden = false;
  text.hidden = true;
  var label = document.querySelector("label[for=body]");
  if (label) {
    label.removeAttribute("for"); // the editor is named by aria-labelledby; a click on the label still focuses it
    label.addEventListener("click", function () { editor.focus(); });
  }
  try { document.execCommand("defaultParagraphSeparator", false, "div"); } catch (e) { /* older engines */ }
  var apply = function (command) {
    editor.focus();
    if (command === "createLink") {
      var url = window.prompt("Link address (https://…)", "https://");
      if (!url || !/^(https?:|mailto:)/i.test(url.trim())) { return; }
      document.execCommand("createLink", false, url.trim());
    } else if (command === "formatBlock") {
      document.execCommand("formatBlock", false, "blockquote");
    } else {
      document.execCommand(command, false, null);
    }
    sync();
  };
  bar.addEventListener("mousedown", function (event) {
    if (event.target.closest("[data-format]")) { event.preventDefault(); } // keep the selection in the editor
  });
  bar.addEventListener("click", function (event) {
    var button = event.target.closest("[data-format]");
    if (button) { apply(button.getAttribute("data-format")); }
  });
  editor.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && (event.key === "k" || event.key === "K")) {
      event.preventDefault();
      apply("createLink");
    }
  });
  editor.addEventListener("paste", function (event) {
    event.preventDefault();
    document.execCommand("insertText", false, (event.clipboardData || window.clipboardData).getData("text/plain"));
  });
  editor.addEventListener("drop", function (event) { event.preventDefault(); });
  editor.addEventListener("input", sync);
  var form = editor.closest("form");
  if (form) { form.addEventListener("submit", sync, true); }
})();

// Address suggestions that work for every address in a field, not only the first: each of To, Cc and Bcc gets its own
// list whose options are what is typed so far plus a known address that matches the last, unfinished one.
(function () {
  "use strict";
  var known = document.getElementById("known");
  if (!known) { return; }
  var all = Array.prototype.map.call(known.options, function (o) { return o.value; });
  ["to", "cc", "bcc"].forEach(function (id) {
    var input = document.getElementById(id);
    if (!input) { return; }
    var list = document.createElement("datalist");
    list.id = "known-" + id;
    document.body.appendChild(list);
    input.setAttribute("list", list.id);
    var refresh = function () {
      var value = input.value;
      var cut = Math.max(value.lastIndexOf(","), value.lastIndexOf(";"));
      var head = cut >= 0 ? value.slice(0, cut + 1) + " " : "";
      var tail = value.slice(cut + 1).trim().toLowerCase();
      var chosen = {};
      value.slice(0, cut + 1).split(/[,;]/).forEach(function (a) { chosen[a.trim().toLowerCase()] = true; });
      list.textContent = "";
      all.filter(function (a) {
        return !chosen[a.toLowerCase()] && (!tail || a.toLowerCase().indexOf(tail) >= 0);
      }).slice(0, 20).forEach(function (a) {
        var option = document.createElement("option");
        option.value = head + a;
        list.appendChild(option);
      });
    };
    input.addEventListener("input", refresh);
    input.addEventListener("focus", refresh);
  });
})();

// Drafts: what the composer types is saved every few seconds (and when the page is left) as a draft in Drafts.
// Density: compact rows, remembered in this browser.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  if (form) {
    var draft = form.querySelector("[data-draft]");
    var state = document.getElementById("draft-state");
    var last = null;
    var sending = false;
    var fields = function () {
      var data = new URLSearchParams();
      ["from", "to", "cc", "bcc", "subject", "body", "body_html", "thread"].forEach(function (name) {
        var input = form.elements[name];
        if (input && input.value) { data.append(name, input.value); }
      });
      if (draft.value) { data.append("draft", draft.value); }
      return data;
    };
    // force: a draft is made even with nothing typed yet (a file was chosen first: files belong to a draft).
    var save = function (leaving, force) {
      if (sending) { return Promise.resolve(); }
      var data = fields();
      var body = data.toString();
      if (!force && (body === last
          || (!form.elements.to.value && !form.elements.subject.value && !form.elements.body.value.trim()))) {
        return Promise.resolve();
      }
      last = body;
      var headers = {"Content-Type": "application/x-www-form-urlencoded"};
      var token = document.querySelector('meta[name="_csrf"]');
      var header = document.querySelector('meta[name="_csrf_header"]');
      if (token && header) { headers[header.content] = token.content; }
      // keepalive: a save started as the page goes away (Close, a link, the tab closed) still reaches the server.
      return fetch(form.getAttribute("data-autosave"), {method: "POST", credentials: "same-origin", headers: headers,
        body: body, keepalive: leaving === true})
        .then(function (r) { return r.ok ? r.text() : Promise.reject(r.status); })
        .then(function (id) {
          if (id && !sending) {
            draft.value = id;
            if (state) { state.textContent = "Draft saved"; }
          }
        })
        .catch(function () { last = null; if (state) { state.textContent = "Draft not saved yet"; } });
    };
    form.addEventListener("submit", function () { sending = true; });
    setInterval(save, 3000);
    // The draft's id, saving it first when there is none yet.
    form.postroomDraft = function () {
      if (draft.value) { return Promise.resolve(draft.value); }
      return save(false, true).then(function () {
        return draft.value ? draft.value : Promise.reject("The draft could not be saved; try again.");
      });
    };
    window.addEventListener("beforeunload", function () { save(true); });
    // What was typed in the last seconds is saved when the page is left, not lost.
    window.addEventListener("pagehide", function () { save(true); });
    // Close saves first, then leaves.
    var close = document.querySelector("a[data-close-compose]");
    var windowed = document.body.classList.contains("composer-window") && window.parent !== window
      && window.parent.postroomComposer;
    if (close) {
      close.addEventListener("click", function (event) {
        event.preventDefault();
        var leave = function () {
          if (windowed) { window.parent.postroomComposer.close(); } else { window.location.href = close.href; }
        };
        save(true).then(leave, leave);
      });
    }
    // In the window over the mailbox, Esc minimises it (what is typed stays).
    if (windowed) {
      document.addEventListener("keydown", function (event) {
        if (event.key === "Escape" && !event.defaultPrevented) {
          save();
          window.parent.postroomComposer.minimise();
        }
      });
    }
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") { save(true); }
    });
  }

  var toggle = document.querySelector("[data-density]");
  var apply = function (compact) {
    document.body.classList.toggle("compact", compact);
    if (toggle) {
      toggle.setAttribute("aria-pressed", String(compact));
      toggle.textContent = compact ? "Comfortable" : "Compact";
    }
  };
  var stored = null;
  try { stored = window.localStorage.getItem("postroom.density"); } catch (e) { stored = null; }
  apply(stored === "compact");
  if (toggle) {
    toggle.addEventListener("click", function () {
      var compact = !document.body.classList.contains("compact");
      try { window.localStorage.setItem("postroom.density", compact ? "compact" : "comfortable"); } catch (e) { /* private mode */ }
      apply(compact);
    });
  }
})();

// A long conversation: the read messages in the middle fold into "N older messages" (a click shows them), and the
// pane opens at the first unread message. Without script every message shows. Run on a page that opens with a
// conversation, and again each time one is opened in place.
function postroomPrepareConversation(pane) {
  "use strict";
  if (!pane) { return; }
  var foldable = pane.querySelectorAll(".message[data-foldable]");
  if (foldable.length > 1) {
    var toggle = document.createElement("button");
    toggle.type = "button";
    toggle.className = "link unfold";
    toggle.textContent = foldable.length + " older messages";
    foldable.forEach(function (m) { m.hidden = true; });
    foldable[0].parentNode.insertBefore(toggle, foldable[0]);
    toggle.addEventListener("click", function () {
      foldable.forEach(function (m) { m.hidden = false; });
      toggle.remove();
    });
  }
  // The mail's HTML frame is as tall as the mail, so the page scrolls and the frame never does. The frame may read
  // its own document (allow-same-origin) but runs no script (no allow-scripts), so only this page measures it.
  pane.querySelectorAll("iframe.body-frame").forEach(function (frame) {
    var fit = function () {
      var doc = frame.contentDocument;
      if (!doc || !doc.documentElement) { return; }
      // Measured from a small height, as a document is never shorter than its frame; set before the next paint.
      frame.style.height = "40px";
      var root = doc.documentElement;
      var sideways = root.scrollWidth > root.clientWidth ? 18 : 0; // a wide table's scrollbar takes height too
      frame.style.height = Math.max(40, root.scrollHeight + sideways + 2) + "px";
    };
    frame.addEventListener("load", function () {
      fit();
      if (window.ResizeObserver && frame.contentDocument && frame.contentDocument.body) {
        new ResizeObserver(fit).observe(frame.contentDocument.body); // images that load late, a window resized
      }
    });
    if (frame.contentDocument && frame.contentDocument.readyState === "complete") { fit(); }
  });
  // At the first unread message, when read ones come before it: the pane scrolls where it scrolls on its own (beside
  // the list), else the page; never the page for a pane that has its own scrolling.
  var unread = pane.querySelector(".message[data-unread]");
  if (unread && pane.querySelector(".message") !== unread) {
    if (window.getComputedStyle(pane).overflowY === "auto") {
      pane.scrollTop = unread.offsetTop - 8;
    } else {
      unread.scrollIntoView({block: "start"});
    }
  }
}
postroomPrepareConversation(document.querySelector(".read-pane:not([hidden])"));

// In place, never a reload: the list's changes (star, archive, delete, spam, read, labels, moves) and opening a
// conversation are htmx requests whose answers swap only what changed (mail-changes.html, mail-conversation.html).
// What the swap cannot know is kept here: the cursor, the ticked boxes, the history entry of an open conversation,
// and where a row that comes back (Undo) belongs. The html element's data-swaps counts finished swaps, for tests.
(function () {
  "use strict";
  var list = document.getElementById("rows") || document.querySelector("#bulk-search .rows");
  if (!list || !window.htmx) { return; }
  // Search results are not sent again after a change (their matches are marked by the search); what a change does to
  // them is done here: read and unread marked, deleted and spam taken out. Archived, labelled or moved mail still
  // matches the search and stays listed.
  var searching = !document.getElementById("rows");
  var lastAction = null;
  var lastOnly = null;
  document.addEventListener("click", function (event) {
    var button = event.target.closest("#bulk-search button[type=submit]");
    if (!button) { return; }
    lastAction = button.name === "action" ? button.value
      : (button.getAttribute("formaction") || "").replace(/^.*action=/, "");
    lastOnly = button.name === "only" ? button.value : null;
  }, true);
  var applyToSearch = function (checkedIds) {
    var ids = lastOnly ? ["row-" + lastOnly] : checkedIds;
    ids.forEach(function (id) {
      var row = document.getElementById(id);
      if (!row) { return; }
      if (lastAction === "read") { row.classList.remove("unread"); }
      if (lastAction === "unread") { row.classList.add("unread"); }
      if (lastAction === "trash" || lastAction === "spam" || lastAction === "delete_forever") { row.remove(); }
    });
    lastAction = null;
    lastOnly = null;
  };
  var swaps = 0;
  var before = null;
  var listScroll = 0;
  var opening = null;
  var pending = 0; // requests under way, each finished once
  var restoring = false; // opening the conversation the browser's Back or Forward went to: no new history entry
  var rowsOf = function () { return Array.prototype.slice.call(list.querySelectorAll(".row[data-thread]")); };
  var pane = function () { return document.getElementById("read-pane"); };
  var settled = function () { document.documentElement.setAttribute("data-swaps", String(++swaps)); };
  var syncReading = function () {
    var p = pane();
    document.body.classList.toggle("reading", !!p && !p.hidden);
    var open = p && !p.hidden ? p.getAttribute("data-thread") : null;
    rowsOf().forEach(function (r) { r.classList.toggle("open", r.getAttribute("data-thread") === open); });
  };

  // A label's chip in the open conversation goes at once when its × is pressed; the answer updates the row.
  document.addEventListener("htmx:beforeRequest", function (event) {
    var form = event.detail.elt;
    if (form && form.closest && form.closest(".label-chips")) {
      form.closest("li").hidden = true; // hidden, not removed: the answer's events still reach the page
    }
  });
  // A star shows at once; the answer confirms it (or puts it back).
  document.addEventListener("click", function (event) {
    var star = event.target.closest(".rows button.star");
    if (!star) { return; }
    var on = star.getAttribute("aria-pressed") !== "true";
    star.textContent = on ? "\u2605" : "\u2606";
    star.setAttribute("aria-pressed", String(on));
    star.setAttribute("aria-label", on ? "Remove star" : "Star");
    var action = star.getAttribute("formaction");
    if (action) { // the next click does the opposite (the row is not sent again in search results)
      window.setTimeout(function () {
        star.setAttribute("formaction", action.replace(/action=(un)?star/, on ? "action=unstar" : "action=star"));
      }, 0);
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    pending++;
    var current = list.querySelector(".row.current");
    var rows = rowsOf();
    var at = current ? rows.indexOf(current) : -1;
    before = {
      current: current ? current.id : null,
      // Where the cursor goes if its row leaves the list: the next row still there, else the one before.
      after: at < 0 ? [] : rows.slice(at + 1).concat(rows.slice(0, at).reverse()).map(function (r) { return r.id; }),
      checked: rows.filter(function (r) {
        var box = r.querySelector("input[type=checkbox]");
        return box && box.checked;
      }).map(function (r) { return r.id; })
    };
    // Opening a conversation: the link itself is swapped away with its row, so the answer is known by this.
    opening = event.detail.elt.matches && event.detail.elt.matches(".row-link") ? event.detail.pathInfo.requestPath : null;
    if (opening && !document.body.classList.contains("reading")) { listScroll = window.scrollY; }
  });

  // After a request: from its own afterRequest event, or (when the answer closed the open conversation, whose form
  // made the request and is now gone from the page, so its events reach nothing) from the pane's swap. Once.
  var finish = function (detail) {
    if (pending <= 0) { return; }
    pending--;
    if (before && searching && lastAction && detail.successful) { applyToSearch(before.checked); }
    if (before) {
      var checked = {};
      before.checked.forEach(function (id) { checked[id] = true; });
      rowsOf().forEach(function (r) {
        var box = r.querySelector("input[type=checkbox]");
        if (box) { box.checked = !!checked[r.id]; }
      });
      var ids = before.current ? [before.current].concat(before.after) : [];
      for (var i = 0; i < ids.length; i++) {
        var row = document.getElementById(ids[i]);
        if (row) { row.classList.add("current"); break; }
      }
      var empty = document.querySelector(".list-pane .empty");
      if (empty) { empty.hidden = rowsOf().length > 0; }
    }
    var opened = opening !== null && detail.pathInfo.requestPath === opening && detail.successful;
    if (opening !== null && detail.pathInfo.requestPath === opening) { opening = null; } // not another's answer
    if (opened) {
      if (!restoring) {
        history.pushState({postroom: "conversation"}, "", detail.pathInfo.requestPath);
      }
      restoring = false;
      if (window.matchMedia("(max-width: 900px)").matches) { window.scrollTo(0, 0); }
      postroomPrepareConversation(pane());
    }
    var p = pane();
    if (p && p.hidden && !opened && window.location.pathname.split("/").length > 3) {
      // The open conversation left the list (archived, deleted): the address is the list's again.
      history.replaceState({postroom: "list"}, "", document.body.getAttribute("data-list"));
    }
    syncReading();
    settled();
  };
  document.addEventListener("htmx:afterRequest", function (event) { finish(event.detail); });
  document.addEventListener("htmx:oobAfterSwap", function (event) {
    // Only the swap aimed at the pane (htmx also sends this event to elements another swap settled).
    var aimed = event.detail && event.detail.target && event.detail.target.id === "read-pane";
    if (aimed && pane() && pane().hidden) {
      finish({pathInfo: {requestPath: ""}, successful: true});
    }
  });

  // A row that comes back (Undo) goes where the list's order puts it: newest activity first, then by id (descending),
  // as the server orders them.
  document.body.addEventListener("htmx:oobErrorNoTarget", function (event) {
    var row = event.detail.content;
    if (!row || !row.matches || !row.matches("li.row[data-at]")) { return; }
    row.removeAttribute("hx-swap-oob");
    var at = Number(row.getAttribute("data-at"));
    var id = row.getAttribute("data-thread");
    var next = rowsOf().filter(function (r) {
      var rAt = Number(r.getAttribute("data-at"));
      return rAt < at || (rAt === at && r.getAttribute("data-thread") < id);
    })[0];
    if (!next && list.querySelector(".more")) { return; } // older than the loaded pages: it shows when they load
    list.insertBefore(row, next || null);
    window.htmx.process(row);
  });

  // Back (the button, u, or the browser's) closes the pane and leaves the list exactly as it was.
  var close = function () {
    var p = pane();
    if (!p || p.hidden) { return; }
    p.hidden = true;
    p.removeAttribute("data-thread");
    p.textContent = "";
    syncReading();
    if (window.matchMedia("(max-width: 900px)").matches) { window.scrollTo(0, listScroll); }
    var row = list.querySelector(".row.current");
    if (row) { row.focus({preventScroll: true}); }
    settled();
  };
  document.addEventListener("click", function (event) {
    var back = event.target.closest(".read-pane a.back");
    if (!back || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    event.preventDefault();
    close();
    history.pushState({postroom: "list"}, "", back.getAttribute("href"));
  });
  window.addEventListener("popstate", function () {
    var path = window.location.pathname + window.location.search;
    if (path === document.body.getAttribute("data-list")) {
      close();
      return;
    }
    var link = list.querySelector('.row-link[href="' + CSS.escape(path) + '"]');
    if (link) {
      restoring = true;
      window.htmx.ajax("GET", path, {source: link, target: "#read-pane", swap: "outerHTML"}).then(function () {
        syncReading();
      });
    } else {
      window.location.reload();
    }
  });
})();

// The composer: Cc and Bcc behind links until used, Ctrl+Enter sends.
(function () {
  "use strict";
  var form = document.querySelector("form.compose-form");
  if (!form) { return; }
  var links = form.querySelector(".recipient-links");
  if (links) {
    var hiddenAny = false;
    form.querySelectorAll("[data-field]").forEach(function (field) {
      var input = field.querySelector("input");
      var button = links.querySelector('[data-show-field="' + field.getAttribute("data-field") + '"]');
      if (input && !input.value) {
        field.hidden = true;
        hiddenAny = true;
        button.addEventListener("click", function () {
          field.hidden = false;
          button.hidden = true;
          input.focus();
        });
      } else if (button) {
        button.hidden = true;
      }
    });
    links.hidden = !hiddenAny;
  }
  form.addEventListener("keydown", function (event) {
    if ((event.ctrlKey || event.metaKey) && event.key === "Enter") {
      event.preventDefault();
      var send = document.getElementById("send");
      if (form.requestSubmit && send) { form.requestSubmit(send); } else if (send) { send.click(); }
    }
  });
})();

// The search box suggests operators, labels and senders as you type (fetched once, when it is first used).
(function () {
  "use strict";
  var box = document.querySelector("input[data-suggestions]");
  var list = document.getElementById("search-suggestions");
  if (!box || !list || !window.fetch) { return; }
  var loaded = false;
  box.addEventListener("focus", function () {
    if (loaded) { return; }
    loaded = true;
    fetch(box.getAttribute("data-suggestions"), {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (r) { return r.ok ? r.json() : []; })
      .then(function (values) {
        values.forEach(function (v) {
          var option = document.createElement("option");
          option.value = v;
          list.appendChild(option);
        });
      })
      .catch(function () { loaded = false; });
  });
})();


// The composer as a window over the mailbox: Compose (or c) opens the composer page in a frame at the foot of the
// screen; the list stays usable beside it. The bar (or Esc inside) minimises and restores it, × closes it after the
// draft is saved, ⤢ opens it as a page. Only one at a time; Compose again brings it back.
(function () {
  "use strict";
  var box = document.getElementById("composer");
  if (!box) { return; }
  var frame = null;
  var toggle = box.querySelector(".composer-title");
  var setOpen = function (open) {
    box.classList.toggle("minimised", !open);
    toggle.setAttribute("aria-expanded", String(open));
    if (open && frame && frame.contentDocument) {
      var first = frame.contentDocument.getElementById("to");
      if (first && !first.value) { first.focus(); } else if (frame.contentWindow) { frame.contentWindow.focus(); }
    }
  };
  var open = function () {
    if (!frame) {
      frame = document.createElement("iframe");
      frame.title = "New message";
      frame.src = "/mail/compose?window=true";
      frame.addEventListener("load", function () { setOpen(!box.classList.contains("minimised")); });
      box.appendChild(frame);
    }
    box.hidden = false;
    setOpen(true);
  };
  window.postroomComposer = {
    minimise: function () { setOpen(false); toggle.focus(); },
    close: function () {
      box.hidden = true;
      box.classList.remove("minimised");
      if (frame) { frame.remove(); frame = null; }
    }
  };
  document.addEventListener("click", function (event) {
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) { return; }
    if (event.target.closest(".compose-button")) {
      event.preventDefault();
      open();
    } else if (event.target.closest("[data-composer-toggle]")) {
      setOpen(box.classList.contains("minimised"));
    } else if (event.target.closest("[data-composer-close]")) {
      var inner = frame && frame.contentDocument && frame.contentDocument.querySelector("a[data-close-compose]");
      if (inner) { inner.click(); } else { window.postroomComposer.close(); }
    } else if (event.target.closest("[data-composer-full]") && frame && frame.contentDocument) {
      // As a page, with the draft: saved first, then opened by its id.
      event.preventDefault();
      var draft = frame.contentDocument.querySelector("[data-draft]");
      var inner2 = frame.contentDocument.querySelector("form[data-autosave]");
      var go = function () {
        window.location.href = draft && draft.value ? "/mail/compose?draft=" + encodeURIComponent(draft.value)
          : "/mail/compose";
      };
      if (inner2 && inner2.postroomDraft && (draft.value || frame.contentDocument.getElementById("subject").value
          || frame.contentDocument.getElementById("to").value)) {
        inner2.postroomDraft().then(go, go);
      } else { go(); }
    }
  });
})();
