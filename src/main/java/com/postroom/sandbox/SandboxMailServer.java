package com.postroom.sandbox;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import com.icegreen.greenmail.util.GreenMail;
import com.icegreen.greenmail.util.ServerSetup;
import com.postroom.mail.Secret;
import com.postroom.mail.EmailAddress;
import com.postroom.mail.MailServer;
import com.postroom.mail.TlsMode;

/**
 * The built-in mail server of sandbox mode: GreenMail's SMTP and IMAP, bound to loopback. It accepts mail for any
 * address and keeps it in memory; nothing leaves the machine. Each identity gets a mailbox, and the founder's mailbox
 * is the one Postroom syncs, so a mail sent to it comes back in.
 */
public final class SandboxMailServer implements AutoCloseable {

    public static final String DOMAIN = "postroom.test";
    public static final List<String> IDENTITY_LOCAL_PARTS = List.of("founder", "billing", "support", "noreply");
    private static final String LOOPBACK = "127.0.0.1";

    /** How often the mailboxes are written to disk; mail that arrives in between is also kept at a clean stop. */
    static final java.time.Duration SNAPSHOT_EVERY = java.time.Duration.ofSeconds(3);

    private final GreenMail greenMail;
    private final Map<EmailAddress, Secret> mailboxes;
    private final SandboxStore store;
    private final java.util.concurrent.ScheduledExecutorService snapshots;

    private SandboxMailServer(GreenMail greenMail, Map<EmailAddress, Secret> mailboxes, SandboxStore store) {
        this.greenMail = greenMail;
        this.mailboxes = mailboxes;
        this.store = store;
        this.snapshots = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "postroom-sandbox-store");
            t.setDaemon(true);
            return t;
        });
        snapshots.scheduleWithFixedDelay(this::snapshot, SNAPSHOT_EVERY.toMillis(), SNAPSHOT_EVERY.toMillis(),
                java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    /**
     * Starts on the wanted ports, or on free ones when those are taken (0 asks for a free one). The mailboxes'
     * passwords and mail are kept under {@code dir}, so they are the same after a restart.
     */
    public static SandboxMailServer start(int smtpPort, int imapPort, java.nio.file.Path dir) {
        ServerSetup smtp = new ServerSetup(freeIfTaken(smtpPort), LOOPBACK, ServerSetup.PROTOCOL_SMTP);
        ServerSetup imap = new ServerSetup(freeIfTaken(imapPort), LOOPBACK, ServerSetup.PROTOCOL_IMAP);
        GreenMail greenMail = new GreenMail(new ServerSetup[] {smtp, imap});
        greenMail.start();
        Map<EmailAddress, Secret> mailboxes = new LinkedHashMap<>();
        java.util.Properties passwords = readPasswords(dir.resolve("passwords.properties"));
        SecureRandom random = new SecureRandom();
        for (String local : IDENTITY_LOCAL_PARTS) {
            EmailAddress address = EmailAddress.parse(local + "@" + DOMAIN);
            String kept = passwords.getProperty(address.address());
            if (kept == null) {
                byte[] bytes = new byte[12];
                random.nextBytes(bytes);
                kept = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
                passwords.setProperty(address.address(), kept);
            }
            greenMail.setUser(address.address(), address.address(), kept);
            mailboxes.put(address, Secret.of(kept));
        }
        writePasswords(dir.resolve("passwords.properties"), passwords);
        SandboxStore store = new SandboxStore(dir.resolve("mail"));
        store.restore(greenMail, SandboxStore.usersOf(greenMail, logins(mailboxes)));
        return new SandboxMailServer(greenMail, mailboxes, store);
    }

    private static List<String> logins(Map<EmailAddress, Secret> mailboxes) {
        return mailboxes.keySet().stream().map(EmailAddress::address).toList();
    }

    private static java.util.Properties readPasswords(java.nio.file.Path file) {
        java.util.Properties p = new java.util.Properties();
        if (java.nio.file.Files.exists(file)) {
            try (var in = java.nio.file.Files.newBufferedReader(file)) {
                p.load(in);
            } catch (IOException e) {
                throw new IllegalStateException("The sandbox's passwords in " + file + " could not be read", e);
            }
        }
        return p;
    }

    private static void writePasswords(java.nio.file.Path file, java.util.Properties passwords) {
        try {
            java.nio.file.Files.createDirectories(file.getParent());
            try (var out = java.nio.file.Files.newBufferedWriter(file)) {
                passwords.store(out, "The sandbox mail server's mailbox passwords (kept across restarts)");
            }
            java.nio.file.Files.setPosixFilePermissions(file,
                    java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system; the data folder's own permissions protect it.
        } catch (IOException e) {
            throw new IllegalStateException("The sandbox's passwords could not be kept in " + file, e);
        }
    }

    /** Writes the mailboxes to disk now (also every few seconds, and at stop). */
    public void snapshot() {
        store.snapshot(greenMail, SandboxStore.usersOf(greenMail, logins(mailboxes)));
    }

    private static int freeIfTaken(int port) {
        if (port == 0) {
            return freePort();
        }
        try (ServerSocket probe = new ServerSocket(port, 1, InetAddress.getByName(LOOPBACK))) {
            return port;
        } catch (IOException taken) {
            return freePort();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getByName(LOOPBACK))) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException("No free loopback port for the sandbox mail server", e);
        }
    }

    public EmailAddress identity(String localPart) {
        return EmailAddress.parse(localPart + "@" + DOMAIN);
    }

    public Map<EmailAddress, Secret> mailboxes() {
        return mailboxes;
    }

    /** SMTP as the founder: plain on loopback, which is where plaintext is acceptable. */
    public MailServer smtp(java.time.Duration connectTimeout, java.time.Duration readTimeout) {
        EmailAddress founder = identity("founder");
        return new MailServer(LOOPBACK, greenMail.getSmtp().getPort(), TlsMode.NONE,
                Optional.of(founder.address()), Optional.of(mailboxes.get(founder)), connectTimeout, readTimeout);
    }

    public MailServer imap(java.time.Duration connectTimeout, java.time.Duration readTimeout) {
        return imapFor(identity("founder"), connectTimeout, readTimeout);
    }

    /** IMAP as one of the sandbox's mailboxes. */
    public MailServer imapFor(EmailAddress mailbox, java.time.Duration connectTimeout, java.time.Duration readTimeout) {
        return new MailServer(LOOPBACK, greenMail.getImap().getPort(), TlsMode.NONE,
                Optional.of(mailbox.address()), Optional.of(mailboxes.get(mailbox)), connectTimeout, readTimeout);
    }

    public GreenMail greenMail() {
        return greenMail;
    }

    @Override
    public void close() {
        snapshots.shutdownNow();
        snapshot();
        greenMail.stop();
    }
}
