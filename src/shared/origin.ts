// The one origin check of the app: a URL belongs to the lab only if its origin is exactly the
// lab's. A prefix test is not one: `http://127.0.0.1:4000@evil.example/` starts with the lab's
// address and is evil.example's, `http://127.0.0.1:40001` starts with `http://127.0.0.1:4000`.

/** Whether `url` (a URL or an Origin header) has exactly the origin `origin`; false when it does not parse. */
export function sameOrigin(url: string | null | undefined, origin: string): boolean {
  if (!url) return false;
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}
