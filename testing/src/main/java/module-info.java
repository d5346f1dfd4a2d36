/**
 * resilient-http testing: virtual time and a scriptable fault-injecting loopback HTTP server,
 * for our tests and our users' tests.
 */
module dev.resilienthttp.testing {
  requires transitive dev.resilienthttp.core;
  requires mockwebserver3;
  requires okhttp3; // mockwebserver3 does not re-export it; brings okio transitively.
  requires static org.junit.jupiter.api;
  // Not used at run time: only this module's tests, compiled into it, call java.net.http.
  requires static java.net.http;

  exports dev.resilienthttp.testing;
}
