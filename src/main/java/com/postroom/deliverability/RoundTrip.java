package com.postroom.deliverability;

import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.Flags;
import jakarta.mail.Folder;
import jakarta.mail.Message;
import jakarta.mail.MessagingException;
import jakarta.mail.Store;
import jakarta.mail.Transport;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.search.HeaderTerm;

import org.eclipse.angus.mail.imap.IMAPFolder;
import org.eclipse.angus.mail.imap.IMAPStore;

import com.postroom.inbound.Ingest;
import com.postroom.mail.EmailAddress;
import com.postroom.mail.MailServer;
import com.postroom.mail.MailSessions;

/**
 * The round trip: a probe sent over SMTP to the synced mailbox, watched for over IMAP, timed, its
 * {@code Authentication-Results} read (SPF, DKIM, DMARC as the receiving server judged them), then expunged. The probe
 * carries a random token that is registered first, so inbound sync knows to skip it and never stores it.
 */
final class RoundTrip {

    private static final Pattern RESULT = Pattern.compile("\\b(spf|dkim|dmarc)\\s*=\\s*([a-z]+)",
            Pattern.CASE_INSENSITIVE);
    private static final Duration POLL = Duration.ofMillis(200);

    private RoundTrip() {
    }

    static Check run(MailSessions sessions, MailServer smtp, MailServer imap, EmailAddress from, EmailAddress to,
                     Duration timeout, Consumer<String> register) {
        return run(sessions, smtp, imap, from, to, timeout, register, null);
    }

    /**
     * With {@code judge}, the received copy is also judged as a receiver would (DKIM verified, SPF, DMARC alignment,
     * see {@link Alignment}); a probe that would fail DMARC is a warning, with the computed Authentication-Results.
     */
    static Check run(MailSessions sessions, MailServer smtp, MailServer imap, EmailAddress from, EmailAddress to,
                     Duration timeout, Consumer<String> register, java.util.function.Function<byte[], Alignment> judge) {
        Check.Builder c = Check.of("round-trip", "Round trip to " + to.address()).detail("to", to.address())
                .detail("from", from.address());
        byte[] random = new byte[16];
        new SecureRandom().nextBytes(random);
        String token = HexFormat.of().formatHex(random);
        register.accept(token);
        Instant sent;
        try {
            MimeMessage probe = new MimeMessage(sessions.smtp(smtp));
            probe.setFrom(new InternetAddress(from.address()));
            probe.setRecipient(Message.RecipientType.TO, new InternetAddress(to.address()));
            probe.setSubject("Postroom delivery probe " + token.substring(0, 8));
            probe.setText("This message tests delivery to this mailbox. Postroom deletes it when it arrives.\n");
            probe.setHeader(Ingest.PROBE_HEADER, token);
            probe.setHeader("Auto-Submitted", "auto-generated");
            probe.saveChanges();
            try (Transport transport = sessions.connectSmtp(smtp)) {
                sent = Instant.now();
                transport.sendMessage(probe, probe.getAllRecipients());
            }
        } catch (MessagingException | RuntimeException e) {
            return c.invalid("The probe could not be sent through " + smtp.describe() + ": " + LoginCheck.root(e)
                    + "; fix the SMTP settings first (see the SMTP login check).");
        }
        try (Store store = sessions.connectImap(imap)) {
            IMAPFolder inbox = (IMAPFolder) store.getFolder("INBOX");
            inbox.open(Folder.READ_WRITE);
            try {
                Instant deadline = sent.plus(timeout);
                while (Instant.now().isBefore(deadline)) {
                    inbox.getMessageCount(); // a NOOP, so the server reports what arrived
                    Message[] found = inbox.search(new HeaderTerm(Ingest.PROBE_HEADER, token));
                    if (found.length > 0) {
                        Duration took = Duration.between(sent, Instant.now());
                        Alignment alignment = null;
                        if (judge != null) {
                            java.io.ByteArrayOutputStream raw = new java.io.ByteArrayOutputStream();
                            found[0].writeTo(raw);
                            alignment = judge.apply(raw.toByteArray());
                        }
                        return arrived(c, found[0], took, inbox, ((IMAPStore) store).hasCapability("UIDPLUS"),
                                alignment);
                    }
                    Thread.sleep(POLL.toMillis());
                }
            } finally {
                inbox.close(false);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return c.unknown("The round trip was interrupted.");
        } catch (MessagingException | java.io.IOException | RuntimeException e) {
            return c.invalid("The probe was sent, but the mailbox " + imap.describe() + " could not be read: "
                    + LoginCheck.root(e) + ".");
        }
        return c.invalid("The probe sent to " + to.address() + " did not arrive in its INBOX within "
                + timeout.toSeconds() + " s; look at the mail server's queue and logs (Mailu: `docker compose logs "
                + "smtp antispam`), and at the Junk folder.");
    }

    private static Check arrived(Check.Builder c, Message probe, Duration took, IMAPFolder inbox, boolean uidplus,
                                 Alignment alignment) throws MessagingException {
        String[] results = probe.getHeader("Authentication-Results");
        Map<String, String> verdicts = new LinkedHashMap<>();
        if (results != null && results.length > 0) {
            // The topmost header is the one the receiving server added.
            Matcher m = RESULT.matcher(results[0]);
            while (m.find()) {
                verdicts.putIfAbsent(m.group(1).toLowerCase(Locale.ROOT), m.group(2).toLowerCase(Locale.ROOT));
            }
        }
        probe.setFlag(Flags.Flag.DELETED, true);
        if (uidplus) {
            inbox.expunge(new Message[] {probe}); // UID EXPUNGE: only the probe, never other deleted mail
        }
        c.detail("seconds", took.toMillis() / 1000.0).detail("authentication_results", verdicts)
                .detail("removed", uidplus);
        String time = String.format(Locale.ROOT, "%.1f s", took.toMillis() / 1000.0);
        if (alignment != null) {
            c.detail("computed_authentication_results", alignment.header());
            if (!alignment.passes()) {
                return c.warning("The probe arrived in " + time + ", but a receiver would judge it dmarc="
                        + alignment.dmarc() + " (" + alignment.header() + "): " + alignment.problem() + ". Gmail and "
                        + "Yahoo require DMARC to pass for bulk senders; fix the record behind it (see the DKIM, SPF "
                        + "and DMARC checks).");
            }
        }
        if (verdicts.isEmpty()) {
            return c.ok("The probe arrived in " + time + (alignment != null
                    ? "; judged as a receiver would: " + alignment.header() + "."
                    : "; the server added no Authentication-Results, so SPF, DKIM and DMARC were not judged on the "
                    + "way in (usual for mail a server delivers to itself)."));
        }
        String failing = verdicts.entrySet().stream().filter(e -> !e.getValue().equals("pass"))
                .map(e -> e.getKey() + "=" + e.getValue()).reduce((a, b) -> a + ", " + b).orElse(null);
        if (failing != null) {
            return c.warning("The probe arrived in " + time + " but the receiving server judged " + failing
                    + "; fix the record behind each failure (see the SPF, DKIM and DMARC checks).");
        }
        return c.ok("The probe arrived in " + time + " with " + String.join(", ", verdicts.keySet())
                + " passing.");
    }
}
