package com.postroom.mailbox;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.util.Properties;

import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.junit.jupiter.api.Test;

import com.postroom.mime.MailParser;
import com.postroom.mime.ParsedMail;
import com.postroom.mime.RawMail;

/** An attachment is found again, for its download, at the path the parser gave it, even in a malformed message. */
class StoredAttachmentsTest {

    @Test
    void aPartUnderAMalformedContentTypeIsFoundAtItsPath() throws Exception {
        assertThat(firstAttachmentAsDownloaded("double-semicolon.eml")).isEqualTo("%PDF-1.4\n");
    }

    /** The parser supplied the missing empty line; the download reads the message the same way. */
    @Test
    void anAttachmentOfAMessageWithoutTheEmptyLineAfterItsHeadersIsFound() throws Exception {
        assertThat(firstAttachmentAsDownloaded("attachment-without-blank-line.eml")).isEqualTo("%PDF-1.4\n");
    }

    /** Parses the fixture as ingest does, then reads its first attachment back at that path as a download does. */
    private String firstAttachmentAsDownloaded(String fixture) throws Exception {
        byte[] raw;
        try (InputStream in = getClass().getResourceAsStream("/mail/" + fixture)) {
            raw = in.readAllBytes();
        }
        ParsedMail parsed = new MailParser().parse(RawMail.of(raw));
        try (InputStream mime = RawMail.of(raw).openForMime()) {
            MimeMessage message = new MimeMessage(Session.getInstance(new Properties()), mime);
            Part part = StoredAttachments.locate(message, parsed.attachments().get(0).path());
            try (InputStream in = part.getInputStream()) {
                return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
            }
        }
    }
}
