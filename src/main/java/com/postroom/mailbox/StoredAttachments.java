package com.postroom.mailbox;

import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Locale;
import java.util.Properties;
import java.util.UUID;

import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.mime.MimeTypes;
import com.postroom.mime.RawMail;
import com.postroom.problem.Problem;
import com.postroom.store.RawStore;

/**
 * Attachments of stored messages, read back out of the raw message they came in: found by id within one
 * organization, opened from a temporary file (so a large message is never held whole), for a download, a preview or
 * a forward.
 */
@Component
public class StoredAttachments {

    private final JdbcClient jdbc;
    private final RawStore raw;

    StoredAttachments(JdbcClient jdbc, RawStore raw) {
        this.jdbc = jdbc;
        this.raw = raw;
    }

    /** Where an attachment sits and what it is. */
    public record Row(UUID id, UUID messageId, String partPath, String filename, String contentType, long sizeBytes) {
        public String type() {
            return contentType == null ? "" : contentType.toLowerCase(Locale.ROOT);
        }
    }

    /** What to do with the part once it is open. */
    public interface PartUse {
        void accept(Part part) throws IOException, MessagingException;
    }

    /** The attachment of this organization's mail, or a 404. */
    public Row find(long orgId, UUID id) {
        return jdbc.sql("SELECT a.id, a.message_id AS messageId, a.part_path AS partPath, a.filename, "
                        + "a.content_type AS contentType, a.size_bytes AS sizeBytes "
                        + "FROM email_attachment a JOIN email_message m ON m.id = a.message_id "
                        + "WHERE a.id = ? AND a.org_id = ? AND m.deleted_at IS NULL")
                .params(id, orgId).query(Row.class).optional()
                .orElseThrow(() -> Problem.notFound("Attachment not found"));
    }

    /** The attachments of one message that a forward carries along: the files, not the inline pictures. */
    public List<Row> ofMessage(long orgId, UUID messageId) {
        return jdbc.sql("SELECT id, message_id AS messageId, part_path AS partPath, filename, "
                        + "content_type AS contentType, size_bytes AS sizeBytes FROM email_attachment "
                        + "WHERE org_id = ? AND message_id = ? AND NOT inline ORDER BY part_path")
                .params(orgId, messageId).query(Row.class).list();
    }

    /** Opens the stored message and hands the attachment's part to {@code use}. */
    public void withPart(Row a, PartUse use) throws IOException {
        try (RawMail stored = RawMail.spooled(raw.toTempFile(a.messageId())); InputStream in = stored.openForMime()) {
            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), in);
            use.accept(locate(message, a.partPath()));
        } catch (MessagingException e) {
            throw Problem.notFound("Attachment could not be read from the stored message: " + e.getMessage());
        }
    }

    /** The attachment's decoded bytes (for a forward, bounded by the size of a message that may be sent). */
    public byte[] bytes(Row a) throws IOException {
        byte[][] out = new byte[1][];
        withPart(a, part -> {
            try (InputStream in = part.getInputStream()) {
                out[0] = in.readAllBytes();
            }
        });
        return out[0];
    }

    /** Follows a part path such as "1.2.1": the message is "1", then the n-th child of each multipart. */
    static Part locate(MimeMessage message, String path) throws MessagingException, IOException {
        String[] steps = path.split("\\.");
        Part part = message;
        for (int i = 1; i < steps.length; i++) {
            Multipart multipart;
            try {
                multipart = MimeTypes.multipart(part);
            } catch (MessagingException e) {
                throw new MessagingException("part " + path + " is not in this message");
            }
            part = multipart.getBodyPart(Integer.parseInt(steps[i]) - 1);
        }
        return part;
    }
}
