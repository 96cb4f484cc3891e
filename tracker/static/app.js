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
