// followup's only script of its own: a file, so the Content-Security-Policy can forbid inline
// script. Everything here is a convenience over forms that work without it.

// Buttons with data-copy="ID" copy that element's text.
document.addEventListener('click', (event) => {
  const button = event.target.closest('button[data-copy]');
  if (!button) return;
  const source = document.getElementById(button.dataset.copy);
  if (source && navigator.clipboard) navigator.clipboard.writeText(source.innerText);
});

// After htmx swaps in an answer, focus what it marked (data-focus: the sentence saying what
// happened, or the field whose value was refused), so a keyboard user lands on the result
// instead of the top of the page.
document.addEventListener('htmx:afterSettle', (event) => {
  const target = event.detail.elt && event.detail.elt.isConnected ? event.detail.elt : document;
  const mark = target.querySelector('[data-focus]') || document.querySelector('[data-focus]');
  if (mark) mark.focus();
});

// An answer htmx does not swap (a 404, a 503 while another process writes): say so in the
// item or board that asked, rather than nothing happening.
document.addEventListener('htmx:responseError', (event) => {
  const target = event.detail.target;
  if (!target) return;
  const p = document.createElement('p');
  p.className = 'warning';
  p.setAttribute('role', 'alert');
  p.tabIndex = -1;
  p.textContent = `That did not work (${event.detail.xhr.status}): reload the page and try again.`;
  target.prepend(p);
  p.focus();
});

// Pipeline: a card dropped on another column posts its own Move form with that column's
// stage, exactly what the stage select and the Move button do (they stay, for keyboards).
const JOB = 'application/x-followup-job';
document.addEventListener('dragstart', (event) => {
  const card = event.target.closest && event.target.closest('[data-job]');
  if (!card) return;
  event.dataTransfer.setData(JOB, card.id);
  event.dataTransfer.effectAllowed = 'move';
  card.classList.add('dragging');
});
document.addEventListener('dragend', () => {
  document.querySelectorAll('.dragging, .drop-target').forEach((el) => el.classList.remove('dragging', 'drop-target'));
});
document.addEventListener('dragover', (event) => {
  const column = event.target.closest && event.target.closest('[data-stage]');
  if (!column || !event.dataTransfer.types.includes(JOB)) return;
  event.preventDefault();
  event.dataTransfer.dropEffect = 'move';
  document.querySelectorAll('.drop-target').forEach((el) => { if (el !== column) el.classList.remove('drop-target'); });
  column.classList.add('drop-target');
});
document.addEventListener('drop', (event) => {
  const column = event.target.closest && event.target.closest('[data-stage]');
  if (!column) return;
  const card = document.getElementById(event.dataTransfer.getData(JOB));
  if (!card) return;
  event.preventDefault();
  column.classList.remove('drop-target');
  if (card.closest('[data-stage]') === column) return;
  const form = card.querySelector('form');
  form.elements.stage.value = column.dataset.stage;
  form.requestSubmit();
});
