package dev.resilienthttp.retry;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import org.junit.jupiter.api.Test;

class RetryExhaustedExceptionTest {

  @Test
  void carriesNoStackTraceOfItsOwnButKeepsItsCauseAndSuppressedFailures() {
    IOException first = new IOException("first");
    IOException last = new IOException("server unavailable (status code 503)");
    RetryExhaustedException exhausted =
        new RetryExhaustedException(GiveUpReason.MAX_ATTEMPTS, "max retry attempts (2) reached", 2, last);
    exhausted.addSuppressed(first);

    assertThat(exhausted.getStackTrace()).isEmpty();
    assertThat(exhausted).hasMessage("max retry attempts (2) reached: server unavailable (status code 503)");
    assertThat(exhausted.getCause()).isSameAs(last);
    assertThat(last.getStackTrace()).isNotEmpty();
    assertThat(exhausted.getSuppressed()).containsExactly(first);
    assertThat(exhausted.attempts()).isEqualTo(2);
    assertThat(exhausted.reason()).isEqualTo(GiveUpReason.MAX_ATTEMPTS);
  }

  @Test
  void withoutALastFailureTheMessageIsTheDetailAlone() {
    RetryExhaustedException exhausted =
        new RetryExhaustedException(GiveUpReason.DEADLINE, "deadline of 2 s passed during attempt 1", 1, null);

    assertThat(exhausted).hasMessage("deadline of 2 s passed during attempt 1").hasNoCause();
  }
}
