package dev.resilienthttp.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ServerSocketFactory;

/**
 * The server sockets of one {@link FaultServer}: they keep each open accepted connection under
 * the index MockWebServer gives it ({@code RecordedRequest.getConnectionIndex()}), so that a
 * fault can make that connection's close a TCP reset.
 *
 * <p>MockWebServer numbers connections 0, 1, 2... in the order its single accept thread gets
 * them from {@link ServerSocket#accept()}; this class counts successful accepts the same way.
 * A connection leaves the map when it is closed. Thread-safe.
 */
final class FaultSockets extends ServerSocketFactory {

  private final Map<Integer, Socket> open = new ConcurrentHashMap<>();

  /**
   * Makes the next close of the connection with this index send a TCP RST instead of a FIN
   * ({@code SO_LINGER} 0). Returns false if that connection is no longer open.
   */
  boolean resetOnClose(int connectionIndex) {
    Socket socket = open.get(connectionIndex);
    if (socket == null) {
      return false;
    }
    try {
      socket.setSoLinger(true, 0);
      return true;
    } catch (SocketException e) {
      return false; // Closed in the meantime.
    }
  }

  @Override
  public ServerSocket createServerSocket() throws IOException {
    return new TrackingServerSocket();
  }

  @Override
  public ServerSocket createServerSocket(int port) throws IOException {
    return createServerSocket(port, 50, null);
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog) throws IOException {
    return createServerSocket(port, backlog, null);
  }

  @Override
  public ServerSocket createServerSocket(int port, int backlog, InetAddress address)
      throws IOException {
    ServerSocket serverSocket = new TrackingServerSocket();
    serverSocket.bind(new InetSocketAddress(address, port), backlog);
    return serverSocket;
  }

  private final class TrackingServerSocket extends ServerSocket {
    /** Index of the next accepted connection; touched only by the accept thread. */
    private int nextIndex;

    TrackingServerSocket() throws IOException {
      super();
    }

    @Override
    public Socket accept() throws IOException {
      if (isClosed()) {
        throw new SocketException("Socket is closed");
      }
      if (!isBound()) {
        throw new SocketException("Socket is not bound yet");
      }
      TrackedSocket socket = new TrackedSocket(nextIndex);
      implAccept(socket);
      // Without it, Nagle's algorithm and delayed ACKs add ~40 ms to each loopback response.
      socket.setTcpNoDelay(true);
      nextIndex++;
      open.put(socket.index, socket);
      return socket;
    }
  }

  private final class TrackedSocket extends Socket {
    final int index;

    TrackedSocket(int index) {
      this.index = index;
    }

    @Override
    public void close() throws IOException {
      try {
        super.close();
      } finally {
        open.remove(index, this);
      }
    }
  }
}
