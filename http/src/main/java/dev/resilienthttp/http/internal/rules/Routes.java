package dev.resilienthttp.http.internal.rules;

import dev.resilienthttp.http.Route;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * The client's routes in the order they were added: {@link #match} finds the first one a
 * request is on, which gives the request its retrier and says whether it is idempotent.
 *
 * <p>Immutable and thread-safe. {@link #match} allocates nothing of its own: it asks each
 * {@link Route#matches} in turn, which reads the URI's already parsed host and path.
 */
public final class Routes {

  /** What {@link #match} returns when no route matches. */
  public static final int NONE = -1;

  private static final Routes EMPTY = new Routes(new Route[0]);

  private final Route[] routes;

  private Routes(Route[] routes) {
    this.routes = routes;
  }

  /**
   * The routes, matched in the order given.
   *
   * @throws NullPointerException if {@code routes} or one of them is null
   */
  public static Routes of(List<Route> routes) {
    Objects.requireNonNull(routes, "routes");
    if (routes.isEmpty()) {
      return EMPTY;
    }
    Route[] copy = new Route[routes.size()];
    for (int i = 0; i < copy.length; i++) {
      copy[i] = Objects.requireNonNull(routes.get(i), "route");
    }
    return new Routes(copy);
  }

  /** As {@link #of(List)}. */
  public static Routes of(Route... routes) {
    return of(List.of(routes));
  }

  /**
   * The index of the first route that a request of {@code method} to {@code uri} is on, or
   * {@link #NONE}: earlier routes win, so add specific routes before general ones.
   */
  public int match(String method, URI uri) {
    for (int i = 0; i < routes.length; i++) {
      if (routes[i].matches(method, uri)) {
        return i;
      }
    }
    return NONE;
  }

  /**
   * The route at {@code index}, as {@link #match} returned it.
   *
   * @throws IndexOutOfBoundsException if there is no such route
   */
  public Route get(int index) {
    Objects.checkIndex(index, routes.length);
    return routes[index];
  }

  /** How many routes there are. */
  public int size() {
    return routes.length;
  }

  /** The routes, in the order they are matched. */
  public List<Route> routes() {
    return List.of(routes);
  }

  @Override
  public String toString() {
    return "Routes" + routes();
  }
}
