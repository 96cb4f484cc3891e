// Errors that htmx does not swap (403, 404, 500, network): show them where everyone sees them.
document.addEventListener("htmx:responseError", (event) => {
  const messages = document.getElementById("messages");
  if (!messages) return;
  const response = event.detail.xhr.responseText;
  const holder = document.createElement("div");
  holder.innerHTML = response;
  const message = holder.querySelector(".message") ;
  messages.replaceChildren(message || Object.assign(document.createElement("p"), {
    className: "message message-error", textContent: "Det gick inte att spara. Ladda om sidan och försök igen.",
  }));
});
document.addEventListener("htmx:sendError", () => {
  const messages = document.getElementById("messages");
  if (messages) {
    messages.replaceChildren(Object.assign(document.createElement("p"), {
      className: "message message-error", textContent: "Servern svarar inte. Kontrollera anslutningen och försök igen.",
    }));
  }
});

// Back and forward restore the page htmx kept, but not what its form fields held: set a GET form's
// fields from the restored address, so that the filter shown is the filter applied.
document.addEventListener("htmx:historyRestore", () => {
  const params = new URLSearchParams(window.location.search);
  document.querySelectorAll("form[method=get][hx-push-url]").forEach((form) => {
    for (const field of form.elements) {
      if (field.name && field.type !== "hidden" && field.type !== "submit") field.value = params.get(field.name) || "";
    }
  });
});

// After a part of the page is replaced, keep keyboard and screen reader users where they were: on the
// first field with an error, else on the message that needs an answer, else on the control they used
// (found again by its text, e.g. "Upp med …"), instead of at the top of the page. A form opened in place
// names the control that opened it (data-opener): whatever closes the form (Avbryt, Spara) goes back there.
let lastTrigger = null;
document.addEventListener("htmx:beforeRequest", (event) => {
  const elt = event.detail.elt;
  const control = elt.matches("form") ? (event.detail.requestConfig?.triggeringEvent?.submitter || elt.querySelector("[type=submit]")) : elt;
  const opener = control?.closest("[data-opener]")?.dataset.opener;
  lastTrigger = control ? { text: control.textContent.trim(), tag: control.tagName, opener } : null;
});
document.addEventListener("htmx:afterSettle", (event) => {
  if (document.activeElement && document.activeElement !== document.body) return;
  const target = event.detail.target;
  const region = event.target;
  // The swap's own target (or what replaced it), not the pieces swapped out of band.
  if (!(region === target || (target && region.id && region.id === target.id))) return;
  const scope = region.isConnected ? region : document;
  const invalid = scope.querySelector("[aria-invalid=true]");
  if (invalid) { invalid.focus(); return; }
  const alert = scope.querySelector("[role=alert]");
  if (alert) { alert.setAttribute("tabindex", "-1"); alert.focus(); return; }
  const opener = lastTrigger?.opener && document.getElementById(lastTrigger.opener);
  if (opener) { opener.focus(); return; }
  if (lastTrigger) {
    const matches = (root) => Array.from(root.querySelectorAll(lastTrigger.tag)).find((el) => el.textContent.trim() === lastTrigger.text);
    const same = (scope !== document && matches(scope)) || matches(document);
    if (same) { same.focus(); return; }
  }
  // The control is gone (a form opened in its place, a row confirmed): the first field of what came in.
  if (scope !== document) {
    const first = scope.querySelector("input:not([type=hidden]), select, textarea, button, a[href]");
    if (first) { first.focus(); return; }
    scope.setAttribute("tabindex", "-1");
    scope.focus();
  }
});
