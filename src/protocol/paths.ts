// Znode path rules (org.apache.zookeeper.common.PathUtils.validatePath), shared by server,
// client and shell so that all three reject the same paths with the same sentence.

/** Returns null for a valid path, else the reason ZooKeeper gives. */
export function pathError(path: string, isSequential = false): string | null {
  if (isSequential) path = path + '1';
  if (path == null) return 'Path cannot be null';
  if (path.length === 0) return 'Path length must be > 0';
  if (path.charAt(0) !== '/') return 'Path must start with / character';
  if (path.length === 1) return null;
  if (path.charAt(path.length - 1) === '/') return 'Path must not end with / character';
  let reason: string | null = null;
  let last = '/';
  const chars = path;
  for (let i = 1; i < chars.length; i++) {
    const c = chars.charAt(i);
    const code = chars.charCodeAt(i);
    if (code === 0) {
      reason = `null character not allowed @${i}`;
      break;
    } else if (c === '/' && last === '/') {
      reason = `empty node name specified @${i}`;
      break;
    } else if (c === '.' && last === '.') {
      if (chars.charAt(i - 2) === '/' && (i + 1 === chars.length || chars.charAt(i + 1) === '/')) {
        reason = `relative paths not allowed @${i}`;
        break;
      }
    } else if (c === '.') {
      if (chars.charAt(i - 1) === '/' && (i + 1 === chars.length || chars.charAt(i + 1) === '/')) {
        reason = `relative paths not allowed @${i}`;
        break;
      }
    } else if (
      (code > 0x0000 && code <= 0x001f) ||
      (code >= 0x007f && code <= 0x009f) ||
      (code >= 0xd800 && code <= 0xf8ff) ||
      (code >= 0xfff0 && code <= 0xffff)
    ) {
      reason = `invalid character @${i}`;
      break;
    }
    last = c;
  }
  if (reason !== null) return `Invalid path string "${isSequential ? path.slice(0, -1) : path}" caused by ${reason}`;
  return null;
}

/** The parent of an absolute path ('/' for top-level nodes). */
export function parentOf(path: string): string {
  const i = path.lastIndexOf('/');
  return i <= 0 ? '/' : path.slice(0, i);
}

/** The last segment of a path ('' for the root). */
export function baseName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

/** Joins a parent path and a child name. */
export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}
