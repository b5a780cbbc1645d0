// The query page without reloads where it helps: an example link loads its query into the editor (and
// clears the previous query's answer),
// and Ctrl+Enter (⌘+Enter) runs the query. Without this script the links and the form work the same,
// through the server. Query text only ever goes through `value`, never through HTML.
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("sparql-form");
  const editor = document.getElementById("query");
  if (!form || !editor) return;
  for (const link of document.querySelectorAll("a[data-query]")) {
    link.addEventListener("click", (event) => {
      if (event.button !== 0 || event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) return;
      event.preventDefault();
      editor.value = link.dataset.query;
      // what is shown below belongs to the previous query
      for (const stale of document.querySelectorAll("section.results, section.query-error")) stale.remove();
      history.replaceState(null, "", link.href);
      editor.focus();
      editor.setSelectionRange(0, 0);
      editor.scrollIntoView({ block: "nearest" });
    });
  }
  editor.addEventListener("keydown", (event) => {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
});
