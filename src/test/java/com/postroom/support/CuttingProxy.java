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
    private volatile String marker;
    private volatile Runnable beforeMarker;

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

    /**
     * Runs {@code action} once, the first time the client sends bytes containing {@code text}, before they reach the
     * server: what changes on the server just as a command arrives (mail delivered as IDLE begins).
     */
    public void beforeClientSends(String text, Runnable action) {
        this.beforeMarker = action;
        this.marker = text;
    }

    private void accept() {
        while (!listener.isClosed()) {
            try {
                Socket client = listener.accept();
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                long limit = cutAfter;
                daemon(() -> pipe(client, server, Long.MAX_VALUE, true));
                daemon(() -> pipe(server, client, limit, false));
            } catch (IOException e) {
                return;
            }
        }
    }

    private void pipe(Socket from, Socket to, long limit, boolean fromClient) {
        long sent = 0;
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) > 0) {
                if (fromClient) {
                    watch(buffer, n);
                }
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

    private synchronized void watch(byte[] buffer, int n) {
        String text = marker;
        Runnable action = beforeMarker;
        if (text != null && action != null
                && new String(buffer, 0, n, java.nio.charset.StandardCharsets.ISO_8859_1).contains(text)) {
            beforeMarker = null;
            action.run();
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
