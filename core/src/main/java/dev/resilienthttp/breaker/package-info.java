/**
 * Circuit breakers: fail calls to a backend fast while it is down, and probe it back to
 * health. Start at {@link dev.resilienthttp.breaker.CircuitBreaker}.
 */
package dev.resilienthttp.breaker;
