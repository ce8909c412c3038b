/**
 * The readable byte stream of a handle that reads into a caller's buffer:
 * `FdHandle` and `TcpConnection` share it, and differ only in what the end
 * of the stream does to the handle.
 *
 * @module
 */

/** What a readable byte stream needs of its handle. */
export interface ByteSource {
  /** Reads into `buffer`; null at the end of the data. */
  read(buffer: Uint8Array): Promise<number | null>;
  /** True once the handle is closed: a read that fails then ends the stream instead. */
  readonly closed: boolean;
}

/**
 * A byte stream of what `source` reads, in chunks of up to 64 KiB (or the
 * size of a BYOB reader's buffer). It ends at the end of the data, or when
 * the handle is closed while a read waits; `ended` runs then, and when the
 * stream is cancelled.
 *
 * @param source The handle.
 * @param ended What the end of the stream does to the handle.
 * @returns The stream.
 */
export function readableBytes(source: ByteSource, ended: () => void): ReadableStream<Uint8Array> {
  return new ReadableStream({
    type: "bytes",
    autoAllocateChunkSize: 65536,
    pull: async (controller) => {
      const request = controller.byobRequest!;
      const view = request.view!;
      let n: number | null;
      try {
        n = await source.read(new Uint8Array(view.buffer, view.byteOffset, view.byteLength));
      } catch (error) {
        if (!source.closed) throw error;
        n = null;
      }
      if (n === null) {
        ended();
        controller.close();
        request.respond(0);
      } else {
        request.respond(n);
      }
    },
    cancel: ended,
  });
}
