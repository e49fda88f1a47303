// The prepare form: show only the fields that matter for the chosen type of poll.
for (const form of document.querySelectorAll("form[data-poll-form]")) {
  const kind = form.elements.kind;
  const show = () => {
    for (const field of form.querySelectorAll("[data-kinds]")) {
      field.hidden = !field.dataset.kinds.split(" ").includes(kind.value);
    }
  };
  kind.addEventListener("change", show);
  show();
}
