package com.postroom.search;

import java.time.OffsetDateTime;
import java.util.List;
import java.util.Locale;

/**
 * The messages that may name an address (as sender, recipient or cc), through the month keys' index instead of every
 * message of the organization: a message's search document holds each of its addresses as one word in its 'simple'
 * part (R__search_document.sql), and the keys' index has that word under the message's month
 * ({@code 2612:alice@clinic.example}). A candidate may name the address only in its text: the caller checks the
 * columns it means. A message whose document is not written yet (mail just accepted for sending, for a second; the
 * index of pending documents, migration 27) is always a candidate.
 * <p>
 * Only for an address that PostgreSQL's parser reads as one word: most are; one with a '+' or an apostrophe is split
 * into parts ({@link #ONE_WORD} tells), and then the caller reads the messages themselves.
 */
public final class AddressKeys {

    /** Whether the address (lower case, the one parameter, twice) is one word of the 'simple' configuration. */
    public static final String ONE_WORD = "SELECT tsvector_to_array(to_tsvector('simple', ?)) = ARRAY[?::text]";

    private AddressKeys() {
    }

    /**
     * The organization's messages that may name the address in the months of the keys, as a table {@code m} with the
     * given columns of email_message; two parameters: the organization and {@link #keys}.
     */
    public static String candidates(String columns) {
        // OFFSET 0: the planner would otherwise add an index of creation times to the bitmap of the keys (and read all
        // of it) for the caller's date condition; the months already keep the candidates to their dates.
        return "(SELECT " + columns + " FROM email_message m WHERE m.org_id = ? AND (" + SearchSql.KEYS
                + " && ?::text[] OR m.search_words IS NULL) OFFSET 0) m";
    }

    /** The address's keys of every month from {@code from} to {@code to}. */
    public static String[] keys(String address, OffsetDateTime from, OffsetDateTime to) {
        String word = address.toLowerCase(Locale.ROOT);
        List<String> months = SearchSql.months(from, to);
        return months.stream().map(month -> month + ':' + word).toArray(String[]::new);
    }
}
