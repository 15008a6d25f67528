package com.postroom.support;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP proxy that drops the connection once the server has sent a given number of bytes to the client: a link cut
 * in the middle of a large answer (an IMAP FETCH). {@link #heal()} makes later connections pass untouched.
 */
public final class CuttingProxy implements AutoCloseable {

    private final int targetPort;
    private final ServerSocket listener;
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile long cutAfter;
    private final AtomicLong cuts = new AtomicLong();

    public CuttingProxy(int targetPort, long cutAfterBytes) {
        this.targetPort = targetPort;
        this.cutAfter = cutAfterBytes;
        try {
            listener = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Thread t = new Thread(this::accept, "cutting-proxy");
        t.setDaemon(true);
        t.start();
    }

    public int port() {
        return listener.getLocalPort();
    }

    public long cuts() {
        return cuts.get();
    }

    public void heal() {
        cutAfter = Long.MAX_VALUE;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                long limit = cutAfter;
                daemon(() -> pipe(client, server, Long.MAX_VALUE));
                daemon(() -> pipe(server, client, limit));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to, long limit) {
        long sent = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (sent + n > limit) {
                    out.write(buffer, 0, (int) (limit - sent));
                    out.flush();
                    cuts.incrementAndGet();
                    break;
                }
                out.write(buffer, 0, n);
                sent += n;
            }
        } catch (IOException ignored) {
            // the other side went away
        } finally {
            close(from);
            close(to);
        }
    }

    private static void daemon(Runnable r) {
        Thread t = new Thread(r, "cutting-proxy-pipe");
        t.setDaemon(true);
        t.start();
    }

    private static void close(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        try {
            listener.close();
        } catch (IOException ignored) {
            // closing anyway
        }
        sockets.forEach(CuttingProxy::close);
    }
}
