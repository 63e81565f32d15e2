// Ctrl-C during apply: the first interrupt lets operations in flight finish and saves the state
// (nothing new starts); a second one exits at once.
export function installInterruptHandler(onFirst: () => void): () => void {
  let count = 0;
  const handler = (): void => {
    count++;
    if (count === 1) {
      process.stderr.write("\nInterrupt received.\nPlease wait for pmxform to exit or data loss may occur.\nGracefully shutting down...\n");
      onFirst();
    } else {
      process.stderr.write("\nTwo interrupts received. Exiting immediately. The state may not record operations that were in flight.\n");
      process.exit(1);
    }
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return () => {
    process.off("SIGINT", handler);
    process.off("SIGTERM", handler);
  };
}
