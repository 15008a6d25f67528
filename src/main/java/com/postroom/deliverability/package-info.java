/**
 * The doctor: DNS, TLS, blocklist and round-trip checks with a one-sentence fix each, their history, the daily
 * watch and its alerts. Uses config, mail, inbound (the mailboxes to log in to), outbound (probes and alerts),
 * web and api.
 */
@NullMarked
package com.postroom.deliverability;

import org.jspecify.annotations.NullMarked;
