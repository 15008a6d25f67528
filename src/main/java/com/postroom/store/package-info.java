/**
 * The one owner of the message tables: every write to a message, its locations on IMAP servers, raw copy,
 * attachments, labels and thread goes through here (Messages for outbound mail and drafts, ReceivedMail for
 * received mail, MessageStates for changes of folder, flags and status, Locations, Threads, Labels), so the rules
 * that tie them together live in one place; ArchitectureTest fails when SQL elsewhere writes these tables. Reads:
 * StoredMessage and StoredThread (domain records; the original API renders them in compat), the list views
 * (View, Summaries, MessageSummary, MailboxScope) that the UI, the native API and search share. Status values are
 * spelled only in MessageStatus, matched by a database CHECK. Uses mime; nothing above the ground floor.
 */
@NullMarked
package com.postroom.store;

import org.jspecify.annotations.NullMarked;
