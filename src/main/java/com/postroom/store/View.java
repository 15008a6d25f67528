package com.postroom.store;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Gmail's system views. A message is in exactly one folder ({@code email_message.folder}); Starred and Sent are views
 * across folders. Each view is a SQL predicate over a message aliased {@code m}, never over user input.
 */
public enum View {
    INBOX("Inbox", "m.folder = 'inbox'"),
    STARRED("Starred", "m.flagged AND m.folder NOT IN ('spam', 'trash')"),
    SENT("Sent", "m.direction = 'outbound' AND m.folder NOT IN ('spam', 'trash', 'drafts', 'scheduled')"),
    DRAFTS("Drafts", "m.folder = 'drafts'"),
    /** Mail that waits for the time it was scheduled for; it moves to Sent once the server took it. */
    SCHEDULED("Scheduled", "m.folder = 'scheduled'"),
    ARCHIVE("Archive", "m.folder = 'archive'"),
    SPAM("Spam", "m.folder = 'spam'"),
    TRASH("Trash", "m.folder = 'trash'"),
    /** Everything but spam and trash: Gmail's "All Mail", and the scope of a search that names no folder. */
    ALL("All mail", "m.folder NOT IN ('spam', 'trash')"),
    ANYWHERE("Anywhere", "TRUE");

    /** The values {@code in:} accepts. */
    public static final List<String> SEARCHABLE = Arrays.stream(values()).map(View::id).toList();
    /** The views the sidebar shows, in its order. */
    public static final List<View> SIDEBAR = List.of(INBOX, STARRED, SENT, DRAFTS, SCHEDULED, ARCHIVE, SPAM, TRASH);

    private final String title;
    private final String predicate;

    View(String title, String predicate) {
        this.title = title;
        this.predicate = predicate;
    }

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    public String title() {
        return title;
    }

    /** The SQL condition on {@code m} (deleted messages are excluded separately). */
    public String predicate() {
        return predicate;
    }

    /** The same test as {@link #predicate()}, in Java, for counts computed from grouped rows. */
    public boolean contains(String folder, String direction, boolean flagged) {
        boolean hidden = folder.equals("spam") || folder.equals("trash");
        return switch (this) {
            case INBOX -> folder.equals("inbox");
            case STARRED -> flagged && !hidden;
            case SENT -> direction.equals("outbound") && !hidden && !folder.equals("drafts")
                    && !folder.equals("scheduled");
            case DRAFTS -> folder.equals("drafts");
            case SCHEDULED -> folder.equals("scheduled");
            case ARCHIVE -> folder.equals("archive");
            case SPAM -> folder.equals("spam");
            case TRASH -> folder.equals("trash");
            case ALL -> !hidden;
            case ANYWHERE -> true;
        };
    }

    public static Optional<View> of(String id) {
        return Arrays.stream(values()).filter(v -> v.id().equalsIgnoreCase(id)).findFirst();
    }
}
