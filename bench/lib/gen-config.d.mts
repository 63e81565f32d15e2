// Types for bench/lib/gen-config.mjs, so the config tests can share the benchmark's generated configurations.
export declare function generateHcl(count: number): string;
export declare function generateYaml(count: number): string;
