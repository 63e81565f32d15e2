// The only script the web view runs (inline, allowed by the page's CSP nonce): a job page
// follows its job's Server-Sent Events, appends each output line, and when the job ends shows
// the result; a finished plan goes on to the plan page. Refresh progress events show the step the
// plan is at above the log.
export const JOB_PAGE_SCRIPT = `
(() => {
  const body = document.body;
  const log = document.getElementById("job-log");
  const status = document.getElementById("job-status");
  const next = document.getElementById("job-next");
  const events = new EventSource("/events/" + encodeURIComponent(body.dataset.job));
  const progress = document.getElementById("job-progress");
  const append = (line) => {
    const span = document.createElement("span");
    span.className = line.stream;
    span.textContent = line.text + "\\n";
    log.appendChild(span);
    log.scrollTop = log.scrollHeight;
  };
  events.addEventListener("line", (e) => append(JSON.parse(e.data)));
  // A refresh step: the latest one is shown above the log (what the plan is waiting for now).
  events.addEventListener("progress", (e) => {
    const line = JSON.parse(e.data);
    progress.textContent = line.text;
    progress.hidden = false;
    append(line);
  });
  events.addEventListener("done", (e) => {
    events.close();
    const r = JSON.parse(e.data);
    status.textContent = r.message;
    status.className = r.ok ? "ok" : "failed";
    body.dataset.done = r.ok ? "ok" : "failed";
    next.href = r.next;
    next.hidden = false;
    if (r.ok && body.dataset.kind === "plan") location.assign(r.next);
  });
  events.onerror = () => {
    if (!body.dataset.done) status.textContent = "Lost the connection to pmxform ui; reload the page to follow the job again.";
  };
})();
`;
