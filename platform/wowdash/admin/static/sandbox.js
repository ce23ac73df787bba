/* The sandbox chat. Everything the bot or a customer wrote is drawn with textContent, never innerHTML. */
(function () {
  "use strict";
  var root = document.getElementById("sandbox");
  if (!root) { return; }
  var csrf = document.querySelector('meta[name="csrf-token"]').getAttribute("content");
  var chat = document.getElementById("chat");
  var replyKeyboard = document.getElementById("reply-keyboard");
  var language = document.getElementById("language");
  var center = root.dataset.center;
  var lastId = 0;
  var bubbles = {};  // bot message id (outbox row id) -> element

  function withCenter(url) {
    return url + (url.indexOf("?") < 0 ? "?" : "&") + "center=" + encodeURIComponent(center);
  }

  function bubble(kind, text) {
    var el = document.createElement("div");
    el.className = "wd-msg " + kind;
    el.textContent = text;
    chat.appendChild(el);
    chat.scrollTop = chat.scrollHeight;
  }
  function note(text) { bubble("note", text); }
  function mine(text) { bubble("me", text); }

  function post(body) {
    body.language = language.value;
    return fetch(withCenter(root.dataset.sendUrl), {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrf},
      body: JSON.stringify(body)
    }).then(answered);
  }

  function answered(response) {
    return response.json().catch(function () { return {}; }).then(function (data) {
      if (!response.ok || !data.ok) { note("Not sent: " + (data.error || response.status)); }
      else if (data.status === "error") { note("The bot failed on this update (see the log)."); }
      poll();
    });
  }

  function fillInline(holder, markup, messageId, messageText) {
    holder.textContent = "";
    var rows = (markup && markup.inline_keyboard) || [];
    rows.forEach(function (row) {
      var line = document.createElement("div");
      row.forEach(function (button) {
        var b = document.createElement("button");
        b.type = "button";
        b.className = "btn btn-outline-primary btn-sm";
        b.textContent = button.text;
        if (button.url) {
          b.title = button.url;
          b.addEventListener("click", function () { note("Link: " + button.url); });
        } else {
          b.dataset.callback = button.callback_data || "";
          b.addEventListener("click", function () {
            mine("[pressed] " + button.text);
            post({kind: "callback", data: button.callback_data || "", message_id: messageId,
                  message_text: messageText || ""});
          });
        }
        line.appendChild(b);
      });
      holder.appendChild(line);
    });
  }

  function showReplyKeyboard(markup) {
    if (!markup) { return; }
    if (markup.remove_keyboard) { replyKeyboard.textContent = ""; return; }
    if (!markup.keyboard) { return; }
    replyKeyboard.textContent = "";
    markup.keyboard.forEach(function (row) {
      var line = document.createElement("div");
      row.forEach(function (key) {
        var label = typeof key === "string" ? key : key.text;
        var b = document.createElement("button");
        b.type = "button";
        b.className = "btn btn-light btn-sm";
        b.textContent = label;
        b.addEventListener("click", function () {
          if (key.request_contact) {
            var phone = window.prompt("Phone number to share", "+998901234567");
            if (!phone) { return; }
            mine("[contact] " + phone);
            post({kind: "contact", phone: phone});
          } else {
            mine(label);
            post({kind: "text", text: label});
          }
          if (markup.one_time_keyboard) { replyKeyboard.textContent = ""; }
        });
        line.appendChild(b);
      });
      replyKeyboard.appendChild(line);
    });
  }

  function drawBot(m) {
    var el = document.createElement("div");
    el.className = "wd-msg bot";
    el.dataset.messageId = m.id;
    var body = document.createElement("div");
    body.className = "wd-text";
    var text = m.text || m.caption || "";
    if (m.file) { text = (m.method === "send_photo" ? "[photo] " : "[document] ") + text; }
    body.textContent = text;
    el.appendChild(body);
    var buttons = document.createElement("div");
    buttons.className = "wd-buttons";
    el.appendChild(buttons);
    fillInline(buttons, m.reply_markup, m.id, m.text || m.caption || "");
    bubbles[m.id] = el;
    chat.appendChild(el);
  }

  function apply(m) {
    var target = m.message_id && bubbles[m.message_id];
    if (m.method === "answer_callback_query") {
      if (m.text) { note((m.show_alert ? "[alert] " : "[notice] ") + m.text); }
    } else if (m.method === "edit_message_text" && target) {
      target.querySelector(".wd-text").textContent = m.text || "";
      fillInline(target.querySelector(".wd-buttons"), m.reply_markup, m.message_id, m.text || "");
    } else if (m.method === "edit_message_reply_markup" && target) {
      fillInline(target.querySelector(".wd-buttons"), m.reply_markup, m.message_id,
                 target.querySelector(".wd-text").textContent);
    } else if (m.method === "delete_message" && target) {
      target.remove();
    } else if (m.text || m.caption || m.file) {
      drawBot(m);
      showReplyKeyboard(m.reply_markup);
    }
    chat.scrollTop = chat.scrollHeight;
  }

  var polling = false;
  function poll() {
    if (polling) { return; }
    polling = true;
    fetch(withCenter(root.dataset.messagesUrl + "?after=" + lastId), {credentials: "same-origin"})
      .then(function (r) { return r.json(); })
      .then(function (data) {
        (data.messages || []).forEach(apply);
        if (data.last_id) { lastId = data.last_id; }
      })
      .catch(function () {})
      .then(function () { polling = false; });
  }

  document.getElementById("composer").addEventListener("submit", function (event) {
    event.preventDefault();
    var input = document.getElementById("text");
    var text = input.value;
    if (!text.trim()) { return; }
    input.value = "";
    mine(text);
    post({kind: "text", text: text});
  });

  function upload(asPhoto) {
    var file = document.getElementById("file").files[0];
    if (!file) { note("Choose a file first."); return; }
    var form = new FormData();
    form.append("file", file);
    form.append("caption", document.getElementById("caption").value);
    form.append("language", language.value);
    form.append("as_photo", asPhoto ? "1" : "0");
    mine((asPhoto ? "[photo] " : "[file] ") + file.name);
    fetch(withCenter(root.dataset.uploadUrl), {method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrf}, body: form}).then(answered);
  }
  document.getElementById("uploader").addEventListener("submit", function (event) {
    event.preventDefault();
    upload(false);
  });
  document.getElementById("send-photo").addEventListener("click", function () { upload(true); });

  document.getElementById("reset").addEventListener("click", function () {
    fetch(withCenter(root.dataset.resetUrl), {method: "POST", credentials: "same-origin",
      headers: {"X-CSRFToken": csrf}}).then(function (r) { return r.json(); }).then(function (data) {
        if (!data.ok) { note("Could not start over."); return; }
        lastId = Math.max(lastId, data.last_id || 0);
        chat.textContent = "";
        replyKeyboard.textContent = "";
        bubbles = {};
        note("The bot has forgotten this conversation. Send /start.");
      });
  });

  poll();
  window.setInterval(poll, 1000);
})();
