package com.postroom.mailbox;

import java.io.IOException;
import java.io.InputStream;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.Function;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.springframework.stereotype.Component;

import com.postroom.audit.AuditLog;
import com.postroom.mime.DisplayNames;
import com.postroom.mime.MailParser;
import com.postroom.mime.ParsedMail;
import com.postroom.mime.RawMail;
import com.postroom.mime.UnparseableMail;
import com.postroom.org.Caller;
import com.postroom.problem.Problem;
import com.postroom.store.Summaries;

/**
 * A message attached to a message, opened for reading: Outlook's "forward as attachment", a message sent on with its
 * original inside, the returned message of a bounce. Gmail and Thunderbird open such a message in place; without this
 * a clerk had to download an .eml and find a program for it. It is read from its part of the stored message, parsed
 * as received mail is, and shown as the conversation shows a message: its HTML through the same sanitiser and frame,
 * its {@code cid:} pictures carried inside, its files listed and downloaded one by one.
 */
@Component
class AttachedMessages {

    static final Set<String> MESSAGE_TYPES = Set.of("message/rfc822", "message/global");
    /** Larger attached messages are downloaded instead; the page carries the whole text and pictures. */
    static final long MAX_BYTES = 32L * 1024 * 1024;

    /** What the page and the API show of the attached message. */
    record View(UUID attachmentId, UUID containerId, String filename, String from, String fromName, List<String> to,
                List<String> cc, OffsetDateTime date, String subject, String html, boolean remoteContentBlocked,
                String plainText, List<Linkify.Segment> text, List<Linkify.Segment> quoted,
                List<ParsedMail.Part> files) {
    }

    private final StoredAttachments attachments;
    private final MailParser parser;
    private final AuditLog audit;

    AttachedMessages(StoredAttachments attachments, MailParser parser, AuditLog audit) {
        this.attachments = attachments;
        this.parser = parser;
        this.audit = audit;
    }

    /**
     * The attachment of the caller's organization's mail, read as a message and audited as a message read; a 404 for
     * another organization's, a 422 for a file.
     */
    View open(Caller caller, UUID attachmentId, boolean remoteImages) throws IOException {
        View view = read(caller.orgId(), attachmentId, remoteImages);
        audit.record(caller, AuditLog.MESSAGE_READ, "email_attachment", attachmentId,
                AuditLog.details("attached_to", view.containerId()));
        return view;
    }

    private View read(long orgId, UUID attachmentId, boolean remoteImages) throws IOException {
        StoredAttachments.Row a = messageRow(orgId, attachmentId);
        byte[] bytes = attachments.bytes(a);
        ParsedMail mail = parse(bytes);
        Map<String, String> pictures = pictures(bytes, mail);
        Function<String, String> cidUrl = cid -> InlineImages.lookup(pictures, cid);
        HtmlSanitizer.Result html = HtmlSanitizer.sanitize(mail.html(), cidUrl, remoteImages);
        boolean hasHtml = html.html() != null && !html.html().isBlank();
        String text = hasHtml ? "" : mail.text();
        int quoted = Summaries.quotedHistoryStart(text);
        return new View(a.id(), a.messageId(), a.filename(), mail.from().orElse(""),
                mail.fromName().map(DisplayNames::safe).orElse(""), mail.to(), mail.cc(), mail.date().orElse(null),
                DisplayNames.safe(mail.subject()), hasHtml ? html.html() : "", html.remoteContentBlocked(),
                mail.text(), Linkify.segments(text.substring(0, quoted).stripTrailing()), Linkify.segments(text.substring(quoted)),
                mail.attachments().stream().filter(p -> !p.inline()).toList());
    }

    private StoredAttachments.Row messageRow(long orgId, UUID attachmentId) {
        StoredAttachments.Row a = attachments.find(orgId, attachmentId);
        if (!MESSAGE_TYPES.contains(a.type())) {
            throw Problem.refused("Only an attached message (message/rfc822) opens as a message; this attachment is "
                    + a.type() + ". Download it instead.");
        }
        if (a.sizeBytes() > MAX_BYTES) {
            throw Problem.refused("The attached message is " + a.sizeBytes() / (1024 * 1024) + " MB, more than the "
                    + MAX_BYTES / (1024 * 1024) + " MB shown here; download it and open it in a mail program.");
        }
        return a;
    }

    private ParsedMail parse(byte[] bytes) {
        try {
            return parser.parse(RawMail.of(bytes));
        } catch (UnparseableMail e) {
            throw Problem.refused("The attachment is labelled as a message but is not one: " + e.getMessage()
                    + " Download it to see what it holds.");
        }
    }

    /** What to do with a file of an attached message once it is open: its listing, and its MIME part. */
    interface FileUse {
        void accept(ParsedMail.Part file, jakarta.mail.Part part) throws IOException, MessagingException;
    }

    /**
     * A file of the attached message (a scan inside a forwarded message), by its path in that message ("1.2"); only a
     * file the message lists, of the caller's organization (404 otherwise). Audited as an attachment download.
     */
    void withFile(Caller caller, UUID attachmentId, String path, FileUse use) throws IOException {
        StoredAttachments.Row a = messageRow(caller.orgId(), attachmentId);
        byte[] bytes = attachments.bytes(a);
        ParsedMail.Part file = parse(bytes).attachments().stream().filter(p -> !p.inline() && p.path().equals(path))
                .findFirst().orElseThrow(() -> Problem.notFound("The attached message has no file " + path));
        audit.record(caller, AuditLog.ATTACHMENT_DOWNLOADED, "email_attachment", attachmentId,
                AuditLog.details("message_id", a.messageId(), "part", path, "filename", file.filename()));
        try (InputStream in = RawMail.of(bytes).openForMime()) {
            use.accept(file, StoredAttachments.locate(new MimeMessage(Session.getInstance(new Properties()), in), path));
        } catch (MessagingException e) {
            throw Problem.notFound("The file could not be read from the attached message: " + e.getMessage());
        }
    }

    /** The pictures the HTML shows by {@code cid:}, as data URLs (the frame cannot fetch with the reader's session). */
    private static Map<String, String> pictures(byte[] bytes, ParsedMail mail) {
        List<InlineImages.Part> inline = mail.attachments().stream().filter(ParsedMail.Part::inline)
                .map(p -> new InlineImages.Part(p.contentId(), p.path(), p.contentType(), p.filename(), p.size()))
                .toList();
        if (inline.isEmpty()) {
            return Map.of();
        }
        try (InputStream in = RawMail.of(bytes).openForMime()) {
            return InlineImages.dataUrls(new MimeMessage(Session.getInstance(new Properties()), in), inline);
        } catch (IOException | MessagingException | RuntimeException e) {
            return Map.of(); // a nicety, as for a stored message: the text still shows
        }
    }
}
