/**
 * MIME, read the way real mail is written: the parser (MailParser into ParsedMail: bodies, attachments, malformed
 * input salvaged), header blocks, charsets, RFC 2047 encoded words, address lists, a raw message kept in memory or
 * spooled to disk (RawMail), media types, attachment naming, and a message's identity (ContentKey). Used by inbound,
 * mailbox and postmark alike; uses nothing of Postroom.
 */
@NullMarked
package com.postroom.mime;

import org.jspecify.annotations.NullMarked;
