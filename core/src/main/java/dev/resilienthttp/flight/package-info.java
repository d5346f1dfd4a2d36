/**
 * Single flight: many concurrent callers asking for the same thing share one piece of work,
 * and each can still give up on its own deadline or cancellation. Start at {@link
 * dev.resilienthttp.flight.SingleFlight}.
 */
package dev.resilienthttp.flight;
