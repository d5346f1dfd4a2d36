package dev.resilienthttp.http.auth;

import java.net.http.HttpClient;
import java.util.concurrent.CompletionStage;

/**
 * Fetches bearer tokens for a {@link dev.resilienthttp.http.ResilientHttpClient}, which caches the token, attaches it
 * as {@code Authorization: Bearer ...}, fetches a new one shortly before it expires, and fetches
 * a new one when a server rejects it with a 401 (then replays the request once).
 *
 * <pre>{@code
 * TokenSource tokens = client -> client
 *     .sendAsync(HttpRequest.newBuilder(URI.create("https://auth.example.com/auth/token"))
 *         .POST(BodyPublishers.ofString("grant_type=client_credentials")).build(),
 *         BodyHandlers.ofString())
 *     .thenApply(response -> parse(response));   // -> AccessToken.of(value, Duration.ofSeconds(expiresIn))
 * }</pre>
 *
 * <p>The client calls {@link #fetchToken} when it needs a token, and never twice at once:
 * concurrent callers that need one share one fetch (a thousand callers, one token request).
 *
 * <p>Implementations must be thread-safe, and should return at once with a stage that
 * completes later: the fetch is started on the thread of whichever call needed the token,
 * which may be a thread of the HTTP client or of the timer when that call is asynchronous.
 */
@FunctionalInterface
public interface TokenSource {

  /**
   * Starts fetching a new token.
   *
   * @param client sends through the same {@link dev.resilienthttp.http.ResilientHttpClient} (its routes, retriers,
   *     budgets and breakers apply, so a {@link dev.resilienthttp.http.Route} for the token endpoint gives the fetch
   *     its own retrier), without attaching a bearer token and without the 401 handling, so a
   *     fetch never waits for itself
   * @return a stage completing with the token, or exceptionally with why none could be had:
   *     the calls waiting for it then fail with a {@link dev.resilienthttp.http.TokenUnavailableException} whose cause
   *     is that failure
   */
  CompletionStage<AccessToken> fetchToken(HttpClient client);
}
