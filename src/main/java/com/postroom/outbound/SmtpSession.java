package com.postroom.outbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import jakarta.mail.AuthenticationFailedException;
import jakarta.mail.MessagingException;

import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;
import com.postroom.mail.Secret;
import com.postroom.mail.TlsMode;

/**
 * One SMTP connection of a delivery worker (RFC 5321), written for the outbox's one job: the stored bytes of a message
 * to its envelope's recipients, with every recipient's own reply. Where the server offers PIPELINING (RFC 2920), a
 * message's MAIL, RCPTs and DATA go in one write and its content with the final dot in another, so a message costs two
 * TLS records each way instead of one per command (Angus Mail's transport sends and waits for each command: with the
 * JVM's ChaCha20-Poly1305 set up afresh for every record, the records were most of a delivery thread's SMTP cost).
 * Where it also offers CHUNKING (RFC 3030, as Postfix does), the content goes in that same write as one
 * {@code BDAT <size> LAST}: one write and one round trip per message, where DATA waits for its 354 before the content.
 *
 * <p>What a connection checks is what Angus Mail's did with Postroom's settings: STARTTLS required when configured
 * (never a fallback to plain text), the server's name checked against its certificate, TLS 1.3 or 1.2, a login only
 * over TLS or to a server configured without it, and a timeout on every connect, read and write.
 */
final class SmtpSession implements AutoCloseable {

    /** The name given in EHLO, as Angus was told ({@code mail.smtp.localhost}). */
    static final String HELO_NAME = "postroom.localdomain";
    private static final int MAX_LINE = 8192;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] END_OF_DATA = {'.', '\r', '\n'};
    /**
     * Messages up to this size go with their envelope as BDAT where the server offers CHUNKING. A larger one waits for
     * its recipients' replies before its content is sent (DATA), so that megabytes do not go to a server that has
     * just refused every recipient; next to sending them, the round trip saved is nothing.
     */
    static final int CHUNKED_WITH_ENVELOPE = 1024 * 1024;
    /**
     * Closes a connection whose write has not finished in time (a socket's own timeout covers only reads): one thread
     * looks at every open session's write once a second. Scheduling a close before each write and cancelling it after
     * woke a timer thread for every write, a tenth of a delivery thread's CPU again.
     */
    private static final Set<SmtpSession> OPEN = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private static final ScheduledExecutorService WRITE_WATCH = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "postroom-smtp-write-timeout");
        t.setDaemon(true);
        return t;
    });

    static {
        WRITE_WATCH.scheduleWithFixedDelay(SmtpSession::closeStalledWrites, 1, 1, TimeUnit.SECONDS);
    }

    /** When the write under way began (System.nanoTime()), or 0 when none is. */
    private volatile long writingSince;
    private volatile boolean writeTimedOut;

    private static void closeStalledWrites() {
        long now = System.nanoTime();
        for (SmtpSession s : OPEN) {
            long since = s.writingSince;
            Socket socket = s.socket;
            if (since != 0 && socket != null && now - since > s.server.readTimeout().toNanos()) {
                s.writeTimedOut = true;
                closeQuietly(socket);
            }
        }
    }

    /** One reply: its code and its text, lines joined by a line feed as the server sent them. */
    record Reply(int code, String text) {
    }

    private final MailServer server;
    private final boolean pipelining;
    private volatile Socket socket;
    private InputStream in;
    private OutputStream out;
    /** Replies read ahead (a pipelined group's come in one record); read here without a lock per byte. */
    private final byte[] buffer = new byte[4096];
    private int position;
    private int limit;
    private Set<String> extensions = Set.of();
    /** The login mechanisms EHLO offered ("AUTH PLAIN LOGIN", or the older "AUTH=PLAIN LOGIN"). */
    private final Set<String> mechanisms = new HashSet<>();

    private SmtpSession(MailServer server, boolean pipelining) {
        this.server = server;
        this.pipelining = pipelining;
    }

    /**
     * Connects, greets, secures and logs in; a refusal at any step closes the connection and says which.
     * {@code pipelining} false (SMTP_PIPELINING) sends each command after the last one's reply even where the server
     * offers PIPELINING, for a server or a filter in between that mishandles it.
     */
    static SmtpSession open(MailServer server, MailSessions sessions, boolean pipelining)
            throws IOException, MessagingException {
        SmtpSession s = new SmtpSession(server, pipelining);
        OPEN.add(s);
        try {
            s.connect(sessions);
            return s;
        } catch (IOException | MessagingException | RuntimeException e) {
            s.closeSocket();
            throw e;
        }
    }

    private void connect(MailSessions sessions) throws IOException, MessagingException {
        Socket plain = new Socket();
        socket = plain;
        plain.setTcpNoDelay(true);
        plain.connect(new InetSocketAddress(server.host(), server.port()), (int) server.connectTimeout().toMillis());
        plain.setSoTimeout((int) server.readTimeout().toMillis());
        if (server.tls() == TlsMode.IMPLICIT) {
            socket = sessions.secure(plain, server.host(), server.port());
        }
        streams();
        expect(read(), 220, "greeting");
        hello();
        if (server.tls() == TlsMode.STARTTLS) {
            if (!extensions.contains("STARTTLS")) {
                throw new MessagingException("STARTTLS is required but host does not support STARTTLS");
            }
            expect(command("STARTTLS"), 220, "STARTTLS");
            socket = sessions.secure(plain, server.host(), server.port());
            streams();
            hello();
        }
        if (server.authenticates() && extensions.contains("AUTH")) {
            login(server.username().orElseThrow(), server.password().orElseThrow());
        }
    }

    private void streams() throws IOException {
        in = socket.getInputStream();
        out = socket.getOutputStream();
        position = 0;
        limit = 0;
    }

    /** EHLO, and the extensions it lists; HELO if the server does not know EHLO. */
    private void hello() throws IOException, MessagingException {
        Reply ehlo = command("EHLO " + HELO_NAME);
        if (ehlo.code() != 250) {
            expect(command("HELO " + HELO_NAME), 250, "HELO");
            extensions = Set.of();
            return;
        }
        Set<String> found = new HashSet<>();
        mechanisms.clear();
        String[] lines = ehlo.text().split("\n");
        for (int i = 1; i < lines.length; i++) {
            String line = lines[i].length() > 4 ? lines[i].substring(4).strip().toUpperCase(Locale.ROOT) : "";
            if (line.startsWith("AUTH ") || line.startsWith("AUTH=")) {
                mechanisms.addAll(List.of(line.substring(5).strip().split("\\s+")));
            }
            found.add(line.split("[ =]")[0]);
        }
        extensions = found;
    }

    /** AUTH PLAIN where offered (one round trip), else AUTH LOGIN (RFC 4954, RFC 4616). */
    private void login(String user, Secret password) throws IOException, MessagingException {
        Base64.Encoder b64 = Base64.getEncoder();
        Reply reply;
        if (mechanisms.contains("PLAIN")) {
            byte[] token = ("\0" + user + "\0" + password.reveal()).getBytes(StandardCharsets.UTF_8);
            reply = command("AUTH PLAIN " + b64.encodeToString(token));
        } else if (mechanisms.contains("LOGIN")) {
            reply = command("AUTH LOGIN");
            if (reply.code() == 334) {
                reply = command(b64.encodeToString(user.getBytes(StandardCharsets.UTF_8)));
            }
            if (reply.code() == 334) {
                reply = command(b64.encodeToString(password.reveal().getBytes(StandardCharsets.UTF_8)));
            }
        } else {
            throw new AuthenticationFailedException("the server offers neither AUTH PLAIN nor AUTH LOGIN ("
                    + String.join(" ", mechanisms) + ")");
        }
        if (reply.code() != 235) {
            // The server's words only: what was sent held the password.
            throw new AuthenticationFailedException(reply.code() + " " + firstLine(reply.text()));
        }
    }

    /**
     * Sends one message. A refusal is an answer, not an exception: each recipient gets the reply that decided it. An
     * exception means the connection failed, and the session must be closed.
     */
    SmtpConnection.Result send(String envelopeFrom, List<String> recipients, byte[] mime) throws IOException {
        if (recipients.isEmpty()) {
            throw new IllegalArgumentException("a message without recipients");
        }
        for (String address : concat(envelopeFrom, recipients)) {
            // Checked when the mail was accepted; checked again here because a line break would be a command.
            if (address.chars().anyMatch(c -> c == '\r' || c == '\n' || c == '<' || c == '>')) {
                throw new IllegalArgumentException("an envelope address with a line break or angle bracket");
            }
        }
        boolean pipelined = pipelining && extensions.contains("PIPELINING");
        boolean chunked = pipelined && extensions.contains("CHUNKING") && mime.length <= CHUNKED_WITH_ENVELOPE;
        Body body = chunked ? Body.chunk(mime) : Body.of(mime);
        StringBuilder mail = new StringBuilder(64).append("MAIL FROM:<").append(envelopeFrom).append('>');
        if (body.eightBit() && extensions.contains("8BITMIME")) {
            mail.append(" BODY=8BITMIME");
        }
        if (extensions.contains("SMTPUTF8") && !ascii(envelopeFrom, recipients)) {
            mail.append(" SMTPUTF8");
        }
        if (extensions.contains("SIZE")) {
            mail.append(" SIZE=").append(body.size());
        }
        List<String> commands = new ArrayList<>(recipients.size() + 2);
        commands.add(mail.toString());
        for (String r : recipients) {
            commands.add("RCPT TO:<" + r + ">");
        }
        commands.add(chunked ? "BDAT " + body.size() + " LAST" : "DATA");

        List<Reply> replies = pipelined ? pipelined(commands, chunked ? body : null) : stepwise(commands);
        Reply mailReply = replies.get(0);
        List<SmtpConnection.RecipientResult> results = new ArrayList<>(recipients.size());
        if (mailReply.code() / 100 != 2) {
            for (String r : recipients) {
                results.add(new SmtpConnection.RecipientResult(r, mailReply.code(), mailReply.text()));
            }
            endTransaction(replies, commands.size());
            return new SmtpConnection.Result(results, mailReply.code(), mailReply.text());
        }
        boolean anyAccepted = false;
        for (int i = 0; i < recipients.size(); i++) {
            Reply rcpt = replies.size() > i + 1 ? replies.get(i + 1) : null;
            anyAccepted |= rcpt != null && rcpt.code() / 100 == 2;
            results.add(rcpt == null ? null : new SmtpConnection.RecipientResult(recipients.get(i), rcpt.code(),
                    rcpt.text()));
        }
        Reply data = replies.size() == commands.size() ? replies.get(commands.size() - 1) : null;
        if (!anyAccepted) {
            // A BDAT's content was read and dropped by the server (no valid recipients): RSET all the same.
            endTransaction(replies, commands.size());
            SmtpConnection.RecipientResult first = results.get(0);
            return new SmtpConnection.Result(results, first.code(), first.reply());
        }
        if (!chunked && data.code() != 354) {
            endTransaction(replies, commands.size());
            return failedTransaction(recipients, results, data);
        }
        Reply end = chunked ? data : body.sendAndRead(this);
        if (end.code() / 100 != 2) {
            if (end.code() == 421) {
                closeSocket(); // the server is closing: the next message needs a new connection
            } else if (chunked) {
                // A refused BDAT leaves its transaction for the client to end (RFC 3030 §2); a refused final dot
                // has ended it.
                endTransaction(replies, commands.size());
            }
            return failedTransaction(recipients, results, end);
        }
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).accepted()) {
                results.set(i, new SmtpConnection.RecipientResult(recipients.get(i), end.code(), end.text()));
            }
        }
        for (SmtpConnection.RecipientResult r : results) {
            if (!r.accepted()) {
                // Only some were refused: the attempt's code and reply are the first refusal's.
                return new SmtpConnection.Result(results, r.code(), r.reply());
            }
        }
        return new SmtpConnection.Result(results, end.code(), end.text());
    }

    /** The transaction failed after its recipients were accepted: they get the reply that failed it. */
    private static SmtpConnection.Result failedTransaction(List<String> recipients,
                                                          List<SmtpConnection.RecipientResult> results, Reply failure) {
        for (int i = 0; i < results.size(); i++) {
            if (results.get(i).accepted()) {
                results.set(i, new SmtpConnection.RecipientResult(recipients.get(i), failure.code(), failure.text()));
            }
        }
        return new SmtpConnection.Result(results, failure.code(), failure.text());
    }

    /**
     * All commands in one write, then their replies in order (RFC 2920 §3.1: DATA ends the group). A BDAT's
     * {@code chunk} follows its command in the same write (one TLS record for most mail; the JVM writes a record per
     * write).
     */
    private List<Reply> pipelined(List<String> commands, Body chunk) throws IOException {
        ByteArrayOutputStream group = new ByteArrayOutputStream(64 * commands.size()
                + (chunk == null ? 0 : chunk.length()));
        for (String c : commands) {
            group.writeBytes(c.getBytes(StandardCharsets.UTF_8));
            group.writeBytes(CRLF);
        }
        if (chunk != null) {
            group.write(chunk.bytes(), 0, chunk.length());
        }
        byte[] bytes = group.toByteArray();
        write(bytes, 0, bytes.length, true);
        List<Reply> replies = new ArrayList<>(commands.size());
        for (int i = 0; i < commands.size(); i++) {
            replies.add(read());
        }
        return replies;
    }

    /** Each command after the last one's reply; stops where the transaction cannot go on. */
    private List<Reply> stepwise(List<String> commands) throws IOException {
        List<Reply> replies = new ArrayList<>(commands.size());
        Reply mail = command(commands.get(0));
        replies.add(mail);
        if (mail.code() / 100 != 2) {
            return replies;
        }
        boolean anyAccepted = false;
        for (int i = 1; i < commands.size() - 1; i++) {
            Reply rcpt = command(commands.get(i));
            anyAccepted |= rcpt.code() / 100 == 2;
            replies.add(rcpt);
        }
        if (anyAccepted) {
            replies.add(command("DATA"));
        }
        return replies;
    }

    /**
     * After a transaction that did not reach its content: back to a clean state for the next message. A server that
     * opened DATA all the same (it refused the sender or every recipient, then said 354) gets no content: the
     * connection is dropped, which ends its transaction without a message.
     */
    private void endTransaction(List<Reply> replies, int commands) throws IOException {
        Reply closing = replies.stream().filter(r -> r.code() == 421).findFirst().orElse(null);
        if (closing != null || replies.size() == commands && replies.get(commands - 1).code() == 354) {
            closeSocket();
            return;
        }
        Reply rset = command("RSET");
        if (rset.code() != 250) {
            closeSocket();
        }
    }

    /** Whether the server's EHLO offered this extension (its keyword, upper case). */
    boolean offers(String extension) {
        return extensions.contains(extension);
    }

    /** False once the connection was dropped: the next message needs a new one. */
    boolean usable() {
        return socket != null;
    }

    /** Whether the connection still answers (RFC 5321 §4.1.1.9). */
    boolean alive() {
        try {
            return command("NOOP").code() == 250;
        } catch (IOException e) {
            return false;
        }
    }

    Reply command(String line) throws IOException {
        byte[] bytes = (line + "\r\n").getBytes(StandardCharsets.UTF_8);
        write(bytes, 0, bytes.length, true);
        return read();
    }

    void write(byte[] bytes, int offset, int length, boolean flush) throws IOException {
        writingSince = Math.max(1, System.nanoTime());
        try {
            out.write(bytes, offset, length);
            if (flush) {
                out.flush();
            }
        } catch (IOException e) {
            throw writeTimedOut ? new SocketTimeoutException("write timed out after "
                    + server.readTimeout().toMillis() + " ms") : e;
        } finally {
            writingSince = 0;
        }
    }

    /** One reply, all its lines (RFC 5321 §4.2.1: "250-" continues, "250 " ends). */
    Reply read() throws IOException {
        StringBuilder text = new StringBuilder(64);
        int code;
        while (true) {
            String line = readLine();
            if (line.length() < 3 || !Character.isDigit(line.charAt(0)) || !Character.isDigit(line.charAt(1))
                    || !Character.isDigit(line.charAt(2)) || line.length() > 3 && line.charAt(3) != ' '
                    && line.charAt(3) != '-') {
                throw new IOException("not an SMTP reply: " + (line.length() > 80 ? line.substring(0, 80) : line));
            }
            code = Integer.parseInt(line.substring(0, 3));
            if (text.length() > 0) {
                text.append('\n');
            }
            text.append(line);
            if (line.length() == 3 || line.charAt(3) == ' ') {
                return new Reply(code, text.toString());
            }
        }
    }

    private String readLine() throws IOException {
        byte[] line = new byte[128];
        int n = 0;
        while (true) {
            if (position == limit) {
                limit = in.read(buffer);
                position = 0;
                if (limit <= 0) {
                    limit = 0;
                    throw new IOException("the server closed the connection");
                }
            }
            int b = buffer[position++] & 0xff;
            if (b == '\n') {
                int end = n > 0 && line[n - 1] == '\r' ? n - 1 : n;
                return new String(line, 0, end, StandardCharsets.UTF_8);
            }
            if (n == line.length) {
                if (n >= MAX_LINE) {
                    throw new IOException("a reply line longer than " + MAX_LINE + " bytes");
                }
                line = java.util.Arrays.copyOf(line, n * 2);
            }
            line[n++] = (byte) b;
        }
    }

    private static void expect(Reply reply, int code, String step) throws MessagingException {
        if (reply.code() != code) {
            throw new MessagingException(step + " was answered " + firstLine(reply.text()));
        }
    }

    private static String firstLine(String text) {
        int nl = text.indexOf('\n');
        return nl < 0 ? text : text.substring(0, nl);
    }

    private static List<String> concat(String first, List<String> rest) {
        List<String> all = new ArrayList<>(rest.size() + 1);
        all.add(first);
        all.addAll(rest);
        return all;
    }

    private static boolean ascii(String from, List<String> recipients) {
        if (!from.chars().allMatch(c -> c < 128)) {
            return false;
        }
        return recipients.stream().allMatch(r -> r.chars().allMatch(c -> c < 128));
    }

    @Override
    public void close() {
        if (socket == null) {
            return;
        }
        try {
            socket.setSoTimeout(1000);
            byte[] quit = "QUIT\r\n".getBytes(StandardCharsets.US_ASCII);
            write(quit, 0, quit.length, true);
            read();
        } catch (IOException | RuntimeException ignored) {
            // A connection that cannot say goodbye is closed all the same.
        }
        closeSocket();
    }

    private void closeSocket() {
        OPEN.remove(this);
        if (socket != null) {
            closeQuietly(socket);
            socket = null;
        }
    }

    private static void closeQuietly(Socket s) {
        try {
            s.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    /**
     * A message's content as DATA sends it (RFC 5321 §4.5.2), the final dot included, so that it goes in one write:
     * every line ending CRLF (a bare CR or LF becomes one, as Angus's stream made it), a line starting with a dot given
     * another. {@code size} is the content's without the final dot (SIZE, RFC 1870). As BDAT sends it ({@link #chunk}):
     * the same lines, with neither the dots nor the final one (RFC 3030 §2), and {@code size} its whole length.
     */
    record Body(byte[] bytes, int length, int size, boolean eightBit) {

        static Body of(byte[] mime) {
            return of(mime, true);
        }

        static Body chunk(byte[] mime) {
            return of(mime, false);
        }

        private static Body of(byte[] mime, boolean dotted) {
            boolean eightBit = false;
            boolean clean = mime.length == 0 || mime[0] != '.' || !dotted;
            for (int i = 0; i < mime.length; i++) {
                byte b = mime[i];
                // Most bytes are text above CR: one comparison each (this loop was a fifteenth of a delivery
                // thread's CPU when it tracked the start of every line). 8-bit bytes are negative.
                if (b > '\r') {
                    continue;
                }
                if (b < 0) {
                    eightBit = true;
                } else if (b == '\r') {
                    clean &= i + 1 < mime.length && mime[i + 1] == '\n';
                } else if (b == '\n') {
                    clean &= i > 0 && mime[i - 1] == '\r' && (i + 1 == mime.length || mime[i + 1] != '.' || !dotted);
                }
            }
            boolean endsWithCrlf = mime.length >= 2 && mime[mime.length - 2] == '\r' && mime[mime.length - 1] == '\n';
            if (clean && (endsWithCrlf || mime.length == 0)) {
                if (!dotted) {
                    return new Body(mime, mime.length, mime.length, eightBit); // as it is, not even copied
                }
                // Stored mail is almost always like this: one copy, with the final dot after it.
                byte[] out = java.util.Arrays.copyOf(mime, mime.length + END_OF_DATA.length);
                System.arraycopy(END_OF_DATA, 0, out, mime.length, END_OF_DATA.length);
                return new Body(out, out.length, mime.length, eightBit);
            }
            byte[] out = new byte[mime.length + mime.length / 32 + 16];
            int n = 0;
            boolean lineStart = true;
            for (int i = 0; i < mime.length; i++) {
                if (out.length - n < 8) {
                    out = java.util.Arrays.copyOf(out, out.length * 2);
                }
                byte b = mime[i];
                if (b == '\r' || b == '\n') {
                    out[n++] = '\r';
                    out[n++] = '\n';
                    if (b == '\r' && i + 1 < mime.length && mime[i + 1] == '\n') {
                        i++;
                    }
                    lineStart = true;
                    continue;
                }
                if (b == '.' && lineStart && dotted) {
                    out[n++] = '.';
                }
                out[n++] = b;
                lineStart = false;
            }
            if (out.length - n < 8) {
                out = java.util.Arrays.copyOf(out, n + 8);
            }
            if (!lineStart) {
                out[n++] = '\r';
                out[n++] = '\n';
            }
            int size = n;
            if (!dotted) {
                return new Body(out, n, size, eightBit);
            }
            System.arraycopy(END_OF_DATA, 0, out, n, END_OF_DATA.length);
            return new Body(out, n + END_OF_DATA.length, size, eightBit);
        }

        /** After DATA's 354: the content and its final dot in one write, then the reply that decides the message. */
        Reply sendAndRead(SmtpSession session) throws IOException {
            session.write(bytes, 0, length, true);
            return session.read();
        }
    }
}
