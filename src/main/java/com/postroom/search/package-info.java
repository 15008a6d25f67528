/**
 * Search: Gmail-style queries parsed into a tree (SearchQuery), written as SQL over the search document and its
 * indexes (SearchSql), run and highlighted (MailSearch, Highlighter), in the configured language (SearchLanguage,
 * which rebuilds the index when the language changes), and the documents of a large outgoing batch written just after
 * it was accepted (SearchIndexer); the messages that name an address, through the same keys (AddressKeys). The trigger
 * that writes the search document is the repeatable migration R__search_document.sql. Used by mailbox (the UI and
 * /api/mail), compat (/api/email/search) and founder (the tracking score); uses store and config.
 */
@NullMarked
package com.postroom.search;

import org.jspecify.annotations.NullMarked;
