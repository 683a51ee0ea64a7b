// node:http and node:https as their CommonJS module objects. An ESM `import ... from 'node:http'` makes
// Node copy every export into a module namespace, which reads node:http's lazy `WebSocket`,
// `CloseEvent` and `MessageEvent` getters and so loads Node's bundled undici: about 12 MiB resident and
// 90 ms at start, for classes the proxy never uses (bench/proxy.ts, idle RSS). getBuiltinModule does not.
export const http = process.getBuiltinModule('node:http');
export const https = process.getBuiltinModule('node:https');
