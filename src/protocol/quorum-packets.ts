// The quorum port's packet types (Leader.java), once: the server's ZAB codec and the lab's Wire
// decoder both read them from here.
export const PacketType = {
  REQUEST: 1,
  PROPOSAL: 2,
  ACK: 3,
  COMMIT: 4,
  PING: 5,
  REVALIDATE: 6,
  SYNC: 7,
  INFORM: 8,
  COMMITANDACTIVATE: 9,
  NEWLEADER: 10,
  FOLLOWERINFO: 11,
  UPTODATE: 12,
  DIFF: 13,
  TRUNC: 14,
  SNAP: 15,
  OBSERVERINFO: 16,
  LEADERINFO: 17,
  ACKEPOCH: 18,
  INFORMANDACTIVATE: 19,
} as const;

/** Packet type → its name in Leader.java. */
export const PACKET_NAME: Record<number, string> = Object.fromEntries(Object.entries(PacketType).map(([k, v]) => [v, k]));
