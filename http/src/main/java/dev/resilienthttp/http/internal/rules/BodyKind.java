package dev.resilienthttp.http.internal.rules;

/**
 * What a request's body is, for deciding whether the request may be sent again: told by the
 * transport when the call starts ({@link RequestTraits#bodyKind()}).
 */
public enum BodyKind {

  /** No body: nothing to send again. */
  NONE(true),

  /** A body the transport can produce again byte for byte (a byte array, a string, a file). */
  REPLAYABLE(true),

  /**
   * A body that can be read only once (a stream, an unknown publisher): once an attempt started
   * sending it, the request is never sent again.
   */
  ONE_SHOT(false),

  /**
   * A one-shot body the transport buffered while sending it the first time, up to a bound: later
   * attempts send the buffer. A body over the bound is not this but {@link #ONE_SHOT}.
   */
  BUFFERED_REPLAYABLE(true);

  private final boolean canResend;

  BodyKind(boolean canResend) {
    this.canResend = canResend;
  }

  /** Whether a request with this body may be sent again after an attempt started sending it. */
  public boolean canResend() {
    return canResend;
  }
}
