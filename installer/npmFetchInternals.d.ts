/** Types for the parts of npm's fetch layer the installer uses that ship none (make-fetch-happen's cache entry, minipass-fetch). */
declare module 'minipass-fetch' {
  export class Headers {
    constructor(init?: Record<string, string>);
    forEach(fn: (value: string, name: string) => void): void;
    get(name: string): string | null;
  }
  export class Request {
    constructor(url: string, init?: { headers?: Record<string, string> });
    readonly url: string;
  }
  export class Response {
    constructor(body: unknown, init?: { url?: string; status?: number; headers?: Record<string, string> });
    readonly url: string;
    readonly status: number;
    readonly headers: Headers;
    buffer(): Promise<Buffer>;
  }
}

declare module 'make-fetch-happen/lib/cache/entry.js' {
  import type { Request, Response } from 'minipass-fetch';
  /** A response about to be stored (`store` answers a response whose body writes the cache as it is read). */
  export default class CacheEntry {
    constructor(init: { request: Request; response: Response; options: Record<string, unknown> });
    store(status: string): Promise<Response>;
  }
}

declare module 'make-fetch-happen/lib/cache/key.js' {
  /** The cache key of a request (`make-fetch-happen:request-cache:<url>`). */
  export default function cacheKey(request: { url: string }): string;
}

declare module 'npm-registry-fetch/lib/check-response.js' {
  import type { Response } from 'minipass-fetch';
  /** npm-registry-fetch's check of a response: the response itself below 400, else it throws npm's error for it. */
  export default function checkResponse(args: {
    method: string;
    uri: string;
    res: Response;
    startTime: number;
    auth: unknown;
    opts: Record<string, unknown>;
  }): Promise<Response>;
}

declare module 'npm-registry-fetch/lib/default-opts.js' {
  /** npm-registry-fetch's defaults, under a request's own options (its registry, user agent, timeout, …). */
  const defaults: { registry: string; userAgent: string; timeout: number; [option: string]: unknown };
  export default defaults;
}

declare module 'cacache/lib/entry-index.js' {
  /** The index file (bucket) that holds a key's entries, whether or not it exists yet. */
  export function bucketPath(cache: string, key: string): string;
}
