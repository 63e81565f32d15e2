// How a simulated tool fails: a plain message (Perl `die`) or a 400 parameter error, each with
// the exit code the real tool uses. main.ts turns these into stderr text and an exit status.

export class SimError extends Error {
  constructor(
    message: string,
    readonly exitCode = 255,
  ) {
    super(message);
  }
  /** The exact stderr text. */
  render(): string {
    return this.message.endsWith("\n") ? this.message : this.message + "\n";
  }
}

/** `400 Parameter verification failed.` + `key: message` lines + the verb's usage line. */
export class ParamError extends SimError {
  constructor(
    readonly errors: [string, string][],
    readonly usage: string,
  ) {
    super("400 Parameter verification failed.", 255);
  }
  override render(): string {
    const lines = [...this.errors].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0)).map(([k, m]) => `${k}: ${m}`);
    return ["400 Parameter verification failed.", ...lines, this.usage, ""].join("\n");
  }
}

/** A failed worker task of a `$upid_exit` verb: the one-line task error, exit 255. */
export function taskError(message: string): SimError {
  return new SimError(message.replace(/\n(?!$)/g, " "), 255);
}
