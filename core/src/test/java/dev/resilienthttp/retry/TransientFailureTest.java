package dev.resilienthttp.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.util.ConcurrentModificationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@link Retrier#isTransientFailure}: the shipped retriers never retry a programming error. */
class TransientFailureTest {

  static Stream<Throwable> programmingErrors() {
    return Stream.of(
        new NullPointerException(),
        new IllegalArgumentException(),
        new NumberFormatException(),
        new IllegalStateException(),
        new ClassCastException(),
        new UnsupportedOperationException(),
        new IndexOutOfBoundsException(),
        new ArrayIndexOutOfBoundsException(),
        new ArithmeticException(),
        new ArrayStoreException(),
        new NegativeArraySizeException(),
        new CompletionException(new NullPointerException()),
        new ExecutionException(new CompletionException(new IllegalArgumentException())));
  }

  static Stream<Throwable> errors() {
    return Stream.of(new OutOfMemoryError(), new AssertionError(), new StackOverflowError());
  }

  static Stream<Throwable> transientFailures() {
    return Stream.of(
        new IOException(),
        new ConnectException(),
        new UncheckedIOException(new IOException()),
        new TimeoutException(),
        new ConcurrentModificationException(),
        new RuntimeException(),
        new Exception(),
        new CompletionException(new IOException()),
        new CompletionException(null));
  }

  @ParameterizedTest
  @MethodSource("programmingErrors")
  void aProgrammingErrorIsNotTransient(Throwable failure) {
    assertThat(Retrier.isTransientFailure(failure)).isFalse();
  }

  @ParameterizedTest
  @MethodSource("errors")
  void anErrorIsNotTransient(Throwable failure) {
    assertThat(Retrier.isTransientFailure(failure)).isFalse();
  }

  @ParameterizedTest
  @MethodSource("transientFailures")
  void anyOtherExceptionIs(Throwable failure) {
    assertThat(Retrier.isTransientFailure(failure)).isTrue();
  }

  @Test
  void aNullPointerExceptionIsCalledOnceAndRethrownAsItIs() {
    AtomicInteger calls = new AtomicInteger();
    NullPointerException bug = new NullPointerException("bug");

    Throwable thrown = catchThrowable(() -> Retry.with(ExponentialBackoffRetrier.ofDefaults()).call(() -> {
      calls.incrementAndGet();
      throw bug;
    }));

    assertThat(thrown).isSameAs(bug);
    assertThat(calls).hasValue(1);
  }

  @Test
  void asynchronouslyToo() {
    AtomicInteger calls = new AtomicInteger();
    IllegalArgumentException bug = new IllegalArgumentException("bug");

    CompletableFuture<String> call = Retry.with(FixedDelayRetrier.of(3, java.time.Duration.ofMillis(1)))
        .callAsync(() -> {
          calls.incrementAndGet();
          return CompletableFuture.failedFuture(bug);
        });

    assertThat(call.handle((value, failure) -> failure).join()).isSameAs(bug);
    assertThat(calls).hasValue(1);
  }
}
