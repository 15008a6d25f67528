package com.postroom.search;

import java.util.List;
import java.util.UUID;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.InitializingBean;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

import com.postroom.config.ConfigurationError;
import com.postroom.config.PostroomSettings;
import com.postroom.store.MessageStates;

/**
 * Applies {@code SEARCH_LANGUAGE} at start: checked against the text search configurations the database has, stored
 * in {@code search_config}, and when it changed every message's search document is rebuilt in the background, in
 * small batches (search keeps working meanwhile, with the old stemming for messages not yet rebuilt). The same
 * happens once after an upgrade that changed what the document holds ({@link #DOC_VERSION}); a rebuild that did not
 * finish (the server stopped) starts again at the next start.
 */
@Component
public class SearchLanguage implements InitializingBean {

    private static final Logger log = LoggerFactory.getLogger(SearchLanguage.class);
    private static final int BATCH = 2000;
    /**
     * The version of the search document that email_message_search_doc() builds, as recorded in
     * {@code search_config.doc_version} once every message has it. 2: names also in the search language
     * (V12__names_in_search_language.sql).
     */
    public static final int DOC_VERSION = 2;

    private final JdbcClient jdbc;
    private final MessageStates states;
    private final String language;

    SearchLanguage(JdbcClient jdbc, PostroomSettings settings, MessageStates states) {
        this.jdbc = jdbc;
        this.states = states;
        this.language = settings.search().language();
    }

    @Override
    public void afterPropertiesSet() {
        List<String> known = jdbc.sql("SELECT cfgname FROM pg_ts_config ORDER BY cfgname").query(String.class).list();
        if (!known.contains(language)) {
            throw new ConfigurationError("SEARCH_LANGUAGE '" + language + "' is not a text search configuration of "
                    + "this database; use one of " + String.join(", ", known) + ".");
        }
        String current = jdbc.sql("SELECT language::text FROM search_config").query(String.class).single();
        if (!current.equals(language)) {
            // Version 0 until every document is rebuilt, so that a rebuild cut short is finished at the next start.
            jdbc.sql("UPDATE search_config SET language = ?::regconfig, doc_version = 0").param(language).update();
            log.info("SEARCH_LANGUAGE changed from {} to {}: rebuilding the search index in the background", current,
                    language);
        }
        int version = jdbc.sql("SELECT doc_version FROM search_config").query(Integer.class).single();
        if (version >= DOC_VERSION) {
            return;
        }
        if (current.equals(language)) {
            log.info("The search index of this version differs from the stored one ({} < {}): rebuilding it in the "
                    + "background", version, DOC_VERSION);
        }
        Thread t = new Thread(this::reindex, "postroom-search-reindex");
        t.setDaemon(true);
        t.start();
    }

    private void reindex() {
        UUID after = new UUID(0, 0); // PostgreSQL orders UUIDs by their bytes: this one is the lowest
        long done = 0;
        try {
            while (true) {
                List<UUID> ids = jdbc.sql("SELECT id FROM email_message WHERE id > ? ORDER BY id LIMIT ?")
                        .params(after, BATCH).query(UUID.class).list();
                if (ids.isEmpty()) {
                    break;
                }
                states.rebuildSearchDocuments(ids);
                after = ids.get(ids.size() - 1);
                done += ids.size();
            }
            jdbc.sql("UPDATE search_config SET doc_version = ?").param(DOC_VERSION).update();
            log.info("Search index rebuilt for {} messages", done);
        } catch (RuntimeException e) {
            log.warn("Rebuilding the search index stopped after {} messages: {}", done, e.getMessage());
        }
    }
}
