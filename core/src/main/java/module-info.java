/** resilient-http core: the transport-independent retry engine. No dependency beyond java.base. */
module dev.resilienthttp.core {
  exports dev.resilienthttp.retry;
  exports dev.resilienthttp.time;
}
