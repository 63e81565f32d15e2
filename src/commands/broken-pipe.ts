// `pmxform show | head -1`: the reader of stdout (or stderr) went away. Like a program killed by
// SIGPIPE (Terraform is), end quietly with status 141 instead of Node's "Unhandled 'error'
// event" stack. A run with operations in flight (apply, destroy) registers a graceful stop and is
// stopped as by Ctrl-C instead, so the state still records what finished; its output is dropped.

/** What a shell reports for a program killed by SIGPIPE (128 + 13). */
export const BROKEN_PIPE_STATUS = 141;

let gracefulStop: (() => void) | undefined;

/** While `stop` is registered, a broken pipe calls it instead of exiting; returns the unregister. */
export function stopOnBrokenPipe(stop: () => void): () => void {
  gracefulStop = stop;
  return () => {
    if (gracefulStop === stop) gracefulStop = undefined;
  };
}

export function quietOnBrokenPipe(stream: NodeJS.WriteStream): void {
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code !== "EPIPE") throw e;
    stream.write = () => true;
    process.exitCode = BROKEN_PIPE_STATUS;
    if (!gracefulStop) process.exit(BROKEN_PIPE_STATUS);
    gracefulStop();
  });
}
