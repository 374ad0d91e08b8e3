// Progressive enhancement only: every page works without this file.
// htmx (static/vendor/htmx) boosts links and forms; a refusal (400) still shows its page,
// which carries the error message and what was typed; so does the error page of a failure (500).
document.addEventListener("htmx:beforeSwap", function (event) {
  var status = event.detail.xhr.status;
  if (status === 400 || status === 403 || status === 404 || status === 409 || status === 500) {
    event.detail.shouldSwap = true;
    event.detail.isError = false;
  }
});
// "Select all" boxes of bulk lists.
document.addEventListener("change", function (event) {
  var box = event.target;
  if (box.matches && box.matches("input[data-select-all]")) {
    document.querySelectorAll("input[name='" + box.dataset.selectAll + "']").forEach(function (b) {
      b.checked = box.checked;
    });
  }
});
