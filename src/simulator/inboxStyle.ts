// The inbox page's style sheet, served as /inbox.css: system fonts only (nothing to download),
// one column on a phone, the thread index beside the threads on a wider window.
export const INBOX_STYLE = `:root {
  color-scheme: light;
  --ink: #1b1f24;
  --muted: #4a5360;
  --line: #d5dae1;
  --page: #f4f6f8;
  --bubble: #ffffff;
  --accent: #0b5cad;
  --good: #11693a;
  --bad: #a3161b;
  --pending: #6b4e00;
  font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", sans-serif;
  line-height: 1.45;
}
* { box-sizing: border-box; }
body { margin: 0; background: var(--page); color: var(--ink); }
.bar {
  display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem 1rem;
  padding: 0.75rem 1rem; background: #fff; border-bottom: 1px solid var(--line);
}
.bar h1 { font-size: 1.25rem; margin: 0; }
.connection { margin: 0; color: var(--muted); flex: 1 1 12rem; }
.connection[data-live="no"] { color: var(--bad); }
button {
  font: inherit; padding: 0.4rem 0.9rem; border-radius: 0.4rem; cursor: pointer;
  border: 1px solid var(--bad); background: #fff; color: var(--bad);
}
button:disabled { opacity: 0.6; cursor: progress; }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
.layout { display: grid; gap: 1rem; padding: 1rem; max-width: 72rem; margin: 0 auto; }
.index summary { font-weight: 600; cursor: pointer; padding: 0.25rem 0; }
.index details[open] summary { margin-bottom: 0.5rem; }
.empty { color: var(--muted); margin: 0; }
.thread-list { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: 0.5rem; }
.thread-link {
  display: inline-flex; gap: 0.5rem; padding: 0.35rem 0.6rem; border-radius: 0.4rem;
  background: #fff; border: 1px solid var(--line); text-decoration: none;
}
.thread-count { color: var(--muted); }
.threads { display: grid; gap: 1rem; min-width: 0; }
.thread { background: #fff; border: 1px solid var(--line); border-radius: 0.6rem; padding: 0.75rem 1rem; }
.thread-title { font-size: 1.1rem; margin: 0 0 0.5rem; font-variant-numeric: tabular-nums; }
.texts { list-style: none; margin: 0; padding: 0; display: grid; gap: 0.75rem; }
/* As the sender's phone shows a sent text: on the right, in the sender's colour. */
.text {
  display: flex; flex-direction: column; align-items: flex-end; text-align: right;
  border-right: 4px solid var(--pending); padding-right: 0.75rem;
}
.text[data-tone="good"] { border-right-color: var(--good); }
.text[data-tone="bad"] { border-right-color: var(--bad); }
.body {
  margin: 0 0 0.25rem; padding: 0.5rem 0.75rem; background: var(--accent); color: #fff;
  border-radius: 0.9rem 0.9rem 0.2rem 0.9rem; text-align: left;
  white-space: pre-wrap; overflow-wrap: anywhere; max-width: min(36rem, 85%);
}
.meta, .state { margin: 0; color: var(--muted); font-size: 0.875rem; overflow-wrap: anywhere; }
.text[data-tone="good"] .state-word { color: var(--good); }
.text[data-tone="bad"] .state-word { color: var(--bad); }
.text[data-tone="pending"] .state-word { color: var(--pending); }
.error { margin: 0.25rem 0 0; color: var(--bad); font-size: 0.875rem; overflow-wrap: anywhere; }
@media (min-width: 48rem) {
  .layout { grid-template-columns: 15rem minmax(0, 1fr); align-items: start; }
  .index { position: sticky; top: 1rem; }
  .thread-list { flex-direction: column; }
}
`;
