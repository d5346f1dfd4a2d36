package dev.resilienthttp;

import static org.assertj.core.api.Assertions.assertThat;

import dev.resilienthttp.breaker.CircuitBreaker;
import dev.resilienthttp.breaker.CircuitBreakerListener;
import dev.resilienthttp.budget.RetryBudget;
import dev.resilienthttp.budget.RetryBudgetListener;
import dev.resilienthttp.retry.Retrier;
import dev.resilienthttp.retry.Retry;
import dev.resilienthttp.retry.RetryContext;
import dev.resilienthttp.retry.RetryListener;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A listener that throws is reported at WARNING, with what it threw attached, on the library's
 * loggers ({@code dev.resilienthttp.*}). The test logging configuration keeps those lines out of
 * the build log; this test captures them with a handler of its own and asserts them, so the
 * report itself is still proven.
 */
class ListenerFailureLogTest {

  private final Logger library = Logger.getLogger("dev.resilienthttp");
  private final List<LogRecord> records = new CopyOnWriteArrayList<>();
  private final Handler capture = new Handler() {
    @Override
    public void publish(LogRecord record) {
      records.add(record);
    }

    @Override
    public void flush() {}

    @Override
    public void close() {}
  };

  @BeforeEach
  void capture() {
    library.addHandler(capture);
  }

  @AfterEach
  void release() {
    library.removeHandler(capture);
  }

  @Test
  void aBreakerListenerThatThrowsIsLoggedAtWarningAndTheBreakerGoesOn() {
    IllegalStateException bug = new IllegalStateException("listener bug");
    CircuitBreaker breaker = CircuitBreaker.builder("b")
        .consecutiveFailureThreshold(1)
        .listener(new CircuitBreakerListener() {
          @Override
          public void onStateTransition(String name, CircuitBreaker.State from, CircuitBreaker.State to) {
            throw bug;
          }
        })
        .build();

    assertThat(breaker.tryAcquirePermission()).isTrue();
    breaker.onFailure();

    assertThat(breaker.state()).isEqualTo(CircuitBreaker.State.OPEN);
    assertThat(records).singleElement().satisfies(record -> {
      assertThat(record.getLevel()).isEqualTo(Level.WARNING);
      assertThat(record.getLoggerName()).isEqualTo("dev.resilienthttp.breaker");
      assertThat(record.getMessage())
          .startsWith("circuit breaker listener " + ListenerFailureLogTest.class.getName())
          .endsWith(".onStateTransition threw java.lang.IllegalStateException for 'b'; the call goes on");
      assertThat(record.getThrown()).isSameAs(bug);
    });
  }

  @Test
  void aBudgetListenerThatThrowsIsLoggedAtWarningAndTheBudgetAnswers() {
    IllegalStateException bug = new IllegalStateException("listener bug");
    RetryBudget budget = RetryBudget.builder().capacity(10).listener(new RetryBudgetListener() {
      @Override
      public void onBudgetExhausted(String budgetName, double available) {
        throw bug;
      }
    }).build();

    assertThat(budget.tryAcquireRetry(true)).as("10 tokens pay one retry after a timeout").isTrue();
    assertThat(budget.tryAcquireRetry(false)).as("then the budget is empty").isFalse();

    assertThat(records).singleElement().satisfies(record -> {
      assertThat(record.getLevel()).isEqualTo(Level.WARNING);
      assertThat(record.getLoggerName()).isEqualTo("dev.resilienthttp.budget");
      assertThat(record.getMessage()).endsWith(
          ".onBudgetExhausted threw java.lang.IllegalStateException; the call goes on");
      assertThat(record.getThrown()).isSameAs(bug);
    });
  }

  @Test
  void aRetryListenerThatThrowsIsLoggedAtWarningAndTheCallSucceeds() {
    IllegalStateException bug = new IllegalStateException("listener bug");
    Retry retry = Retry.builder().retrier(Retrier.none()).listener(new RetryListener() {
      @Override
      public void onAttemptStarted(RetryContext context, int attempt) {
        throw bug;
      }
    }).build();

    assertThat(retry.call(() -> "done")).isEqualTo("done");

    assertThat(records).singleElement().satisfies(record -> {
      assertThat(record.getLevel()).isEqualTo(Level.WARNING);
      assertThat(record.getLoggerName()).isEqualTo("dev.resilienthttp.retry");
      assertThat(record.getMessage()).endsWith(
          ".onAttemptStarted threw java.lang.IllegalStateException; the call goes on");
      assertThat(record.getThrown()).isSameAs(bug);
    });
  }
}
