// "Copy" buttons: copy the text of the input named by data-copy (selects it as a fallback).
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const input = document.getElementById(button.dataset.copy);
  input.select();
  const done = () => { button.textContent = button.dataset.copied; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(input.value).then(done, () => {});
  } else if (document.execCommand("copy")) {
    done();
  }
});
