// `pmxform state list|show|rm|mv`: not built yet (placeholder so the command table compiles).
type Run = (opts: Record<string, unknown>, args: string[]) => Promise<number>;
const notYet: Run = async () => {
  process.stderr.write("Error: `pmxform state` is not available in this build yet.\n");
  return 1;
};
export const commands: Record<"list" | "show" | "rm" | "mv", Run> = { list: notYet, show: notYet, rm: notYet, mv: notYet };
