/**
 * Mail coming in: IMAP sync exactly once (FolderSync, ImapReader, the watchers), ingest (parsed by mime), threading,
 * classification, bounces, write-back of changes to the server, and sync health. Uses mime (the parser's parts),
 * store (messages, labels), mailbox (changes), outbound (suppressions, alerts), mail, config, cluster, org,
 * policy and api.
 */
@NullMarked
package com.postroom.inbound;

import org.jspecify.annotations.NullMarked;
