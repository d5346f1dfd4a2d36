package dev.resilienthttp.retry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class RetryScopeTest {

  private final Retrier outerRetrier = FixedDelayRetrier.of(5, Duration.ofMillis(1));
  private final Retrier innerRetrier = FixedDelayRetrier.of(2, Duration.ofMillis(1));
  private final Retrier givenRetrier = FixedDelayRetrier.of(3, Duration.ofMillis(1));

  @AfterEach
  void noScopeLeaksIntoTheNextTest() {
    assertThat(RetryScope.current()).isEmpty();
  }

  @Test
  void noScopeIsOpenByDefault() {
    assertThat(RetryScope.current()).isEmpty();
    assertThat(RetryScope.currentRetrier()).isNull();
  }

  @Test
  void aScopeAttachesItsRetrierUntilClosed() {
    try (RetryScope scope = RetryScope.open(outerRetrier)) {
      assertThat(scope.retrier()).isSameAs(outerRetrier);
      assertThat(RetryScope.current()).containsSame(outerRetrier);
    }
    assertThat(RetryScope.current()).isEmpty();
  }

  @Test
  void closingANestedScopeRestoresTheOuterOne() {
    try (RetryScope outer = RetryScope.open(outerRetrier)) {
      try (RetryScope inner = RetryScope.open(innerRetrier)) {
        assertThat(RetryScope.current()).containsSame(innerRetrier);
      }
      assertThat(RetryScope.current()).containsSame(outerRetrier);
    }
    assertThat(RetryScope.current()).isEmpty();
  }

  @Test
  void closingTwiceDoesNothing() {
    RetryScope outer = RetryScope.open(outerRetrier);
    RetryScope inner = RetryScope.open(innerRetrier);
    inner.close();
    inner.close();

    assertThat(RetryScope.current()).containsSame(outerRetrier);
    outer.close();
    outer.close();
    assertThat(RetryScope.current()).isEmpty();
  }

  @Test
  void closingAnOuterScopeBeforeTheInnerOneThrowsAndChangesNothing() {
    RetryScope outer = RetryScope.open(outerRetrier);
    RetryScope inner = RetryScope.open(innerRetrier);
    try {
      assertThatIllegalStateException()
          .isThrownBy(outer::close)
          .withMessage("RetryScope closed while a scope opened inside it is still open;"
              + " close scopes innermost first");
      assertThat(RetryScope.current()).containsSame(innerRetrier);
    } finally {
      inner.close();
      outer.close();
    }
  }

  @Test
  void closingOnAnotherThreadThrowsNamingBothThreads() throws InterruptedException {
    RetryScope scope = RetryScope.open(outerRetrier);
    try {
      AtomicReference<Throwable> thrown = new AtomicReference<>();
      Thread other = new Thread(() -> {
        try {
          scope.close();
        } catch (Throwable t) {
          thrown.set(t);
        }
      }, "other-thread");
      other.start();
      other.join();

      assertThat(thrown.get())
          .isInstanceOf(IllegalStateException.class)
          .hasMessage("RetryScope must be closed on the thread that opened it ("
              + Thread.currentThread().getName() + ") but was closed on other-thread");
      assertThat(RetryScope.current()).containsSame(outerRetrier);
    } finally {
      scope.close();
    }
  }

  @Test
  void aScopeIsInvisibleToOtherThreads() throws InterruptedException {
    try (RetryScope scope = RetryScope.open(outerRetrier)) {
      AtomicReference<Optional<Retrier>> seen = new AtomicReference<>();
      Thread other = new Thread(() -> seen.set(RetryScope.current()));
      other.start();
      other.join();

      assertThat(seen.get()).isEmpty();
    }
  }

  @Test
  void openingANullRetrierIsRejected() {
    assertThatNullPointerException().isThrownBy(() -> RetryScope.open(null)).withMessage("retrier");
  }

  @Test
  void precedenceIsScopeThenTheGivenRetrierThenNone() {
    Retry withoutRetrier = Retry.builder().build();
    Retry withRetrier = Retry.with(givenRetrier);

    assertThat(withoutRetrier.effectiveRetrier()).isSameAs(Retrier.none());
    assertThat(withRetrier.effectiveRetrier()).isSameAs(givenRetrier);
    try (RetryScope outer = RetryScope.open(outerRetrier)) {
      assertThat(withoutRetrier.effectiveRetrier()).isSameAs(outerRetrier);
      assertThat(withRetrier.effectiveRetrier()).isSameAs(outerRetrier);
      try (RetryScope inner = RetryScope.open(innerRetrier)) {
        assertThat(withRetrier.effectiveRetrier()).isSameAs(innerRetrier);
      }
      assertThat(withRetrier.effectiveRetrier()).isSameAs(outerRetrier);
    }
    assertThat(withRetrier.effectiveRetrier()).isSameAs(givenRetrier);
  }
}
