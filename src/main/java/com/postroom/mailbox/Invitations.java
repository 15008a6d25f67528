package com.postroom.mailbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import org.springframework.stereotype.Component;

import com.postroom.problem.Problem;

/**
 * A message's calendar invitation, read from its stored part for the card the conversation shows, and its files with
 * the invitation listed once: Outlook and Google send the same event twice (the text/calendar alternative and an
 * invite.ics attachment), which was listed as two files.
 */
@Component
class Invitations {

    /** What a message shows: its invitation (if any), and its files. */
    record Shown(CalendarInvite invite, List<MessageDetails.AttachmentInfo> files) {
    }

    private final StoredAttachments stored;

    Invitations(StoredAttachments stored) {
        this.stored = stored;
    }

    Shown of(long orgId, MessageDetails.Detail m) {
        List<MessageDetails.AttachmentInfo> calendars = m.attachments().stream().filter(Invitations::isCalendar)
                .toList();
        if (calendars.isEmpty()) {
            return new Shown(null, m.attachments());
        }
        Optional<CalendarInvite> invite = calendars.stream().filter(a -> a.sizeBytes() <= CalendarInvite.MAX_BYTES)
                .map(a -> read(orgId, a)).flatMap(Optional::stream).findFirst();
        if (invite.isEmpty()) {
            return new Shown(null, m.attachments());
        }
        // The named one (invite.ics) stays as the download; the other copies of the event go.
        MessageDetails.AttachmentInfo kept = calendars.stream().filter(a -> a.filename() != null && !a.filename()
                .isBlank()).findFirst().orElse(calendars.get(0));
        List<MessageDetails.AttachmentInfo> files = new ArrayList<>();
        for (MessageDetails.AttachmentInfo a : m.attachments()) {
            if (!isCalendar(a) || a == kept) {
                files.add(a);
            }
        }
        return new Shown(invite.get(), files);
    }

    private Optional<CalendarInvite> read(long orgId, MessageDetails.AttachmentInfo a) {
        try {
            byte[] bytes = stored.bytes(stored.find(orgId, a.id()));
            return CalendarInvite.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IOException | Problem e) {
            return Optional.empty(); // no card; the file is still there to download
        }
    }

    static boolean isCalendar(MessageDetails.AttachmentInfo a) {
        String type = a.contentType() == null ? "" : a.contentType().toLowerCase(Locale.ROOT);
        String name = a.filename() == null ? "" : a.filename().toLowerCase(Locale.ROOT);
        return type.startsWith("text/calendar") || type.startsWith("application/ics") || name.endsWith(".ics");
    }
}
