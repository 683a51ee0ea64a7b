// fetch with outgoing credentials added, for the SDK's SSE client transport (backends/http.ts), which
// asks fetch for its stream and for each POST. The streamable-HTTP upstream adds them itself.
type Credentials = () => Record<string, string> | Promise<Record<string, string>>;

export function credentialedFetch(credentials: Credentials) {
  return async (input: string | URL, init?: RequestInit): Promise<Response> => {
    const headers = new Headers(init?.headers);
    for (const [name, value] of Object.entries(await credentials())) headers.set(name, value);
    return fetch(input, { ...init, headers });
  };
}
