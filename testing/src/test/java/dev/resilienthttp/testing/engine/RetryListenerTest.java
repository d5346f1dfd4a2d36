package dev.resilienthttp.testing.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.retry.FixedDelayRetrier;
import dev.resilienthttp.retry.GiveUpReason;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryExhaustedException;
import dev.resilienthttp.retry.RetryListener;
import dev.resilienthttp.testing.VirtualTime;
import dev.resilienthttp.testing.engine.EnginePath.Outcome;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

/** Listeners hear every event in order, and one that throws never breaks the call. */
class RetryListenerTest {

  private static final Retrier THREE_ATTEMPTS = FixedDelayRetrier.of(3, Duration.ofMillis(100));

  private final VirtualTime time = VirtualTime.create();
  private final RecordingListener listener = new RecordingListener();

  /** What the engine logs, through System.Logger, which the JDK backs with java.util.logging. */
  private final Logger engineLog = Logger.getLogger("dev.resilienthttp.retry");
  private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      logged.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };
  private boolean parentHandlers;

  @BeforeEach
  void captureTheEngineLog() {
    parentHandlers = engineLog.getUseParentHandlers();
    engineLog.setUseParentHandlers(false); // keep the expected warnings out of the build output
    engineLog.addHandler(capture);
  }

  @AfterEach
  void restoreTheEngineLog() {
    engineLog.removeHandler(capture);
    engineLog.setUseParentHandlers(parentHandlers);
  }

  private Retry retry(RetryListener... listeners) {
    Retry.Builder builder = Retry.builder().name("inventory").retrier(THREE_ATTEMPTS).timeSource(time);
    for (RetryListener each : listeners) {
      builder.listener(each);
    }
    return builder.build();
  }

  private static Outcome<String> succeedOnThird(EnginePath path, Retry retry, VirtualTime time) {
    return path.run(retry, time, attempt -> {
      if (attempt < 3) {
        throw new IOException("boom " + attempt);
      }
      return "ok";
    });
  }

  @BothPaths
  void aSuccessAfterRetriesIsReportedEventByEvent(EnginePath path) {
    succeedOnThird(path, retry(listener), time);

    assertThat(listener.events()).containsExactly(
        "attempt 1 started",
        "attempt 1 failed (boom 1), retry in PT0.1S",
        "attempt 2 started",
        "attempt 2 failed (boom 2), retry in PT0.1S",
        "attempt 3 started",
        "succeeded after 3");
  }

  @BothPaths
  void exhaustionIsReportedAsAGiveUpWithItsReason(EnginePath path) {
    path.run(retry(listener), time, attempt -> {
      throw new IOException("boom " + attempt);
    });

    assertThat(listener.events()).containsExactly(
        "attempt 1 started",
        "attempt 1 failed (boom 1), retry in PT0.1S",
        "attempt 2 started",
        "attempt 2 failed (boom 2), retry in PT0.1S",
        "attempt 3 started",
        "gave up MAX_ATTEMPTS after 3 (boom 3)");
  }

  @BothPaths
  void aDeclinedFailureIsReportedAsNotRetryable(EnginePath path) {
    path.run(retry(listener), time, attempt -> {
      throw new AssertionError("bug");
    });

    assertThat(listener.events()).containsExactly("attempt 1 started", "gave up NOT_RETRYABLE after 1 (bug)");
  }

  @BothPaths
  void listenersSeeTheCallsContextAndAreCalledInTheOrderAdded(EnginePath path) {
    List<String> seen = new CopyOnWriteArrayList<>();
    RetryListener first = new RetryListener() {
      @Override
      public void onAttemptStarted(RetryContext context, int attempt) {
        seen.add("first: " + context.name() + " attempt " + attempt + " of " + context.attempts()
            + " at " + context.elapsed());
      }
    };
    RetryListener second = new RetryListener() {
      @Override
      public void onAttemptStarted(RetryContext context, int attempt) {
        seen.add("second: attempt " + attempt);
      }
    };

    succeedOnThird(path, retry(first, second), time);

    assertThat(seen).containsExactly(
        "first: inventory attempt 1 of 1 at PT0S", "second: attempt 1",
        "first: inventory attempt 2 of 2 at PT0.1S", "second: attempt 2",
        "first: inventory attempt 3 of 3 at PT0.2S", "second: attempt 3");
  }

  @BothPaths
  void aListenerThatThrowsNeverBreaksTheCallAndIsLogged(EnginePath path) {
    RuntimeException listenerBug = new IllegalStateException("listener bug");
    RetryListener throwing = new RetryListener() {
      @Override
      public void onAttemptStarted(RetryContext context, int attempt) {
        throw listenerBug;
      }

      @Override
      public void onRetryScheduled(RetryContext context, int attempt, Duration delay, Throwable failure) {
        throw listenerBug;
      }

      @Override
      public void onSuccess(RetryContext context, int attempts) {
        throw listenerBug;
      }

      @Override
      public void onGiveUp(RetryContext context, GiveUpReason reason, int attempts, Throwable failure) {
        throw listenerBug;
      }
    };

    Outcome<String> succeeded = succeedOnThird(path, retry(throwing, listener), time);
    Outcome<String> exhausted = path.run(retry(throwing, listener), time, attempt -> {
      throw new IOException("boom " + attempt);
    });

    assertThat(succeeded.value()).isEqualTo("ok");
    assertThat(succeeded.attempts()).isEqualTo(3);
    assertThat(exhausted.failure()).isExactlyInstanceOf(RetryExhaustedException.class)
        .hasMessage("max retry attempts (3) reached: boom 3");
    assertThat(listener.events()).as("the listener after the throwing one still hears everything")
        .hasSize(12)
        .contains("succeeded after 3", "gave up MAX_ATTEMPTS after 3 (boom 3)");
    assertThat(time.elapsed()).isEqualTo(Duration.ofMillis(400));
    assertThat(logged).hasSize(12).allSatisfy(record -> {
      assertThat(record.getLevel()).isEqualTo(Level.WARNING);
      assertThat(record.getThrown()).isSameAs(listenerBug);
    });
    assertThat(logged.get(0).getMessage()).contains(".onAttemptStarted threw java.lang.IllegalStateException");
    assertThat(logged).extracting(record -> record.getMessage().replaceAll(".*\\.(on\\w+) threw.*", "$1"))
        .containsExactly(
            "onAttemptStarted", "onRetryScheduled", "onAttemptStarted", "onRetryScheduled",
            "onAttemptStarted", "onSuccess",
            "onAttemptStarted", "onRetryScheduled", "onAttemptStarted", "onRetryScheduled",
            "onAttemptStarted", "onGiveUp");
  }

  @BothPaths
  void aListenerThrowingAnAssertionErrorNeverBreaksTheCallEither(EnginePath path) {
    AssertionError listenerBug = new AssertionError("listener assertion");
    RetryListener throwing = new RetryListener() {
      @Override
      public void onAttemptStarted(RetryContext context, int attempt) {
        throw listenerBug;
      }
    };

    Outcome<String> succeeded = succeedOnThird(path, retry(throwing, listener), time);

    assertThat(succeeded.value()).isEqualTo("ok");
    assertThat(succeeded.attempts()).isEqualTo(3);
    assertThat(logged).hasSize(3).allSatisfy(record -> assertThat(record.getThrown()).isSameAs(listenerBug));
  }
}
