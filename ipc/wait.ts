/**
 * The options of every call that can wait.
 *
 * @module
 */

/**
 * The options of every call that can wait: an `AbortSignal`, a timeout, or
 * both (whichever comes first ends the wait).
 */
export interface WaitOptions {
  /** Cancels the wait: the call rejects with the signal's reason. */
  readonly signal?: AbortSignal;
  /** Gives up after this many milliseconds: the call rejects with a `TimeoutError` DOMException. */
  readonly timeout?: number;
}
