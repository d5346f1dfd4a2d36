/** resilient-http: HTTP semantics and the drop-in java.net.http client. */
module dev.resilienthttp.http {
  requires transitive dev.resilienthttp.core;
  requires transitive java.net.http;

  exports dev.resilienthttp.http;
  exports dev.resilienthttp.http.auth;
}
