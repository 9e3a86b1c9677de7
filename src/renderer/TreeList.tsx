// The tree as one virtualized list: expanded znodes' children are loaded a page at a time (the
// next page when its "more" row scrolls into view), only the rows on screen are in the DOM, and
// a znode whose children change (the backend's one-shot watch) reloads just its own list.
import { Badge, Text, UnstyledButton } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import type { ZnodeKind } from '../shared/api';
import type { LabApi } from '../shared/contract';

const PAGE = 500;
const ROW_PX = 24;

export function joinPath(parent: string, child: string): string {
  return parent === '/' ? `/${child}` : `${parent}/${child}`;
}

/** Every ancestor of `path`, root first ('/a/b' -> ['/', '/a']). */
export function ancestorsOf(path: string): string[] {
  const out = ['/'];
  const parts = path.split('/').filter(Boolean);
  for (let i = 1; i < parts.length; i++) out.push(`/${parts.slice(0, i).join('/')}`);
  return out;
}

interface Listing {
  names: string[];
  total: number;
  kinds: Map<string, ZnodeKind>;
}

/** The badges of a znode: what a Stat shows (ephemeral) and the mode the lab created it with. */
export function badgesOf(k: ZnodeKind | null | undefined): string[] {
  if (!k) return [];
  const out: string[] = [];
  if (k.ephemeral) out.push('ephemeral');
  if (k.mode?.endsWith('sequential')) out.push('sequential');
  if (k.mode === 'container') out.push('container');
  if (k.mode === 'ttl') out.push('TTL');
  return out;
}

const BADGE_COLOR: Record<string, string> = { ephemeral: 'orange', sequential: 'blue', container: 'grape', TTL: 'red' };

export function KindBadges({ kind, size = 'xs' }: { kind: ZnodeKind | null | undefined; size?: 'xs' | 'sm' }) {
  return (
    <>
      {badgesOf(kind).map((b) => (
        <Badge key={b} size={size} variant="light" color={BADGE_COLOR[b]} data-testid="znode-badge" data-badge={b} style={{ flexShrink: 0 }}>
          {b}
        </Badge>
      ))}
    </>
  );
}

type Row = { kind: 'node'; path: string; name: string; depth: number; info: ZnodeKind | null } | { kind: 'more'; parent: string; remaining: number; depth: number };

export function TreeList(props: {
  lab: LabApi;
  through: number | null;
  selected: string;
  onSelect: (p: string) => void;
  reveal: string | null;
  reloadKey: number;
  height: number;
  /**
   * What the details pane read of the selected znode just now. A row's kind comes from its
   * parent's listing, which no watch refreshes when the row itself gains children (a child watch
   * is on open parents only): a znode listed as a leaf gets its expander once it is selected.
   */
  fresh?: { path: string; kind: ZnodeKind | null } | null;
}) {
  const { lab, through, selected, onSelect, reveal, reloadKey, height, fresh } = props;
  const [open, setOpen] = useState<Set<string>>(() => new Set(['/']));
  const [listings, setListings] = useState<Map<string, Listing>>(() => new Map());
  const loading = useRef(new Set<string>());
  const again = useRef(new Set<string>());
  const listingsRef = useRef(listings);
  listingsRef.current = listings;

  /** Loads `path`'s children from `offset` (0 replaces what was loaded, keeping as many rows). */
  const load = useCallback(
    async (path: string, offset: number): Promise<void> => {
      const key = `${path}@${offset}`;
      // A reload asked for while one is on its way runs again after it: the one on its way may
      // have read the list just before the change that asked for this one.
      if (loading.current.has(key)) {
        again.current.add(key);
        return;
      }
      loading.current.add(key);
      try {
        const keep = offset === 0 ? Math.max(PAGE, listingsRef.current.get(path)?.names.length ?? 0) : PAGE;
        const names: string[] = [];
        const kinds = new Map<string, ZnodeKind>();
        let total = 0;
        for (let at = offset; at < offset + keep; at += 1000) {
          const r = await lab.call({ method: 'tree.children', path, through, offset: at, limit: Math.min(1000, offset + keep - at) });
          names.push(...r.children);
          r.children.forEach((n, i) => {
            const k = r.kinds?.[i];
            if (k) kinds.set(n, k);
          });
          total = r.total;
          if (r.children.length === 0 || at + r.children.length >= r.total) break;
        }
        setListings((m) => {
          const next = new Map(m);
          const before = offset === 0 ? [] : (m.get(path)?.names ?? []).slice(0, offset);
          const known = offset === 0 ? kinds : new Map([...(m.get(path)?.kinds ?? []), ...kinds]);
          next.set(path, { names: [...before, ...names], total, kinds: known });
          return next;
        });
      } catch {
        // the znode is gone (or the member is down): show it without children
        setListings((m) => {
          const next = new Map(m);
          next.set(path, { names: [], total: 0, kinds: new Map() });
          return next;
        });
      } finally {
        loading.current.delete(key);
        if (again.current.delete(key)) void load(path, offset);
      }
    },
    [lab, through],
  );

  // A new member to read through, or an action of the view: reload every open list.
  useEffect(() => {
    for (const p of open) void load(p, 0);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load, reloadKey]);

  // Live updates: only lists on screen are watched, and only they reload.
  useEffect(
    () =>
      lab.onPush((p) => {
        if (p.kind === 'tree.changed' && p.what === 'children' && open.has(p.path)) void load(p.path, 0);
      }),
    [lab, open, load],
  );

  // Reveal a path (from search): open its ancestors and select it.
  useEffect(() => {
    if (!reveal) return;
    setOpen((o) => {
      const next = new Set(o);
      for (const a of ancestorsOf(reveal)) {
        if (!next.has(a)) void load(a, 0);
        next.add(a);
      }
      return next;
    });
  }, [reveal, load]);

  const toggle = (path: string): void => {
    setOpen((o) => {
      const next = new Set(o);
      if (next.has(path)) next.delete(path);
      else {
        next.add(path);
        void load(path, 0);
      }
      return next;
    });
  };

  const rows = useMemo(() => {
    const out: Row[] = [];
    const walk = (path: string, name: string, depth: number, listed: ZnodeKind | null): void => {
      const info = fresh && fresh.path === path && fresh.kind ? fresh.kind : listed;
      out.push({ kind: 'node', path, name, depth, info });
      if (!open.has(path)) return;
      const l = listings.get(path);
      if (!l) return;
      for (const n of l.names) walk(joinPath(path, n), n, depth + 1, l.kinds.get(n) ?? null);
      if (l.names.length < l.total) out.push({ kind: 'more', parent: path, remaining: l.total - l.names.length, depth: depth + 1 });
    };
    walk('/', '/', 0, null);
    return out;
  }, [open, listings, fresh]);

  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({ count: rows.length, getScrollElement: () => scroller.current, estimateSize: () => ROW_PX, overscan: 20 });
  const items = virtualizer.getVirtualItems();

  // A revealed path is scrolled into view once its row exists (its parent's page is loaded).
  const revealed = useRef<string | null>(null);
  useEffect(() => {
    if (!reveal || revealed.current === reveal) return;
    const index = rows.findIndex((r) => r.kind === 'node' && r.path === reveal);
    if (index < 0) return;
    revealed.current = reveal;
    virtualizer.scrollToIndex(index, { align: 'center' });
  }, [reveal, rows, virtualizer]);

  // The next page loads when its "more" row comes into view.
  useEffect(() => {
    for (const it of items) {
      const r = rows[it.index];
      if (r?.kind === 'more') void load(r.parent, listings.get(r.parent)?.names.length ?? 0);
    }
  }, [items, rows, listings, load]);

  return (
    <div ref={scroller} style={{ height, overflow: 'auto' }} data-testid="tree-scroller" data-rows={rows.length}>
      <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
        {items.map((it) => {
          const r = rows[it.index]!;
          const style = { position: 'absolute' as const, top: 0, left: 0, right: 0, height: ROW_PX, transform: `translateY(${it.start}px)`, paddingLeft: r.depth * 14, display: 'flex', alignItems: 'center', gap: 4 };
          if (r.kind === 'more') {
            return (
              <div key={`more:${r.parent}`} style={style}>
                <Text size="xs" c="dimmed" data-testid={`more-${r.parent}`}>
                  loading {Math.min(PAGE, r.remaining)} more of {r.remaining}…
                </Text>
              </div>
            );
          }
          const isOpen = open.has(r.path);
          // A znode known to have no children is a leaf: nothing to expand (an open one keeps its
          // toggle, so a list that is being watched can still be closed).
          const leaf = !isOpen && r.info !== null && r.info.numChildren === 0;
          return (
            <div key={r.path} style={style} data-leaf={leaf ? 'true' : 'false'} data-testid={`row-${r.path}`}>
              {leaf ? (
                <span style={{ width: 16, flexShrink: 0 }} />
              ) : (
                <UnstyledButton onClick={() => toggle(r.path)} w={16} aria-label={`${isOpen ? 'collapse' : 'expand'} ${r.path}`} data-testid={`toggle-${r.path}`}>
                  {isOpen ? '▾' : '▸'}
                </UnstyledButton>
              )}
              <UnstyledButton
                onClick={() => onSelect(r.path)}
                data-testid={`tree-${r.path}`}
                style={{ fontWeight: selected === r.path ? 700 : 400, fontFamily: 'monospace', fontSize: 13, whiteSpace: 'nowrap' }}
              >
                {r.name}
              </UnstyledButton>
              <KindBadges kind={r.info} />
            </div>
          );
        })}
      </div>
    </div>
  );
}
