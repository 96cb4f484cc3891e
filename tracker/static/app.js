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
