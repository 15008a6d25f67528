/**
 * The message tables' rooms: messages and threads as the API shows them (Messages, Threads, MessageView,
 * ThreadView), their status (MessageStatus, matched by a database CHECK), labels, raw copies and subject
 * normalisation. Used by inbound, outbound, mailbox and postmark; uses nothing above the ground floor.
 */
@NullMarked
package com.postroom.store;

import org.jspecify.annotations.NullMarked;
