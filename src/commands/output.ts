// `pmxform output`: not built yet (placeholder so the command table compiles).
export async function run(_opts: Record<string, unknown>, _args: string[]): Promise<number> {
  process.stderr.write("Error: `pmxform output` is not available in this build yet.\n");
  return 1;
}
