/**
 * Per-backend state: {@link dev.resilienthttp.backend.BackendRegistry} keeps one breaker,
 * budget or other state object per backend, created lazily and evicted when idle, with no
 * lock on the path of a call.
 */
package dev.resilienthttp.backend;
