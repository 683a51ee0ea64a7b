// The HTTP status of a failed Kubernetes API call. @kubernetes/client-node 2.x rejects with an
// ApiException carrying `code`; older code paths and the watch use `statusCode`. Reading both here
// keeps `instanceof` checks (which break when two copies of the library are installed) out of callers.
export function apiStatusOf(err: unknown): number | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, statusCode } = err as { code?: unknown; statusCode?: unknown };
  if (typeof code === 'number') return code;
  if (typeof statusCode === 'number') return statusCode;
  return undefined;
}

export const isNotFound = (err: unknown): boolean => apiStatusOf(err) === 404;
export const isConflict = (err: unknown): boolean => apiStatusOf(err) === 409;
