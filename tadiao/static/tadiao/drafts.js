/* Drafts kept in the browser: a form marked data-draft saves what is typed into it (localStorage, keyed by user,
   page and form), so that a reporter whose network dropped can reload the page and carry on. Nothing leaves the
   phone; nothing is sent anywhere.

   - On each change the form's fields are stored with the server's state the draft started from (its "base").
   - On load, when the server's form is still that base, the draft is put back and a notice offers 丢弃. When the
     server's form is different (saved meanwhile, elsewhere), the draft is stale and dropped. A form re-shown by
     the server with errors (data-draft-bound) shows what was posted and keeps the draft as it is.
   - When the form is sent, the next page tells whether it was saved: a success message (data-level="success")
     clears the draft; an error page, or no page at all (no network), keeps it. */
(function () {
  "use strict";
  var user = document.body && document.body.getAttribute("data-user");
  var local, session;
  try {
    local = window.localStorage;
    session = window.sessionStorage;
  } catch (e) {
    return; // storage switched off: forms work as before
  }
  if (!user || !local || !session) {
    return;
  }
  var PREFIX = "tadiao-draft:" + user + ":";
  var PENDING = "tadiao-draft-pending";
  var SKIP_TYPES = ["file", "password", "submit", "button", "reset", "image"];

  // 1. The page after a sent form: was it saved?
  var pending = session.getItem(PENDING);
  if (pending) {
    session.removeItem(PENDING);
    if (document.querySelector('.alert[data-level="success"]') && pending.indexOf(PREFIX) === 0) {
      local.removeItem(pending);
    }
  }

  function keyOf(form, index) {
    // The query string counts: 提出问题 is one address for every project (?project=…).
    return PREFIX + window.location.pathname + window.location.search + "#" + (form.id || index);
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && SKIP_TYPES.indexOf(el.type) < 0 && el.tagName !== "BUTTON";
    });
  }

  function valuesOf(form) {
    var values = {};
    fieldsOf(form).forEach(function (el) {
      var key = el.name;
      if (el.type === "checkbox") {
        values[key + "=" + el.value] = el.checked;
      } else if (el.type === "radio") {
        if (el.checked) {
          values[key] = el.value;
        } else if (!(key in values)) {
          values[key] = null;
        }
      } else if (el.tagName === "SELECT" && el.multiple) {
        values[key] = Array.prototype.filter.call(el.options, function (o) { return o.selected; })
          .map(function (o) { return o.value; });
      } else {
        values[key] = el.value;
      }
    });
    return values;
  }

  function same(a, b) {
    return JSON.stringify(a) === JSON.stringify(b);
  }

  function apply(form, values) {
    fieldsOf(form).forEach(function (el) {
      if (el.type === "hidden") {
        return; // the server's own (e.g. the version the edit started from)
      }
      var key = el.name;
      if (el.type === "checkbox") {
        if ((key + "=" + el.value) in values) {
          el.checked = !!values[key + "=" + el.value];
        }
      } else if (el.type === "radio") {
        if (key in values) {
          el.checked = values[key] === el.value;
        }
      } else if (el.tagName === "SELECT" && el.multiple) {
        if (Array.isArray(values[key])) {
          Array.prototype.forEach.call(el.options, function (o) { o.selected = values[key].indexOf(o.value) >= 0; });
        }
      } else if (key in values && values[key] !== null) {
        el.value = values[key];
      }
    });
  }

  function read(key) {
    try {
      return JSON.parse(local.getItem(key) || "null");
    } catch (e) {
      return null;
    }
  }

  function write(key, draft) {
    try {
      local.setItem(key, JSON.stringify(draft));
    } catch (e) {
      /* storage full: the form still works, without a draft */
    }
  }

  function notice(form, key, base) {
    var box = document.createElement("div");
    box.className = "alert alert-info py-2 d-flex align-items-center flex-wrap gap-2";
    box.id = "draft-notice";
    box.setAttribute("role", "status");
    var text = document.createElement("span");
    text.textContent = "已恢复未保存的草稿";
    var discard = document.createElement("button");
    discard.type = "button";
    discard.className = "btn btn-sm btn-outline-secondary ms-auto";
    discard.id = "draft-discard";
    discard.textContent = "丢弃";
    discard.addEventListener("click", function () {
      local.removeItem(key);
      apply(form, base);
      box.remove();
    });
    box.appendChild(text);
    box.appendChild(discard);
    form.parentNode.insertBefore(box, form);
  }

  function setUp(form, index) {
    var key = keyOf(form, index);
    var bound = form.hasAttribute("data-draft-bound");
    var shown = valuesOf(form);
    var stored = read(key);
    if (stored && !bound) {
      if (!same(stored.base, shown)) {
        local.removeItem(key); // the server's record changed since the draft began
        stored = null;
      } else if (!same(stored.values, shown)) {
        apply(form, stored.values);
        notice(form, key, stored.base);
      }
    }
    var base = stored ? stored.base : bound ? null : shown;

    function save() {
      var values = valuesOf(form);
      if (base !== null && same(values, base)) {
        local.removeItem(key);
      } else {
        write(key, { base: base, values: values, saved: new Date().toISOString() });
      }
    }

    form.addEventListener("input", save);
    form.addEventListener("change", save);
    form.addEventListener("submit", function () {
      save();
      session.setItem(PENDING, key);
    });
  }

  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft]"), setUp);
})();
