// Plain JSON objects as they come from the API server or a manifest, and the two checks every reader of
// them needs. Shared by lib/kube/ and the controller (controller/desired/types.ts re-exports them).
export type Dict = Record<string, unknown>;

export const str = (v: unknown): string => (typeof v === 'string' ? v : '');

export const isDict = (v: unknown): v is Dict => typeof v === 'object' && v !== null && !Array.isArray(v);
