package com.postroom.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy in front of a real SMTP server that can fail on command: refuse connections ({@link #down()}), or answer
 * a client command itself with a given reply, N times ({@link #failNext}), without the server seeing that command.
 * Message data (after DATA) always passes through untouched.
 */
public final class SmtpFaultProxy implements AutoCloseable {

    private final int targetPort;
    private final int port;
    private final List<Rule> rules = new CopyOnWriteArrayList<>();
    private final List<Socket> sockets = new CopyOnWriteArrayList<>();
    private volatile ServerSocket listener;
    private volatile boolean stalled;
    private volatile long endOfDataDelayMillis;

    private record Rule(String prefix, String reply, AtomicInteger remaining) {
    }

    public SmtpFaultProxy(int targetPort) {
        this.targetPort = targetPort;
        this.port = freePort();
        up();
    }

    public static int freePort() {
        try (ServerSocket probe = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            return probe.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public int port() {
        return port;
    }

    /** Answers the next {@code times} client commands starting with {@code prefix} with {@code reply}. */
    public void failNext(String prefix, String reply, int times) {
        rules.add(new Rule(prefix.toUpperCase(Locale.ROOT), reply, new AtomicInteger(times)));
    }

    /**
     * Accepts connections but never answers: a server that hangs. The client sits in its read timeout, and the
     * message it holds has not reached any server.
     */
    public void stall(boolean stall) {
        this.stalled = stall;
    }

    /**
     * Holds each message's final "." this long before passing it on: the client has sent the whole message and waits
     * for the 250, the window in which a crash can leave a delivered message unrecorded.
     */
    public void delayEndOfData(java.time.Duration delay) {
        this.endOfDataDelayMillis = delay.toMillis();
    }

    /** Closes the listener and every open connection: the server is unreachable until {@link #up()}. */
    public synchronized void down() {
        try {
            if (listener != null) {
                listener.close();
            }
        } catch (IOException ignored) {
            // closing anyway
        }
        listener = null;
        for (Socket s : sockets) {
            closeQuietly(s);
        }
        sockets.clear();
    }

    public synchronized void up() {
        if (listener != null) {
            return;
        }
        try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
            listener = s;
            Thread t = new Thread(() -> accept(s), "smtp-fault-proxy-accept");
            t.setDaemon(true);
            t.start();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            Socket client;
            try {
                client = s.accept();
            } catch (IOException e) {
                return;
            }
            if (stalled) {
                sockets.add(client);
                continue;
            }
            try {
                Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
                sockets.add(client);
                sockets.add(server);
                start(() -> pipe(server, client), "server-to-client");
                start(() -> clientToServer(client, server), "client-to-server");
            } catch (IOException e) {
                closeQuietly(client);
            }
        }
    }

    private void clientToServer(Socket client, Socket server) {
        try (InputStream in = client.getInputStream(); OutputStream toServer = server.getOutputStream();
             OutputStream toClient = client.getOutputStream()) {
            boolean data = false;
            ByteArrayOutputStream line = new ByteArrayOutputStream();
            int b;
            while ((b = in.read()) != -1) {
                line.write(b);
                if (b != '\n') {
                    continue;
                }
                byte[] bytes = line.toByteArray();
                line.reset();
                String text = new String(bytes, StandardCharsets.ISO_8859_1);
                if (data) {
                    if (text.equals(".\r\n") && endOfDataDelayMillis > 0) {
                        toServer.flush();
                        try {
                            Thread.sleep(endOfDataDelayMillis);
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                            return;
                        }
                    }
                    toServer.write(bytes);
                    data = !text.equals(".\r\n");
                    continue;
                }
                Rule rule = match(text);
                if (rule != null) {
                    synchronized (toClient) {
                        toClient.write((rule.reply() + "\r\n").getBytes(StandardCharsets.US_ASCII));
                        toClient.flush();
                    }
                    continue;
                }
                toServer.write(bytes);
                toServer.flush();
                data = text.toUpperCase(Locale.ROOT).startsWith("DATA");
            }
        } catch (IOException ignored) {
            // connection closed
        } finally {
            closeQuietly(client);
            closeQuietly(server);
        }
    }

    private Rule match(String line) {
        String upper = line.toUpperCase(Locale.ROOT);
        for (Rule r : rules) {
            if (upper.startsWith(r.prefix()) && r.remaining().getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return r;
            }
        }
        return null;
    }

    private static void pipe(Socket from, Socket to) {
        try (InputStream in = from.getInputStream(); OutputStream out = to.getOutputStream()) {
            byte[] buffer = new byte[8192];
            int n;
            while ((n = in.read(buffer)) != -1) {
                synchronized (out) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException ignored) {
            // connection closed
        } finally {
            closeQuietly(from);
            closeQuietly(to);
        }
    }

    private static void start(Runnable r, String name) {
        Thread t = new Thread(r, "smtp-fault-proxy-" + name);
        t.setDaemon(true);
        t.start();
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() {
        down();
    }
}
