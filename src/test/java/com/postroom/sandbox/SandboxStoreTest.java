package com.postroom.sandbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.Properties;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.Session;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.postroom.mail.EmailAddress;

/**
 * The sandbox keeps its mailboxes across restarts: the passwords printed at the first start keep working, and mail
 * delivered to it (synced or not), with its folders and flags, is there after a stop and a start.
 */
class SandboxStoreTest {

    @TempDir
    Path dir;

    @Test
    void passwordsAndMailSurviveARestart() throws Exception {
        EmailAddress founder = EmailAddress.parse("founder@" + SandboxMailServer.DOMAIN);
        String password;
        try (SandboxMailServer first = SandboxMailServer.start(0, 0, dir)) {
            password = first.mailboxes().get(founder).reveal();
            send(first, "Kept across restarts");
            send(first, "Read and filed");
            try (Store store = imap(first, password)) {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_WRITE);
                Folder archive = store.getFolder("Archive");
                archive.create(Folder.HOLDS_MESSAGES);
                for (Message m : inbox.getMessages()) {
                    if (m.getSubject().equals("Read and filed")) {
                        m.setFlag(Flags.Flag.SEEN, true);
                        inbox.copyMessages(new Message[] {m}, archive);
                        m.setFlag(Flags.Flag.DELETED, true);
                    }
                }
                inbox.close(true);
            }
        }

        try (SandboxMailServer second = SandboxMailServer.start(0, 0, dir)) {
            assertThat(second.mailboxes().get(founder).reveal()).isEqualTo(password);
            try (Store store = imap(second, password)) {
                Folder inbox = store.getFolder("INBOX");
                inbox.open(Folder.READ_ONLY);
                assertThat(inbox.getMessageCount()).isEqualTo(1);
                assertThat(inbox.getMessage(1).getSubject()).isEqualTo("Kept across restarts");
                Folder archive = store.getFolder("Archive");
                archive.open(Folder.READ_ONLY);
                assertThat(archive.getMessageCount()).isEqualTo(1);
                assertThat(archive.getMessage(1).getSubject()).isEqualTo("Read and filed");
                assertThat(archive.getMessage(1).isSet(Flags.Flag.SEEN)).isTrue();
            }
        }
    }

    @Test
    void mailDeliveredJustBeforeAStopIsKept() throws Exception {
        String password;
        try (SandboxMailServer first = SandboxMailServer.start(0, 0, dir)) {
            password = first.mailboxes().get(EmailAddress.parse("founder@" + SandboxMailServer.DOMAIN)).reveal();
            send(first, "Arrived a moment before the stop");
        }
        try (SandboxMailServer second = SandboxMailServer.start(0, 0, dir); Store store = imap(second, password)) {
            Folder inbox = store.getFolder("INBOX");
            inbox.open(Folder.READ_ONLY);
            assertThat(inbox.getMessageCount()).isEqualTo(1);
        }
    }

    private static void send(SandboxMailServer server, String subject) throws Exception {
        Properties props = new Properties();
        props.put("mail.smtp.host", "127.0.0.1");
        props.put("mail.smtp.port", String.valueOf(server.greenMail().getSmtp().getPort()));
        MimeMessage m = new MimeMessage(Session.getInstance(props));
        m.setFrom(new InternetAddress("patient@example.org"));
        m.setRecipient(Message.RecipientType.TO, new InternetAddress("founder@" + SandboxMailServer.DOMAIN));
        m.setSubject(subject);
        m.setText("Hello.");
        Transport.send(m);
    }

    private static Store imap(SandboxMailServer server, String password) throws Exception {
        Store store = Session.getInstance(new Properties()).getStore("imap");
        store.connect("127.0.0.1", server.greenMail().getImap().getPort(), "founder@" + SandboxMailServer.DOMAIN,
                password);
        return store;
    }
}
