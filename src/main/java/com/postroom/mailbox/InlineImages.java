package com.postroom.mailbox;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;

import jakarta.mail.MessagingException;
import jakarta.mail.Session;
import jakarta.mail.internet.MimeMessage;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

import com.postroom.mime.RawMail;
import com.postroom.store.RawStore;

/**
 * A message's {@code cid:} images as {@code data:} URLs, for the web UI. The message is shown in a sandboxed
 * {@code srcdoc} frame whose origin is opaque, so it cannot fetch Postroom's own URLs with the reader's session; the
 * images have to travel inside the HTML. Only raster types are embedded (never SVG, which can carry script) and only up
 * to a size that keeps the page light; a larger image stays a download in the attachment list.
 */
@Component
class InlineImages {

    private static final Logger log = LoggerFactory.getLogger(InlineImages.class);

    static final Set<String> RASTER = Set.of("image/png", "image/jpeg", "image/gif", "image/webp");
    static final long MAX_IMAGE_BYTES = 1_500_000;
    static final long MAX_TOTAL_BYTES = 6_000_000;

    /** An inline part of a stored message: where it sits in the MIME tree and what it is. */
    record Part(String contentId, String partPath, String contentType, String filename, long sizeBytes) {
    }

    private final RawStore raw;

    InlineImages(RawStore raw) {
        this.raw = raw;
    }

    /** Content-ID (without angle brackets, lower case) to data URL, for every part small enough to embed. */
    Map<String, String> dataUrls(UUID messageId, List<Part> parts) {
        List<Part> wanted = parts.stream().filter(InlineImages::embeddable).toList();
        Map<String, String> out = new HashMap<>();
        if (wanted.isEmpty()) {
            return out;
        }
        try (RawMail stored = RawMail.spooled(raw.toTempFile(messageId))) {
            try (InputStream in = stored.openForMime()) {
                return dataUrls(new MimeMessage(Session.getInstance(new Properties()), in), wanted);
            }
        } catch (IOException | MessagingException | RuntimeException e) {
            // The images are a nicety: the message still shows, with the parts listed as attachments.
            log.warn("Inline images of message {} could not be read: {}", messageId, e.toString());
        }
        return out;
    }

    /** The same for a message already open (an attached message, read from its part); parts located by path in it. */
    static Map<String, String> dataUrls(MimeMessage message, List<Part> parts) throws MessagingException, IOException {
        Map<String, String> out = new HashMap<>();
        long total = 0;
        for (Part p : parts) {
            if (!embeddable(p)) {
                continue;
            }
            if (total + p.sizeBytes() > MAX_TOTAL_BYTES) {
                break;
            }
            byte[] bytes = read(StoredAttachments.locate(message, p.partPath()));
            // The type the bytes really have: a mislabelled part (application/octet-stream, or a "PNG" that is
            // something else) is shown only if its first bytes are one of the four raster formats.
            String type = bytes == null ? null : sniff(bytes);
            if (type == null) {
                continue;
            }
            total += bytes.length;
            out.put(key(p.contentId()), "data:" + type + ";base64," + Base64.getEncoder().encodeToString(bytes));
        }
        return out;
    }

    /** A picture with a Content-ID, small enough, of a raster type by its label or its file name. */
    private static boolean embeddable(Part p) {
        return p.contentId() != null && !p.contentId().isBlank() && p.sizeBytes() <= MAX_IMAGE_BYTES
                && (RASTER.contains(type(p)) || byName(p) != null);
    }

    /** How a Content-ID header is looked up: without angle brackets, in lower case. */
    static String key(String contentId) {
        return contentId.strip().replaceAll("^<|>$", "").toLowerCase(Locale.ROOT);
    }

    /**
     * The key a {@code cid:} URL stands for: a URL is %-encoded (RFC 2392: {@code cid:foo4%25bar} is the part
     * {@code <foo4%bar>}) while the header is not. Callers try this first and the URL as written second, for senders
     * that put a bare % in the URL.
     */
    static String urlKey(String cid) {
        String id = cid.strip();
        if (id.indexOf('%') >= 0) {
            try {
                id = java.net.URLDecoder.decode(id.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8);
            } catch (IllegalArgumentException notEncoded) {
                // A lone % that is not an escape: keep the URL as it is.
            }
        }
        return key(id);
    }

    /** Looks a {@code cid:} URL up among the data URLs made by {@link #dataUrls}. */
    static String lookup(java.util.Map<String, String> dataUrls, String cid) {
        String found = dataUrls.get(urlKey(cid));
        return found != null ? found : dataUrls.get(key(cid));
    }

    /** PNG, JPEG, GIF or WebP by their magic numbers; null for anything else (SVG, HTML, a renamed file). */
    static String sniff(byte[] b) {
        if (b.length >= 8 && (b[0] & 0xff) == 0x89 && b[1] == 'P' && b[2] == 'N' && b[3] == 'G') {
            return "image/png";
        }
        if (b.length >= 3 && (b[0] & 0xff) == 0xff && (b[1] & 0xff) == 0xd8 && (b[2] & 0xff) == 0xff) {
            return "image/jpeg";
        }
        if (b.length >= 6 && b[0] == 'G' && b[1] == 'I' && b[2] == 'F' && b[3] == '8') {
            return "image/gif";
        }
        if (b.length >= 12 && b[0] == 'R' && b[1] == 'I' && b[2] == 'F' && b[3] == 'F' && b[8] == 'W' && b[9] == 'E'
                && b[10] == 'B' && b[11] == 'P') {
            return "image/webp";
        }
        return null;
    }

    /** A raster type from the file name, for parts sent as application/octet-stream. */
    private static String byName(Part p) {
        String name = p.filename() == null ? "" : p.filename().toLowerCase(Locale.ROOT);
        return name.matches(".*\\.(png|jpe?g|gif|webp)$") ? "image/*" : null;
    }

    private static String type(Part p) {
        return p.contentType() == null ? "" : p.contentType().toLowerCase(Locale.ROOT);
    }

    /** The decoded part, or null when it is larger than an image may be. */
    private static byte[] read(jakarta.mail.Part part) throws IOException, MessagingException {
        try (InputStream in = part.getInputStream()) {
            ByteArrayOutputStream buffer = new ByteArrayOutputStream();
            byte[] chunk = new byte[65536];
            long total = 0;
            for (int n; (n = in.read(chunk)) > 0; ) {
                total += n;
                if (total > MAX_IMAGE_BYTES) {
                    return null; // larger than its recorded size said
                }
                buffer.write(chunk, 0, n);
            }
            return buffer.toByteArray();
        }
    }
}
