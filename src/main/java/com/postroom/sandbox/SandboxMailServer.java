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
import com.postroom.config.Secret;
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

    private final GreenMail greenMail;
    private final Map<EmailAddress, Secret> mailboxes;

    private SandboxMailServer(GreenMail greenMail, Map<EmailAddress, Secret> mailboxes) {
        this.greenMail = greenMail;
        this.mailboxes = mailboxes;
    }

    /** Starts on the wanted ports, or on free ones when those are taken (0 asks for a free one). */
    public static SandboxMailServer start(int smtpPort, int imapPort) {
        ServerSetup smtp = new ServerSetup(freeIfTaken(smtpPort), LOOPBACK, ServerSetup.PROTOCOL_SMTP);
        ServerSetup imap = new ServerSetup(freeIfTaken(imapPort), LOOPBACK, ServerSetup.PROTOCOL_IMAP);
        GreenMail greenMail = new GreenMail(new ServerSetup[] {smtp, imap});
        greenMail.start();
        Map<EmailAddress, Secret> mailboxes = new LinkedHashMap<>();
        SecureRandom random = new SecureRandom();
        for (String local : IDENTITY_LOCAL_PARTS) {
            byte[] bytes = new byte[12];
            random.nextBytes(bytes);
            Secret password = Secret.of(Base64.getUrlEncoder().withoutPadding().encodeToString(bytes));
            EmailAddress address = EmailAddress.parse(local + "@" + DOMAIN);
            greenMail.setUser(address.address(), address.address(), password.reveal());
            mailboxes.put(address, password);
        }
        return new SandboxMailServer(greenMail, mailboxes);
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
        greenMail.stop();
    }
}
