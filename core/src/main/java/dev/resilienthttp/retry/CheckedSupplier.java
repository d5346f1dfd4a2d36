package dev.resilienthttp.retry;

/**
 * A call that returns a value or throws {@code E}. Lets {@link Retry#call} rethrow the call's
 * own checked exception type instead of a bare {@code Exception}.
 *
 * @param <T> the result type
 * @param <E> the checked exception the call may throw
 */
@FunctionalInterface
public interface CheckedSupplier<T, E extends Exception> {

  /** Makes one attempt. */
  T get() throws E;
}
