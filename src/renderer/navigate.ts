// A request from outside a view for it to show something (the palette's "Go to znode /a/b"):
// kept until the view takes it, since the view may mount only after the request.
let pendingZnode: string | null = null;
const listeners = new Set<(path: string) => void>();

export function requestZnode(path: string): void {
  pendingZnode = path;
  for (const l of listeners) l(path);
}

/** The Tree explorer takes a pending request when it mounts, and later ones as they come. */
export function takeZnodeRequests(fn: (path: string) => void): () => void {
  if (pendingZnode !== null) {
    fn(pendingZnode);
    pendingZnode = null;
  }
  const l = (p: string): void => {
    pendingZnode = null;
    fn(p);
  };
  listeners.add(l);
  return () => listeners.delete(l);
}
