// Sentences of the newer parts of the UI, in one place so that a translation catalogue can take
// them over (the i18n work of issue 14 moves every view's strings into catalogues).

/** Who holds a watch's session, for the lab's own sessions (the watch inspector's "session of"). */
export const SESSION_OWNER: Record<string, string> = {
  tree: 'Tree explorer (the lab)',
  inspector: 'Watch inspector (the lab)',
  locks: 'Lock playground client',
};
export const OTHER_SESSION = 'another client';
