package com.postroom.mime;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import jakarta.mail.BodyPart;
import jakarta.mail.MessagingException;
import jakarta.mail.Multipart;
import jakarta.mail.Part;
import jakarta.mail.Session;
import jakarta.mail.internet.ContentType;
import jakarta.mail.internet.MailDateFormat;
import jakarta.mail.internet.MimeBodyPart;
import jakarta.mail.internet.MimeMessage;
import jakarta.mail.internet.MimeMultipart;

import org.springframework.stereotype.Component;


/**
 * Reads a raw message into a {@link ParsedMail}. Real-world mail is often broken, so every step has a fallback: a bad
 * Content-Type is salvaged ({@link MimeTypes}), a broken multipart is read as plain text, an unknown charset or
 * transfer encoding through {@link Charsets}; problems are recorded as warnings. Only a message with no header at all
 * is refused ({@link UnparseableMail}), and it is still stored raw by the caller.
 */
@Component
public class MailParser {

    /** Text bodies beyond this are cut; the full text is still in the raw message. */
    static final int MAX_BODY_BYTES = 2 * 1024 * 1024;
    private static final int MAX_DEPTH = 20;
    private static final Set<String> SIGNATURES = Set.of("application/pkcs7-signature",
            "application/x-pkcs7-signature", "application/pgp-signature");
    private static final Set<String> READABLE_ENCODINGS =
            Set.of("7bit", "8bit", "binary", "quoted-printable", "base64");
    private static final String STRUCTURE_WARNING = "MIME structure could not be read";
    /** A zone offset at the end of a date, written "+0200", "+02:00", "GMT+0200" or "UTC-04:00". */
    private static final Pattern OFFSET_WITH_COLON =
            Pattern.compile("(?i)(?:\\s(?:GMT|UTC))?\\s*([+-]\\d{2}):?(\\d{2})(\\s*(?:\\(.*\\))?)$");

    private final Session session;

    public MailParser() {
        MimeDefaults.install();
        Properties props = new Properties();
        props.put("mail.mime.allowutf8", "true");
        props.put("mail.mime.address.strict", "false");
        this.session = Session.getInstance(props);
    }

    public ParsedMail parse(RawMail raw) throws UnparseableMail {
        // Jakarta Mail loads its stream provider through the thread's context class loader. A pool thread's (the
        // common ForkJoinPool's, which parses a batch on all cores) is the system class loader, which inside the Boot
        // jar cannot see Angus: every multipart message parsed there would fail and be kept as plain text without
        // its attachments. So the parse runs with the loader that loaded Postroom, whatever thread calls it.
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        thread.setContextClassLoader(MailParser.class.getClassLoader());
        try {
            return parseStructure(raw);
        } finally {
            thread.setContextClassLoader(previous);
        }
    }

    private ParsedMail parseStructure(RawMail raw) throws UnparseableMail {
        if (raw.size() == 0) {
            throw new UnparseableMail("The message is empty (0 bytes).");
        }
        HeaderBlock headers = HeaderBlock.parse(raw.headerBlock());
        if (headers.isEmpty()) {
            throw new UnparseableMail("The message has no header section (no \"Name: value\" line before the body).");
        }
        Walk walk = new Walk();
        if (raw.separatorMissing()) {
            walk.warnings.add("The header section did not end with an empty line; the body was taken to start at "
                    + "the first line that is not a header field.");
        }
        try (InputStream in = raw.openForMime()) {
            MimeMessage message = new MimeMessage(session, in);
            walk.part(message, "1", 0, false, "text/plain");
            walk.finish();
        } catch (MessagingException | IOException | RuntimeException e) {
            walk.warnings.add(structureWarning(e.getClass().getSimpleName()));
            walk.text.setLength(0);
            walk.text.append(Charsets.decode(bodyBytes(raw), null));
        }
        List<Addresses.Named> fromNamed = Addresses.parse(headers.addressText("From").orElse(null));
        // Every Reply-To address (RFC 5322 allows a list: a mailing list and the author, say): a reply goes to them all.
        List<String> replyTos = Addresses.addresses(headers.addressText("Reply-To"));
        Optional<String> replyTo = replyTos.isEmpty() ? Optional.empty() : Optional.of(String.join(", ", replyTos));
        List<String> references = Addresses.messageIds(headers.raw("References").orElse(null));
        return new ParsedMail(headers,
                headers.raw("Message-ID").flatMap(v -> Addresses.messageIds(v).stream().findFirst()),
                headers.raw("In-Reply-To").flatMap(v -> Addresses.messageIds(v).stream().findFirst()),
                references,
                fromNamed.stream().findFirst().map(Addresses.Named::address),
                fromNamed.stream().findFirst().map(Addresses.Named::name),
                Addresses.addresses(headers.addressText("To")), Addresses.addresses(headers.addressText("Cc")), replyTo,
                headers.text("Subject").map(s -> s.replaceAll("[\\r\\n\\t]+", " ").strip()).orElse(""),
                headers.raw("Date").flatMap(MailParser::date),
                walk.text.toString(), walk.html.toString(), walk.truncated, shownOrAttached(walk.parts, walk.html),
                Optional.ofNullable(walk.deliveryStatus), Optional.ofNullable(walk.returnedMessageId),
                walk.warnings);
    }

    /**
     * A part is inline only where the HTML shows it ({@code cid:}). An image with a Content-ID that the HTML does not
     * reference (a photo in a plain-text mail from Apple Mail or a phone, an HTML that links another id) would
     * otherwise be shown nowhere: it is an attachment, as Gmail lists it.
     */
    public static List<ParsedMail.Part> shownOrAttached(List<ParsedMail.Part> parts, CharSequence html) {
        if (parts.stream().noneMatch(ParsedMail.Part::inline)) {
            return parts;
        }
        String lower = html.toString().toLowerCase(Locale.ROOT);
        List<ParsedMail.Part> out = new ArrayList<>(parts.size());
        for (ParsedMail.Part p : parts) {
            out.add(p.inline() && !references(lower, p.contentId().toLowerCase(Locale.ROOT)) ? p.attached() : p);
        }
        return out;
    }

    private static boolean references(String html, String contentId) {
        String cid = "cid:" + contentId;
        for (int at = html.indexOf(cid); at >= 0; at = html.indexOf(cid, at + 1)) {
            int end = at + cid.length();
            if (end == html.length() || "\"' )>;&".indexOf(html.charAt(end)) >= 0) {
                return true;
            }
        }
        return false;
    }

    /** The warning of a message whose MIME structure could not be read, and that is kept as plain text. */
    public static String structureWarning(String failure) {
        return STRUCTURE_WARNING + " (" + failure + "); the body is shown as plain text.";
    }

    public static boolean isStructureWarning(String warning) {
        return warning.startsWith(STRUCTURE_WARNING);
    }

    /**
     * The Date header. Beyond RFC 5322's form, what mailers and scripts are seen to write: an offset with a colon
     * ("+02:00") or after "GMT"/"UTC" ("GMT+0200"), which Jakarta Mail would silently read as UTC, and ISO 8601.
     */
    public static Optional<OffsetDateTime> date(String value) {
        String v = value.strip();
        try {
            return Optional.of(OffsetDateTime.parse(v.replace(' ', 'T')).withOffsetSameInstant(ZoneOffset.UTC));
        } catch (DateTimeParseException e) {
            // not ISO 8601 with an offset: the usual case
        }
        v = OFFSET_WITH_COLON.matcher(v).replaceFirst(" $1$2$3");
        try {
            java.util.Date d = new MailDateFormat().parse(v);
            return d == null ? Optional.empty() : Optional.of(d.toInstant().atOffset(ZoneOffset.UTC));
        } catch (java.text.ParseException | RuntimeException e) {
            return Optional.empty();
        }
    }

    private static byte[] bodyBytes(RawMail raw) {
        try (InputStream in = raw.open()) {
            in.skipNBytes(Math.min(raw.bodyOffset(), raw.size()));
            return in.readNBytes(MAX_BODY_BYTES);
        } catch (IOException e) {
            return new byte[0];
        }
    }

    private final class Walk {
        final StringBuilder text = new StringBuilder();
        final StringBuilder html = new StringBuilder();
        final StringBuilder namedText = new StringBuilder();
        final List<ParsedMail.Part> parts = new ArrayList<>();
        final List<String> warnings = new ArrayList<>();
        String deliveryStatus;
        String returnedMessageId;
        boolean truncated;

        void part(Part part, String path, int depth, boolean inReport, String defaultType)
                throws MessagingException, IOException {
            ContentType type = contentType(part, path, defaultType);
            String base = type.getBaseType().toLowerCase(Locale.ROOT);
            if (base.startsWith("multipart/") && depth < MAX_DEPTH) {
                multipart(part, type, base, path, depth);
                return;
            }
            String filename = filename(part, type);
            boolean attachment = Part.ATTACHMENT.equalsIgnoreCase(disposition(part)) || filename != null;
            if (inReport && (base.equals("message/delivery-status") || base.equals("message/global-delivery-status"))) {
                // Some MTAs send two status parts, one of them prose (mail gem's multipart_report_multiple_status):
                // the fields of all of them are read, each recipient's block being self-contained (RFC 3464 2.3).
                String status = Charsets.decode(readLimited(part), "utf-8");
                deliveryStatus = deliveryStatus == null ? status : deliveryStatus.strip() + "\n\n" + status;
                return;
            }
            if (inReport && (base.equals("message/rfc822") || base.equals("text/rfc822-headers")
                    || base.equals("message/global") || base.equals("message/global-headers"))) {
                byte[] returned = readLimited(part);
                HeaderBlock returnedHeaders = HeaderBlock.parse(RawMail.of(returned).headerBlock());
                returnedMessageId = returnedHeaders.raw("Message-ID")
                        .flatMap(v -> Addresses.messageIds(v).stream().findFirst()).orElse(null);
            }
            if (!attachment && base.equals("text/plain")) {
                appendText(text, part, type);
            } else if (base.equals("text/plain") && Part.INLINE.equalsIgnoreCase(disposition(part))
                    && readableEncoding(part)) {
                // A named text part marked inline: a patch or a log sent inline (git send-email, mutt, Apple Mail).
                // Mail readers show it in the message; kept aside, it is shown if the message has no HTML, and it is
                // listed as a file either way. Without a disposition (Pine's files) it is a file only, as in Gmail.
                appendText(namedText, part, type);
                attachment(part, base, path, filename);
            } else if (!attachment && base.equals("text/html")) {
                appendText(html, part, type);
            } else {
                attachment(part, base, path, filename);
            }
        }

        /**
         * Named inline text is shown after the body where the body is text, as Thunderbird and Apple Mail show it.
         * Beside an HTML body it stays a file only: joined to the text alternative it would be the list's snippet.
         * A delivery report without a human-readable part (some MTAs send only the status fields) shows its fields,
         * so a clerk opening it reads which recipient failed and why instead of an empty message.
         */
        void finish() {
            if (namedText.length() > 0 && html.length() == 0) {
                if (text.length() > 0) {
                    text.append("\n");
                }
                text.append(namedText);
            }
            if (text.length() == 0 && html.length() == 0 && deliveryStatus != null) {
                text.append(deliveryStatus.strip());
            }
        }

        private void multipart(Part part, ContentType type, String base, String path, int depth)
                throws MessagingException, IOException {
            Multipart multipart;
            try {
                multipart = MimeTypes.multipart(part);
                multipart.getCount(); // forces the parse, so a broken boundary fails here
            } catch (MessagingException | IOException e) {
                warnings.add("Part " + path + " is " + base + " but its boundaries are broken; read as plain text.");
                appendText(text, part, new ContentType("text", "plain", type.getParameterList()));
                return;
            }
            if (multipart instanceof MimeMultipart mime && !mime.isComplete()) {
                warnings.add("Part " + path + " has no closing boundary; what arrived is kept.");
            }
            boolean report = base.equals("multipart/report");
            boolean alternative = base.equals("multipart/alternative");
            boolean signed = base.equals("multipart/signed");
            // RFC 2046 5.1.5: in a digest, a part without a Content-Type is a message.
            String childDefault = base.equals("multipart/digest") ? "message/rfc822" : "text/plain";
            for (int i = 0; i < multipart.getCount(); i++) {
                BodyPart child = multipart.getBodyPart(i);
                String childPath = path + "." + (i + 1);
                if (alternative) {
                    // Only the first text/plain and text/html of an alternative are bodies; later ones are the same
                    // content again.
                    String childType = MimeTypes.of(child, childDefault).getBaseType().toLowerCase(Locale.ROOT);
                    if ((childType.equals("text/plain") && text.length() > 0)
                            || (childType.equals("text/html") && html.length() > 0)) {
                        continue;
                    }
                }
                if (signed && i > 0 && SIGNATURES.contains(
                        MimeTypes.of(child, childDefault).getBaseType().toLowerCase(Locale.ROOT))) {
                    // The signature of a signed message (RFC 1847: S/MIME's smime.p7s, OpenPGP's signature.asc) is
                    // no file the sender attached; mail readers do not list it, and it would put a paperclip on
                    // every signed message. It stays in the raw message.
                    continue;
                }
                part(child, childPath, depth + 1, report, childDefault);
            }
        }

        private void appendText(StringBuilder target, Part part, ContentType type) throws MessagingException {
            byte[] bytes = readLimited(part);
            if (target.length() > 0) {
                target.append("\n");
            }
            String charset = type.getParameter("charset");
            if ((charset == null || charset.isBlank()) && type.getBaseType().equalsIgnoreCase("text/html")) {
                charset = metaCharset(bytes); // as browsers and Thunderbird read HTML whose part names no charset
            }
            String decoded = Charsets.decode(bytes, charset);
            if ("flowed".equalsIgnoreCase(stripped(type.getParameter("format")))
                    && type.getBaseType().equalsIgnoreCase("text/plain")) {
                decoded = Flowed.unwrap(decoded, "yes".equalsIgnoreCase(stripped(type.getParameter("delsp"))));
            }
            target.append(decoded);
        }

        private static String stripped(String parameter) {
            return parameter == null ? null : parameter.strip();
        }

        private void attachment(Part part, String base, String path, String filename) throws MessagingException {
            MessageDigest sha;
            try {
                sha = MessageDigest.getInstance("SHA-256");
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            long size = 0;
            try (InputStream in = decoded(part)) {
                byte[] buffer = new byte[64 * 1024];
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                    size += n;
                }
            } catch (IOException e) {
                warnings.add("Part " + path + " could not be read to its end (" + e.getMessage() + ").");
            }
            if (filename == null && base.equals("message/rfc822")) {
                filename = nestedSubject(part) + ".eml";
            }
            String contentId = header(part, "Content-ID");
            if (contentId != null) {
                contentId = contentId.strip().replaceAll("^<|>$", "");
            }
            boolean inline = contentId != null && !Part.ATTACHMENT.equalsIgnoreCase(disposition(part));
            parts.add(new ParsedMail.Part(path, filename, base, size, HexFormat.of().formatHex(sha.digest()),
                    contentId, inline));
        }

        private String nestedSubject(Part part) {
            try (InputStream in = decoded(part)) {
                byte[] head = in.readNBytes(64 * 1024);
                String subject = HeaderBlock.parse(RawMail.of(head).headerBlock()).text("Subject").orElse("");
                // Without a trailing dot ("... in a base64 body..eml"), which Windows also drops from a file name.
                String safe = subject.replaceAll("[\\\\/:*?\"<>|\\r\\n\\t]", "_").replaceAll("[.\\s]+$", "").strip();
                return safe.isEmpty() ? "forwarded-message" : safe.substring(0, Math.min(safe.length(), 100));
            } catch (IOException | MessagingException e) {
                return "forwarded-message";
            }
        }

        private byte[] readLimited(Part part) throws MessagingException {
            try (InputStream in = decoded(part)) {
                byte[] bytes = in.readNBytes(MAX_BODY_BYTES);
                if (in.read() != -1) {
                    truncated = true;
                }
                return bytes;
            } catch (IOException e) {
                warnings.add("A text part could not be read to its end (" + e.getMessage() + ").");
                return new byte[0];
            }
        }

        private ContentType contentType(Part part, String path, String fallback) {
            ContentType type = MimeTypes.of(part, fallback);
            if (!MimeTypes.isReadable(part)) {
                warnings.add("Part " + path + " has a malformed Content-Type; read as " + type.getBaseType() + ".");
            }
            return type;
        }
    }

    /** The transfer-decoded content; with an unknown Content-Transfer-Encoding, the bytes as they are. */
    private static InputStream decoded(Part part) throws MessagingException, IOException {
        try {
            return part.getInputStream();
        } catch (MessagingException e) {
            if (part instanceof MimeBodyPart body) {
                return body.getRawInputStream();
            }
            if (part instanceof MimeMessage message) {
                return message.getRawInputStream();
            }
            throw e;
        }
    }

    private static String header(Part part, String name) {
        try {
            String[] values = part.getHeader(name);
            return values == null || values.length == 0 ? null : values[0];
        } catch (MessagingException e) {
            return null;
        }
    }

    /** {@code <meta charset="...">} or {@code <meta http-equiv="Content-Type" content="...; charset=...">}. */
    private static final Pattern META_CHARSET = Pattern.compile(
            "(?i)<meta[^>]{0,200}?charset\\s*=\\s*[\"']?\\s*([A-Za-z0-9._:-]{1,40})");

    /** The charset an HTML document names in its first kilobytes, where the HTML standard looks for it. */
    static String metaCharset(byte[] html) {
        Matcher m = META_CHARSET.matcher(
                new String(html, 0, Math.min(html.length, 4096), StandardCharsets.ISO_8859_1));
        return m.find() ? m.group(1) : null;
    }

    /** No Content-Transfer-Encoding, or one that decodes to the text (not x-gzip64, x-uuencode or a made-up one). */
    private static boolean readableEncoding(Part part) {
        String encoding = header(part, "Content-Transfer-Encoding");
        return encoding == null || READABLE_ENCODINGS.contains(encoding.strip().toLowerCase(Locale.ROOT));
    }

    private static String disposition(Part part) {
        try {
            return part.getDisposition();
        } catch (MessagingException | RuntimeException e) {
            return null;
        }
    }

    /**
     * A part's header as its bytes said it. Jakarta Mail reads a body part's headers byte for byte as ISO-8859-1, so a
     * file name a mailer wrote in raw UTF-8 ("ciële.txt", RFC 6532) comes out as "ciÃ«le.txt": such text is read
     * again from those bytes as the message's own headers are ({@link Charsets#decode}: UTF-8, else windows-1252).
     */
    private static String eightBit(String value) {
        boolean high = false;
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c > 0xFF) {
                return value; // not byte for byte: decoded already (RFC 2231)
            }
            high |= c >= 0x80;
        }
        return high ? Charsets.decode(value.getBytes(StandardCharsets.ISO_8859_1), "utf-8") : value;
    }

    /** The part's file name: Content-Disposition's, else the type's name parameter (also of a salvaged type). */
    private static String filename(Part part, ContentType type) {
        String name;
        try {
            name = part.getFileName();
        } catch (MessagingException | RuntimeException e) {
            name = null;
        }
        if (name == null) {
            name = type.getParameter("name");
        }
        if (name == null) {
            return null;
        }
        name = EncodedWords.decode(eightBit(name)).strip();
        return name.isEmpty() ? null : name;
    }
}
