// An error answer of the Kubernetes API, with its HTTP code and the Status's reason (lib/api-status.ts
// reads the code, as it reads client-node's).
export class ApiError extends Error {
  readonly code: number;
  readonly reason: string;
  constructor(code: number, reason: string, message: string) {
    super(message);
    this.name = 'ApiError';
    this.code = code;
    this.reason = reason;
  }
}
