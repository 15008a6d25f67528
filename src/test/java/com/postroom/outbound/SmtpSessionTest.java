package com.postroom.outbound;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;
import com.postroom.mail.Secret;
import com.postroom.mail.TlsMode;

/**
 * The delivery worker's SMTP client against a scripted server: with PIPELINING a message's envelope goes in one group
 * and every reply still reaches the recipient it belongs to (with CHUNKING too, its content as BDAT in the same write);
 * without it, no command is sent before the last one's reply (a server that does not offer pipelining may drop a
 * client that pipelines). GreenMail offers no PIPELINING, and the
 * real Postfix (RealMailServerIT, bench/outbound) refuses only what its configuration refuses, so the awkward replies
 * are scripted here.
 */
class SmtpSessionTest {

    private final MailSessions sessions = new MailSessions(Optional.empty());
    private ScriptedServer server;

    @AfterEach
    void stop() throws IOException {
        if (server != null) {
            server.close();
        }
    }

    private MailServer plain(ScriptedServer s, String user, String password) {
        return new MailServer("127.0.0.1", s.port(), TlsMode.NONE, Optional.ofNullable(user),
                Optional.ofNullable(password).map(Secret::of), Duration.ofSeconds(2), Duration.ofSeconds(3));
    }

    @Test
    void pipelinedRepliesReachTheirOwnRecipientsAndTheContentIsDotStuffed() throws Exception {
        server = new ScriptedServer(true);
        server.reply("RCPT TO:<REFUSED@", "550 5.1.1 <refused@example.org>: User unknown");
        server.reply("RCPT TO:<LATER@", "452 4.2.2 Mailbox full");
        byte[] mime = "Subject: dots\r\n\r\n.leading dot\nbare line feed\r\n..two\rbare cr\r\nÄ".getBytes(
                StandardCharsets.UTF_8);
        try (SmtpConnection c = new SmtpConnection(plain(server, null, null), sessions)) {
            SmtpConnection.Result r = c.send("billing@postroom.test",
                    List.of("ok@example.org", "refused@example.org", "later@example.org"), mime);

            assertThat(r.recipients()).extracting(SmtpConnection.RecipientResult::code).containsExactly(250, 550, 452);
            assertThat(r.recipients().get(0).reply()).isEqualTo("250 2.0.0 Ok: queued as 1");
            assertThat(r.recipients().get(1).reply()).contains("User unknown");
            assertThat(r.code()).as("the first refusal decides the attempt").isEqualTo(550);
            // The second message on the same connection: the first one's replies were all read, none left over.
            SmtpConnection.Result second = c.send("billing@postroom.test", List.of("ok@example.org"),
                    "Subject: two\r\n\r\nsecond\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(second.code()).isEqualTo(250);
            assertThat(second.reply()).isEqualTo("250 2.0.0 Ok: queued as 2");
        }
        assertThat(server.groups()).as("MAIL, three RCPTs and DATA arrived as one group").anyMatch(g ->
                g.startsWith("MAIL FROM:<billing@postroom.test> BODY=8BITMIME SIZE=") && g.endsWith("DATA\r\n")
                        && g.split("\r\n").length == 5);
        assertThat(server.messages().get(0)).isEqualTo(
                "Subject: dots\r\n\r\n..leading dot\r\nbare line feed\r\n...two\r\nbare cr\r\nÄ\r\n");
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void theContentIsSentWithCrlfLinesDotStuffedAndTheFinalDot() {
        Map<String, String> cases = Map.of(
                "a\r\nb\r\n", "a\r\nb\r\n.\r\n",
                ".\r\n", "..\r\n.\r\n",
                "a\r\n.\r\nb", "a\r\n..\r\nb\r\n.\r\n",
                "a\n.b\rc\r\n", "a\r\n..b\r\nc\r\n.\r\n",
                "", ".\r\n",
                "no line end", "no line end\r\n.\r\n",
                "x.\r\n.", "x.\r\n..\r\n.\r\n");
        cases.forEach((in, expected) -> {
            SmtpSession.Body body = SmtpSession.Body.of(in.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(new String(body.bytes(), 0, body.length(), StandardCharsets.ISO_8859_1)).as(in)
                    .isEqualTo(expected);
            assertThat(body.size()).as(in).isEqualTo(expected.length() - 3);
            assertThat(body.eightBit()).isFalse();
        });
        assertThat(SmtpSession.Body.of("é\r\n".getBytes(StandardCharsets.UTF_8)).eightBit()).isTrue();
    }

    @Test
    void aChunkHasCrlfLinesAndItsDotsAsTheyAre() {
        Map<String, String> cases = Map.of(
                "a\r\nb\r\n", "a\r\nb\r\n",
                ".\r\n", ".\r\n",
                "a\r\n.\r\nb", "a\r\n.\r\nb\r\n",
                "a\n.b\rc\r\n", "a\r\n.b\r\nc\r\n",
                "", "",
                "no line end", "no line end\r\n");
        cases.forEach((in, expected) -> {
            SmtpSession.Body body = SmtpSession.Body.chunk(in.getBytes(StandardCharsets.ISO_8859_1));
            assertThat(new String(body.bytes(), 0, body.length(), StandardCharsets.ISO_8859_1)).as(in)
                    .isEqualTo(expected);
            assertThat(body.size()).as(in).isEqualTo(expected.length());
        });
        byte[] clean = "a\r\n.b\r\n".getBytes(StandardCharsets.US_ASCII);
        assertThat(SmtpSession.Body.chunk(clean).bytes()).as("clean content is sent as it is stored").isSameAs(clean);
    }

    @Test
    void withChunkingTheContentGoesWithItsEnvelopeInOneWriteUnstuffed() {
        server = new ScriptedServer(true);
        server.offerChunking();
        server.reply("RCPT TO:<REFUSED@", "550 5.1.1 <refused@example.org>: User unknown");
        server.reply("RCPT TO:<LATER@", "452 4.2.2 Mailbox full");
        byte[] mime = "Subject: dots\r\n\r\n.leading dot\nbare line feed\r\n..two\rbare cr\r\n.\r\nÄ".getBytes(
                StandardCharsets.UTF_8);
        String expected = "Subject: dots\r\n\r\n.leading dot\r\nbare line feed\r\n..two\r\nbare cr\r\n.\r\nÄ\r\n";
        int size = expected.getBytes(StandardCharsets.UTF_8).length;
        try (SmtpConnection c = new SmtpConnection(plain(server, null, null), sessions)) {
            SmtpConnection.Result r = c.send("billing@postroom.test",
                    List.of("ok@example.org", "refused@example.org", "later@example.org"), mime);

            assertThat(r.recipients()).extracting(SmtpConnection.RecipientResult::code).containsExactly(250, 550, 452);
            assertThat(r.recipients().get(0).reply()).isEqualTo("250 2.0.0 Ok: queued as 1");
            assertThat(r.code()).isEqualTo(550);
            SmtpConnection.Result second = c.send("billing@postroom.test", List.of("ok@example.org"),
                    "Subject: two\r\n\r\nsecond\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(second.reply()).isEqualTo("250 2.0.0 Ok: queued as 2");
        }
        assertThat(server.groups()).as("MAIL, three RCPTs and BDAT in one write, the content after them").contains(
                "MAIL FROM:<billing@postroom.test> BODY=8BITMIME SIZE=" + size + "\r\nRCPT TO:<ok@example.org>\r\n"
                        + "RCPT TO:<refused@example.org>\r\nRCPT TO:<later@example.org>\r\nBDAT " + size + " LAST\r\n");
        assertThat(server.chunksWithTheirCommand()).containsExactly(true, true);
        assertThat(server.messages()).first().as("lines end CRLF; no dot added, none taken").isEqualTo(expected);
        assertThat(server.commands()).noneMatch(l -> l.equals("DATA") || l.equals("RSET"));
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void withChunkingARefusedChunkOrEveryRecipientRefusedIsAnsweredAndTheTransactionReset() {
        server = new ScriptedServer(true);
        server.offerChunking();
        server.reply("RCPT TO:<NOBODY", "550 5.1.1 User unknown");
        try (SmtpConnection c = new SmtpConnection(plain(server, null, null), sessions)) {
            SmtpConnection.Result nobody = c.send("billing@postroom.test", List.of("nobody1@example.org",
                    "nobody2@example.org"), "Subject: y\r\n\r\ny\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(nobody.code()).isEqualTo(550);
            assertThat(nobody.reply()).as("the recipient's refusal, not the chunk's").contains("User unknown");

            server.endOfData("554 5.7.1 Message rejected as spam");
            SmtpConnection.Result spam = c.send("billing@postroom.test", List.of("a@example.org", "b@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(spam.code()).isEqualTo(554);
            assertThat(spam.recipients()).allSatisfy(x -> assertThat(x.code()).isEqualTo(554));

            server.endOfData(null);
            assertThat(c.send("billing@postroom.test", List.of("ok@example.org"),
                    "Subject: z\r\n\r\nz\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
        }
        assertThat(server.commands()).filteredOn(l -> l.equals("RSET")).hasSize(2);
        assertThat(server.commands()).filteredOn(l -> l.startsWith("BDAT ")).hasSize(3);
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void withChunkingALargeMessageOrSmtpPipeliningFalseGoesAsData() {
        server = new ScriptedServer(true);
        server.offerChunking();
        byte[] large = ("Subject: large\r\n\r\n" + ("x".repeat(998) + "\r\n").repeat(1100)).getBytes(
                StandardCharsets.US_ASCII);
        assertThat(large.length).isGreaterThan(SmtpSession.CHUNKED_WITH_ENVELOPE);
        try (SmtpConnection c = new SmtpConnection(plain(server, null, null), sessions)) {
            assertThat(c.send("billing@postroom.test", List.of("a@example.org"), large).code()).isEqualTo(250);
        }
        try (SmtpConnection c = new SmtpConnection(plain(server, null, null), sessions, false)) {
            assertThat(c.send("billing@postroom.test", List.of("a@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
        }
        assertThat(server.commands()).filteredOn(l -> l.equals("DATA")).hasSize(2);
        assertThat(server.commands()).noneMatch(l -> l.startsWith("BDAT"));
        assertThat(server.messages()).first().isEqualTo(new String(large, StandardCharsets.US_ASCII));
    }

    @Test
    void aRefusedSenderOrEveryRecipientRefusedEndsTheTransactionAndTheConnectionGoesOn() {
        server = new ScriptedServer(true);
        server.reply("MAIL FROM:<BLOCKED@", "550 5.7.1 Sender blocked");
        try (SmtpConnection c = new SmtpConnection(plain(server, null, null), sessions)) {
            SmtpConnection.Result blocked = c.send("blocked@postroom.test", List.of("a@example.org", "b@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(blocked.code()).isEqualTo(550);
            assertThat(blocked.recipients()).allSatisfy(r -> assertThat(r.reply()).contains("Sender blocked"));

            server.reply("RCPT TO:<NOBODY", "550 5.1.1 User unknown");
            SmtpConnection.Result nobody = c.send("billing@postroom.test", List.of("nobody1@example.org",
                    "nobody2@example.org"), "Subject: y\r\n\r\ny\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(nobody.code()).isEqualTo(550);
            assertThat(nobody.reply()).as("the recipient's refusal, not DATA's").contains("User unknown");

            SmtpConnection.Result fine = c.send("billing@postroom.test", List.of("ok@example.org"),
                    "Subject: z\r\n\r\nz\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(fine.code()).isEqualTo(250);
        }
        assertThat(server.messages()).hasSize(1);
        assertThat(server.commands()).filteredOn(l -> l.equals("RSET")).hasSize(2);
        assertThat(server.connections()).isEqualTo(1);
    }

    @Test
    void aRefusalAfterTheContentGoesToEveryAcceptedRecipient() {
        server = new ScriptedServer(true);
        server.endOfData("554 5.7.1 Message rejected as spam");
        try (SmtpConnection c = new SmtpConnection(plain(server, null, null), sessions)) {
            SmtpConnection.Result r = c.send("billing@postroom.test", List.of("a@example.org", "b@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(r.code()).isEqualTo(554);
            assertThat(r.recipients()).allSatisfy(x -> assertThat(x.code()).isEqualTo(554));
        }
    }

    @Test
    void withoutPipeliningEachCommandWaitsForTheLastReplyAndTheLoginIsPlain() {
        server = new ScriptedServer(false);
        try (SmtpConnection c = new SmtpConnection(plain(server, "founder@postroom.test", "s3cret"), sessions)) {
            for (int i = 0; i < 3; i++) {
                SmtpConnection.Result r = c.send("billing@postroom.test", List.of("a@example.org", "b@example.org"),
                        ("Subject: " + i + "\r\n\r\nbody\r\n").getBytes(StandardCharsets.US_ASCII));
                assertThat(r.code()).isEqualTo(250);
            }
        }
        assertThat(server.pipelinedWithoutLeave()).isFalse();
        assertThat(server.logins()).containsExactly("founder@postroom.test:s3cret");
        assertThat(server.messages()).hasSize(3);
    }

    @Test
    void smtpPipeliningFalseSendsEachCommandAfterTheLastReplyEvenWhereOffered() {
        server = new ScriptedServer(true);
        try (SmtpConnection c = new SmtpConnection(plain(server, null, null), sessions, false)) {
            assertThat(c.send("billing@postroom.test", List.of("a@example.org", "b@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
        }
        assertThat(server.groups()).filteredOn(g -> g.startsWith("MAIL FROM:")).containsExactly(
                "MAIL FROM:<billing@postroom.test> SIZE=17\r\n");
    }

    @Test
    void aServerOfferingOnlyLoginGetsLoginAndAWrongPasswordIsALoginFailureWithoutIt() {
        server = new ScriptedServer(true);
        server.mechanisms("LOGIN");
        try (SmtpConnection c = new SmtpConnection(plain(server, "founder@postroom.test", "s3cret"), sessions)) {
            assertThat(c.send("billing@postroom.test", List.of("a@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
        }
        try (SmtpConnection c = new SmtpConnection(plain(server, "founder@postroom.test", "wrong-pass"), sessions)) {
            SmtpConnection.Result r = c.send("billing@postroom.test", List.of("a@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(r.code()).isZero();
            assertThat(r.reply()).startsWith("SMTP login failed").contains("535").doesNotContain("wrong-pass");
        }
        assertThat(server.logins()).containsExactly("founder@postroom.test:s3cret", "founder@postroom.test:wrong-pass");
    }

    @Test
    void anEnvelopeAddressThatWouldBeACommandIsNeverSent() {
        server = new ScriptedServer(true);
        try (SmtpConnection c = new SmtpConnection(plain(server, null, null), sessions)) {
            SmtpConnection.Result r = c.send("billing@postroom.test", List.of("a@example.org>\r\nRCPT TO:<b@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(r.code()).isZero();
        }
        assertThat(server.commands()).noneMatch(l -> l.startsWith("RCPT") || l.startsWith("MAIL"));
    }

    @Test
    void aServerClosingWithA421IsLeftAndTheNextMessageGetsANewConnection() {
        server = new ScriptedServer(true);
        server.reply("MAIL FROM:", "421 4.3.2 Shutting down");
        try (SmtpConnection c = new SmtpConnection(plain(server, null, null), sessions)) {
            SmtpConnection.Result r = c.send("billing@postroom.test", List.of("a@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(r.code()).isIn(0, 421);
            assertThat(r.recipients()).allSatisfy(x -> assertThat(x.accepted()).isFalse());
            server.clear();
            assertThat(c.send("billing@postroom.test", List.of("a@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
            // A 421 after the content: that message is retried, and the next one goes on a new connection.
            server.endOfData("421 4.3.2 Shutting down");
            assertThat(c.send("billing@postroom.test", List.of("a@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(421);
            server.endOfData(null);
            assertThat(c.send("billing@postroom.test", List.of("a@example.org"),
                    "Subject: x\r\n\r\nx\r\n".getBytes(StandardCharsets.US_ASCII)).code()).isEqualTo(250);
        }
        assertThat(server.connections()).isEqualTo(3);
    }

    @Test
    void aWriteTheServerStopsReadingTimesOutAndClosesTheConnection() {
        server = new ScriptedServer(true);
        server.stopReadingAtData();
        byte[] big = new byte[64 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) 'x');
        for (int i = 76; i < big.length; i += 78) {
            big[i] = '\r';
            big[i + 1] = '\n';
        }
        long started = System.nanoTime();
        try (SmtpConnection c = new SmtpConnection(plain(server, null, null), sessions)) {
            SmtpConnection.Result r = c.send("billing@postroom.test", List.of("a@example.org"), big);
            assertThat(r.code()).isZero();
            assertThat(r.reply()).startsWith("timed out");
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(15));
    }

    /** A loopback SMTP server that answers from a script and records what it was sent. */
    static final class ScriptedServer implements AutoCloseable {
        private final boolean pipelining;
        private final ServerSocket listener;
        private final Map<String, String> replies = new ConcurrentHashMap<>();
        private final List<String> commands = new CopyOnWriteArrayList<>();
        private final List<String> groups = new CopyOnWriteArrayList<>();
        private final List<String> messages = new CopyOnWriteArrayList<>();
        private final List<String> logins = new CopyOnWriteArrayList<>();
        private final AtomicBoolean early = new AtomicBoolean();
        private volatile String endOfData;
        private volatile boolean stopReadingAtData;
        private volatile String mechanisms = "PLAIN LOGIN";
        private volatile boolean chunking;
        private final List<Boolean> chunksWithTheirCommand = new CopyOnWriteArrayList<>();
        private volatile int connections;
        private int queued;

        ScriptedServer(boolean pipelining) {
            this.pipelining = pipelining;
            try {
                listener = new ServerSocket(0, 10, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
            Thread t = new Thread(this::accept, "scripted-smtp");
            t.setDaemon(true);
            t.start();
        }

        int port() {
            return listener.getLocalPort();
        }

        void reply(String prefix, String reply) {
            replies.put(prefix, reply);
        }

        void endOfData(String reply) {
            endOfData = reply;
        }

        void stopReadingAtData() {
            stopReadingAtData = true;
        }

        void mechanisms(String m) {
            mechanisms = m;
        }

        /** Offers CHUNKING (RFC 3030) and takes BDAT. */
        void offerChunking() {
            chunking = true;
        }

        /** For each BDAT, whether its whole chunk had arrived with the command (sent in the same write). */
        List<Boolean> chunksWithTheirCommand() {
            return chunksWithTheirCommand;
        }

        void clear() {
            replies.clear();
        }

        List<String> commands() {
            return commands;
        }

        List<String> groups() {
            return groups;
        }

        List<String> messages() {
            return messages;
        }

        List<String> logins() {
            return logins;
        }

        int connections() {
            return connections;
        }

        boolean pipelinedWithoutLeave() {
            return early.get();
        }

        private void accept() {
            while (!listener.isClosed()) {
                try (Socket s = listener.accept()) {
                    connections++;
                    // Buffered: read a byte per call from the socket, the large message's megabyte took more than
                    // the client's 3 s read timeout on a busy machine.
                    serve(new java.io.BufferedInputStream(s.getInputStream()), s.getOutputStream());
                } catch (IOException e) {
                    // the client went, or the test ended
                }
            }
        }

        private void serve(InputStream in, OutputStream out) throws IOException {
            say(out, "220 scripted ESMTP");
            int accepted = 0;
            boolean mail = false;
            String login = null;
            StringBuilder group = new StringBuilder();
            ByteArrayOutputStream chunks = new ByteArrayOutputStream();
            while (true) {
                String line = line(in);
                if (line == null) {
                    return;
                }
                group.append(line).append("\r\n");
                if (in.available() == 0) {
                    groups.add(group.toString());
                    group.setLength(0);
                } else if (!pipelining) {
                    early.set(true);
                }
                commands.add(line);
                String upper = line.toUpperCase(java.util.Locale.ROOT);
                String scripted = replies.entrySet().stream().filter(e -> upper.startsWith(e.getKey()))
                        .map(Map.Entry::getValue).findFirst().orElse(null);
                if (login != null) {
                    String decoded = new String(Base64.getDecoder().decode(line), StandardCharsets.UTF_8);
                    if (login.isEmpty()) {
                        login = decoded;
                        say(out, "334 UGFzc3dvcmQ6");
                    } else {
                        logins.add(login + ":" + decoded);
                        say(out, decoded.equals("s3cret") ? "235 2.7.0 Authentication successful"
                                : "535 5.7.8 Error: authentication failed");
                        login = null;
                    }
                } else if (scripted != null) {
                    say(out, scripted);
                    if (scripted.startsWith("421")) {
                        return;
                    }
                } else if (upper.startsWith("EHLO")) {
                    say(out, "250-scripted\r\n" + (pipelining ? "250-PIPELINING\r\n" : "")
                            + (chunking ? "250-CHUNKING\r\n" : "") + "250-SIZE 104857600\r\n"
                            + "250-AUTH " + mechanisms + "\r\n250 8BITMIME");
                } else if (upper.startsWith("AUTH PLAIN ")) {
                    String[] parts = new String(Base64.getDecoder().decode(line.substring(11)), StandardCharsets.UTF_8)
                            .split("\0");
                    logins.add(parts[1] + ":" + parts[2]);
                    say(out, parts[2].equals("s3cret") ? "235 2.7.0 Authentication successful"
                            : "535 5.7.8 Error: authentication failed");
                } else if (upper.equals("AUTH LOGIN")) {
                    login = "";
                    say(out, "334 VXNlcm5hbWU6");
                } else if (upper.startsWith("MAIL FROM:")) {
                    accepted = 0;
                    mail = true;
                    say(out, "250 2.1.0 Ok");
                } else if (upper.startsWith("RCPT TO:")) {
                    if (!mail) {
                        say(out, "503 5.5.1 Error: need MAIL command");
                        continue;
                    }
                    accepted++;
                    say(out, "250 2.1.5 Ok");
                } else if (upper.equals("DATA")) {
                    if (!mail || accepted == 0) {
                        say(out, mail ? "554 5.5.1 Error: no valid recipients" : "503 5.5.1 Error: need RCPT command");
                        continue;
                    }
                    mail = false;
                    say(out, "354 End data with <CR><LF>.<CR><LF>");
                    if (stopReadingAtData) {
                        try {
                            Thread.sleep(20_000); // a server that hangs with the client's data unread
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                        return;
                    }
                    ByteArrayOutputStream data = new ByteArrayOutputStream();
                    String l;
                    while (!(l = line(in)).equals(".")) {
                        data.writeBytes((l + "\r\n").getBytes(StandardCharsets.UTF_8));
                    }
                    messages.add(data.toString(StandardCharsets.UTF_8));
                    say(out, endOfData != null ? endOfData : "250 2.0.0 Ok: queued as " + ++queued);
                } else if (chunking && upper.startsWith("BDAT ")) {
                    // RFC 3030: the chunk is read whatever the reply, so that the next command is a command.
                    int size = Integer.parseInt(line.split(" ")[1]);
                    chunksWithTheirCommand.add(in.available() >= size);
                    byte[] chunk = in.readNBytes(size);
                    if (in.available() == 0 && group.length() > 0) {
                        groups.add(group.toString());
                        group.setLength(0);
                    }
                    if (!mail || accepted == 0) {
                        say(out, mail ? "554 5.5.1 Error: no valid recipients" : "503 5.5.1 Error: need RCPT command");
                        continue;
                    }
                    chunks.write(chunk, 0, chunk.length);
                    if (!upper.endsWith(" LAST")) {
                        say(out, "250 2.0.0 Ok: " + size + " bytes");
                        continue;
                    }
                    mail = false;
                    messages.add(chunks.toString(StandardCharsets.UTF_8));
                    chunks.reset();
                    say(out, endOfData != null ? endOfData : "250 2.0.0 Ok: queued as " + ++queued);
                } else if (upper.equals("RSET")) {
                    chunks.reset();
                    mail = false;
                    say(out, "250 2.0.0 Ok");
                } else if (upper.equals("NOOP")) {
                    say(out, "250 2.0.0 Ok");
                } else if (upper.equals("QUIT")) {
                    say(out, "221 2.0.0 Bye");
                    return;
                } else {
                    say(out, "502 5.5.2 Error: command not recognized");
                }
            }
        }

        private static String line(InputStream in) throws IOException {
            ByteArrayOutputStream b = new ByteArrayOutputStream();
            int c;
            while ((c = in.read()) != -1) {
                if (c == '\n') {
                    String s = b.toString(StandardCharsets.UTF_8);
                    return s.endsWith("\r") ? s.substring(0, s.length() - 1) : s;
                }
                b.write(c);
            }
            return null;
        }

        private static void say(OutputStream out, String reply) throws IOException {
            out.write((reply + "\r\n").getBytes(StandardCharsets.UTF_8));
            out.flush();
        }

        @Override
        public void close() throws IOException {
            listener.close();
        }
    }
}
