// One AbortController shared by every command of a run. Each running process, retry wait and
// walk step listens on its signal, so a run at --parallelism 10 has more than Node's default of
// 10 listeners: the limit is lifted here (it guards against leaks, and these end with their call).
import { setMaxListeners } from "node:events";

export function runAbortController(): AbortController {
  const ac = new AbortController();
  setMaxListeners(0, ac.signal);
  return ac;
}
