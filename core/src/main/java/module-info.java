/** resilient-http core: the transport-independent retry engine. No dependency beyond java.base. */
module dev.resilienthttp.core {
  exports dev.resilienthttp.backend;
  exports dev.resilienthttp.breaker;
  exports dev.resilienthttp.budget;
  exports dev.resilienthttp.flight;
  exports dev.resilienthttp.retry;
  exports dev.resilienthttp.time;
}
