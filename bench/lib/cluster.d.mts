// Types for bench/lib/cluster.mjs, so the CI subset in test/bench can share its fixtures.
export declare const NODES3: string[];
export declare const TEMPLATE: string;
export declare function nodeOf(i: number, nodes: string[]): string;
export declare function confText(i: number): string;
export declare function buildCluster(cli: string, dir: string, opts: { nodes?: string[]; count: number; latencyMs?: number }): { vmid: number; node: string }[];
export declare function setLatency(dir: string, latencyMs: number): void;
export declare function readCalls(dir: string): { node: string; tool: string; argv: string[]; exit: number; ms: number }[];
export declare function simProxmoxBlock(nodes?: string[], sim?: string): string;
