/* Steward cookie banner. Hand-written, no dependencies, no third-party requests.
 *
 * Embed with one tag:  <script src="https://STEWARD/consent/banner.js" defer></script>
 *
 * It reads /consent/config.json (the policy's cookie categories, its version and the hash
 * of the texts shown) from the server it was loaded from, asks again only when the choice
 * was made under a version before the policy's last material change (`consent_versions`
 * lists the versions a choice still holds under),
 * keeps the answer in a first-party cookie `steward_consent` holding only a random browser
 * id, the choices and the policy version, and records every choice at /api/v1/consent.
 * Scripts written as <script type="text/plain" data-category="analytics"> run only once
 * their category is accepted; a withdrawal reloads the page so they stop. With a Global
 * Privacy Control signal nothing is asked: the categories it covers stay off.
 * Elements with a `data-steward-consent-open` attribute open the preferences again (a
 * "Cookie settings" button is added when the page has none). <html> gets
 * data-steward-consent="asking" or "decided"; window.StewardConsent has browserId(),
 * choices() and open().
 */
(function () {
  "use strict";
  var COOKIE = "steward_consent";
  var YEAR = 31536000;
  var me = document.currentScript;
  var base = me && me.src ? new URL(me.src, location.href).origin : location.origin;
  var cfg = null;
  var state = null; // {id, v, c: {category: bool}}
  var ui = null;
  var gpc = navigator.globalPrivacyControl === true;

  function readCookie() {
    var parts = document.cookie ? document.cookie.split("; ") : [];
    for (var i = 0; i < parts.length; i++) {
      var eq = parts[i].indexOf("=");
      if (parts[i].slice(0, eq) !== COOKIE) continue;
      try {
        var s = JSON.parse(decodeURIComponent(parts[i].slice(eq + 1)));
        if (s && typeof s.id === "string" && typeof s.v === "string" && s.c && typeof s.c === "object") {
          return s;
        }
      } catch (e) { /* a damaged cookie is asked again */ }
    }
    return null;
  }

  function writeCookie(s) {
    document.cookie = COOKIE + "=" + encodeURIComponent(JSON.stringify(s)) + "; Path=/; Max-Age=" +
      YEAR + "; SameSite=Lax" + (location.protocol === "https:" ? "; Secure" : "");
  }

  function uuid() {
    var b = new Uint8Array(16);
    crypto.getRandomValues(b);
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = "";
    for (var i = 0; i < 16; i++) {
      h += (b[i] + 256).toString(16).slice(1);
      if (i === 3 || i === 5 || i === 7 || i === 9) h += "-";
    }
    return h;
  }

  function optional() {
    return cfg.categories.filter(function (c) { return !c.essential; });
  }

  function mark(status) { document.documentElement.setAttribute("data-steward-consent", status); }

  function locked(c) { return gpc && c.gpc_locked; }

  function allowed(names, choices) {
    return names.split(/\s+/).every(function (n) {
      var c = cfg.categories.filter(function (k) { return k.name === n; })[0];
      if (!c) return false;
      return c.essential || (choices[n] === true && !locked(c));
    });
  }

  function activate(choices) {
    var found = document.querySelectorAll('script[type="text/plain"][data-category]');
    Array.prototype.forEach.call(found, function (old) {
      if (old.hasAttribute("data-steward-activated")) return;
      if (!allowed(old.getAttribute("data-category"), choices)) return;
      var s = document.createElement("script");
      Array.prototype.forEach.call(old.attributes, function (a) {
        if (a.name !== "type" && a.name !== "data-category") s.setAttribute(a.name, a.value);
      });
      s.text = old.text;
      old.setAttribute("data-steward-activated", "");
      old.parentNode.insertBefore(s, old.nextSibling);
    });
  }

  function holds() {
    return !!state && (cfg.consent_versions || [cfg.policy_version]).indexOf(state.v) >= 0;
  }

  function csrf() {
    var m = document.cookie.match(/(?:^|; )steward_csrf=([^;]*)/);
    return m && base === location.origin ? decodeURIComponent(m[1]) : null;
  }

  function save(choices, quiet) {
    var previous = holds() ? state.c : null;
    var id = state ? state.id : uuid();
    var headers = { "Content-Type": "application/json" };
    var token = csrf();
    if (token) headers["X-CSRF-Token"] = token;
    return fetch(base + cfg.consent_url, {
      method: "POST",
      headers: headers,
      credentials: "same-origin",
      body: JSON.stringify({
        browser_id: id, choices: choices,
        policy_version: cfg.policy_version, text_sha256: cfg.text_sha256
      })
    }).then(function (r) {
      if (r.status === 409) { refresh(); return null; }  // the policy changed: ask anew
      if (!r.ok) throw new Error("consent not recorded: " + r.status);
      return r.json();
    }).then(function (answer) {
      if (answer === null) return;
      var kept = {};
      optional().forEach(function (c) {
        var given = answer && answer.choices && c.name in answer.choices ? answer.choices[c.name] : choices[c.name];
        kept[c.name] = given === true && !locked(c);
      });
      state = { id: (answer && answer.browser_id) || id, v: cfg.policy_version, c: kept };
      writeCookie(state);
      var withdrawn = previous && Object.keys(previous).some(function (n) { return previous[n] && !kept[n]; });
      if (withdrawn) { location.reload(); return; }
      close();
      activate(kept);
      settingsButton();
      mark("decided");
    }).catch(function (e) {
      warn(e);
      if (!quiet && ui) { ui.error.hidden = false; ui.error.textContent = cfg.text.failed; }
    });
  }

  function el(tag, attrs, kids) {
    var n = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") n.textContent = attrs[k];
      else if (attrs[k] === true) n.setAttribute(k, "");
      else if (attrs[k] !== false && attrs[k] != null) n.setAttribute(k, attrs[k]);
    });
    (kids || []).forEach(function (k) { if (k) n.appendChild(k); });
    return n;
  }

  var CSS =
    ".stw-banner{position:fixed;left:0;right:0;bottom:0;z-index:2147483000;box-sizing:border-box;" +
    "max-width:48rem;max-height:100vh;overflow:auto;margin:0 auto;padding:1rem 1.25rem;" +
    "background:#fff;color:#1a1a1a;border:2px solid #1a1a1a;border-bottom:0;" +
    "box-shadow:0 -4px 16px rgba(0,0,0,.2);font:16px/1.5 system-ui,sans-serif}" +
    ".stw-banner *{box-sizing:border-box}" +
    ".stw-banner h2{font-size:1.25rem;margin:0 0 .5rem}.stw-banner p{margin:0 0 .75rem}" +
    ".stw-banner a{color:#1d4f91}" +
    ".stw-actions{display:flex;gap:.5rem}" +
    ".stw-btn{flex:1 1 0;min-height:44px;padding:.5rem 1rem;font:inherit;font-weight:600;" +
    "color:#fff;background:#1d4f91;border:2px solid #1d4f91;border-radius:4px;cursor:pointer}" +
    ".stw-btn:hover{background:#163d70}" +
    ".stw-banner :focus-visible,.stw-open:focus-visible{outline:3px solid #f5a623;outline-offset:2px}" +
    ".stw-cat{border-top:1px solid #ccc;padding:.5rem 0}.stw-cat label{font-weight:600}" +
    ".stw-cat input{width:1.25rem;height:1.25rem;margin-right:.5rem;vertical-align:middle}" +
    ".stw-cat p{margin:.25rem 0;font-size:.9rem}.stw-cat ul{margin:.25rem 0;padding-left:1.25rem;font-size:.9rem}" +
    ".stw-note{font-size:.9rem;font-style:italic}.stw-error{color:#a00;font-weight:600}" +
    ".stw-prefs{margin-bottom:.75rem}" +
    ".stw-open{position:fixed;left:.5rem;bottom:.5rem;z-index:2147482999;font:14px system-ui,sans-serif;" +
    "padding:.4rem .75rem;background:#fff;color:#1d4f91;border:2px solid #1d4f91;border-radius:4px;cursor:pointer}" +
    "@media (max-width:32rem){.stw-actions{flex-direction:column}.stw-btn{flex:0 0 auto;width:100%}}";

  // A constructed style sheet where the browser has them: a website whose
  // Content-Security-Policy allows no inline style still shows the banner as drawn.
  var styled = false;
  function style() {
    if (styled || document.getElementById("stw-style")) return;
    styled = true;
    if (window.CSSStyleSheet && document.adoptedStyleSheets) {
      try {
        var sheet = new CSSStyleSheet();
        sheet.replaceSync(CSS);
        document.adoptedStyleSheets = document.adoptedStyleSheets.concat([sheet]);
        return;
      } catch (e) { /* an older browser: fall back to a style element */ }
    }
    (document.head || document.body).appendChild(el("style", { id: "stw-style", text: CSS }));
  }

  function build(current) {
    var t = cfg.text;
    var boxes = {};
    var cats = cfg.categories.map(function (c) {
      var id = "stw-cat-" + c.name;
      var box = el("input", {
        type: "checkbox", id: id, name: c.name, "aria-describedby": id + "-d",
        checked: c.essential || (current[c.name] === true && !locked(c)),
        disabled: c.essential || locked(c)
      });
      box.checked = c.essential || (current[c.name] === true && !locked(c));
      boxes[c.name] = box;
      var cookies = c.cookies.map(function (k) {
        return el("li", { text: k.name + " (" + k.provider + ", " + k.duration + "): " + k.purpose });
      });
      return el("div", { "class": "stw-cat" }, [
        el("label", { "for": id }, [box, document.createTextNode(c.label)]),
        el("p", { id: id + "-d", text: c.description }),
        c.essential ? el("p", { "class": "stw-note", text: t.always_on }) : null,
        locked(c) ? el("p", { "class": "stw-note", text: t.gpc }) : null,
        cookies.length ? el("details", {}, [el("summary", { text: c.cookies.length + " cookie(s)" }), el("ul", {}, cookies)]) : null
      ]);
    });
    var prefs = el("div", { "class": "stw-prefs", id: "stw-prefs", hidden: true }, cats.concat([
      el("button", { type: "button", "class": "stw-btn stw-save", "data-act": "save", text: t.save })
    ]));
    var error = el("p", { "class": "stw-error", role: "alert", hidden: true });
    var title = el("h2", { id: "stw-title", tabindex: "-1", text: t.title });
    var root = el("div", {
      "class": "stw-banner", role: "dialog", "aria-modal": "false",
      "aria-labelledby": "stw-title", "aria-describedby": "stw-intro"
    }, [
      title,
      el("p", { id: "stw-intro" }, [
        document.createTextNode(t.intro + " "),
        el("a", { href: base + cfg.policy_url, text: t.policy })
      ]),
      prefs,
      error,
      el("div", { "class": "stw-actions" }, [
        el("button", { type: "button", "class": "stw-btn", "data-act": "accept", text: t.accept }),
        el("button", { type: "button", "class": "stw-btn", "data-act": "reject", text: t.reject }),
        el("button", {
          type: "button", "class": "stw-btn", "data-act": "customise",
          "aria-expanded": "false", "aria-controls": "stw-prefs", text: t.customise
        })
      ])
    ]);
    root.addEventListener("click", function (e) {
      var act = e.target.getAttribute && e.target.getAttribute("data-act");
      if (!act) return;
      var choices = {};
      optional().forEach(function (c) {
        choices[c.name] = act === "accept" ? !locked(c) : act === "save" ? boxes[c.name].checked : false;
      });
      if (act === "customise") {
        prefs.hidden = !prefs.hidden;
        e.target.setAttribute("aria-expanded", String(!prefs.hidden));
        if (!prefs.hidden) prefs.querySelector("input:not([disabled])") && prefs.querySelector("input:not([disabled])").focus();
        return;
      }
      save(choices, false);
    });
    root.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && holds()) close();
    });
    return { root: root, prefs: prefs, error: error, title: title };
  }

  function show(withPrefs) {
    close();
    ui = build(holds() ? state.c : {});
    if (withPrefs) {
      ui.prefs.hidden = false;
      ui.root.querySelector('[data-act="customise"]').setAttribute("aria-expanded", "true");
    }
    // First in the document, so the keyboard reaches it first; shown fixed at the bottom.
    document.body.insertBefore(ui.root, document.body.firstChild);
    if (withPrefs) ui.title.focus();
  }

  function close() {
    if (ui && ui.root.parentNode) ui.root.parentNode.removeChild(ui.root);
    ui = null;
  }

  function settingsButton() {
    if (document.querySelector("[data-steward-consent-open]")) return;
    var b = el("button", { type: "button", "class": "stw-open", "data-steward-consent-open": true, text: cfg.text.settings });
    document.body.appendChild(b);
  }

  function start(config) {
    cfg = config;
    state = readCookie();
    style();
    document.addEventListener("click", function (e) {
      var t = e.target.closest && e.target.closest("[data-steward-consent-open]");
      if (t) { e.preventDefault(); show(true); }
    });
    var current = holds();
    if (gpc && (!current || optional().some(function (c) { return locked(c) && state.c[c.name]; }))) {
      // The signal is the answer: nothing is asked; what it covers is recorded as withdrawn.
      var choices = {};
      optional().forEach(function (c) { choices[c.name] = current && !locked(c) ? state.c[c.name] === true : false; });
      activate(current ? choices : {});
      save(choices, true);
      return;
    }
    if (current) {
      activate(state.c);
      settingsButton();
      mark("decided");
    } else {
      show(false);
      mark("asking");
    }
  }

  window.StewardConsent = {
    browserId: function () { return state ? state.id : null; },
    choices: function () { return cfg && holds() ? state.c : null; },
    open: function () { if (cfg) show(true); }
  };

  function fetchConfig() {
    return fetch(base + "/consent/config.json", { credentials: "omit" })
      .then(function (r) { if (!r.ok) throw new Error("config " + r.status); return r.json(); });
  }

  function warn(e) { if (window.console) console.warn("Steward consent:", e.message); }

  // The server refused a choice made under a text no longer in force: show the new one.
  function refresh() {
    fetchConfig().then(function (config) { cfg = config; show(false); mark("asking"); }).catch(warn);
  }

  function load() { fetchConfig().then(start).catch(warn); }

  if (document.body) load();
  else document.addEventListener("DOMContentLoaded", load);
})();
