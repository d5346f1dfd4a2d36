package dev.resilienthttp.http.internal.jdk;

import java.net.http.HttpRequest.BodyPublisher;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * What java.net.http request bodies can be sent again, and the publishers that watch or buffer
 * the ones that cannot.
 */
public final class RequestBodies {

  private RequestBodies() {}

  /* Publishers of java.net.http.HttpRequest.BodyPublishers that produce the same bytes on every
   * subscription: ofString, ofByteArray(s), ofFile, noBody. Iterables, input streams and
   * adapted publishers (what Spring's JdkClientHttpRequestFactory sends) may not, so they are
   * one-shot unless the caller marks them replayable or the client buffers them. */
  public static boolean knownReplayable(BodyPublisher publisher) {
    String name = publisher.getClass().getName();
    return name.equals("jdk.internal.net.http.RequestPublishers$ByteArrayPublisher")
        || name.equals("jdk.internal.net.http.RequestPublishers$StringPublisher")
        || name.equals("jdk.internal.net.http.RequestPublishers$FilePublisher")
        || name.equals("jdk.internal.net.http.RequestPublishers$EmptyPublisher");
  }

  /** A body that can be sent again or not, and whether an attempt has started sending it. */
  public interface Tracked extends BodyPublisher {
    /** Whether the body can be sent again now. */
    boolean canResend();

    /** Why the body cannot be sent again, for the message of a call that stops for it. */
    String whyNotResendable();
  }

  /** Watches a one-shot body: once subscribed, it is never sent again. */
  public static final class OneShot implements Tracked {
    private final BodyPublisher delegate;
    private final AtomicBoolean subscribed = new AtomicBoolean();

    public OneShot(BodyPublisher delegate) {
      this.delegate = delegate;
    }

    @Override
    public long contentLength() {
      return delegate.contentLength();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
      subscribed.set(true);
      delegate.subscribe(subscriber);
    }


    @Override
    public boolean canResend() {
      return !subscribed.get();
    }

    @Override
    public String whyNotResendable() {
      return "its one-shot request body was sent already";
    }
  }

  /**
   * Buffers a one-shot body as its first send reads it, up to a bound, so that later attempts
   * send the same bytes again. A body longer than the bound stays one-shot: its copy is dropped
   * as soon as it passes the bound, so the memory held is never more than the bound.
   */
  public static final class Buffering implements Tracked {
    private final BodyPublisher delegate;
    private final long limitBytes;
    private final AtomicBoolean subscribed = new AtomicBoolean();
    /** The whole body once its first send completed within the bound, else {@code null}. */
    private volatile List<ByteBuffer> complete;
    private volatile boolean overflowed;

    public Buffering(BodyPublisher delegate, long limitBytes) {
      this.delegate = delegate;
      this.limitBytes = limitBytes;
    }

    @Override
    public long contentLength() {
      return delegate.contentLength();
    }

    @Override
    public void subscribe(Flow.Subscriber<? super ByteBuffer> subscriber) {
      List<ByteBuffer> copy = complete;
      if (copy != null) {
        new Replay(subscriber, copy).start();
        return;
      }
      if (!subscribed.compareAndSet(false, true)) {
        // A second send before the first completed: there is nothing to replay yet.
        subscriber.onSubscribe(new Flow.Subscription() {
          @Override
          public void request(long n) {}

          @Override
          public void cancel() {}
        });
        subscriber.onError(new IllegalStateException("the request body's first send has not completed"));
        return;
      }
      delegate.subscribe(new Recorder(subscriber));
    }


    @Override
    public boolean canResend() {
      return !subscribed.get() || complete != null;
    }

    @Override
    public String whyNotResendable() {
      return overflowed
          ? "its request body is longer than the replay buffer of " + limitBytes + " bytes, so it was sent only once"
          : "its request body's first send did not complete, so it cannot be sent again";
    }

    /** Forwards the first send and keeps a copy while it stays within the bound. */
    private final class Recorder implements Flow.Subscriber<ByteBuffer> {
      private final Flow.Subscriber<? super ByteBuffer> downstream;
      private List<ByteBuffer> copies = new ArrayList<>();
      private long size;

      Recorder(Flow.Subscriber<? super ByteBuffer> downstream) {
        this.downstream = downstream;
      }

      @Override
      public void onSubscribe(Flow.Subscription subscription) {
        downstream.onSubscribe(subscription);
      }

      @Override
      public void onNext(ByteBuffer item) {
        if (copies != null) {
          size += item.remaining();
          if (size > limitBytes) {
            copies = null;
            overflowed = true;
          } else {
            ByteBuffer copy = ByteBuffer.allocate(item.remaining());
            copy.put(item.duplicate()).flip();
            copies.add(copy.asReadOnlyBuffer());
          }
        }
        downstream.onNext(item);
      }

      @Override
      public void onError(Throwable throwable) {
        copies = null;
        downstream.onError(throwable);
      }

      @Override
      public void onComplete() {
        if (copies != null) {
          complete = List.copyOf(copies);
          copies = null;
        }
        downstream.onComplete();
      }
    }
  }

  /** Sends a buffered body again, one buffer per unit of demand. */
  private static final class Replay implements Flow.Subscription {
    private final Flow.Subscriber<? super ByteBuffer> subscriber;
    private final List<ByteBuffer> buffers;
    private int next;
    private long demand;
    private boolean emitting;
    private boolean done;

    Replay(Flow.Subscriber<? super ByteBuffer> subscriber, List<ByteBuffer> buffers) {
      this.subscriber = subscriber;
      this.buffers = buffers;
    }

    void start() {
      subscriber.onSubscribe(this);
      if (buffers.isEmpty()) {
        finish();
      }
    }

    @Override
    public void request(long n) {
      synchronized (this) {
        if (done) {
          return;
        }
        if (n <= 0) {
          done = true;
        } else {
          demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
          if (emitting) {
            return;
          }
          emitting = true;
        }
      }
      if (n <= 0) {
        subscriber.onError(new IllegalArgumentException("demand must be > 0 but was " + n));
        return;
      }
      emit();
    }

    private void emit() {
      while (true) {
        ByteBuffer buffer;
        synchronized (this) {
          if (done || demand == 0 || next == buffers.size()) {
            emitting = false;
            if (!done && next == buffers.size()) {
              break;
            }
            return;
          }
          demand--;
          buffer = buffers.get(next++).duplicate();
        }
        subscriber.onNext(buffer);
      }
      finish();
    }

    private void finish() {
      synchronized (this) {
        if (done) {
          return;
        }
        done = true;
      }
      subscriber.onComplete();
    }

    @Override
    public void cancel() {
      synchronized (this) {
        done = true;
      }
    }
  }
}
