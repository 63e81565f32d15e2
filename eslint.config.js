// ESLint (flat config): typed rules for the TypeScript sources and the layering rules of
// docs/architecture.md ("Who owns what"). Formatting is Prettier's job (.prettierrc.json), import
// cycles dpdm's (scripts/lint.sh; docs/decisions.md says why not import-x/no-cycle).
// `npm run lint` runs all three; `npm run format` rewrites; scripts/format-all.sh does both at once.
import js from "@eslint/js";
import { defineConfig } from "eslint/config";
import globals from "globals";
import tseslint from "typescript-eslint";

/** Modules that start processes or touch the local file system: a provider reaches a node's files and commands through the Runner it is given (src/exec). */
const PROCESS_AND_FS = ["child_process", "node:child_process", "fs", "node:fs", "fs/promises", "node:fs/promises", "execa"];
const PROCESS_AND_FS_MESSAGE = "A provider never spawns processes or touches the local file system: use the Runner it is given (argv arrays), or src/exec helpers such as place-file.ts.";
/** A path segment named exactly `providers` (not src/provider/, the interface every layer may use). */
const PROVIDERS_DIR = "(^|/)providers(/|$)";
const PROVIDERS_MESSAGE = "Only the composition root (src/registry-wiring.ts) imports providers/; everything else in src/ goes through the provider interface in src/provider/.";

/** `import("…")` whose source matches `regex` (no "/" in it: esquery ends the regex there); no-restricted-imports does not see dynamic imports. */
const dynamicImport = (regex, message) => ({ selector: `ImportExpression[source.value=/${regex}/]`, message });

export default defineConfig(
  {
    ignores: ["dist/", "**/node_modules/", "bench/out/", "**/.pmxform-sim/", "test/fixtures/", "schema/", "tmp/"],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: "error" },
  },
  js.configs.recommended,
  {
    // Scripts, benchmarks and the bin shim are plain ESM JavaScript outside tsconfig.json: recommended rules, no type information.
    files: ["**/*.js", "**/*.mjs", "**/*.cjs"],
    languageOptions: { globals: { ...globals.node } },
    rules: {
      "no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" }],
    },
  },
  {
    files: ["**/*.ts", "**/*.mts"],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: { allowDefaultProject: ["vitest.config.ts"] },
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // `_`-prefixed names are the house marker for "deliberately unused" (destructuring to drop a key, interface-shaped parameters).
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_", destructuredArrayIgnorePattern: "^_", caughtErrors: "none" }],
      // `async` is how a function here says it implements a Promise-returning contract (a verb's run(), ApplyContext.recordIntent,
      // test doubles of a Runner): a synchronous body still has to turn a throw into a rejection, which dropping `async` would not.
      "@typescript-eslint/require-await": "off",
      // String(x) is this code's explicit "print this scalar" on attribute values typed unknown (Attrs come from JSON, checked by
      // the provider's schema); the rule only sees the static type. Implicit stringification in templates stays checked by
      // restrict-template-expressions.
      "@typescript-eslint/no-base-to-string": "off",
      // Validators refuse control characters by naming them in a character class (schema.ts, the sim's OCI config check): the
      // control characters in those regexes are the point.
      "no-control-regex": "off",
      // Re-rejecting a value caught from a callback as-is (graph/walk.ts) must not wrap it: callers match on the original error.
      "@typescript-eslint/prefer-promise-reject-errors": ["error", { allowThrowingUnknown: true }],
      // UnknownResult is a sentinel thrown through the HCL function library to mean "the result is unknown", caught by the
      // caller; it is not an error and deliberately skips Error's stack capture on a hot path.
      "@typescript-eslint/only-throw-error": ["error", { allow: [{ from: "file", name: "UnknownResult", path: "src/config/functions/types.ts" }] }],
    },
  },
  {
    // The hand-written parsers keep character codes in const enums and compare them with charCodeAt(), which returns number:
    // comparing a number with an enum member is exactly what these files do on every character.
    files: ["src/config/hcl/fast-parser.ts", "src/config/nesting.ts"],
    rules: { "@typescript-eslint/no-unsafe-enum-comparison": "off" },
  },
  {
    // vitest's asymmetric matchers (expect.objectContaining, expect.stringMatching, expect.any) are typed `any` by design, and
    // they sit inside the objects a test compares with toEqual.
    files: ["test/**/*.ts"],
    rules: { "@typescript-eslint/no-unsafe-assignment": "off" },
  },
  {
    files: ["src/**/*.ts"],
    ignores: ["src/registry-wiring.ts"],
    rules: {
      "no-restricted-imports": ["error", { patterns: [{ regex: PROVIDERS_DIR, message: PROVIDERS_MESSAGE }] }],
      "no-restricted-syntax": ["error", dynamicImport("(^|\\W)providers(\\W|$)", PROVIDERS_MESSAGE)],
    },
  },
  {
    files: ["providers/**/*.ts"],
    rules: {
      "no-restricted-imports": ["error", { paths: PROCESS_AND_FS.map((name) => ({ name, message: PROCESS_AND_FS_MESSAGE })) }],
      "no-restricted-syntax": ["error", dynamicImport("^(node:)?(child_process|fs|fs.promises)$|^execa$", PROCESS_AND_FS_MESSAGE)],
    },
  },
);
