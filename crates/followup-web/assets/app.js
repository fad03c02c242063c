// followup's only script of its own: a file, so the Content-Security-Policy can forbid inline
// script. Buttons with data-copy="ID" copy that element's text.
document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-copy]');
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (source && navigator.clipboard) navigator.clipboard.writeText(source.innerText);
});
