// The snapshot a leader sends after a SNAP packet (LearnerHandler / Learner.syncWithLeader):
// the same tree image as a snapshot file but without file header, checksums or digest, then
// the ustring "BenWasHere". It follows the SNAP QuorumPacket on the socket with no length
// prefix, so the reader takes bytes as they arrive and says where the stream ended.
import { JuteError, Reader, Writer } from '../../protocol/jute';
import type { DataTree } from '../tree/datatree';
import { applyImage, captureTree, ImageError, imageChunks, ImageParser, type CaptureOptions, type ParsedImage } from './treeimage';
import type { SessionTable } from './types';

export const SNAP_SIGNATURE = 'BenWasHere';

/** Serialises the tree and sessions for a SNAP (copied in slices, like a fuzzy snapshot). */
export async function encodeSnapStream(tree: DataTree, sessions: SessionTable, opts?: CaptureOptions): Promise<{ zxid: bigint; chunks: Buffer[] }> {
  const image = await captureTree(tree, sessions, opts);
  const chunks = [...imageChunks(image)];
  const w = new Writer(16);
  w.ustring(SNAP_SIGNATURE);
  chunks.push(Buffer.from(w.bytes()));
  return { zxid: image.zxid, chunks };
}

/** Reads a SNAP stream from socket chunks: push() until it returns the bytes that follow the stream. */
export class SnapStreamReader {
  private readonly parser = new ImageParser();
  private tail: Buffer = Buffer.alloc(0);
  private finished = false;

  /** Takes the next bytes; returns whatever follows the stream once it is complete, else null. */
  push(chunk: Buffer): Buffer | null {
    if (this.finished) throw new Error('the SNAP stream is already complete');
    if (!this.parser.done) {
      this.parser.push(chunk);
      if (!this.parser.advance()) return null;
      this.tail = Buffer.from(this.parser.rest());
    } else {
      this.tail = Buffer.concat([this.tail, chunk]);
    }
    if (this.tail.length < 4) return null;
    const r = new Reader(this.tail);
    let signature: string | null;
    try {
      signature = r.ustring();
    } catch (e) {
      if (e instanceof JuteError && e.message.startsWith('record ends early')) return null;
      throw new ImageError(`the SNAP stream does not end with its signature: ${(e as Error).message}`);
    }
    if (signature !== SNAP_SIGNATURE) throw new ImageError(`missing SNAP signature: got ${JSON.stringify(signature)}, expected "${SNAP_SIGNATURE}"`);
    this.finished = true;
    return this.tail.subarray(r.pos);
  }

  /** The parsed tree and sessions (after push() returned non-null). */
  get image(): ParsedImage {
    if (!this.finished) throw new Error('the SNAP stream is not complete yet');
    return this.parser.image;
  }

  /** Replaces `tree` and `sessions` with what the stream held; `zxid` is the SNAP packet's. */
  applyTo(tree: DataTree, sessions: SessionTable, zxid: bigint): void {
    applyImage(tree, sessions, this.image, zxid);
  }
}
