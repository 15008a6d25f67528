package com.postroom.outbound;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

import jakarta.activation.DataHandler;
import jakarta.mail.MessagingException;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.InternetAddress;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;
import jakarta.mail.internet.MimePart;
import jakarta.mail.internet.MimeUtility;
import jakarta.mail.util.ByteArrayDataSource;

import org.jsoup.Jsoup;

import com.postroom.mail.EmailAddress;
import com.postroom.mail.StreamProviderPin;

/**
 * Builds the MIME of an outbound message (RFC 5322, RFC 2045-2049): {@code multipart/mixed} around the attachments,
 * {@code multipart/alternative} of text and HTML, {@code multipart/related} for inline {@code cid:} images. Non-ASCII
 * names and subjects are encoded per RFC 2047 and file names per RFC 2231 (Angus Mail's defaults). Bcc recipients are
 * in the envelope only, never in a header.
 */
public final class MimeComposer {

    static {
        StreamProviderPin.install();
    }

    private static final Session SESSION = Session.getInstance(composeProperties());
    /** Segment length of an encoded file name: with "filename*12*=" and ";" a folded line stays under 78. */
    private static final int SEGMENT = 60;
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();
    /**
     * RFC 5322 §3.3's date in UTC ("Sat, 5 Dec 2026 06:10:00 +0000"). Jakarta Mail's setSentDate formats through a
     * SimpleDateFormat built per call, a seventh of composing a message.
     */
    static final java.time.format.DateTimeFormatter DATE =
            java.time.format.DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss Z", Locale.US);

    private MimeComposer() {
    }

    record Composition(EmailAddress from, List<EmailAddress> replyTo, List<EmailAddress> to, List<EmailAddress> cc,
                       String subject, String text, String html, List<Attachment> attachments, String messageId,
                       String inReplyTo, List<String> references, Map<String, String> headers) {
    }

    private static Properties composeProperties() {
        Properties props = new Properties();
        props.put("mail.mime.charset", "UTF-8");
        props.put("mail.mime.encodeparameters", "true");
        return props;
    }

    static byte[] compose(Composition c) {
        try {
            MimeMessage message = new FixedIdMessage(SESSION, c.messageId());
            message.setFrom(c.from().toInternetAddress());
            if (c.replyTo() != null && !c.replyTo().isEmpty()) {
                message.setReplyTo(addresses(c.replyTo()));
            }
            message.setRecipients(MimeMessage.RecipientType.TO, addresses(c.to()));
            if (!c.cc().isEmpty()) {
                message.setRecipients(MimeMessage.RecipientType.CC, addresses(c.cc()));
            }
            message.setSubject(c.subject(), StandardCharsets.UTF_8.name());
            message.setHeader("Date", DATE.format(java.time.ZonedDateTime.now(java.time.ZoneOffset.UTC)));
            if (c.inReplyTo() != null) {
                message.setHeader("In-Reply-To", c.inReplyTo());
            }
            if (!c.references().isEmpty()) {
                // RFC 5322 §3.6.4; folded so that a long thread never exceeds the 998-character line limit.
                message.setHeader("References", MimeUtility.fold(12, String.join(" ", c.references())));
            }
            for (Map.Entry<String, String> header : c.headers().entrySet()) {
                message.setHeader(header.getKey(), MimeUtility.encodeText(header.getValue(), "UTF-8", null));
            }
            setBody(message, c);
            message.saveChanges();
            Bytes out = new Bytes(estimate(c));
            message.writeTo(out);
            return out.toByteArray();
        } catch (MessagingException | IOException e) {
            throw new IllegalStateException("Could not build the MIME message", e);
        }
    }

    private static void setBody(MimeMessage message, Composition c) throws MessagingException {
        String text = !c.text().isEmpty() || c.html().isEmpty() ? c.text() : textOf(c.html());
        boolean hasHtml = !c.html().isEmpty();
        // Inline parts only make sense next to HTML that refers to them; otherwise they are plain attachments.
        List<Attachment> inline = c.attachments().stream().filter(a -> a.shownIn(c.html())).toList();
        List<Attachment> files = c.attachments().stream().filter(a -> !inline.contains(a)).toList();

        MimeMultipart alternative = null;
        if (hasHtml) {
            MimeBodyPart textPart = new TextPart();
            setText(textPart, text, "plain");
            MimeBodyPart htmlPart = new TextPart();
            setText(htmlPart, c.html(), "html");
            if (!inline.isEmpty()) {
                MimeMultipart related = new MimeMultipart("related");
                related.addBodyPart(htmlPart);
                for (Attachment a : inline) {
                    related.addBodyPart(part(a, true));
                }
                htmlPart = new MimeBodyPart();
                htmlPart.setContent(related);
            }
            alternative = new MimeMultipart("alternative");
            alternative.addBodyPart(textPart);
            alternative.addBodyPart(htmlPart);
        }
        if (files.isEmpty()) {
            if (alternative != null) {
                message.setContent(alternative);
            } else {
                setText(message, text, "plain");
            }
            return;
        }
        MimeBodyPart body = new TextPart();
        if (alternative != null) {
            body.setContent(alternative);
        } else {
            setText(body, text, "plain");
        }
        MimeMultipart mixed = new MimeMultipart("mixed");
        mixed.addBodyPart(body);
        for (Attachment a : files) {
            mixed.addBodyPart(part(a, false));
        }
        message.setContent(mixed);
    }

    /**
     * The text in UTF-8 with the transfer encoding Angus would pick ({@link #transferEncoding}), set up front: left
     * to Angus, the whole text was written once through the activation framework's content handler just to count
     * its bytes, then again to encode it. 7bit and quoted-printable text is encoded here, in one pass over its bytes
     * ({@link #quotedPrintable}, the same bytes as Angus's encoder): Angus's went through a character encoder and a
     * stream that takes one byte per call, a fifth of the request thread of a call to {@code /email/batch}. Base64
     * (mostly non-ASCII text) is left to Angus.
     */
    private static void setText(MimePart part, String text, String subtype) throws MessagingException {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        String encoding = transferEncoding(utf8);
        if (encoding.equals("base64")) {
            part.setText(text, StandardCharsets.UTF_8.name(), subtype);
        } else {
            ((Encoded) part).encoded(encoding.equals("7bit") ? utf8 : quotedPrintable(utf8));
            part.setHeader("Content-Type", "text/" + subtype + "; charset=UTF-8");
        }
        part.setHeader("Content-Transfer-Encoding", encoding);
    }

    /**
     * Quoted-printable (RFC 2045 §6.7) of text's bytes, byte for byte what Angus's {@code QPEncoderStream} writes
     * ({@code MimeComposerTest} compares them): CR, LF and CRLF become CRLF, a space before a line break or at the
     * end is =20, '=', controls (tab included) and bytes above 126 are =XX, and a line is broken with a soft "="
     * before it passes 76 characters.
     */
    static byte[] quotedPrintable(byte[] in) {
        final int perLine = 75; // characters before the soft break's "="
        // At most 4 bytes out for one in (=XX, and a share of a soft break's 3 for every 25 escaped), so the loop
        // never checks for room, and a printable byte is copied where it is tested (docs/benchmarks.md, session 34).
        byte[] out = new byte[in.length * 4 + 16];
        int n = 0;
        int count = 0;
        boolean space = false;
        boolean cr = false;
        for (byte value : in) {
            int c = value & 0xff;
            if (space) {
                // A space is written once the next byte says whether it ends a line (then it must be encoded).
                int width = c == '\r' || c == '\n' ? 3 : 1;
                if ((count += width) > perLine) {
                    n = softBreak(out, n);
                    count = width;
                }
                if (width == 3) {
                    n = escape(out, n, ' ');
                } else {
                    out[n++] = ' ';
                }
                space = false;
            }
            if (c > ' ' && c < 127 && c != '=') {
                if (++count > perLine) {
                    n = softBreak(out, n);
                    count = 1;
                }
                out[n++] = (byte) c;
            } else if (c == '\r' || (c == '\n' && !cr)) {
                out[n++] = '\r';
                out[n++] = '\n';
                count = 0;
            } else if (c == ' ') {
                space = true;
            } else if (c != '\n') {
                if ((count += 3) > perLine) {
                    n = softBreak(out, n);
                    count = 3;
                }
                n = escape(out, n, c);
            }
            cr = c == '\r';
        }
        if (space) {
            if (count + 3 > perLine) {
                n = softBreak(out, n);
            }
            n = escape(out, n, ' ');
        }
        return java.util.Arrays.copyOf(out, n);
    }

    /** "=XX". Small enough for C1 to inline, as it does any static method under 35 bytes of bytecode. */
    private static int escape(byte[] out, int n, int c) {
        out[n] = '=';
        out[n + 1] = (byte) HEX[c >> 4];
        out[n + 2] = (byte) HEX[c & 0xf];
        return n + 3;
    }

    /** A soft line break: "=" and CRLF. */
    private static int softBreak(byte[] out, int n) {
        out[n] = '=';
        out[n + 1] = '\r';
        out[n + 2] = '\n';
        return n + 3;
    }

    /**
     * What {@code MimeUtility.getEncoding} answers for this text in UTF-8, by the same rule from the bytes at once:
     * 7bit when every byte is printable ASCII (or CR, LF, tab) and no line is longer than 998; quoted-printable when
     * such bytes are the majority; base64 otherwise. {@code MimeComposerTest} checks the two agree.
     */
    static String transferEncoding(String text) {
        return transferEncoding(text.getBytes(StandardCharsets.UTF_8));
    }

    private static String transferEncoding(byte[] bytes) {
        int ascii = 0;
        int nonAscii = 0;
        int lineLength = 0;
        boolean longLine = false;
        for (byte value : bytes) {
            int b = value & 0xff;
            if (b == '\r' || b == '\n') {
                lineLength = 0;
            } else if (++lineLength > 998) {
                longLine = true;
            }
            if (b >= 0x7f || (b < 0x20 && b != '\r' && b != '\n' && b != '\t')) {
                nonAscii++;
            } else {
                ascii++;
            }
        }
        if (nonAscii == 0) {
            return longLine ? "quoted-printable" : "7bit";
        }
        return ascii > nonAscii ? "quoted-printable" : "base64";
    }

    private static MimeBodyPart part(Attachment a, boolean inline) throws MessagingException {
        MimeBodyPart part = new MimeBodyPart();
        String type = a.contentType() == null || a.contentType().isBlank() ? "application/octet-stream"
                : a.contentType();
        part.setDataHandler(new DataHandler(new ByteArrayDataSource(a.content(), type)));
        // A file goes base64 whatever it holds. Left to Angus, a file of ASCII bytes (a PDF without binary streams,
        // a CSV) went 7bit: every server on the way may then rewrite its line endings and trailing spaces, and the
        // file arrived changed (754 bytes sent, 789 received). Base64 carries the bytes exactly. Not for an attached
        // message (message/rfc822), which RFC 2046 5.2.1 allows only in 7bit, 8bit or binary.
        if (!type.toLowerCase(java.util.Locale.ROOT).startsWith("message/")) {
            part.setHeader("Content-Transfer-Encoding", "base64");
        }
        String disposition = inline ? Part.INLINE : Part.ATTACHMENT;
        List<String> segments = encodedSegments(a.filename());
        if (segments.size() > 1) {
            // Angus writes an encoded (non-ASCII) parameter on one line however long it is: 100 such characters make
            // a line of 900, past what many servers and filters accept (RFC 5322 allows 998, asks for 78). RFC 2231
            // continuations (filename*0*=, filename*1*= ...) keep every line short; mail clients join them.
            part.setHeader("Content-Type", type + continuations("name", segments));
            part.setHeader("Content-Disposition", disposition + continuations("filename", segments));
        } else {
            part.setFileName(a.filename());
            part.setDisposition(disposition);
        }
        if (inline) {
            part.setContentID("<" + a.contentId().get() + ">");
        }
        return part;
    }

    /**
     * A non-ASCII file name percent-encoded per RFC 2231 ({@code UTF-8''...}) in pieces of at most {@link #SEGMENT}
     * characters, never cutting a {@code %XX}; one piece for a name that fits, none for an ASCII name (Angus
     * writes and, when long, splits those itself).
     */
    static List<String> encodedSegments(String filename) {
        if (filename == null || filename.chars().allMatch(c -> c < 128)) {
            return List.of();
        }
        StringBuilder encoded = new StringBuilder("UTF-8''");
        for (byte b : filename.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            if (c > 0x20 && c < 0x7f && "*'%()<>@,;:\\\"/[]?=".indexOf(c) < 0) {
                encoded.append((char) c);
            } else {
                encoded.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        List<String> segments = new ArrayList<>();
        int start = 0;
        while (start < encoded.length()) {
            int end = Math.min(encoded.length(), start + SEGMENT);
            if (end < encoded.length()) {
                int percent = encoded.lastIndexOf("%", end - 1);
                if (percent >= start && percent > end - 3) {
                    end = percent; // keep %XX whole
                }
            }
            segments.add(encoded.substring(start, end));
            start = end;
        }
        return segments;
    }

    private static String continuations(String name, List<String> segments) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < segments.size(); i++) {
            out.append(";\r\n\t").append(name).append('*').append(i).append("*=").append(segments.get(i));
        }
        return out.toString();
    }

    /** A plain-text alternative for HTML-only mail: spam filters and text-only readers both expect one. */
    public static String textOf(String html) {
        var doc = Jsoup.parse(html);
        doc.select("br").after("\\n");
        doc.select("p, div, tr, h1, h2, h3, h4, li").before("\\n");
        return doc.text().replace("\\n", "\n").replaceAll("[ \\t]*\n[ \\t]*", "\n").replaceAll("\n{3,}", "\n\n")
                .strip();
    }

    private static InternetAddress[] addresses(List<EmailAddress> list) {
        return list.stream().map(EmailAddress::toInternetAddress).toArray(InternetAddress[]::new);
    }

    private static int estimate(Composition c) {
        long size = 2048L + c.text().length() * 2L + c.html().length() * 2L
                + c.attachments().stream().mapToLong(a -> a.content().length * 4L / 3).sum();
        return (int) Math.min(Integer.MAX_VALUE - 8, size);
    }

    /**
     * A growable byte buffer without {@link ByteArrayOutputStream}'s lock: Angus's quoted-printable encoder writes
     * the body one byte at a time, and with C1 only (as Postroom is deployed) taking that lock for every byte was a
     * third of composing a message (65 against 42 µs for 2 kB).
     */
    static final class Bytes extends OutputStream {
        private byte[] buf;
        private int count;

        Bytes(int capacity) {
            buf = new byte[Math.max(64, capacity)];
        }

        @Override
        public void write(int b) {
            if (count == buf.length) {
                grow(1);
            }
            buf[count++] = (byte) b;
        }

        @Override
        public void write(byte[] b, int off, int len) {
            java.util.Objects.checkFromIndexSize(off, len, b.length);
            if (len > buf.length - count) {
                grow(len);
            }
            System.arraycopy(b, off, buf, count, len);
            count += len;
        }

        private void grow(int more) {
            buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, count + more));
        }

        byte[] toByteArray() {
            return java.util.Arrays.copyOf(buf, count);
        }
    }

    /**
     * A part whose content is given already in its transfer encoding. Jakarta Mail writes such content as it is (a
     * part's own bytes with a Content-Transfer-Encoding are copied, not encoded again: MimeBodyPart.writeTo), and
     * leaves its headers alone in saveChanges().
     */
    private interface Encoded {
        void encoded(byte[] bytes);
    }

    /** Keeps the Message-ID Postroom chose; Jakarta Mail would otherwise make its own in saveChanges(). */
    private static final class FixedIdMessage extends MimeMessage implements Encoded {
        private final String messageId;

        FixedIdMessage(Session session, String messageId) {
            super(session);
            this.messageId = messageId;
        }

        @Override
        protected void updateMessageID() throws MessagingException {
            setHeader("Message-ID", messageId);
        }

        @Override
        public void encoded(byte[] bytes) {
            dh = null;
            contentStream = null;
            content = bytes;
        }
    }

    /** A body part of text, given encoded ({@link Encoded}). */
    private static final class TextPart extends MimeBodyPart implements Encoded {
        @Override
        public void encoded(byte[] bytes) {
            dh = null;
            contentStream = null;
            content = bytes;
        }
    }
}
