// "Start again" loads the page anew: a new tab process (no inline handlers: the page's
// Content-Security-Policy allows scripts from this server only).
document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("restart");
  if (button) {
    button.addEventListener("click", () => window.location.reload());
  }
});
